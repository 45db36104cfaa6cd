"""The whole console against a hostile server, hostile files and a hostile recording.

Every text the server sends (event names, header names and values, replies, ListCommands,
`manager show command` docs, event docs, CLI output) carries terminal escapes and markup
(tests/hostile.py). The app runs with a driver that records everything Textual writes to the
terminal, and is driven through every pane and screen; after each step `check()`
(tests/ui/hostile_support.py) says what was drawn and written is inert.

Each assertion here was seen to fail with the display fixes removed, one at a time.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from textual.drivers import headless_driver
from textual.widgets import DataTable, Input, OptionList, TabbedContent

from amitui.capture.replay import replay_factory, replay_spec
from amitui.client import Phase
from amitui.config import Profile
from amitui.protocol import Action
from amitui.protocol.safetext import shown
from amitui.ui.app import Settings
from amitui.ui.screens.calls import CallsScreen, CallTimeline
from amitui.ui.screens.catalog import CatalogScreen
from amitui.ui.screens.confirm import ConfirmSend
from amitui.ui.screens.history import HistoryScreen, ValuesForm
from amitui.ui.screens.types import EventTypes
from amitui.ui.screens.why import WhyNoEvents
from amitui.ui.widgets.composer import ActionComposer
from amitui.ui.widgets.composer_form import FieldRow
from amitui.ui.widgets.inspector import ResponseInspector
from amitui.ui.widgets.stream import EventStream
from tests.hostile import (
    CHANNEL,
    CLICK,
    CLOSE,
    HOSTILE_ACTION,
    LIVE_CHANNEL,
    POISON,
    HostileAmi,
    broken_collection,
    events,
    hostile_capture,
    hostile_recording,
    leaks,
    poison_history,
)
from tests.ui.hostile_support import (
    PROFILE,
    SIZE,
    Terminal,
    check,
    connected,
    live_app,
    make,
    screen_text,
    until,
)


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[Terminal]:
    """run_test() with a driver that is not headless to the app, so the app renders to it
    exactly as to a real terminal, and every write is kept."""
    seen = Terminal()

    class Recording(headless_driver.HeadlessDriver):
        @property
        def is_headless(self) -> bool:
            return False

        def write(self, data: str) -> None:
            seen.writes.append(data)

    monkeypatch.setattr(headless_driver, "HeadlessDriver", Recording)
    yield seen


@pytest.fixture
async def server() -> AsyncIterator[HostileAmi]:
    ami = await HostileAmi().start()
    yield ami
    await ami.stop()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # exports and recordings land here
    return tmp_path


def test_the_leak_check_sees_a_raw_escape() -> None:
    """The detector itself: each attack written raw is caught, visible escapes are not."""
    from amitui.protocol.safetext import shown
    from tests.hostile import ATTACKS

    for attack in ATTACKS[:7]:
        assert leaks(f"\x1b[1;1Habc{attack}\x1b[0m"), attack
    assert leaks("\x1b[1;1H\x1b[38;2;1;2;3m" + shown(POISON) + "\x1b[0m\x1b[?2026l") == []


async def test_stream_inspector_and_stream_keys(
    server: HostileAmi, terminal: Terminal, workdir: Path
) -> None:
    app = live_app(server.port)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot, app)
        await check(pilot, terminal, "the stream")
        stream = app.query_one(EventStream)
        inspector = app.query_one(ResponseInspector)
        tabs = inspector.query_one(TabbedContent)
        for _ in range(len(stream.rows)):  # every row in the inspector, every tab
            await pilot.press("up")
            for tab in ("inspector-raw", "inspector-timing-pane", "inspector-headers"):
                tabs.active = tab
                await check(pilot, terminal, f"inspector {tab} of row {stream.cursor}")
        await pilot.click(EventStream, offset=(10, 2))
        await check(pilot, terminal, "a clicked row")
        assert stream.selected_entry().frame.get("Channel") == LIVE_CHANNEL  # type: ignore[union-attr]
        await pilot.press("h")  # Hangup prepared from a hostile Channel
        form = app.query_one(ActionComposer).form
        await until(pilot, lambda: any(r.header[1] == LIVE_CHANNEL for r in form.rows()), "form")
        await check(pilot, terminal, "Hangup prepared with a hostile channel")
        await app.query_one(ActionComposer).action_toggle_raw()  # the value in raw AMI text
        await check(pilot, terminal, "the hostile channel in raw mode")
        await pilot.press("e")
        await pilot.press("m")  # mute the selected type: the toast names it
        await check(pilot, terminal, "mute")
        await pilot.press("x", "f")  # follow the selected row's call: the toast quotes it
        await check(pilot, terminal, "follow a call")
        await pilot.press("slash")
        await check(pilot, terminal, "the filter box holding the call's Linkedid")
        await pilot.press("escape", "X")
        await until(pilot, lambda: any(workdir.glob("*.ndjson")), "the export")
        await check(pilot, terminal, "export")
        await pilot.press("question_mark")
        await check(pilot, terminal, "help panel")
    assert app.return_code in (None, 0)


async def test_composer_docs_list_reply_and_confirmation(
    server: HostileAmi, terminal: Terminal, workdir: Path
) -> None:
    app = live_app(server.port)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot, app)
        composer = app.query_one(ActionComposer)
        await until(pilot, lambda: bool(composer._commands), "ListCommands")
        await pilot.press("a", *"Host")
        matches = composer.query_one("#composer-matches", OptionList)
        await until(pilot, lambda: matches.option_count > 0, "the picker's matches")
        await check(pilot, terminal, "the action picker")
        await pilot.press("enter")
        form = composer.form
        await until(pilot, lambda: form.doc is not None, "the action's docs")
        assert any("\x1bc" in row.doc.name for row in form.query(FieldRow)), "a hostile field"
        await check(pilot, terminal, "the form with hostile docs")
        for field in form.query(Input):  # each field's help line and tooltip
            field.focus()
            await check(pilot, terminal, "a field's help")
        app.request_send(Action(HOSTILE_ACTION))  # the reply's Message is hostile
        await pilot.pause()
        if isinstance(app.screen, ConfirmSend):  # an action it does not know: asked first
            await check(pilot, terminal, "the confirmation of a hostile name")
            await pilot.press("y")
        await until(pilot, lambda: app.history.version > 0, "the reply")
        await check(pilot, terminal, "the reply notification")
        app.request_send(Action("CoreShowChannels"))
        inspector = app.query_one(ResponseInspector)
        await until(pilot, lambda: inspector.subject is not None and inspector.subject
                    .action.name == "CoreShowChannels", "the list")  # type: ignore[union-attr]  # fmt: skip
        tabs = inspector.query_one(TabbedContent)
        for tab in ("inspector-list", "inspector-raw", "inspector-timing-pane"):
            tabs.active = tab
            await check(pilot, terminal, f"the list reply in {tab}")
        app.request_send(Action.of("Originate", Channel=CHANNEL, Application=POISON))
        await until(pilot, lambda: isinstance(app.screen, ConfirmSend), "the confirmation")
        await check(pilot, terminal, "the confirmation")
        await pilot.press("y")
        await until(pilot, lambda: any(f.get("Action") == "Originate" for f in server.received),
                    "the Originate")  # fmt: skip
        await check(pilot, terminal, "the Originate reply")
        await pilot.press("a", "ctrl+r")  # the composer's raw text holds the hostile values
        await check(pilot, terminal, "raw mode")


async def test_types_calls_and_timeline(server: HostileAmi, terminal: Terminal) -> None:
    app = live_app(server.port)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot, app)
        await pilot.press("t")
        assert isinstance(app.screen, EventTypes)
        await check(pilot, terminal, "the types screen")
        assert CLOSE in screen_text(app) and "[@click=app.quit]" in screen_text(app)
        await pilot.press("enter", "down", "enter")  # mute and unmute
        await check(pilot, terminal, "types mute")
        await pilot.click(DataTable, offset=(3, 2))
        await check(pilot, terminal, "a clicked type")
        await pilot.press("escape", "c")
        await until(pilot, lambda: isinstance(app.screen, CallsScreen), "the calls screen")
        await check(pilot, terminal, "the calls screen")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CallTimeline), "the timeline")
        await check(pilot, terminal, "a call's timeline")
        await pilot.press("f")  # follow the call: its Linkedid into the filter
        await check(pilot, terminal, "following from the timeline")
        await pilot.press("slash")  # the filter box now holds the hostile Linkedid
        assert "\x1b" in app.query_one("#filter", Input).value
        await check(pilot, terminal, "the filter box with a hostile Linkedid")


async def test_catalog_and_why(server: HostileAmi, terminal: Terminal, workdir: Path) -> None:
    app = live_app(server.port)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot, app)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, CatalogScreen), "the catalog")
        catalog = app.screen
        assert isinstance(catalog, CatalogScreen)
        await until(pilot, lambda: "hostileevent" in catalog.docs, "the hostile event docs")
        await check(pilot, terminal, "the catalog")
        for _ in range(len(catalog.types.rows)):
            await pilot.press("down")
            await check(pilot, terminal, f"catalog type {catalog.selected!r}")
        catalog.selected = "HostileEvent"
        catalog._show_detail()
        catalog.headers_table.focus()
        for _ in range(catalog.headers_table.row_count):
            await pilot.press("down")
            await check(pilot, terminal, "a header's doc")
        await pilot.press("e")
        await until(pilot, lambda: any(workdir.glob("*.md")), "the catalog report")
        await check(pilot, terminal, "the catalog export")
        await pilot.press("escape", "w")
        await until(pilot, lambda: isinstance(app.screen, WhyNoEvents), "the why screen")
        why = app.screen
        assert isinstance(why, WhyNoEvents)
        await until(pilot, lambda: bool(why.explanations), "the why verdicts")
        await check(pilot, terminal, "the why screen")
        for _ in range(len(why.explanations)):
            await pilot.press("down")
            await check(pilot, terminal, "a why verdict")


async def test_history_from_a_poisoned_file(
    server: HostileAmi, terminal: Terminal, tmp_path: Path
) -> None:
    poison_history(Path(os.environ["XDG_CONFIG_HOME"]), PROFILE)
    app = live_app(server.port)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot, app)
        await pilot.press("H")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen), "the history")
        await check(pilot, terminal, "the history screen")
        assert CLOSE in screen_text(app)
        await pilot.press("enter")  # edit the poisoned record in the composer
        await until(pilot, lambda: not isinstance(app.screen, HistoryScreen), "the composer")
        await check(pilot, terminal, "a poisoned record in the composer")
        await pilot.press("escape", "H", "tab", "enter")  # the saved action asks for ${ext}
        await until(pilot, lambda: isinstance(app.screen, ValuesForm), "the variables form")
        await check(pilot, terminal, "the variables form")
        await pilot.press(*"1", "enter")
        await check(pilot, terminal, "a poisoned saved action in the composer")


async def test_a_reply_saved_in_history_opens_in_a_later_session(
    server: HostileAmi, terminal: Terminal
) -> None:
    """The hostile reply's status (`Response: [/]`) goes into the history file; the next
    session's H shows it as text."""
    first = live_app(server.port, confirm=False)
    async with first.run_test(size=SIZE) as pilot:
        await connected(pilot, first)
        first.request_send(Action(HOSTILE_ACTION))
        await until(pilot, lambda: first.history.version > 0, "the reply")
        await until(pilot, lambda: any(r.status for r in first.history), "its status")
    later = live_app(server.port)
    async with later.run_test(size=SIZE) as pilot:
        await connected(pilot, later)
        assert [r.status for r in later.history] == [CLOSE]
        await pilot.press("H")
        await until(pilot, lambda: isinstance(later.screen, HistoryScreen), "the history")
        await check(pilot, terminal, "a hostile reply from the last session")
        table = later.screen.query_one("#history", DataTable)
        assert [str(cell) for cell in table.get_row_at(0)][1:3] == [shown(HOSTILE_ACTION), CLOSE]


async def test_broken_collection_is_reported_inertly(
    server: HostileAmi, terminal: Terminal
) -> None:
    broken_collection(Path(os.environ["XDG_CONFIG_HOME"]), PROFILE)
    app = live_app(server.port)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot, app)
        await pilot.press("H")
        await check(pilot, terminal, "the collection's load error")


async def test_login_refused_with_a_hostile_message(terminal: Terminal) -> None:
    ami = await HostileAmi(refuse_login=True).start()
    try:
        app = live_app(ami.port)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.session is not None
                        and app.session.state.phase is Phase.FAILED, "the refusal")  # fmt: skip
            app._update_status()
            await check(pilot, terminal, "the login refusal")
    finally:
        await ami.stop()


@pytest.mark.parametrize("write", [hostile_recording, hostile_capture], ids=["amirec", "raw"])
async def test_replay_of_a_hostile_recording(
    terminal: Terminal, tmp_path: Path, write: Callable[[Path], Path]
) -> None:
    path = write(tmp_path / "hostile.rec")
    spec = replay_spec(path)
    settings = Settings(profile=Profile(name=spec.name, confirm=False))
    app = make(spec, settings, session_factory=replay_factory(path, speed=0))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(app.ring) >= len(events()), "the replay")
        app._update_status()
        await check(pilot, terminal, "the replayed stream")
        for _ in range(len(app.query_one(EventStream).rows)):
            await pilot.press("up")
            await check(pilot, terminal, "a replayed row")
        await pilot.press("less_than_sign", "p")  # seek back: the ring restarts
        await check(pilot, terminal, "replay controls")


def test_the_markup_attack_is_in_the_names() -> None:
    """Guards the fixture: the attacks the tests rely on are really sent."""
    joined = b"".join(events()).decode()
    assert CLICK in joined and "\x1b]52;" in joined and "\x9b" in joined
