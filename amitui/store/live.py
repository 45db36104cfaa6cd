"""What is up on the PBX right now: tables kept current from events, resynced from list actions.

Theory of operation
-------------------
Each `LiveTable` (channels, bridges, endpoints, queues, parked calls, conference rooms; the
kinds are in live_tables.py) holds records by a stable key and knows two things: how an event
changes it (`apply`) and how to rebuild it from the items of its list action (`load`).

Events alone are never enough: a table starts empty, and a gap in the stream (connection lost,
events evicted before they were read) leaves it wrong in ways no later event repairs. So every
table carries its `Freshness`: *not loaded* until its list action has answered once, *live*
afterwards, *stale* from a gap until the next list answer, *resyncing* while one is asked, or
*unavailable* when the server refuses the list (then events still update it, and the table
says so). A gap marks every table stale at once; nothing is shown as current that may not be.

A resync is not atomic on the wire: events keep arriving while the list is sent. `LiveState`
therefore feeds events in ring order, and when a list answers, the table is rebuilt from the
items and the events received since the action was sent are applied again on top (`finish`).
Table updates are state assignments (a channel's state is X, a member is paused), so applying
an event the list already reflects changes nothing.

Rows for display are plain `dict[str, str]`: the stream's filter language applies to them (a
row becomes a frame of `Column: value` headers), and sorting is natural (digits as numbers).
No Textual, no clock: callers pass wall-clock times.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from amitui.protocol.frames import Frame, FrameKind
from amitui.protocol.lines import lowered
from amitui.store.filter import EventFilter
from amitui.store.parsed import ParsedOnce
from amitui.store.ring import Entry, GapMarker

Headers = dict[str, str]  # lowercased header name -> first value
Row = dict[str, str]  # column -> shown value
DEFAULT_BOUND = 5_000
HISTORY_SECONDS = 600  # the channel-count sparkline: the last ten minutes, one sample a second

NOT_LOADED = "not loaded"
LIVE = "live"
STALE = "stale"
RESYNCING = "resyncing"
UNAVAILABLE = "unavailable"


@dataclass(slots=True)
class Freshness:
    state: str = NOT_LOADED
    reason: str = ""
    since: float = 0.0  # wall time it entered this state

    @property
    def current(self) -> bool:
        return self.state == LIVE

    def describe(self) -> str:
        return f"{self.state}: {self.reason}" if self.reason else self.state


@dataclass(slots=True)
class Record:
    """One thing on the PBX: its fields as last heard, and when it started (0: unknown)."""

    fields: Headers
    since: float = 0.0


def headers_of(frame: Frame, split: tuple[tuple[str, str], ...] | None = None) -> Headers:
    """A frame's headers, lowercased names, first value wins; without keeping them parsed on
    the frame (a stored event stays compact). `split`: its headers, when already split."""
    return lowered(frame.peek_headers() if split is None else split)


def clock(seconds: float) -> str:
    """A duration as H:MM:SS, the way `core show channels` writes it."""
    s = int(max(seconds, 0))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


def parse_clock(text: str) -> float | None:
    """`00:01:23` (CoreShowChannel's Duration) to seconds; None when it is not one."""
    parts = text.strip().split(":")
    if not parts or not all(p.isdigit() for p in parts):
        return None
    total = 0
    for part in parts:
        total = total * 60 + int(part)
    return float(total)


class LiveTable:
    """Records by key, their freshness, a bound. Subclasses say what events and lists mean."""

    name = ""
    title = ""
    columns: tuple[str, ...] = ()
    events: frozenset[str] = frozenset()  # event names `apply` wants, as Asterisk spells them
    list_actions: tuple[str, ...] = ()  # the actions that answer with the whole table
    optional = False  # a tab only when the server has the list action

    def __init__(self, bound: int = DEFAULT_BOUND) -> None:
        self.bound = bound
        self.records: dict[str, Record] = {}
        self.freshness = Freshness()
        self.overflow = 0  # records not kept because the table was full
        self.version = 0

    # -- changing ------------------------------------------------------------------------

    def apply(self, event: str, h: Headers, when: float) -> None:
        raise NotImplementedError

    def load(self, items: Sequence[tuple[str, Headers]], when: float) -> None:
        """Rebuild from list items (event name, headers), replacing every record."""
        raise NotImplementedError

    def more_lists(self, items: Sequence[Frame]) -> list[tuple[str, list[tuple[str, str]]]]:
        """Further list actions the first answers call for (ConfbridgeList per room)."""
        return []

    def put(self, key: str, fields: Headers, since: float = 0.0) -> Record | None:
        """Add or update; a new key beyond the bound is counted in `overflow`, not kept."""
        record = self.records.get(key)
        if record is None:
            if len(self.records) >= self.bound:
                self.overflow += 1
                return None
            record = self.records[key] = Record(dict(fields), since)
        else:
            record.fields.update(fields)
        self.version += 1
        return record

    def drop(self, key: str) -> None:
        if self.records.pop(key, None) is not None:
            self.version += 1

    def clear(self) -> None:
        self.records.clear()
        self.overflow = 0
        self.version += 1

    def set_freshness(self, state: str, reason: str, when: float) -> None:
        self.freshness = Freshness(state, reason, when)
        self.version += 1

    # -- reading -------------------------------------------------------------------------

    def row(self, key: str, record: Record, now: float) -> Row:
        raise NotImplementedError

    def rows(self, now: float) -> list[tuple[str, Row]]:
        return [(key, self.row(key, record, now)) for key, record in self.records.items()]


_NATURAL = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Digits compare as numbers: PJSIP/2 before PJSIP/10, 0:00:09 before 0:00:10."""
    parts = _NATURAL.split(text.lower())
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p)


def row_frame(row: Row) -> Frame:
    """A row as a frame of `Column: value` headers, so the stream's filter applies to it."""
    headers = tuple(row.items())
    raw = "".join(f"{k}: {v}\r\n" for k, v in headers).encode("utf-8", "replace")
    return Frame(FrameKind.UNKNOWN, headers, raw)


def select(
    rows: Iterable[tuple[str, Row]],
    query: EventFilter | None = None,
    sort: str | None = None,
    reverse: bool = False,
) -> list[tuple[str, Row]]:
    """Rows matching the filter, sorted naturally by one column (ties by key)."""
    chosen = [(k, r) for k, r in rows if not query or query.matches(row_frame(r))]
    if sort:
        chosen.sort(key=lambda kr: (natural_key(kr[1].get(sort, "")), natural_key(kr[0])),
                    reverse=reverse)  # fmt: skip
    return chosen


class LiveState:
    """Every table, fed from the ring in order; gaps make them stale; resyncs rebuild them."""

    def __init__(self, tables: Sequence[LiveTable]) -> None:
        self.tables: dict[str, LiveTable] = {t.name: t for t in tables}
        self._wants: dict[str, list[LiveTable]] = {}
        for table in tables:
            for name in table.events:
                self._wants.setdefault(name, []).append(table)
        self.processed = 0  # the last ring seq fed
        self.history: deque[tuple[int, int]] = deque(maxlen=HISTORY_SECONDS)

    def __getitem__(self, name: str) -> LiveTable:
        return self.tables[name]

    def __iter__(self) -> Iterator[LiveTable]:
        return iter(self.tables.values())

    @property
    def version(self) -> int:
        return sum(t.version for t in self.tables.values())

    # -- events and gaps -------------------------------------------------------------------

    def feed(self, entries: Iterable[Entry], parsed: ParsedOnce | None = None) -> None:
        """Events in ring order. `parsed`: headers other readers already split this tick."""
        for entry in entries:
            if entry.seq <= self.processed:
                continue
            self.processed = entry.seq
            if isinstance(entry, GapMarker):
                self.gap(entry.reason, entry.received)
            else:
                self.observe(entry.frame, entry.received, seq=entry.seq, parsed=parsed)

    def observe(
        self,
        frame: Frame,
        when: float,
        only: LiveTable | None = None,
        seq: int = 0,
        parsed: ParsedOnce | None = None,
    ) -> None:
        if frame.kind is not FrameKind.EVENT:
            return
        name = frame.name
        tables = self._wants.get(name)  # the name costs nothing; headers only if wanted
        if not tables:
            return
        h = headers_of(frame, None if parsed is None else parsed.headers(seq, frame))
        if "actionid" in h and name in _LIST_ITEM_NAMES:
            return  # a list item some other action asked for (DeviceStateList): not an event
        for table in tables:
            if only is None or table is only:
                table.apply(name, h, when)

    def gap(self, reason: str, when: float) -> None:
        """Events may be missing: every table is stale until its list answers again."""
        for table in self.tables.values():
            if table.freshness.state != UNAVAILABLE:
                table.set_freshness(STALE, reason, when)

    def needing_sync(self) -> list[LiveTable]:
        return [t for t in self.tables.values() if t.freshness.state in (NOT_LOADED, STALE)]

    # -- resyncs ---------------------------------------------------------------------------

    def begin(self, table: LiveTable, when: float) -> None:
        table.set_freshness(RESYNCING, table.freshness.reason, when)

    def finish(
        self, table: LiveTable, items: Sequence[Frame], when: float, since: Iterable[Entry]
    ) -> None:
        """The list answered: rebuild from its items, then apply again what arrived since the
        action was sent (`since`: ring entries from then up to `processed`)."""
        table.load([(f.name, headers_of(f)) for f in items], when)
        gap: GapMarker | None = None
        for entry in since:
            if entry.seq > self.processed:
                break
            if isinstance(entry, GapMarker):
                gap = entry
            else:
                self.observe(entry.frame, entry.received, only=table)
        if gap is not None:
            table.set_freshness(STALE, gap.reason, gap.received)
        else:
            table.set_freshness(LIVE, "", when)

    def fail(self, table: LiveTable, reason: str, when: float) -> None:
        """The list cannot be had (refused, missing): events still update the table."""
        table.set_freshness(UNAVAILABLE, reason, when)

    # -- the channel count over time -------------------------------------------------------

    def sample(self, when: float) -> None:
        """Once a second: how many channels are up (for the sparkline)."""
        second = int(when)
        count = len(self.tables["channels"].records) if "channels" in self.tables else 0
        if self.history and self.history[-1][0] == second:
            self.history[-1] = (second, count)
        else:
            self.history.append((second, count))

    def channel_counts(self, seconds: int = HISTORY_SECONDS) -> list[float]:
        return [float(n) for _, n in list(self.history)[-seconds:]]


@dataclass(frozen=True, slots=True)
class ListAnswer:
    """What a list action brought back, as the sync hands it over."""

    items: list[Frame] = field(default_factory=list)
    error: str = ""  # "" when the list answered (an "empty" error counts as an answer)
    refused: bool = False  # the server said no (Error): asking again will not help


# List items whose event names are also real events: ignored as events when they carry an
# ActionID (someone's DeviceStateList or ParkedCalls, answered into the stream's follow-ups).
_LIST_ITEM_NAMES = frozenset({"DeviceStateChange", "ParkedCall"})
