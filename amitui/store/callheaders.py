"""What a header means to call tracing (amitui.store.calls), by its name.

A header is an id of a channel (`…Uniqueid`, in any spelling or role: `DestUniqueid`,
`LocalOneUniqueid`, CEL's `UniqueID`, 1.8's `Uniqueid1`), an id of a chain (`…Linkedid`), a
channel name (`Channel`, `DestChannel`, `Channel1`…), the event's bridge (`BridgeUniqueid`), a
field a call's summary shows, or nothing to tracing. `role` pairs a channel name with its id
in the same event: Channel/Uniqueid "", DestChannel/DestUniqueid "dest",
LocalOneChannel/LocalOneUniqueid "localone", Channel1/Uniqueid1 "1". Names are classified
once and remembered (bounded), since the same few dozen repeat in every event. `scan` reads
what tracing needs of an event in one pass over its headers (in C when it was built:
_callscan.c).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from amitui.protocol.speedups import speedup

# The channel snapshot headers a call's summary uses (the first of each, as sent), and
# FullyBooted's Uptime. The channel's own Channel and Uniqueid come with roles, below.
_FIELDS = frozenset(
    {"ChannelStateDesc", "CallerIDNum", "CallerIDName", "Exten", "Cause", "Cause-txt", "Uptime"}
)
UID, LID, CHAN, BRIDGE, FIELD = 1, 2, 3, 4, 5
_CHANNEL_KEY = re.compile(r"(.*)channel(\d?)")
_MAX_KINDS = 4096  # header names classified and remembered; a hostile stream has many


def _classify(key: str) -> tuple[int, str]:
    if key in _FIELDS:
        return FIELD, ""
    low = key.lower()
    if low == "bridgeuniqueid":
        return BRIDGE, ""
    if "bridgeuniqueid" in low:  # a transfer's or merge's other bridges: not this event's
        return 0, ""
    if "uniqueid" in low:
        return UID, low.replace("uniqueid", "", 1)
    if "linkedid" in low:
        return LID, ""
    m = _CHANNEL_KEY.fullmatch(low)
    if m is not None:
        return CHAN, m[1] + m[2]
    return 0, ""


KINDS: dict[str, tuple[int, str]] = {}


def kind_of(key: str) -> tuple[int, str]:
    kind = KINDS.get(key)
    if kind is None:
        kind = _classify(key)
        if len(KINDS) < _MAX_KINDS:
            KINDS[key] = kind
    return kind


NO_CHANNEL = "none"  # a global variable's VarSet: `Channel: none`, `Uniqueid: none`


def is_id(value: str) -> bool:
    # `<null>` (a failed Originate's Uniqueid) and the like are no channel's id, nor is the
    # `none` Asterisk writes where an event has no channel.
    return bool(value) and not value.startswith("<") and value != NO_CHANNEL


def uid_counter(uniqueid: str) -> int | None:
    """The per-run channel counter of `[system-]<time>.<counter>`; None if not that shape."""
    _, dot, n = uniqueid.rpartition(".")
    return int(n) if dot and n.isdigit() and len(n) < 12 else None


def local_half(name: str) -> tuple[str, str] | None:
    """`Local/100@default-00000001;2` -> (`Local/100@default-00000001`, "2")."""
    if name.startswith("Local/") and name[-2:] in (";1", ";2"):
        return name[:-2], name[-1]
    return None


Scanned = tuple[
    list[str], list[str], dict[str, str], dict[str, str], list[tuple[str, str, str]], str | None
]


def scan_py(
    headers: tuple[tuple[str, str], ...],
    kinds: dict[str, tuple[int, str]],
    classify: Callable[[str], tuple[int, str]],
) -> Scanned:
    """What tracing reads of an event, in one pass over its headers: the channel ids
    (Uniqueids, and each role's first), the chain ids (Linkedids), the summary fields and the
    role-less channel's name (`Channel`), the Local channel halves (role, base, half), and the
    bridge. Empty values, ids like `<null>`, and `none`, are no one's. `kinds` is KINDS,
    `classify` kind_of (for names not in it yet). _callscan.c does the same in C."""
    uniqueids: list[str] = []
    linkedids: list[str] = []
    fields: dict[str, str] = {}
    uid_of: dict[str, str] = {}  # role -> Uniqueid; "" is the event's own channel
    locals_: list[tuple[str, str, str]] = []
    bridge = None
    for k, v in headers:
        if not v:
            continue
        info = kinds.get(k)
        kind, role = info if info is not None else classify(k)
        if not kind:
            continue
        if kind == FIELD:
            if k not in fields:
                fields[k] = v
        elif kind == UID:
            if v[0] != "<" and v != NO_CHANNEL:
                uniqueids.append(v)
                if role not in uid_of:
                    uid_of[role] = v
        elif kind == LID:
            if v[0] != "<" and v != NO_CHANNEL:
                linkedids.append(v)
        elif kind == CHAN:
            if not role and "Channel" not in fields:
                fields["Channel"] = v
            if (local := local_half(v)) is not None:
                locals_.append((role, *local))
        else:
            bridge = v
    return uniqueids, linkedids, fields, uid_of, locals_, bridge


def _load_c() -> Callable[
    [tuple[tuple[str, str], ...], dict[str, tuple[int, str]], Callable[[str], tuple[int, str]]],
    Scanned,
]:
    from amitui.store._callscan import scan as fast

    return fast


scan = speedup(_load_c) or scan_py
SPEEDUP = scan is not scan_py  # the benchmarks print whether it ran
