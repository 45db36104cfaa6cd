"""The event stream pane: follow and pause without loss, filter, mute, selection."""

from __future__ import annotations

from textual.app import App, ComposeResult

from amitui.protocol import Frame, Parser
from amitui.store import EventRing, FilteredView, StoredEvent
from amitui.ui.theme import load_themes, variable_defaults
from amitui.ui.widgets.stream import EventStream, family, summary
from amitui.ui.widgets.stream_pane import StreamPane
from tests.ui.layout_support import Layouts


def frames(text: str) -> list[Frame]:
    p = Parser(expect_banner=False)
    p.feed(text.replace("\n", "\r\n").encode())
    return list(p.frames())


def event(name: str, **headers: str) -> Frame:
    lines = [f"Event: {name}", "Privilege: call,all"] + [f"{k}: {v}" for k, v in headers.items()]
    (frame,) = frames("\n".join(lines) + "\n\n")
    return frame


class Host(App[None]):
    def __init__(self) -> None:
        self._themes = load_themes()  # before App.__init__, which asks for the variables
        super().__init__()
        self.ring = EventRing(1000)
        self.view = FilteredView(self.ring)
        self.selected: list[object] = []

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return variable_defaults(self._themes.themes)

    def compose(self) -> ComposeResult:
        yield StreamPane(self.view, id="pane")

    def on_mount(self) -> None:
        self.query_one(EventStream).focus()

    def on_event_stream_selected(self, message: EventStream.Selected) -> None:
        self.selected.append(message.entry)

    def add(self, n: int, start: int = 0, name: str = "Newchannel") -> None:
        batch = [
            event(name, Channel=f"PJSIP/{1000 + i}-0001", Uniqueid=f"17.{i}")
            for i in range(start, start + n)
        ]
        self.ring.append_batch(batch, 0.0)
        pane = self.query_one(StreamPane)
        pane.stream.sync()
        pane.update_titles()


def screen_text(app: App[None]) -> str:
    stream = app.query_one(EventStream)
    return "\n".join(stream.render_line(y).text for y in range(stream.size.height))


async def test_follows_newest_then_pauses_without_losing_events() -> None:
    app = Host()
    async with app.run_test(size=(100, 12)) as pilot:
        app.add(50)
        await pilot.pause()
        stream = app.query_one(EventStream)
        assert stream.following
        assert "PJSIP/1049-0001" in screen_text(app)  # the newest is visible
        await pilot.press("up")
        assert not stream.following
        assert isinstance(app.selected[-1], StoredEvent)
        assert app.selected[-1].frame.get("Uniqueid") == "17.49"
        app.add(30, start=50)
        await pilot.pause()
        assert stream.waiting == 30
        assert "PJSIP/1079" not in screen_text(app)  # paused: the view did not jump
        assert "30 new" in (app.query_one(StreamPane).border_subtitle or "")
        await pilot.press("end")
        await pilot.pause()
        assert stream.following and stream.waiting == 0
        assert "PJSIP/1079-0001" in screen_text(app)
        assert len(stream.rows) == 80


async def test_filter_applies_to_events_already_received_and_clears() -> None:
    app = Host()
    async with app.run_test(size=(100, 12)) as pilot:
        app.add(5)
        app.ring.append_batch([event("Hangup", Channel="PJSIP/1-1", Cause="16"),
                               event("Hangup", Channel="PJSIP/2-1", Cause="17")], 0.0)  # fmt: skip
        app.query_one(EventStream).sync()
        await pilot.press("slash")
        await pilot.press(*"Event=Hangup Cause!=16", "enter")
        await pilot.pause()
        stream = app.query_one(EventStream)
        assert len(stream.rows) == 1
        assert "PJSIP/2-1" in screen_text(app)
        pane = app.query_one(StreamPane)
        assert "filter: Event=Hangup Cause!=16" in (pane.border_title or "")
        await pilot.press("x")
        await pilot.pause()
        assert len(stream.rows) == 7


async def test_bad_filter_is_reported_and_not_applied() -> None:
    app = Host()
    async with app.run_test(size=(100, 12)) as pilot:
        app.add(3)
        await pilot.press("slash", *"Channel~(", "enter")
        await pilot.pause()
        assert len(app.query_one(EventStream).rows) == 3
        assert any("regular expression" in n.message for n in app._notifications)


async def test_mute_selected_type_in_one_key() -> None:
    app = Host()
    async with app.run_test(size=(100, 12)) as pilot:
        app.add(3)
        app.add(2, start=3, name="VarSet")
        await pilot.press("up", "m")
        await pilot.pause()
        stream = app.query_one(EventStream)
        assert len(stream.rows) == 3
        assert "VarSet" not in screen_text(app)
        assert app.view.muted == frozenset({"VarSet"})


async def test_gap_markers_are_rows_and_survive_filters() -> None:
    app = Host()
    async with app.run_test(size=(100, 12)) as pilot:
        app.add(2)
        app.ring.mark_gap("connection lost: the server closed the connection", 0.0)
        app.add(1, start=2)
        app.query_one(StreamPane).apply_filter("Event=Nothing")
        await pilot.pause()
        assert "connection lost" in screen_text(app)


def test_family_and_summary() -> None:
    hangup = event("Hangup", Channel="PJSIP/1-1", Cause="16", **{"Cause-txt": "Normal Clearing"})
    assert family(hangup) == "hangup"
    assert summary(hangup)[:3] == [
        (None, "PJSIP/1-1"),
        ("Cause", "16"),
        ("Cause-txt", "Normal Clearing"),
    ]
    (odd,) = frames("Event: Mystery\nPrivilege: system,all\nFoo: 1\nBar: 2\n\n")
    assert family(odd) == "system"
    assert summary(odd) == [("Foo", "1"), ("Bar", "2")]
    (bad,) = frames("garbage line\n\n")
    assert family(bad) == "malformed"


async def test_drawing_rows_does_not_keep_parsed_headers_on_stored_events() -> None:
    """A quiet stream draws every event; the ring must stay compact all the same."""
    app = Host()
    async with app.run_test(size=(100, 12)) as pilot:
        app.add(8)
        await pilot.pause()
        assert "PJSIP/1007-0001" in screen_text(app)  # drawn
        stored = [e.frame for e in app.ring if isinstance(e, StoredEvent)]
        assert stored and all(f._headers is None for f in stored)  # still unparsed


async def test_new_rows_reach_the_scrollbar_without_laying_out_the_screen() -> None:
    """A layout re-arranges every widget of the console (~25 ms each, bench/console.py), and
    while the ring fills every tick brings rows: they change only the stream's scrollable
    height, which its scrollbar shows. Crossing the pane's height still shows the bar."""
    app = Host()
    async with app.run_test(size=(100, 12)) as pilot:
        stream = app.query_one(EventStream)
        app.add(3)
        await pilot.pause()
        assert not stream.show_vertical_scrollbar
        app.add(50, start=3)
        await pilot.pause()
        assert stream.show_vertical_scrollbar and stream.vertical_scrollbar.region.height > 0
        layouts = Layouts(app)
        app.add(30, start=53)
        await pilot.pause()
        assert layouts.count == 0
        assert stream.virtual_size.height == stream.vertical_scrollbar.window_virtual_size == 83
        assert "PJSIP/1082-0001" in screen_text(app)  # still following: the newest is drawn
