"""The composer for a user who cannot read the docs, and its keys: f11, raw mode, search.

The reader's ListCommands below is what the sandbox Asterisk 22 answers its `reader` user
(write permissions without `command`, `call` or `originate`): only the actions it may send.
"""

from __future__ import annotations

import contextlib
from typing import Any

from textual.widgets import OptionList, Static, TextArea
from textual.worker import WorkerCancelled, WorkerFailed

from amitui.client import ServerSpec
from amitui.config import Profile
from amitui.protocol import Action, Frame
from amitui.store.actiondocs import CommandInfo, parse_list_commands
from amitui.ui.app import AmiApp, Settings
from amitui.ui.widgets import composer_builtin as builtin
from amitui.ui.widgets.composer import ActionComposer
from amitui.ui.widgets.composer_form import FieldRow
from amitui.ui.widgets.inspector import ResponseInspector
from amitui.ui.widgets.stream import EventStream
from tests.ui.fakes import FakeSession, call_events, reply
from tests.ui.test_composer import Host, RecordedDocs

READER_LIST = """Response: Success
ActionID: {aid}
BridgeDestroy: Destroy a bridge.  (Priv: <none>)
BridgeInfo: Get information about a bridge.  (Priv: <none>)
BridgeKick: Kick a channel from a bridge.  (Priv: <none>)
BridgeList: Get a list of bridges in the system.  (Priv: <none>)
BridgeTechnologyList: List available bridging technologies and their statuses.  (Priv: <none>)
BridgeTechnologySuspend: Suspend a bridging technology.  (Priv: <none>)
BridgeTechnologyUnsuspend: Unsuspend a bridging technology.  (Priv: <none>)
Challenge: Generate Challenge for MD5 Auth.  (Priv: <none>)
Events: Control Event Flow.  (Priv: <none>)
ListCommands: List available manager commands.  (Priv: <none>)
Login: Login Manager.  (Priv: <none>)
Logoff: Logoff Manager.  (Priv: <none>)
Ping: Keepalive command.  (Priv: <none>)
QueueChangePriorityCaller: Change priority of a caller on queue.  (Priv: <none>)
QueueReload: Reload a queue, queues, or any sub-section of a queue or queues.  (Priv: <none>)
QueueReset: Reset queue statistics.  (Priv: <none>)
QueueRule: Queue Rules.  (Priv: <none>)
QueueStatus: Show queue status.  (Priv: <none>)
QueueSummary: Show queue summary.  (Priv: <none>)
QueueWithdrawCaller: Request to withdraw a caller from the queue back to the dialplan.\
  (Priv: <none>)
WaitEvent: Wait for an event to occur.  (Priv: <none>)"""


class ReaderSession(FakeSession):
    """Answers as Asterisk does a user without the command, call and originate classes."""

    def __init__(self, spec: ServerSpec, **kw: Any) -> None:
        frames = call_events()  # the call while its channels are up: h and r have a target
        cut = next(i for i, f in enumerate(frames) if f.name == "HangupRequest")
        super().__init__(spec, preload=frames[:cut], **kw)

    def _answer(self, action: Action) -> Frame:
        aid = action.action_id
        if action.name.lower() == "listcommands":
            return reply(READER_LIST.format(aid=aid))
        if action.name.lower() == "ping":
            return reply(f"Response: Success\nActionID: {aid}\nPing: Pong")
        return reply(f"Response: Error\nActionID: {aid}\nMessage: Permission denied")


def reader_app() -> AmiApp:
    settings = Settings(profile=Profile(name="t", confirm=False))
    return AmiApp(ServerSpec(user="reader"), settings, session_factory=ReaderSession)


def fields(app: AmiApp) -> dict[str, tuple[bool, str]]:
    """The form's documented fields: name -> (required, value)."""
    rows = app.query_one(ActionComposer).form.rows()
    return {r.doc.name: (r.doc.required, r.header[1]) for r in rows if isinstance(r, FieldRow)}


def text(app: AmiApp, widget_id: str) -> str:
    return str(app.query_one(widget_id, Static).content)


async def settle(app: AmiApp, pilot: Any) -> None:
    """Until the docs, list and send workers are done (the session's own never is)."""
    await pilot.pause()
    for worker in [w for w in app.workers if w.group != "ami"]:
        with contextlib.suppress(WorkerCancelled, WorkerFailed):
            await worker.wait()
    await pilot.pause()


async def select_a_channel(app: AmiApp, pilot: Any) -> str:
    stream = app.query_one(EventStream)
    stream.focus()
    channel = None
    while not channel:
        await pilot.press("up")
        entry = stream.selected_entry()
        channel = entry.frame.get("Channel")  # type: ignore[union-attr]
    return channel


# -- a user who cannot read the docs ------------------------------------------------------------


async def test_the_picker_says_it_lists_what_this_user_may_send() -> None:
    app = reader_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        help_line = text(app, "#composer-help")
        assert help_line.startswith("Lists the 21 actions this AMI user may send.")
        await pilot.press(*"hangup")
        await pilot.pause()
        assert text(app, "#composer-help") == (
            "No match among the 21 actions this AMI user may send. Enter tries the name."
        )


async def test_o_opens_a_built_in_originate_form_and_says_why() -> None:
    app = reader_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("o")
        await settle(app, pilot)
        form = fields(app)
        assert list(form)[:9] == [
            "Channel", "Exten", "Context", "Priority", "Application", "Data", "CallerID",
            "Timeout", "Variable",
        ]  # fmt: skip
        assert [name for name, (required, _) in form.items() if required] == ["Channel"]
        doc_line = text(app, "#composer-doc")
        assert "built-in form" in doc_line and "may not send Command" in doc_line
        notice = text(app, "#composer-notice")
        assert notice.startswith("Originate is not among the 21 actions this AMI user may send")
        assert "Originate needs the write class originate" in notice


async def test_h_and_r_open_built_in_forms_and_permission_denied_names_the_class() -> None:
    app = reader_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        channel = await select_a_channel(app, pilot)
        await pilot.press("r")
        await settle(app, pilot)
        redirect = fields(app)
        assert redirect["Channel"] == (True, channel)
        assert all(redirect[name][0] for name in ("Exten", "Context", "Priority"))
        assert "ExtraChannel" in redirect
        await select_a_channel(app, pilot)
        await pilot.press("h")
        await settle(app, pilot)
        assert fields(app) == {"Channel": (True, channel), "Cause": (False, "")}
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        inspector = app.query_one(ResponseInspector)
        assert str(inspector.border_title).startswith("Hangup → Error")
        toast = [n.message for n in app._notifications][-1]
        assert "Permission denied" in toast
        assert "Hangup needs one of the write classes system, call" in toast


def test_the_class_comes_from_listcommands_when_it_lists_the_action() -> None:
    listed = [CommandInfo("QueueAdd", "Add interface to queue.", ("agent", "all"))]
    assert builtin.needs("queueadd", listed).startswith("queueadd needs the write class agent")
    assert builtin.needs("Hangup", []).startswith("Hangup needs one of the write classes")
    assert builtin.needs("Frobnicate", []).startswith("Frobnicate needs a write class")
    assert builtin.not_listed("QueueAdd", listed) is None
    assert builtin.not_listed("Anything", []) is None  # no list: nothing to compare with


def test_the_reader_list_parses_to_21_actions() -> None:
    assert len(parse_list_commands(reply(READER_LIST.format(aid="x")))) == 21


# -- f11 ----------------------------------------------------------------------------------------


async def test_f11_in_a_compose_field_maximises_the_pane() -> None:
    app = reader_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("o")
        await settle(app, pilot)
        composer = app.query_one(ActionComposer)
        assert app.focused is not None and app.focused.parent in composer.form.rows()
        await pilot.press("f11")
        assert app.screen.maximized is composer
        await pilot.press("f11")
        assert app.screen.maximized is None
        await pilot.press("a", "f11")  # the picker too
        assert app.screen.maximized is composer


# -- raw mode -----------------------------------------------------------------------------------


async def test_raw_mode_opens_with_the_cursor_at_the_end() -> None:
    host = Host(RecordedDocs())
    async with host.run_test(size=(50, 20)) as pilot:
        await host.ready(pilot)
        host.composer.prepare("Hangup", [("Channel", "PJSIP/1")])
        await host.settle(pilot)
        await pilot.press("ctrl+r")
        raw = host.query_one("#composer-raw", TextArea)
        assert raw.cursor_location == raw.document.end
        await pilot.press(*"Cause: 16")
        assert raw.text == "Action: Hangup\nChannel: PJSIP/1\nCause: 16"


async def test_a_mangled_action_line_is_named_before_sending() -> None:
    host = Host(RecordedDocs())
    async with host.run_test(size=(50, 20)) as pilot:
        await host.ready(pilot)
        host.composer.prepare("Ping")
        await host.settle(pilot)
        await pilot.press("ctrl+r")
        raw = host.query_one("#composer-raw", TextArea)
        for mangled in ("Acton: Ping\n", "Action Ping\n", "Channel: X\nActoin: Hangup\n"):
            raw.text = mangled
            await pilot.press("ctrl+s")
        raw.text = "Channel: X\n"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert [m for m, _ in host.notes] == [
            "line 1 ('Acton: Ping') looks like a mangled Action line: write 'Action: Ping'",
            "line 1 ('Action Ping') looks like a mangled Action line: write 'Action: Ping'",
            "line 2 ('Actoin: Hangup') looks like a mangled Action line: write 'Action: Hangup'",
            "the raw text has no 'Action: Name' line",
        ]
        assert host.sent == []


# -- search -------------------------------------------------------------------------------------


async def test_orig_shows_originate_first_on_screen_at_80_columns() -> None:
    app = AmiApp(
        ServerSpec(user="admin"), Settings(profile=Profile(name="t")), session_factory=FakeSession
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("a", *"orig")
        await pilot.pause()
        matches = app.query_one("#composer-matches", OptionList)
        lines = [matches.render_line(y).text for y in range(matches.size.height)]
        assert lines[0].startswith("Originate Originate a call.")
        assert all(line.startswith("Confbridge") for line in lines[1:])
