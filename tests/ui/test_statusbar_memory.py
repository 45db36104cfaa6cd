"""The byte bound as the user sees it: evictions by size in the status bar (also at 80
columns), and a cut event's real size in the inspector's raw view."""

from __future__ import annotations

from functools import partial

from textual.widgets import TextArea

from amitui.client import Phase, ServerSpec, SessionState
from amitui.config import Profile
from amitui.protocol.frames import Frame
from amitui.store.ring import ENTRY_OVERHEAD, TruncatedEvent
from amitui.store.trim import EVENT_RAW_CAP
from amitui.ui.app import AmiApp, Settings
from amitui.ui.widgets.inspector import ResponseInspector
from amitui.ui.widgets.statusbar import StatusBar, StatusFacts, status_text
from tests.ui.fakes import FakeSession, call_events

READY = SessionState(Phase.READY, "pbx:5038", "admin", ami_version="11.0.0")


def _facts(**changes: object) -> StatusFacts:
    base: dict[str, object] = {
        "rate": 1234.5, "total": 123_456, "evicted": 23_456, "evicted_by_size": 812,
        "ping_ms": 2.0,
    }  # fmt: skip
    base.update(changes)
    return StatusFacts(READY, **base)  # type: ignore[arg-type]


def test_evictions_by_size_are_shown_beside_all_evictions() -> None:
    line = status_text(_facts(), 0.0)
    assert "evicted 23,456 (812 by size)" in line
    assert "by size" not in status_text(_facts(evicted_by_size=0), 0.0)
    assert "dropped 3 · evicted 23,456 (812 by size)" in status_text(_facts(dropped=3), 0.0)


def test_a_line_that_fits_is_unchanged_by_the_width() -> None:
    facts = _facts(evicted=0, evicted_by_size=0)
    assert (
        status_text(facts, 0.0, 120)
        == status_text(facts, 0.0)
        == (
            "● ready  │  AMI 11.0.0  │  ping 2 ms  │  1,234.5 ev/s  │  123,456 events  │  following"
        )
    )


def test_at_80_columns_the_evictions_and_the_mode_stay_in_sight() -> None:
    for facts in (
        _facts(),
        _facts(total=1_234_567, evicted=1_134_567, evicted_by_size=12_345, following=False,
               waiting=123_456, read_only=True),
    ):  # fmt: skip
        line = status_text(facts, 0.0, 78)  # 80 columns less the bar's padding
        assert len(line) <= 78, line
        assert f"({facts.evicted_by_size:,} by size)" in line
        assert line.startswith("● ready")
        assert ("following" in line) if facts.following else ("PAUSED" in line)
    assert "READ-ONLY" in line
    assert "events" in status_text(_facts(), 0.0, 78)  # only as much goes as must


def _huge(i: int) -> Frame:
    raw = b"Event: UserEvent\r\nUserEvent: blob\r\nUniqueid: 1.%d\r\nData: %s\r\n" % (
        i, b"D" * (1024 * 1024)
    )  # fmt: skip
    return Frame.event_unparsed(raw)


async def test_the_console_evicts_by_size_and_says_so_at_80_columns() -> None:
    budget = 4 * (EVENT_RAW_CAP + ENTRY_OVERHEAD)  # four cut events
    settings = Settings(profile=Profile(name="t"), ring_max_bytes=budget)
    preload = [*call_events(), *(_huge(i) for i in range(10))]
    factory = partial(FakeSession, preload=preload)
    app = AmiApp(ServerSpec(user="admin"), settings, session_factory=factory)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.7)  # the status bar refreshes twice a second
        ring = app.ring
        assert ring.max_bytes == budget and ring.stored_bytes <= budget
        assert ring.evicted_by_size == ring.evicted == len(preload) - len(ring) > 0
        status = str(app.query_one(StatusBar).render())
        assert f"evicted {ring.evicted:,} ({ring.evicted_by_size:,} by size)" in status
        assert len(status) <= 78  # fitted to the bar, nothing wrapped out of sight

        newest = ring.get(ring.last_seq)
        assert isinstance(newest, TruncatedEvent)
        inspector = app.query_one(ResponseInspector)
        inspector.show_event(newest)
        await pilot.pause()
        inspector.action_show_tab("inspector-raw")  # the Raw tab is filled when opened
        raw = app.query_one("#inspector-raw-text", TextArea).text
        first, _, rest = raw.partition("\n")
        assert f"truncated, {newest.real_size:,} bytes" in first
        assert rest.startswith("Event: UserEvent")
