"""Call tracing: which events belong to the same call.

Theory of operation
-------------------
Asterisk gives every channel a Uniqueid and a Linkedid (the Uniqueid of the channel that
started the chain). One call is then everything that shares a Linkedid, joined with whatever
an event itself says belongs together:

* one event naming several channels (DialBegin's caller and `Dest…`, LocalBridge's `LocalOne…`
  and `LocalTwo…`) joins their Linkedids;
* the two halves of a Local channel (`…;1` and `…;2`) are joined by name, since on some
  versions they carry different Linkedids;
* channels entering the same bridge (`BridgeUniqueid`) are joined.

Joining is a union-find over keys (`L:<linkedid>`, `N:<local base name>`, `B:<bridge>`), so a
call that was traced as two and later turns out to be one merges, and its events with it.
Everything is bounded: calls kept, events per call; the oldest ended calls go first.
Tests: tests/store/test_calls.py (recorded real calls) and tests/integration.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field

from amitui.protocol import Frame, FrameKind

MAX_CALLS = 2000
# The channel snapshot headers a call's summary uses (the first of each, as sent).
_FIELDS = frozenset(
    {"Uniqueid", "Channel", "ChannelStateDesc", "CallerIDNum", "CallerIDName", "Exten",
     "Cause", "Cause-txt"}
)  # fmt: skip
MAX_EVENTS_PER_CALL = 5000


@dataclass
class ChannelTrace:
    name: str
    uniqueid: str
    first_seen: float
    state: str = ""
    caller: str = ""
    exten: str = ""
    cause: str | None = None  # set by Hangup
    cause_txt: str = ""


@dataclass
class Call:
    key: str  # the union-find root at the time of the last merge; stable enough to look up
    linkedids: set[str] = field(default_factory=set)
    channels: dict[str, ChannelTrace] = field(default_factory=dict)  # by Uniqueid
    seqs: list[int] = field(default_factory=list)
    start: float = 0.0
    last: float = 0.0
    dropped: int = 0  # events beyond MAX_EVENTS_PER_CALL, counted
    keys: set[str] = field(default_factory=set)  # its union-find keys, dropped with it

    @property
    def active(self) -> bool:
        return any(ch.cause is None for ch in self.channels.values())

    @property
    def duration(self) -> float:
        return max(0.0, self.last - self.start)

    @property
    def parties(self) -> str:
        """'1001 Alice → 1003' from the first channel's caller and the extension dialled."""
        chans = sorted(self.channels.values(), key=lambda c: c.first_seen)
        if not chans:
            return ""
        first = chans[0]
        dialled = next((c.exten for c in chans if c.exten and c.exten != "s"), "")
        who = first.caller or first.name
        return f"{who} → {dialled}" if dialled else who

    @property
    def cause(self) -> str:
        ended = [c for c in self.channels.values() if c.cause is not None]
        if not ended:
            return ""
        first = min(ended, key=lambda c: c.first_seen)
        return f"{first.cause} {first.cause_txt}".strip()

    def filter_text(self) -> str:
        """A stream filter that shows this call: its Linkedids (one, or an alternation)."""
        ids = sorted(self.linkedids)
        if len(ids) == 1:
            return f"Linkedid={ids[0]}"
        return "Linkedid~^(" + "|".join(i.replace(".", r"\.") for i in ids) + ")$"


def _local_base(name: str) -> str | None:
    if name.startswith("Local/") and name[-2:] in (";1", ";2"):
        return name[:-2]
    return None


class CallTracker:
    def __init__(self, max_calls: int = MAX_CALLS) -> None:
        self._parent: dict[str, str] = {}
        self._calls: OrderedDict[str, Call] = OrderedDict()  # root key -> call
        self._max_calls = max_calls
        self.version = 0
        self.evicted = 0

    # -- union-find ---------------------------------------------------------------------

    def _find(self, key: str) -> str:
        parent = self._parent.setdefault(key, key)
        if parent == key:
            return key
        root = self._find(parent)
        self._parent[key] = root
        return root

    def _union(self, a: str, b: str) -> str:
        ra, rb = self._find(a), self._find(b)
        if ra == rb:
            return ra
        self._parent[rb] = ra
        self._merge(ra, rb)
        return ra

    def _merge(self, into: str, other: str) -> None:
        absorbed = self._calls.pop(other, None)
        if absorbed is None:
            return
        call = self._calls.get(into)
        if call is None:
            absorbed.key = into
            self._calls[into] = absorbed
            return
        call.linkedids |= absorbed.linkedids
        call.keys |= absorbed.keys
        call.channels.update(absorbed.channels)
        call.seqs = sorted(set(call.seqs) | set(absorbed.seqs))[-MAX_EVENTS_PER_CALL:]
        call.start = min(call.start, absorbed.start)
        call.last = max(call.last, absorbed.last)
        call.dropped += absorbed.dropped

    # -- observing ----------------------------------------------------------------------

    def observe(
        self,
        seq: int,
        received: float,
        frame: Frame,
        headers: tuple[tuple[str, str], ...] | None = None,
    ) -> Call | None:
        """Attribute one event to its call; None when it names no channel.

        One pass over the headers, by Asterisk's own spelling, and no `frame.get`: that builds
        a lookup index on the frame, which would stay in memory for every event in the ring.
        """
        if frame.kind is not FrameKind.EVENT:
            return None
        keys: list[str] = []
        linkedids: set[str] = set()
        fields: dict[str, str] = {}
        bridge = None
        for k, v in headers if headers is not None else frame.peek_headers():
            if not v:
                continue
            if k.endswith(("Linkedid", "LinkedID", "linkedid")):
                keys.append(f"L:{v}")
                linkedids.add(v)
            elif k.endswith("Channel") and (base := _local_base(v)) is not None:
                keys.append(f"N:{base}")
            if k in _FIELDS and k not in fields:
                fields[k] = v
            elif k == "BridgeUniqueid":
                bridge = v
        if bridge and keys:
            keys.append(f"B:{bridge}")
        if not keys:
            return None
        root = keys[0]
        for key in keys[1:]:
            root = self._union(root, key)
        root = self._find(root)
        call = self._calls.get(root)
        if call is None:
            call = Call(key=root, start=received)
            self._calls[root] = call
            self._evict()
        call.linkedids |= linkedids
        call.keys.update(keys)
        call.last = max(call.last, received)
        if len(call.seqs) < MAX_EVENTS_PER_CALL:
            call.seqs.append(seq)
        else:
            call.dropped += 1
        self._note_channel(call, frame.name, fields, received)
        self._calls.move_to_end(root)
        self.version += 1
        return call

    def observe_many(self, items: Iterable[tuple[int, float, Frame]]) -> None:
        for seq, received, frame in items:
            self.observe(seq, received, frame)

    def _note_channel(
        self, call: Call, event: str, fields: dict[str, str], received: float
    ) -> None:
        uid, name = fields.get("Uniqueid"), fields.get("Channel")
        if not uid or not name:
            return
        ch = call.channels.get(uid)
        if ch is None:
            ch = call.channels[uid] = ChannelTrace(name, uid, received)
        ch.state = fields.get("ChannelStateDesc") or ch.state
        num, cname = fields.get("CallerIDNum", ""), fields.get("CallerIDName", "")
        if num and num != "<unknown>" and not ch.caller:
            ch.caller = f"{num} {cname}".strip() if cname != "<unknown>" else num
        exten = fields.get("Exten")
        if exten and not ch.exten:
            ch.exten = exten
        if event == "Hangup":
            ch.cause = fields.get("Cause", "")
            ch.cause_txt = fields.get("Cause-txt", "")

    def _evict(self) -> None:
        while len(self._calls) > self._max_calls:
            victim = next((k for k, c in self._calls.items() if not c.active), None)
            if victim is None:
                victim = next(iter(self._calls))
            gone = self._calls.pop(victim)
            # Its keys form one component that nothing else points into: forget them all,
            # or the union-find map would grow with every call ever seen.
            for key in gone.keys:
                self._parent.pop(key, None)
            self.evicted += 1

    # -- reading ------------------------------------------------------------------------

    def calls(self) -> list[Call]:
        """Newest activity first."""
        return list(reversed(self._calls.values()))

    def call_of(self, frame: Frame) -> Call | None:
        """The call an event belongs to, if it has been observed."""
        for k, v in frame.headers:
            if v and k.endswith("Linkedid") and f"L:{v}" in self._parent:
                return self._calls.get(self._find(f"L:{v}"))
        return None
