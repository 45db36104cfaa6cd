"""What the stream table shows: the seqs of ring entries that pass the filter and mutes.

Theory of operation
-------------------
`rows()` is called from a UI timer, far more often than the ring changes, so it is cached:

* Nothing changed (same ring version, same filter and mutes): the cached list is returned.
* The ring grew: only entries after the last seq already tested are tested and appended.
* Entries were evicted or cleared: seqs below the ring's `first_seq` are cut off the front
  (rows are sorted, so one bisect finds the cut). Eviction never changes whether a surviving
  entry passes, so nothing is retested.
* The filter or the mutes changed: everything is recomputed, which is one pass over the ring.

Each change produces a new list object and leaves the old one untouched, so a caller can hold
the previous result, compare by identity (`rows is last_rows` means nothing changed) and never
sees a list mutate under it. Gap markers pass every filter and cannot be muted: a filtered
stream must still show where events may be missing.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from amitui.store.filter import EventFilter
from amitui.store.ring import Entry, EventRing, GapMarker, frame_name


class FilteredView:
    """A filtered, muted window on an EventRing, maintained incrementally."""

    __slots__ = ("_filter", "_muted", "_ring", "_ring_version", "_rows", "_scanned", "_stale")

    def __init__(self, ring: EventRing, event_filter: EventFilter | None = None) -> None:
        self._ring = ring
        self._filter = event_filter if event_filter is not None else EventFilter()
        self._muted: dict[str, str] = {}  # lowercased name -> name as the user gave it
        self._rows: list[int] = []
        self._scanned = 0  # the last seq tested against the current filter and mutes
        self._ring_version = -1
        self._stale = True  # filter or mutes changed: recompute from scratch

    @property
    def ring(self) -> EventRing:
        return self._ring

    @property
    def filter(self) -> EventFilter:
        return self._filter

    @property
    def muted(self) -> frozenset[str]:
        """Muted event names, spelled as given to `mute`."""
        return frozenset(self._muted.values())

    def set_filter(self, event_filter: EventFilter) -> None:
        if event_filter != self._filter:
            self._filter = event_filter
            self._stale = True

    def mute(self, name: str) -> None:
        """Hide events with this name (compared case-insensitively)."""
        low = name.lower()
        if low not in self._muted:
            self._muted[low] = name
            self._stale = True

    def unmute(self, name: str) -> None:
        if self._muted.pop(name.lower(), None) is not None:
            self._stale = True

    def set_muted(self, names: Iterable[str]) -> None:
        """Replace the whole muted set at once (one recompute instead of many)."""
        muted = {n.lower(): n for n in names}
        if muted.keys() != self._muted.keys():
            self._stale = True
        self._muted = muted

    def rows(self) -> list[int]:
        """The seqs that pass, oldest first. Do not mutate the returned list."""
        ring = self._ring
        if self._stale:
            self._rows = self._select(ring.since(0))
            self._stale = False
        elif ring.version != self._ring_version:
            self._update(ring)
        self._scanned = ring.next_seq - 1
        self._ring_version = ring.version
        return self._rows

    def __len__(self) -> int:
        return len(self.rows())

    def _update(self, ring: EventRing) -> None:
        rows = self._rows
        first = ring.first_seq
        if rows and (first == 0 or rows[0] < first):
            rows = rows[bisect_left(rows, first) :] if first else []
        added = self._select(ring.since(self._scanned))
        if added:
            rows = rows + added
        self._rows = rows

    def _select(self, entries: list[Entry]) -> list[int]:
        matches = self._filter.matches
        muted = self._muted
        if not muted:
            if not self._filter:
                return [e.seq for e in entries]
            return [
                e.seq for e in entries if isinstance(e, GapMarker) or matches(e.frame, e.server)
            ]
        return [
            e.seq
            for e in entries
            if isinstance(e, GapMarker)
            or (frame_name(e.frame).lower() not in muted and matches(e.frame, e.server))
        ]
