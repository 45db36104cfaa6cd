"""Call tracing in the console: the live calls list, `f` following exactly one call (also
across an Asterisk restart), h/r refusing a channel that is gone, and the replay's count
after seeking back."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.widgets import DataTable, Label

from amitui.capture.replay import replay_factory, replay_spec
from amitui.client import ServerSpec
from amitui.config import Profile
from amitui.protocol import Frame, Parser
from amitui.ui.app import AmiApp, Settings
from amitui.ui.screens.calls import CallsScreen
from amitui.ui.widgets.composer import ActionComposer
from amitui.ui.widgets.statusbar import StatusBar
from amitui.ui.widgets.stream import EventStream
from tests.store.test_calls import fully_booted, real_call
from tests.ui.fakes import FIXED_TIME, FakeSession

CALL = Path(__file__).resolve().parent.parent / "transcripts" / "asterisk22-call.bin"
SECOND_RUN = "1795834100"  # the next run of Asterisk: same channel names, new Uniqueids


class Clock:
    def __init__(self) -> None:
        self.now = FIXED_TIME

    def __call__(self) -> float:
        return self.now


def next_call(*, hangups: bool = True) -> list[Frame]:
    """Another call of the same Asterisk run: the next channel numbers and Uniqueids."""
    raw = b"".join(f.raw + b"\r\n" for f in real_call(hangups=hangups))
    for old, new in ((b"1795833957.1", b"1795834059.3"), (b"1795833957.0", b"1795834059.2"),
                     (b"-00000000;", b"-00000001;")):  # fmt: skip
        raw = raw.replace(old, new)
    p = Parser(expect_banner=False)
    p.feed(raw)
    return list(p.frames())


def console(preload: list[Frame], clock: Callable[[], float] = lambda: FIXED_TIME) -> AmiApp:
    def factory(spec: ServerSpec, **kw: Any) -> FakeSession:
        return FakeSession(spec, preload=preload, **kw)

    settings = Settings(profile=Profile(name="t", confirm=False), clock=clock)
    return AmiApp(ServerSpec(user="admin"), settings, session_factory=factory)


async def until(pilot: Any, done: Callable[[], bool], what: str) -> None:
    """Wait for the UI to get there (timers, workers); fails after 10 s."""
    try:
        async with asyncio.timeout(10):
            while not done():
                await pilot.pause(0.05)
    except TimeoutError:
        raise AssertionError(f"never: {what}") from None


def table_lines(app: AmiApp) -> list[str]:
    table = app.screen.query_one(DataTable)
    return [table.render_line(y).text.rstrip() for y in range(table.size.height)]


def call_rows(app: AmiApp) -> list[str]:
    """The calls list as drawn, without the header line and blank lines."""
    return [line for line in table_lines(app)[1:] if line.strip()]


def shown_seqs(app: AmiApp) -> list[int]:
    return list(app.query_one(EventStream).rows)


async def test_the_calls_list_is_live_sorted_by_start_and_ticks() -> None:
    clock = Clock()
    app = console(real_call(hangups=False), clock)
    async with app.run_test(size=(140, 30)) as pilot:
        await until(pilot, lambda: len(app.ring) > 0, "the call arrives")
        await pilot.press("c")
        assert isinstance(app.screen, CallsScreen)
        (row,) = call_rows(app)
        assert "● up" in row and " 0 s" in row
        clock.now += 42  # the call is still up: its duration grows with the clock
        await until(pilot, lambda: " 42 s" in call_rows(app)[0], "the duration ticks")
        session = app.session
        assert isinstance(session, FakeSession)
        clock.now += 60
        session.push(next_call(hangups=False))  # a new call, the screen open
        await until(pilot, lambda: len(call_rows(app)) == 2, "the new call appears")
        starts = [re.search(r"\d\d:\d\d:\d\d", line)[0] for line in call_rows(app)]  # type: ignore[index]
        assert starts == sorted(starts, reverse=True)  # newest start first, under "Start"
        assert "Start" in table_lines(app)[0]
        assert " 0 s" in call_rows(app)[0] and " 102 s" in call_rows(app)[1]
        table = app.screen.query_one(DataTable)
        assert table.cursor_row == 1  # still on the call it was on
        # The first call ends: its row says so and its duration stops.
        rest = real_call()[len(real_call(hangups=False)) :]
        session.push(rest)
        await until(pilot, lambda: "ended" in call_rows(app)[1], "the call ends")
        clock.now += 30
        await until(pilot, lambda: " 30 s" in call_rows(app)[0], "the live one ticks on")
        assert " 102 s" in call_rows(app)[1]


async def test_follow_after_a_restart_shows_the_new_call_alone() -> None:
    before, after = real_call(), real_call(SECOND_RUN)
    app = console([*before, fully_booted(3), *after])
    async with app.run_test(size=(140, 30)) as pilot:
        await until(pilot, lambda: len(app.ring) == len(before) + 1 + len(after), "preload")
        await pilot.press("c")
        rows = call_rows(app)
        assert len(rows) == 2 and all("ended" in r for r in rows)
        new, old = app.bridge.calls.calls()
        assert len(new.channels) == len(old.channels) == 2
        assert new.uniqueids == {f"{SECOND_RUN}.0", f"{SECOND_RUN}.1"}
        await pilot.press("f")  # the newest call, under the cursor
        await pilot.pause()
        first_new = len(before) + 2
        assert shown_seqs(app) == new.seqs
        assert min(shown_seqs(app)) >= first_new  # nothing of the run before the restart


async def test_follow_from_the_stream_shows_what_the_timeline_shows() -> None:
    frames = real_call()
    app = console(frames)
    async with app.run_test(size=(140, 30)) as pilot:
        await until(pilot, lambda: len(app.ring) == len(frames), "preload")
        stream = app.query_one(EventStream)
        while True:  # up to the OriginateResponse: it has no Linkedid
            await pilot.press("up")
            entry = stream.selected_entry()
            if entry is not None and entry.frame.name == "OriginateResponse":  # type: ignore[union-attr]
                break
        await pilot.press("f")
        await pilot.pause()
        (call,) = app.bridge.calls.calls()
        assert shown_seqs(app) == call.seqs
        names = {app.ring.get(seq).frame.name for seq in shown_seqs(app)}  # type: ignore[union-attr]
        assert {"DialBegin", "DialEnd", "LocalBridge", "OriginateResponse"} <= names


async def select_newest(pilot: Any, app: AmiApp, pick: Callable[[Frame], bool]) -> None:
    stream = app.query_one(EventStream)
    await pilot.press("end")
    while True:
        await pilot.press("up")
        entry = stream.selected_entry()
        if entry is not None and pick(entry.frame):  # type: ignore[union-attr]
            return


def prepared(app: AmiApp) -> list[tuple[str, str]]:
    return [r.header for r in app.query_one(ActionComposer).form.rows() if r.header[0]]


async def test_hangup_and_redirect_refuse_a_channel_that_has_hung_up() -> None:
    app = console(real_call())  # both halves hung up at the end
    async with app.run_test(size=(140, 30)) as pilot:
        await until(pilot, lambda: len(app.ring) > 0, "preload")
        await select_newest(pilot, app, lambda f: f.name == "Newstate")
        for key in ("h", "r"):
            await pilot.press(key)
            await pilot.pause()
            notes = [n.message for n in app._notifications]
            assert any("has already hung up (0 Unknown)" in n for n in notes), notes
        assert ("Channel", "Local/200@default-00000000;1") not in prepared(app)
        session = app.session
        assert isinstance(session, FakeSession)
        assert not [a for a in session.sent if a.name in ("Hangup", "Redirect")]


async def test_hangup_after_a_restart_refuses_the_old_channel_not_the_new_one() -> None:
    """The same name, two channels: the selected event decides which, by its Uniqueid."""
    before, after = real_call(), real_call(SECOND_RUN, hangups=False)
    app = console([*before, fully_booted(3), *after])
    async with app.run_test(size=(140, 30)) as pilot:
        await until(pilot, lambda: len(app.ring) == len(before) + 1 + len(after), "preload")
        await select_newest(pilot, app, lambda f: f.get("Uniqueid") == "1795833957.0")
        await pilot.press("h")
        await pilot.pause()
        assert not prepared(app)
        await select_newest(pilot, app, lambda f: f.get("Uniqueid") == f"{SECOND_RUN}.0")
        await pilot.press("h")
        await pilot.pause(0.2)
        assert ("Channel", "Local/200@default-00000000;1") in prepared(app)


def status_total(app: AmiApp) -> int:
    status = str(app.screen_stack[0].query_one(StatusBar).render())
    found = re.search(r"([\d,]+) events", status)
    assert found, status
    return int(found[1].replace(",", ""))


async def test_replay_seeking_back_does_not_double_the_event_count() -> None:
    # One second between packets, so the capture lasts long enough to seek back in.
    factory = replay_factory(str(CALL), speed=0, spacing=1.0)
    app = AmiApp(replay_spec(CALL), Settings(), session_factory=factory)
    async with app.run_test(size=(140, 30)) as pilot:
        await until(pilot, lambda: app.session is not None and app.session.finished, "played")  # type: ignore[attr-defined]
        full = len(app.ring)
        await until(pilot, lambda: status_total(app) == full, "the status counts the events")
        await pilot.press("p", "less_than_sign")  # paused, so the seek stays where it went
        await pilot.pause()
        held = len([e for e in app.ring if hasattr(e, "frame")])
        assert 0 < held < full  # seeking back 10 s replayed the start again
        await until(pilot, lambda: status_total(app) != full, "the status updates")
        assert status_total(app) == held
        assert sum(app.ring.counts.values()) == held


async def test_a_call_whose_key_changes_is_redrawn_not_a_crash() -> None:
    """A call's key is its union-find root at the last merge, so it can change while the list
    is open with the same calls in it (found by scripts/screenshots.py: CellDoesNotExist). The
    screen must compare with the keys its rows were added under, not recompute them."""
    clock = Clock()
    app = console(real_call(hangups=False), clock)
    async with app.run_test(size=(140, 30)) as pilot:
        await until(pilot, lambda: len(app.ring) > 0, "the call arrives")
        await pilot.press("c")
        screen = app.screen
        assert isinstance(screen, CallsScreen)
        (call,) = screen.tracker.calls()
        call.key = "renamed-by-a-merge"
        clock.now += 5  # a duration to tick: the screen refreshes its cells
        screen.refresh_calls()
        await pilot.pause()
        (row,) = call_rows(app)
        assert " 5 s" in row


async def test_the_hint_wraps_at_80_columns() -> None:
    app = console(real_call(hangups=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: len(app.ring) > 0, "the call arrives")
        await pilot.press("c")
        await pilot.pause()
        hint = app.screen.query_one(Label)
        lines = " ".join(hint.render_line(y).text for y in range(hint.size.height))
        assert hint.size.height >= 2  # wrapped, not cut at the dialog's edge
        assert "esc: close" in lines
