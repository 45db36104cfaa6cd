"""Call tracing: which events belong to the same call.

Theory of operation
-------------------
Asterisk gives every channel a Uniqueid and a Linkedid (the Uniqueid of the channel that
started the chain), both `<creation time>.<counter>` and never reused, not even across a
restart. A call is everything joined through those ids:

* every header naming an id (`Uniqueid`, `Linkedid`, `DestUniqueid`, `LocalOneUniqueid`,
  CEL's `UniqueID`…) is a key `I:<id>`, so an event naming several channels (DialBegin's
  caller and `Dest…`, LocalBridge's `LocalOne…` and `LocalTwo…`) joins them, and
  OriginateResponse joins its call by its Uniqueid;
* the two halves of a Local channel (`…;1` and `…;2`) are joined by name, since on some
  versions they carry different Linkedids;
* channels entering the same bridge (`BridgeUniqueid`) are joined.

Names are the one key that is reused: channel numbers start again at `-00000000` when Asterisk
restarts. So a name only joins within one instance of the channel: a Local pair's key is bound
to the Uniqueids its halves were seen with, a half that turns up with another Uniqueid starts
a new pair, a pair is forgotten once its halves have hung up, and every pair is forgotten at a
boundary where the server may have restarted: a gap in the stream (connection lost), a
`FullyBooted` (every login), and a Uniqueid counter back at 0 (the first channel of a new run).
`Shutdown`, and a `FullyBooted` whose `Uptime` is shorter than a call's silence, end the calls
that were up: their channels died with the server, and no Hangup will ever say so.
An event that names a channel but no id (the test framework's TestEvent) is not traced: a
name alone cannot say which instance of the channel it means.

Because every traced event carries an id of its call, `Call.filter_text()` is a stream filter
matching exactly the call's events: its Linkedids and Uniqueids across the id headers.
Joining is a union-find over keys, so a call that was traced as two and later turns out to be
one merges, and its events with it. Everything is bounded: calls kept, events per call, Local
pairs remembered; the oldest ended calls go first.
Tests: tests/store/test_calls.py (recorded real calls, a restart) and tests/integration.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field

from amitui.protocol import Frame, FrameKind
from amitui.store.callheaders import KINDS, LID, UID, is_id, kind_of, scan, uid_counter
from amitui.store.filter import EventFilter, Op, Term

MAX_CALLS = 2000
MAX_EVENTS_PER_CALL = 5000
MAX_LOCAL_PAIRS = 10_000  # Local pairs whose hangup was never seen, remembered at most
SHUTDOWN = "Asterisk shut down"
RESTARTED = "Asterisk restarted"


@dataclass
class ChannelTrace:
    name: str
    uniqueid: str
    first_seen: float
    state: str = ""
    caller: str = ""
    exten: str = ""
    cause: str | None = None  # set by Hangup (or "" when the server went away)
    cause_txt: str = ""


@dataclass
class Call:
    key: str  # the union-find root at the time of the last merge; stable enough to look up
    linkedids: set[str] = field(default_factory=set)
    uniqueids: set[str] = field(default_factory=set)
    channels: dict[str, ChannelTrace] = field(default_factory=dict)  # by Uniqueid
    seqs: list[int] = field(default_factory=list)
    start: float = 0.0
    last: float = 0.0
    dropped: int = 0  # events beyond MAX_EVENTS_PER_CALL, counted
    keys: set[str] = field(default_factory=set)  # its union-find keys, dropped with it
    server: str = ""  # the server it was traced on, when several are open (see CallBook)

    @property
    def active(self) -> bool:
        return any(ch.cause is None for ch in self.channels.values())

    @property
    def duration(self) -> float:
        return max(0.0, self.last - self.start)

    def duration_at(self, now: float) -> float:
        """How long the call has lasted: until `now` while it is up, else until its end."""
        return max(0.0, (max(now, self.last) if self.active else self.last) - self.start)

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
        """A stream filter matching exactly this call's events (see the module docstring):
        a Linkedid of the call, which also catches channels it creates later, or a Uniqueid.
        With several servers open each side also names the call's server: two servers can
        hand out the same ids (both numbered from the time they started)."""
        terms: list[Term] = []
        for key, ids in (("*Linkedid*", self.linkedids), ("*Uniqueid*", self.uniqueids)):
            if not ids:
                continue
            if terms:
                terms.append(Term(Op.OR, ""))
            if self.server:
                terms.append(Term(Op.EQ, self.server, "Server"))
            ordered = sorted(ids)
            if len(ordered) == 1:
                terms.append(Term(Op.EQ, ordered[0], key))
            else:
                pattern = "^(" + "|".join(_literal(i) for i in ordered) + ")$"
                terms.append(Term(Op.MATCH, pattern, key))
        return EventFilter(terms).text


def _literal(text: str) -> str:
    """A regex matching `text`, written without backslashes where it can be (`1.2` is
    `1[.]2`): a backslash would make the filter text quote and double it."""
    return "".join(
        c if c.isalnum() or c in "-_" else "[.]" if c == "." else re.escape(c) for c in text
    )


@dataclass
class _LocalPair:
    key: str
    halves: dict[str, str] = field(default_factory=dict)  # "1"/"2" -> Uniqueid
    ended: set[str] = field(default_factory=set)  # halves whose Hangup was seen


class CallTracker:
    """The calls of one server. Ids are only unique within a server, so several servers get
    a tracker each (`server` names it on its calls) and CallBook reads them as one list."""

    def __init__(self, max_calls: int = MAX_CALLS, server: str = "") -> None:
        self.server = server
        self._parent: dict[str, str] = {}
        self._calls: OrderedDict[str, Call] = OrderedDict()  # root key -> call
        # The ended calls among them, in the same order (least recently heard from first):
        # eviction takes the first. Scanning `_calls` for it instead cost a pass over every
        # call still up for each new call, and a flood with calls that never hang up (their
        # Hangup missed) made that 2,000 checks per call (bench/console.py slowed by half).
        self._ended: OrderedDict[str, None] = OrderedDict()
        self._max_calls = max_calls
        self._local: dict[str, _LocalPair] = {}  # Local base name -> the pair now using it
        self._pairs_made = 0
        self._top_counter = -1  # the highest Uniqueid counter since the last boundary
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
        ended = other in self._ended
        self._ended.pop(other, None)
        if absorbed is None:
            return
        call = self._calls.get(into)
        if call is None:
            absorbed.key = into
            self._calls[into] = absorbed
            if ended:  # it is still the same call, ended
                self._ended[into] = None
            return
        call.linkedids |= absorbed.linkedids
        call.uniqueids |= absorbed.uniqueids
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
        """Attribute one event to its call; None when it names no channel id.

        One pass over the headers, and no `frame.get`: that builds a lookup index on the
        frame, which would stay in memory for every event in the ring.
        """
        if frame.kind is not FrameKind.EVENT:
            return None
        event = frame.name
        uniqueids, linkedids, fields, uid_of, locals_, bridge = scan(
            headers if headers is not None else frame.peek_headers(), KINDS, kind_of
        )
        if event in ("FullyBooted", "Shutdown"):
            self._server_event(event, received, fields.get("Uptime", ""))
            return None
        if not uniqueids and not linkedids:
            return None
        if len(uniqueids) == 1 and len(linkedids) == 1:  # most events: its id and its call's
            own_id, call_id = uniqueids[0], linkedids[0]
            keys = [f"I:{own_id}"] if own_id == call_id else [f"I:{own_id}", f"I:{call_id}"]
        else:
            keys = [f"I:{v}" for v in dict.fromkeys(uniqueids + linkedids)]
        own = uid_of.get("")  # an id, never "" or `<null>` (scan leaves those out)
        if own is not None and event == "Newchannel":
            self._check_epoch(own, received)
        hangup = event == "Hangup"
        for role, base, half in locals_:
            uid = uid_of.get(role)
            if uid is None:  # a name joins only together with the id it is bound to
                continue
            pair = self._local.get(base)
            if pair is not None and not hangup and pair.halves.get(half) == uid:
                keys.append(pair.key)  # the usual case: a half of a pair already bound
            else:
                keys.append(self._local_key(base, half, uid, ended=hangup))
        if bridge:
            keys.append(f"B:{bridge}")
        parent = self._parent
        root = parent.get(keys[0], "")
        if parent.get(root) != root:  # not a root's child (or a root) already: walk up
            root = self._find(keys[0])
        for key in keys[1:]:
            if parent.get(key) != root:  # mostly it is already a child of the root: no union
                root = self._union(root, key)  # (the root stays the root)
        call = self._calls.get(root)
        if call is None:
            call = Call(key=root, start=received, server=self.server)
            self._calls[root] = call
            self._evict()
        call.linkedids.update(linkedids)
        call.uniqueids.update(uniqueids)
        call.keys.update(keys)
        if received > call.last:
            call.last = received
        if len(call.seqs) < MAX_EVENTS_PER_CALL:
            call.seqs.append(seq)
        else:
            call.dropped += 1
        if own is not None:
            self._note_channel(call, event, own, fields, received)
        self._calls.move_to_end(root)
        # A call outside `_ended` with channels is up, and only a Hangup ends a channel here
        # (`_end_all` rebuilds `_ended` itself): only then is `active`, a walk over the
        # call's channels, asked again.
        if hangup or not call.channels or root in self._ended:
            if call.active:
                self._ended.pop(root, None)
            else:
                self._ended[root] = None
                self._ended.move_to_end(root)
        self.version += 1
        return call

    def observe_many(self, items: Iterable[tuple[int, float, Frame]]) -> None:
        for seq, received, frame in items:
            self.observe(seq, received, frame)

    def mark_gap(self) -> None:
        """The stream has a gap (connection lost or restored): the server may have restarted
        in it, so channel names seen before it mean nothing after it."""
        self._boundary()

    def _local_key(self, base: str, half: str, uid: str, *, ended: bool) -> str:
        pair = self._local.get(base)
        if pair is None or pair.halves.get(half, uid) != uid:
            # First sight, or this half is another channel than the one the pair knew: the
            # name was reused (a restart numbers channels from zero again).
            self._pairs_made += 1
            pair = _LocalPair(f"N:{base}#{self._pairs_made}")
            self._local.pop(base, None)
            self._local[base] = pair
            while len(self._local) > MAX_LOCAL_PAIRS:
                del self._local[next(iter(self._local))]
        pair.halves[half] = uid
        if ended:
            pair.ended.add(half)
            if pair.ended >= pair.halves.keys():  # every half it knew has hung up
                del self._local[base]
        return pair.key

    def _boundary(self) -> None:
        self._local.clear()
        self._top_counter = -1

    def _check_epoch(self, uniqueid: str, received: float) -> None:
        n = uid_counter(uniqueid)
        if n is None:
            return
        if n == 0 and self._top_counter > 0:
            # Counter 0 is the first channel of a server run: everything before is gone.
            self._boundary()
            self._end_all(RESTARTED, before=received)
        self._top_counter = max(self._top_counter, n)

    def _server_event(self, event: str, received: float, uptime: str) -> None:
        if event == "Shutdown":
            self._end_all(SHUTDOWN, before=received + 1)
        elif uptime.isdigit():
            # The server started `Uptime` seconds ago: calls silent since before then died.
            self._end_all(RESTARTED, before=received - int(uptime))
        self._boundary()

    def _end_all(self, why: str, *, before: float) -> None:
        changed = False
        for call in self._calls.values():
            if call.last >= before:
                # Calls are kept in the order they were last heard from (`observe` moves each
                # to the end), so every later one was heard from since `before` too. Without
                # this a flood carrying FullyBooted walked all 2,000 calls for each one.
                break
            for ch in call.channels.values():
                if ch.cause is None:
                    ch.cause, ch.cause_txt = "", why
                    changed = True
        if changed:
            self.version += 1
            # Rare (a restart, a shutdown): the ended calls afresh, in `_calls` order.
            self._ended = OrderedDict((k, None) for k, c in self._calls.items() if not c.active)

    def _note_channel(
        self, call: Call, event: str, uid: str, fields: dict[str, str], received: float
    ) -> None:
        """The event's own channel (`uid`, its Uniqueid) in the call's summary."""
        name = fields.get("Channel")
        if not name:
            return
        ch = call.channels.get(uid)
        if ch is None:
            ch = call.channels[uid] = ChannelTrace(name, uid, received)
        state = fields.get("ChannelStateDesc")
        if state:
            ch.state = state
        # What is known already is not looked up again (this runs for most events).
        if not ch.caller:
            num = fields.get("CallerIDNum", "")
            if num and num != "<unknown>":
                cname = fields.get("CallerIDName", "")
                ch.caller = f"{num} {cname}".strip() if cname != "<unknown>" else num
        if not ch.exten:
            ch.exten = fields.get("Exten", "")
        if event == "Hangup":
            ch.cause = fields.get("Cause", "")
            ch.cause_txt = fields.get("Cause-txt", "")

    def _evict(self) -> None:
        while len(self._calls) > self._max_calls:
            victim = next(iter(self._ended or self._calls))
            self._ended.pop(victim, None)
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

    def _call_of_id(self, value: str) -> Call | None:
        key = f"I:{value}"
        return self._calls.get(self._find(key)) if key in self._parent else None

    def call_of(self, frame: Frame) -> Call | None:
        """The call an event belongs to, if it has been observed."""
        for k, v in frame.peek_headers():
            if kind_of(k)[0] in (UID, LID) and is_id(v) and (call := self._call_of_id(v)):
                return call
        return None

    def channel(self, uniqueid: str | None, name: str | None) -> ChannelTrace | None:
        """The traced channel with this Uniqueid; without one, the newest channel traced
        under this name (an open one first)."""
        if uniqueid and is_id(uniqueid):
            call = self._call_of_id(uniqueid)
            return call.channels.get(uniqueid) if call is not None else None
        if not name:
            return None
        named = [ch for c in self._calls.values() for ch in c.channels.values() if ch.name == name]
        if not named:
            return None
        return max(named, key=lambda ch: (ch.cause is None, ch.first_seen))
