"""The stream pane keeps itself current: its title counts events (gap markers apart, so it
agrees with the status bar), it retitles when the stream pauses, and the stream redraws its
rows in a new theme's colours without the app reaching in."""

from __future__ import annotations

import re
from typing import Any

from textual.strip import Strip

from amitui.store import EventRing
from amitui.ui.widgets.statusbar import StatusBar
from amitui.ui.widgets.stream import EventStream
from amitui.ui.widgets.stream_pane import GapSeqs, StreamPane
from tests.ui.fakes import FakeSession, call_events
from tests.ui.hostile_support import screen_text
from tests.ui.test_snapshots import make_app, settle
from tests.ui.test_stream import Host, event


async def test_title_and_status_bar_count_the_same_events_across_a_gap() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.session, FakeSession) and app.session.on_gap is not None
        first = len(call_events())
        app.session.on_gap("connection lost: the server closed the connection")
        app.session.push(call_events())
        await pilot.pause(0.6)  # the status bar refreshes twice a second
        events = 2 * first
        assert len(app.ring) == events + 1  # the marker is a row of the stream
        title = str(app.query_one(StreamPane).border_title)
        status = str(app.query_one(StatusBar).render())
        assert title == f"Events {events:,} · 1 gap"
        found = re.search(r"([\d,]+) events", status)
        assert found and int(found[1].replace(",", "")) == events


async def test_a_filtered_title_counts_events_shown_and_stored() -> None:
    app = Host()
    async with app.run_test(size=(100, 12)) as pilot:
        app.add(3)
        app.ring.mark_gap("connection lost", 0.0)
        app.ring.mark_gap("connection lost again", 0.0)
        app.add(2, start=3, name="Hangup")
        pane = app.query_one(StreamPane)
        pane.apply_filter("Event=Hangup")
        await pilot.pause()
        assert len(pane.stream.rows) == 4  # two events and the two markers
        assert str(pane.border_title).startswith("Events 2 of 5 · 2 gaps · filter: Event=Hangup")


def test_gap_seqs_follow_the_ring_through_eviction_and_clearing() -> None:
    ring = EventRing(4)
    gaps = GapSeqs(ring)
    ring.append_batch([event("A")], 0.0)
    ring.mark_gap("lost", 0.0)  # seq 2
    ring.append_batch([event("B"), event("C")], 0.0)
    assert gaps.update() == [2]
    assert (gaps.between(1, 4), gaps.between(3, 4)) == (1, 0)
    ring.append_batch([event("D"), event("E")], 0.0)  # seqs 1 and 2 evicted
    assert gaps.update() == []
    ring.mark_gap("lost", 0.0)  # seq 7
    assert gaps.update() == [7]
    ring.clear()
    assert gaps.update() == []


async def test_the_pane_retitles_when_the_stream_pauses_by_itself() -> None:
    app = Host()  # a host that never calls update_titles after a key
    async with app.run_test(size=(100, 12)) as pilot:
        app.add(5)
        pane = app.query_one(StreamPane)
        await pilot.press("up")
        await pilot.pause()
        assert str(pane.border_subtitle).startswith("PAUSED · 0 new")
        app.ring.append_batch([event("Newchannel", Channel="PJSIP/9-1")], 0.0)
        assert pane.sync()  # new rows: taken and retitled in one call
        assert str(pane.border_subtitle).startswith("PAUSED · 1 new")
        assert str(pane.border_title) == "Events 6"
        assert not pane.sync()  # nothing new


async def test_the_stream_redraws_in_a_new_theme_without_the_app() -> None:
    app = Host()  # a plain Textual app: nothing in it watches the theme
    async with app.run_test(size=(100, 12)) as pilot:
        app.add(3)
        await pilot.pause()
        stream = app.query_one(EventStream)
        seq = stream.rows[0]
        before = list(stream._line(seq))
        # Cached: each draw makes a new Strip, of the very segments made the first time.
        assert all(a is b for a, b in zip(stream._line(seq), before, strict=True))
        app.theme = "textual-light"
        await pilot.pause()
        after = stream._line(seq)
        assert not any(a is b for a, b in zip(after, before, strict=True))  # drawn again
        assert after.text == "".join(s.text for s in before)  # the same row, other colours


async def test_a_filtered_title_counts_events_the_filter_hides() -> None:
    """Events hidden by the filter change the title's total ("1 of N") without changing the
    rows: the title still follows, as the status bar does."""
    app = Host()
    app.ring.append_batch([event("Newchannel", Channel="PJSIP/1-1")], 1.0)
    async with app.run_test(size=(100, 20)) as pilot:
        pane = app.query_one(StreamPane)
        pane.apply_filter("Event=Newchannel")
        await pilot.pause()
        assert str(pane.border_title).startswith("Events 1 · filter")
        app.ring.append_batch([event("Hangup", Channel="PJSIP/1-1")] * 3, 2.0)
        assert pane.sync() is False  # no row the filter shows came
        await pilot.pause()
        assert str(pane.border_title).startswith("Events 1 of 4")


async def test_a_new_count_redraws_only_the_border_rows_it_is_in() -> None:
    """The title changes at every tick that brings events; the pane's other rows (its sides,
    behind the stream) are not drawn again for it, and the border shows the new words."""
    app = Host()
    async with app.run_test(size=(100, 12)) as pilot:
        app.add(3)
        await pilot.wait_for_scheduled_animations()  # the border's colour on focus
        await pilot.pause()
        pane = app.query_one(StreamPane)
        drawn: list[int] = []  # the pane's rows drawn anew (the others come from its cache)
        styles = pane._styles_cache
        render_line = styles.render_line

        def counted(*args: Any, **kwargs: Any) -> Strip:
            drawn.append(args[1])  # (styles, y, ...)
            return render_line(*args, **kwargs)

        styles.render_line = counted  # type: ignore[method-assign]
        app.add(2, start=3)
        await pilot.pause()
        assert drawn and set(drawn) <= {0}  # the top row; the subtitle did not change
        lines = screen_text(app).splitlines()
        assert "Events 5" in lines[0] and "following" in lines[11]
        drawn.clear()
        await pilot.press("up")  # pauses: the subtitle changes, the title does not
        await pilot.pause()
        assert 11 in drawn and set(drawn) <= {0, 11}
        assert "PAUSED" in screen_text(app).splitlines()[11]
