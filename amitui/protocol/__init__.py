"""Sans-IO AMI protocol: bytes in, frames out; actions to bytes. No sockets, no clock."""

from amitui.protocol.actions import (
    MAX_HEADERS,
    MAX_LINE,
    Action,
    ActionIds,
    challenge_key,
    encode_action,
    parse_assignments,
)
from amitui.protocol.correlator import PLAIN_EVENT, Correlator, Exchange, Role, Routed
from amitui.protocol.errors import LocalProtocolError, ProtocolError
from amitui.protocol.frames import REDACTED, Frame, FrameKind, Header, redact
from amitui.protocol.jsonform import frame_to_json
from amitui.protocol.parser import Parser

__all__ = [
    "MAX_HEADERS",
    "MAX_LINE",
    "PLAIN_EVENT",
    "REDACTED",
    "Action",
    "ActionIds",
    "Correlator",
    "Exchange",
    "Frame",
    "FrameKind",
    "Header",
    "LocalProtocolError",
    "Parser",
    "ProtocolError",
    "Role",
    "Routed",
    "challenge_key",
    "encode_action",
    "frame_to_json",
    "parse_assignments",
    "redact",
]
