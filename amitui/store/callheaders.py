"""What a header means to call tracing (amitui.store.calls), by its name.

A header is an id of a channel (`…Uniqueid`, in any spelling or role: `DestUniqueid`,
`LocalOneUniqueid`, CEL's `UniqueID`, 1.8's `Uniqueid1`), an id of a chain (`…Linkedid`), a
channel name (`Channel`, `DestChannel`, `Channel1`…), the event's bridge (`BridgeUniqueid`), a
field a call's summary shows, or nothing to tracing. `role` pairs a channel name with its id
in the same event: Channel/Uniqueid "", DestChannel/DestUniqueid "dest",
LocalOneChannel/LocalOneUniqueid "localone", Channel1/Uniqueid1 "1". Names are classified
once and remembered (bounded), since the same few dozen repeat in every event.
"""

from __future__ import annotations

import re

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


def is_id(value: str) -> bool:
    # `<null>` (a failed Originate's Uniqueid) and the like are no channel's id.
    return bool(value) and not value.startswith("<")


def uid_counter(uniqueid: str) -> int | None:
    """The per-run channel counter of `[system-]<time>.<counter>`; None if not that shape."""
    _, dot, n = uniqueid.rpartition(".")
    return int(n) if dot and n.isdigit() and len(n) < 12 else None


def local_half(name: str) -> tuple[str, str] | None:
    """`Local/100@default-00000001;2` -> (`Local/100@default-00000001`, "2")."""
    if name.startswith("Local/") and name[-2:] in (";1", ";2"):
        return name[:-2], name[-1]
    return None
