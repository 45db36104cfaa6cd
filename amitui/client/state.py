"""The session's observable state: what the status bar and scripts show."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Phase(enum.Enum):
    IDLE = "idle"
    CONNECTING = "connecting"
    AUTHENTICATING = "authenticating"
    READY = "ready"
    RECONNECTING = "reconnecting"
    FAILED = "failed"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class SessionState:
    phase: Phase
    server: str  # host:port, for messages
    user: str
    attempt: int = 0  # reconnect attempt number, 0 while connected
    next_try: float | None = None  # monotonic time of the next attempt, while reconnecting
    reason: str | None = None  # why we are reconnecting or failed
    # The AMI version: the banner's, or behind a proxy the Asterisk's (CoreSettings, or its
    # banner forwarded after a restart); None while not known.
    ami_version: str | None = None
    proxy: str | None = None  # 'AstManProxy 1.22pre081119' when connected through a proxy
    asterisk_version: str | None = None  # behind a proxy, from CoreSettings
    upstream: str | None = None  # behind a proxy: why the Asterisk behind it cannot answer

    def describe(self, now: float | None = None) -> str:
        """One line: 'ready', 'reconnecting (attempt 3, next try in 4 s): connection refused',
        'ready (Asterisk behind the proxy (10.0.0.5) shut down (Cleanly, restarting))'."""
        text = self.phase.value
        if self.phase is Phase.RECONNECTING:
            extra = f"attempt {self.attempt}"
            if self.next_try is not None and now is not None:
                extra += f", next try in {max(0.0, self.next_try - now):.0f} s"
            text += f" ({extra})"
        if self.reason and self.phase in (Phase.RECONNECTING, Phase.FAILED):
            text += f": {self.reason}"
        if self.upstream and self.phase is Phase.READY:
            text += f" ({self.upstream})"
        return text
