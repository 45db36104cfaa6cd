"""What the demo PBX puts on the wire: packets, permission classes, event masks.

Everything here follows what Asterisk 22's main/manager.c does, as recorded from the real
server (amitui/demo/data/samples.json): CRLF line ends, `Key: value` with one space, ActionID
right after `Response:`, `Privilege: <class>,all` right after `Event:`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from amitui.protocol import Header

BANNER = b"Asterisk Call Manager/11.0.0\r\n"

# The perms[] table of manager.c, in its order: a class's bit is its position.
CLASSES = (
    "system",
    "call",
    "log",
    "verbose",
    "command",
    "agent",
    "user",
    "config",
    "dtmf",
    "reporting",
    "cdr",
    "dialplan",
    "originate",
    "agi",
    "cc",
    "aoc",
    "test",
    "security",
    "message",
)
ALL = frozenset(CLASSES)
NONE: frozenset[str] = frozenset()
_TRUE = frozenset({"yes", "true", "y", "t", "1", "on"})
_FALSE = frozenset({"no", "false", "n", "f", "0", "off"})


def classes_of(text: str) -> frozenset[str]:
    """`call,system` or `all` (as in manager.conf or `(Priv: ...)`) to a set of classes.

    `all` in a Priv string is decoration (authority_to_str() always appends it), so it only
    means everything when it stands alone, as in `read = all`."""
    words = {w.strip().lower() for w in text.split(",") if w.strip()}
    if words == {"all"}:
        return ALL
    return frozenset(words & ALL)


def event_mask(text: str | None) -> frozenset[str] | None:
    """A Login `Events:` / Events `EventMask:` value to classes; None when invalid.

    Mirrors strings_to_mask(): on/yes/true is everything, off/no/false nothing, digits a
    bitmask, anything else a class list (unknown names count for nothing)."""
    if text is None or not text.strip():
        return None
    value = text.strip().lower()
    if value.isdigit():
        bits = int(value)
        return frozenset(c for i, c in enumerate(CLASSES) if bits >> i & 1)
    if value in _FALSE:
        return NONE
    if value in _TRUE:
        return ALL
    return ALL if "all" in value.split(",") else classes_of(value)


@dataclass(frozen=True, slots=True)
class PbxEvent:
    """One event as the PBX raised it; `category` decides who may receive it."""

    name: str
    category: str  # one of CLASSES
    headers: tuple[Header, ...]  # after Event and Privilege

    @property
    def privilege(self) -> str:
        return f"{self.category},all"

    def packet(self) -> tuple[Header, ...]:
        return (("Event", self.name), ("Privilege", self.privilege), *self.headers)

    def get(self, key: str) -> str | None:
        low = key.lower()
        return next((v for k, v in self.headers if k.lower() == low), None)


def render(headers: Iterable[Header]) -> bytes:
    """One packet: `Key: value` CRLF lines and the blank line that ends it."""
    return "".join(f"{k}: {v}\r\n" for k, v in headers).encode() + b"\r\n"


def response(
    status: str,
    action_id: str | None,
    message: str | None = None,
    extra: Sequence[Header] = (),
    *,
    list_start: bool = False,
) -> bytes:
    """astman_send_response_full(): Response, ActionID, EventList, Message, the rest."""
    head: list[Header] = [("Response", status)]
    if action_id:
        head.append(("ActionID", action_id))
    if list_start:
        head.append(("EventList", "start"))
    if message is not None:
        head.append(("Message", message))
    return render([*head, *extra])


def error(action_id: str | None, message: str) -> bytes:
    return response("Error", action_id, message)


def list_complete(
    name: str, action_id: str | None, count: int, extra: Sequence[Header] = ()
) -> bytes:
    """The `...Complete` event of a list action (13.2+ layout: ActionID before EventList)."""
    head: list[Header] = [("Event", name)]
    if action_id:
        head.append(("ActionID", action_id))
    return render([*head, ("EventList", "Complete"), ("ListItems", str(count)), *extra])


def command_output(action_id: str | None, lines: Sequence[str], *, ok: bool = True) -> bytes:
    """Command's 14+ format: one `Output:` header per CLI line, errors included."""
    out = [("Output", line) for line in lines]
    return response("Success" if ok else "Error", action_id, "Command output follows", out)


def event_tv(wall: float) -> str:
    """The security events' timestamp: `2026-11-28T02:54:25.497+0000` (UTC)."""
    ms = int(wall * 1000) % 1000
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(wall)) + f".{ms:03d}+0000"


def duration(seconds: float) -> str:
    s = int(max(seconds, 0))
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


def uptime_text(seconds: float) -> str:
    """print_uptimestr(): `4 minutes, 59 seconds`; larger units first, zero units skipped."""
    s = int(seconds)
    parts = []
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if s >= size:
            n, s = divmod(s, size)
            parts.append(f"{n} {unit}{'s' if n != 1 else ''}")
    if s or not parts:
        parts.append(f"{s} second{'s' if s != 1 else ''}")
    return ", ".join(parts)
