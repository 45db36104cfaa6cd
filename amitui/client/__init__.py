"""asyncio AMI client: one AmiSession per server. Never imports Textual."""

from amitui.client.errors import (
    ConnectError,
    LoginError,
    NotReady,
    ReadOnlyRefused,
    SessionError,
)
from amitui.client.policy import ActionPolicy, is_read_only_cli
from amitui.client.session import AmiSession
from amitui.client.spec import ServerSpec, Timing
from amitui.client.state import Phase, SessionState
from amitui.client.subscription import Subscription
from amitui.client.transcript import Outcome, Transcript
from amitui.client.transport import TlsOptions

__all__ = [
    "ActionPolicy",
    "AmiSession",
    "ConnectError",
    "LoginError",
    "NotReady",
    "Outcome",
    "Phase",
    "ReadOnlyRefused",
    "ServerSpec",
    "SessionError",
    "SessionState",
    "Subscription",
    "Timing",
    "TlsOptions",
    "Transcript",
    "is_read_only_cli",
]
