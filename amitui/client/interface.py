"""What the console needs of a session: a live AmiSession and an offline ReplaySession both
fit, so the same app, filters and tracing work on a recording."""

from __future__ import annotations

from typing import Protocol

from amitui.client.session import ServerSpec
from amitui.client.state import SessionState
from amitui.client.transcript import Transcript
from amitui.protocol import Action, ActionIds


class SessionLike(Protocol):
    spec: ServerSpec
    state: SessionState
    ping_ms: float | None
    ids: ActionIds

    async def run(self) -> None: ...

    async def send(self, action: Action, *, timeout: float | None = None) -> Transcript: ...

    async def close(self, *, logoff: bool = True) -> None: ...
