"""A deterministic stand-in for AmiSession, for UI tests and snapshots only.

It answers from frames recorded off the real Asterisk 22 (tests/transcripts), so the UI is
exercised on real wire shapes; behaviour that depends on the server itself is proven against
the real one in tests/integration and tests/integration/test_console_real.py.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from pathlib import Path

from amitui.client import (
    ActionPolicy,
    NotReady,
    Outcome,
    Phase,
    ReadOnlyRefused,
    ServerSpec,
    SessionState,
    Transcript,
)
from amitui.protocol import Action, ActionIds, Correlator, Frame, FrameKind, Parser

TRANSCRIPTS = Path(__file__).resolve().parent.parent / "transcripts"
FIXED_TIME = 1795833957.25  # 2026-11-28 02:45:57 UTC


def recorded(name: str) -> list[Frame]:
    parser = Parser()
    parser.feed((TRANSCRIPTS / name).read_bytes())
    return list(parser.frames())


def by_action_id(name: str) -> dict[str, Frame]:
    return {f.action_id: f for f in recorded(name) if f.kind is FrameKind.RESPONSE and f.action_id}


def reply(text: str) -> Frame:
    parser = Parser(expect_banner=False)
    parser.feed(text.rstrip("\n").replace("\n", "\r\n").encode() + b"\r\n\r\n")
    (frame,) = list(parser.frames())
    return frame


class FakeSession:
    def __init__(
        self,
        spec: ServerSpec,
        *,
        on_events: Callable[[list[Frame]], None] | None = None,
        on_state: Callable[[SessionState], None] | None = None,
        on_gap: Callable[[str], None] | None = None,
        preload: list[Frame] | None = None,
    ) -> None:
        self.spec = spec
        self.on_events = on_events
        self.on_state = on_state
        self.on_gap = on_gap
        self.preload = preload if preload is not None else call_events()
        self.state = SessionState(Phase.IDLE, spec.address, spec.user)
        self.ping_ms: float | None = 0.4
        self.answer_s = 0.012  # how long each action's answer takes, as its transcript says
        self.sent: list[Action] = []
        self.policy = ActionPolicy()
        self._ids = itertools.count(1)
        self.ids = ActionIds("t")
        self._basics = by_action_id("asterisk22-basics.bin")

    @property
    def replay(self) -> None:
        return None  # live, as far as the console can tell

    async def run(self) -> None:
        self.state = SessionState(
            Phase.READY, self.spec.address, self.spec.user, ami_version="11.0.0"
        )
        if self.on_state:
            self.on_state(self.state)
        if self.on_events and self.preload:
            self.on_events(list(self.preload))
        await asyncio.Event().wait()

    async def close(self, *, logoff: bool = True) -> None:
        self.state = SessionState(Phase.CLOSED, self.spec.address, self.spec.user)

    def push(self, frames: list[Frame]) -> None:
        if self.on_events:
            self.on_events(frames)

    async def send(self, action: Action, *, timeout: float | None = None) -> Transcript:
        if self.spec.read_only and self.policy.changes_state(action):
            raise ReadOnlyRefused(
                f"{action.name} can change the PBX and this session is read-only; refused"
            )
        if self.state.phase is not Phase.READY:
            raise NotReady("not connected")
        if not action.action_id:
            action = action.with_id(f"t{next(self._ids)}")
        self.sent.append(action)
        correlator = Correlator()
        exchange = correlator.expect(action)
        correlator.route(self._answer(action))
        return Transcript(
            action, exchange, sent_wall=FIXED_TIME, sent=10.0, answered=10.0 + self.answer_s,
            done=10.0 + self.answer_s, outcome=Outcome.ANSWERED,
        )  # fmt: skip

    def _answer(self, action: Action) -> Frame:
        aid = action.action_id
        name = action.name.lower()
        if name == "listcommands":
            return _with_id(self._basics["lc"], aid)
        if name == "command":
            command = action.get("Command") or ""
            if command == "manager show command Originate":
                return _with_id(self._basics["c1"], aid)
            return reply(
                f"Response: Error\nActionID: {aid}\nMessage: Command output follows\n"
                f"Output: No such command '{command}'"
            )
        if name == "originate":
            return reply(
                f"Response: Success\nActionID: {aid}\nMessage: Originate successfully queued"
            )
        if name == "hangup":
            return reply(f"Response: Success\nActionID: {aid}\nMessage: Channel Hungup")
        return reply(f"Response: Success\nActionID: {aid}")


def _with_id(frame: Frame, aid: str | None) -> Frame:
    """The recorded frame as if it answered `aid`."""
    text = frame.raw.decode().replace("\r\n", "\n").rstrip("\n")
    return reply(text.replace(f"ActionID: {frame.action_id}\n", f"ActionID: {aid}\n", 1))


def call_events() -> list[Frame]:
    """The events of a real Originate of Local/200@default, as Asterisk 22 sent them."""
    return [f for f in recorded("asterisk22-call.bin") if f.kind is FrameKind.EVENT]
