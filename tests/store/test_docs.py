"""The docs client (amitui/store/docs.py) over a scripted session: what it asks, what it caches
per (server address, AMI version), and how each failure is worded for the composer and for the
catalog and why screens. Answers are the real Asterisk 22 output recorded in tests/transcripts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any, cast

from amitui.client import NotReady, Outcome, Phase, ServerSpec, SessionState, Transcript
from amitui.client.interface import SessionLike
from amitui.protocol import Action, ActionIds, Correlator, Frame, LocalProtocolError, Parser
from amitui.store.actiondocs import ActionDoc
from amitui.store.docs import COMPOSER_DENIED, EVENTS_DENIED, SessionDocs
from amitui.store.eventclasses import EventDoc
from amitui.store.sentinels import Unavailable
from tests.store._support import parse

TRANSCRIPTS = Path(__file__).resolve().parent.parent / "transcripts"
TIMED_OUT = "no response within 10 s"

# What the scripted session does with a question: answer with a frame, raise, or time out (None).
Answer = Frame | BaseException | None


@cache
def _recorded_docs() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (TRANSCRIPTS / "asterisk22-event-docs.json").read_text("utf-8")
    )
    return data


@cache
def _basics() -> dict[str, Frame]:
    parser = Parser()
    parser.feed((TRANSCRIPTS / "asterisk22-basics.bin").read_bytes())
    return {f.action_id: f for f in parser.frames() if f.action_id}


def cli_reply(lines: Sequence[str], response: str = "Success", message: str = "") -> Frame:
    """A Command response as Asterisk 22 sends it (Output headers)."""
    message = message or "Command output follows"
    output = "".join(f"Output: {line}\n" for line in lines)
    (frame,) = parse(f"Response: {response}\nActionID: x\nMessage: {message}\n{output}\n")
    return frame


def recorded(command: str) -> Frame:
    return cli_reply(_recorded_docs()[command]["output"])


DENIED = parse("Response: Error\nActionID: x\nMessage: Permission denied\n\n")[0]


class ScriptedSession:
    """Enough of a session for the docs client: `send` answers from `answers`, keyed by the
    Command text (or the action's name), and records what was asked."""

    def __init__(self, port: int = 5038, version: str | None = "11.0.0") -> None:
        self.spec = ServerSpec(port=port, user="admin")
        self.state = SessionState(Phase.READY, self.spec.address, "admin", ami_version=version)
        self.ping_ms: float | None = None
        self.ids = ActionIds("d")
        self.answers: dict[str, Answer] = {}
        self.otherwise: Answer = cli_reply([])  # an empty answer: the CLI printed nothing
        self.asked: list[str] = []

    async def send(self, action: Action, *, timeout: float | None = None) -> Transcript:
        key = action.get("Command") or action.name
        self.asked.append(key)
        answer = self.answers.get(key, self.otherwise)
        if isinstance(answer, BaseException):
            raise answer
        action = action.with_id(answer.action_id or "x" if answer is not None else "x")
        exchange = Correlator().expect(action)
        if answer is None:
            return Transcript(action, exchange, 0.0, 0.0, outcome=Outcome.TIMEOUT, note=TIMED_OUT)
        exchange.response = answer
        return Transcript(action, exchange, 0.0, 0.0, 0.01, 0.01, Outcome.ANSWERED)


def over(*sessions: ScriptedSession | None) -> tuple[SessionDocs, Callable[[int], None]]:
    """A client over the first session, and a way to switch it to another one."""
    current: list[ScriptedSession | None] = [sessions[0]]

    def switch(i: int) -> None:
        current[0] = sessions[i]

    return SessionDocs(lambda: cast(SessionLike | None, current[0])), switch


def event_server(**answers: Answer) -> ScriptedSession:
    session = ScriptedSession()
    for command in ("manager show events", "manager show event Hangup"):
        session.answers[command] = recorded(command)
    session.answers.update({k.replace("_", " "): v for k, v in answers.items()})
    return session


# -- answered ---------------------------------------------------------------------------------


async def test_event_docs_are_asked_once_per_server() -> None:
    session = event_server()
    docs, _ = over(session)
    listed = await docs.documented_events()
    assert isinstance(listed, set) and "NewExten" in listed and "Hangup" in listed
    hangup = await docs.event_doc("Hangup")
    assert isinstance(hangup, EventDoc) and hangup.header("Cause") is not None
    assert await docs.event_doc("hangup") == hangup  # names compare case-insensitively
    assert await docs.documented_events() == listed
    assert session.asked == ["manager show events", "manager show event Hangup"]


async def test_an_event_the_server_does_not_list_is_never_asked_about() -> None:
    session = event_server()
    docs, _ = over(session)
    assert await docs.event_doc("TestEvent") is None  # not in `manager show events`
    assert await docs.event_doc("Bad name; core stop now") is None  # never put on a CLI line
    assert session.asked == ["manager show events"]


async def test_action_docs_and_the_action_list() -> None:
    session = ScriptedSession()
    session.answers["ListCommands"] = _basics()["lc"]
    session.answers["manager show command Originate"] = _basics()["c1"]
    docs, _ = over(session)
    commands = await docs.list_commands()
    assert not isinstance(commands, Unavailable)
    assert "Originate" in [c.name for c in commands]
    originate = await docs.describe("Originate")
    assert isinstance(originate, ActionDoc) and originate.field("Channel") is not None
    missing = await docs.describe("Nosuch")  # the CLI prints nothing for an unknown action
    assert missing == Unavailable("the server has no documentation for Nosuch")
    assert await docs.describe("originate") is originate and await docs.describe("Nosuch")
    assert session.asked == [
        "ListCommands", "manager show command Originate", "manager show command Nosuch",
    ]  # fmt: skip


async def test_an_empty_event_list_says_so() -> None:
    docs, _ = over(event_server(manager_show_events=cli_reply([])))
    assert await docs.documented_events() == Unavailable("manager show events listed no events")


# -- refused, timed out, not sent, not connected ----------------------------------------------


async def test_a_refusal_is_worded_for_each_caller_and_cached() -> None:
    session = ScriptedSession()
    session.otherwise = DENIED
    docs, _ = over(session)
    assert await docs.documented_events() == Unavailable(EVENTS_DENIED)
    assert await docs.event_doc("Hangup") == Unavailable(EVENTS_DENIED)
    assert await docs.describe("Originate") == Unavailable(COMPOSER_DENIED)
    assert await docs.list_commands() == Unavailable("ListCommands failed: Permission denied")
    assert await docs.cli("manager show user admin") == EVENTS_DENIED
    asked = len(session.asked)
    await docs.documented_events()
    await docs.event_doc("Hangup")
    await docs.describe("Originate")
    assert len(session.asked) == asked  # refusals stand until the server's config changes
    await docs.cli("manager show user admin")
    assert session.asked[asked:] == ["manager show user admin"]  # the CLI is never cached


async def test_an_unknown_cli_command_says_why_in_its_output() -> None:
    session = ScriptedSession()
    session.otherwise = cli_reply(["No such command 'manager show nosuch'"], "Error")
    docs, _ = over(session)
    assert await docs.cli("manager show nosuch") == "No such command 'manager show nosuch'"
    # The composer words the same refusal with the response's Message, as it always did.
    assert await docs.describe("X") == Unavailable("no docs: Command output follows")


async def test_a_timeout_is_not_cached_and_the_next_ask_answers() -> None:
    session = event_server(manager_show_events=None, manager_show_event_Hangup=None)
    session.answers.update({"ListCommands": None, "manager show command Originate": None})
    docs, _ = over(session)
    assert await docs.documented_events() == Unavailable(TIMED_OUT)
    assert await docs.event_doc("Hangup") == Unavailable(TIMED_OUT)
    assert await docs.describe("Originate") == Unavailable(f"no docs: {TIMED_OUT}")
    assert await docs.list_commands() == Unavailable(f"ListCommands failed: {TIMED_OUT}")
    assert await docs.cli("manager show events") == TIMED_OUT
    session.answers["manager show events"] = recorded("manager show events")
    session.answers["manager show event Hangup"] = recorded("manager show event Hangup")
    session.answers["manager show command Originate"] = _basics()["c1"]
    assert isinstance(await docs.documented_events(), set)
    assert isinstance(await docs.event_doc("Hangup"), EventDoc)
    assert isinstance(await docs.describe("Originate"), ActionDoc)


async def test_what_the_session_refuses_to_send_is_not_cached() -> None:
    session = event_server()
    session.answers["manager show events"] = NotReady("not connected to 127.0.0.1:5038")
    session.answers["manager show command Originate"] = LocalProtocolError("line too long")
    docs, _ = over(session)
    assert await docs.documented_events() == Unavailable("not connected to 127.0.0.1:5038")
    assert await docs.describe("Originate") == Unavailable("line too long")
    session.answers["manager show events"] = recorded("manager show events")
    assert isinstance(await docs.documented_events(), set)


async def test_without_a_session_everything_says_not_connected() -> None:
    docs, _ = over(None)
    for result in (
        await docs.documented_events(), await docs.event_doc("Hangup"),
        await docs.describe("Originate"), await docs.list_commands(),
    ):  # fmt: skip
        assert result == Unavailable("not connected")
    assert await docs.cli("manager show settings") == "not connected"
    assert docs.proxy() is None


# -- the cache key: server address and AMI version --------------------------------------------


async def test_docs_are_cached_per_server_and_version() -> None:
    first, other = event_server(), replace_port(event_server(), 5039)
    docs, switch = over(first, other)
    await docs.event_doc("Hangup")
    await docs.event_doc("Hangup")
    assert first.asked.count("manager show event Hangup") == 1
    switch(1)  # another server: its own docs
    await docs.event_doc("Hangup")
    assert other.asked.count("manager show event Hangup") == 1
    switch(0)
    await docs.event_doc("Hangup")
    assert first.asked.count("manager show event Hangup") == 1  # still cached
    first.state = replace(first.state, ami_version="12.0.0")  # upgraded: asked afresh
    await docs.event_doc("Hangup")
    await docs.documented_events()
    assert first.asked.count("manager show event Hangup") == 2
    assert first.asked.count("manager show events") == 2


def replace_port(session: ScriptedSession, port: int) -> ScriptedSession:
    session.spec = replace(session.spec, port=port)
    session.state = replace(session.state, server=session.spec.address)
    return session
