"""What the user sees of the stream's interaction states, read from the rendered lines."""

from __future__ import annotations

from textual.color import Color
from textual.widgets import Input

from amitui.ui.widgets.stream import EventStream
from tests.ui.test_snapshots import make_app, settle


async def test_the_filter_bar_shows_what_is_typed() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"Event=Hangup")
        await settle(pilot)
        box = app.query_one("#filter", Input)
        assert box.has_focus
        assert box.content_region.height == 1, "the bar has a row for its text"
        rendered = "".join(seg.text for seg in box.render_line(0))
        assert "Event=Hangup" in rendered


async def test_a_filter_error_keeps_the_bar_open_and_marked() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"Channel~(", "enter")
        await settle(pilot)
        box = app.query_one("#filter", Input)
        assert box.display and box.has_class("-error")
        assert box.content_region.height == 1


async def test_the_selected_row_has_the_cursor_background() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("up", "up")
        await settle(pilot)
        stream = app.query_one(EventStream)
        assert stream.cursor is not None
        row = stream.cursor - stream.scroll_offset.y
        cursor_bg = stream.get_component_rich_style("event-stream--cursor").bgcolor
        assert cursor_bg is not None
        selected = stream.render_line(row)
        other = stream.render_line(row - 1)
        backgrounds = {seg.style.bgcolor for seg in selected if seg.style and seg.text.strip()}
        assert backgrounds == {cursor_bg}, backgrounds
        assert all(
            seg.style.bgcolor != cursor_bg for seg in other if seg.style and seg.text.strip()
        )
        assert Color.from_rich_color(cursor_bg) != stream.styles.background


async def test_a_filter_that_hides_the_selected_event_moves_the_inspector_too() -> None:
    """The highlight lands on another row when the selected event is filtered out; the
    inspector must show that row's event, never the hidden one under another highlight."""
    from amitui.store import StoredEvent
    from amitui.ui.widgets.inspector import ResponseInspector

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        stream = app.query_one(EventStream)
        await pilot.press("up")
        await settle(pilot)
        first = stream.selected_entry()
        assert isinstance(first, StoredEvent)
        hidden = first.frame.name
        await pilot.press("slash", *f"Event!={hidden}", "enter")
        await settle(pilot)
        now = stream.selected_entry()
        assert isinstance(now, StoredEvent) and now.frame.name != hidden
        inspector = app.query_one(ResponseInspector)
        assert f"#{now.seq} " in str(inspector.border_title)
