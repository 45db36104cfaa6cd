"""What a session is given: where and as whom to connect (ServerSpec), how long to wait
(Timing), and the shapes of the callbacks it calls. Plain data, shared by the session, the
replay, the console and the commands; kept apart from session.py, which is the behaviour.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from amitui.client.state import SessionState
from amitui.client.transport import TlsOptions
from amitui.protocol import Frame


@dataclass(frozen=True, slots=True)
class ServerSpec:
    """Where and as whom to connect. The secret never appears in repr()."""

    host: str = "127.0.0.1"
    port: int = 5038
    user: str = ""
    secret: str = field(default="", repr=False)
    tls: TlsOptions = field(default_factory=TlsOptions)
    auth: str = "auto"  # auto: MD5 challenge when offered; md5: only that; plain
    events: str = "on"  # the Login `Events:` mask
    read_only: bool = False
    name: str = ""  # profile name, for display

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class Timing:
    connect_timeout: float = 10.0
    action_timeout: float = 10.0
    ping_interval: float = 20.0
    pong_deadline: float = 10.0
    backoff_base: float = 0.5
    backoff_cap: float = 30.0


EventsCallback = Callable[[list[Frame]], None]
StateCallback = Callable[[SessionState], None]
GapCallback = Callable[[str], None]
KEPT_ERRORS = 20  # a consumer's failures remembered (`callback_errors`), the newest


def hand_over(on_events: EventsCallback, batch: list[Frame], errors: list[str]) -> None:
    """Give a batch to the events consumer. Its bug must not stop the reader (or a replay):
    noted in `errors`, the newest KEPT_ERRORS kept."""
    try:
        on_events(batch)
    except Exception as exc:
        errors.append(f"event consumer failed: {exc!r}")
        del errors[:-KEPT_ERRORS]


# ("out", the action's masked text) or ("in", each Frame as parsed: its raw bytes, and for
# a MALFORMED one why, which a recording must keep: the bytes alone would replay as whole).
WireCallback = Callable[[str, bytes | Frame], None]
