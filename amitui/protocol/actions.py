"""Actions: what the client sends, and their encoding to bytes.

Asterisk reads at most 1024 bytes per line and 128 headers per message (`inbuf[1025]`,
AST_MAX_MANHEADERS), and a CR or LF inside a value would end the header early and let the rest
be read as headers of their own (header injection). `encode_action` refuses all three with a
LocalProtocolError that says what to fix, before a byte is sent.
"""

from __future__ import annotations

import hashlib
import itertools
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from amitui.protocol.errors import LocalProtocolError
from amitui.protocol.frames import REDACTED, Header, is_credential, redact, render_headers

MAX_LINE = 1024  # bytes per line, CRLF included
MAX_HEADERS = 128  # per message, Action and ActionID included


@dataclass(frozen=True, slots=True)
class Action:
    """One AMI action: its name and headers in the order they will be sent."""

    name: str
    headers: tuple[Header, ...] = field(default_factory=tuple)
    action_id: str | None = None

    @classmethod
    def of(cls, name: str, headers: Iterable[Header] = (), **more: str) -> Action:
        """Build an action; an `ActionID` among the headers becomes `action_id`."""
        pairs = list(headers) + list(more.items())
        aid = None
        rest: list[Header] = []
        for key, value in pairs:
            if key.lower() == "actionid" and aid is None:
                aid = value
            elif key.lower() == "action":
                raise LocalProtocolError("give the action's name separately, not as a header")
            else:
                rest.append((key, value))
        return cls(name, tuple(rest), aid)

    def with_id(self, action_id: str) -> Action:
        return Action(self.name, self.headers, action_id)

    def wire_headers(self) -> tuple[Header, ...]:
        head: list[Header] = [("Action", self.name)]
        if self.action_id:
            head.append(("ActionID", self.action_id))
        return (*head, *self.headers)

    def get(self, key: str) -> str | None:
        low = key.lower()
        return next((v for k, v in self.headers if k.lower() == low), None)

    def redacted_text(self) -> str:
        """The action as AMI text with credentials masked: safe to show, log or record."""
        return render_headers(redact(self.wire_headers()))


def _check_header(key: str, value: str) -> None:
    if not key or key != key.strip():
        raise LocalProtocolError(f"header name {key!r} is empty or has surrounding spaces")
    if ":" in key:
        raise LocalProtocolError(f"header name {key!r} contains ':'")
    for what, text in (("name", key), ("value", value)):
        if "\r" in text or "\n" in text:
            raise LocalProtocolError(
                f"header {key!r}: its {what} contains a line break (CR or LF), which would "
                "inject headers; refused"
            )
        if "\x00" in text:
            raise LocalProtocolError(f"header {key!r}: its {what} contains a NUL byte")
        try:
            text.encode()
        except UnicodeEncodeError:
            raise LocalProtocolError(
                f"header {key!r}: its {what} is not valid text (a lone surrogate, e.g. from an "
                "undecodable command-line byte) and cannot be sent as UTF-8"
            ) from None


def encode_action(action: Action) -> bytes:
    """The action as bytes for the wire, CRLF line ends; raises LocalProtocolError."""
    headers = action.wire_headers()
    if not action.name.strip():
        raise LocalProtocolError("the action has no name")
    if len(headers) > MAX_HEADERS:
        raise LocalProtocolError(
            f"{action.name}: {len(headers)} headers; Asterisk accepts at most {MAX_HEADERS}"
        )
    out = bytearray()
    for key, value in headers:
        _check_header(key, value)
        line = f"{key}: {value}\r\n".encode()
        if len(line) > MAX_LINE:
            shown = REDACTED if is_credential(key, action.name) else f"{value[:20]}..."
            raise LocalProtocolError(
                f"{action.name}: header {key!r} ({shown}) makes a {len(line)}-byte line; "
                f"Asterisk accepts at most {MAX_LINE} (split it, e.g. one Variable per header)"
            )
        out += line
    out += b"\r\n"
    return bytes(out)


class ActionIds:
    """Short unique ActionIDs: a random per-process prefix and a counter.

    Short on purpose: list actions format the ActionID into a 256-byte buffer in Asterisk and
    a long one loses its end and CRLF there.
    """

    def __init__(self, prefix: str | None = None) -> None:
        self.prefix = prefix if prefix is not None else f"amitui-{os.urandom(3).hex()}"
        self._counter = itertools.count(1)

    def next(self) -> str:
        return f"{self.prefix}-{next(self._counter)}"


def challenge_key(challenge: str, secret: str) -> str:
    """The `Key:` for `AuthType: MD5` login: md5(challenge + secret), lowercase hex."""
    return hashlib.md5((challenge + secret).encode()).hexdigest()


def parse_assignments(items: Sequence[str]) -> list[Header]:
    """`Key=Value` words (from a command line) to headers; the first `=` splits."""
    headers: list[Header] = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise LocalProtocolError(f"{item!r} is not Key=Value")
        headers.append((key, value))
    return headers
