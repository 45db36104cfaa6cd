"""What the console needs of a session: a live AmiSession and an offline ReplaySession both
fit, so the same app, filters and tracing work on a recording.

Playing a recording is a capability, not a type: `replay` is None on a live session and the
playback controls on a replay, so the console asks `session.replay` instead of testing which
class it holds (amitui/capture/replay.py has the one implementation).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from amitui.client.spec import ServerSpec
from amitui.client.state import SessionState
from amitui.client.transcript import Transcript
from amitui.protocol import Action, ActionIds


class ReplayControl(Protocol):
    """Playback of a recording: what the replay keys and the status bar use."""

    on_rewind: Callable[[], None] | None  # seeking back starts over: the store is cleared

    @property
    def paused(self) -> bool: ...

    @property
    def position(self) -> float: ...

    @property
    def speed(self) -> float: ...

    @speed.setter
    def speed(self, value: float) -> None: ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def step(self, n: int = 1) -> int: ...

    def seek(self, t: float) -> int: ...

    def describe(self) -> str: ...

    def recorded_time(self) -> float: ...


class SessionLike(Protocol):
    spec: ServerSpec
    state: SessionState
    ping_ms: float | None
    ids: ActionIds

    @property
    def replay(self) -> ReplayControl | None: ...

    async def run(self) -> None: ...

    async def send(self, action: Action, *, timeout: float | None = None) -> Transcript: ...

    async def close(self, *, logoff: bool = True) -> None: ...
