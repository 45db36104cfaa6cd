"""The event stream's memory: a bounded ring of entries with absolute sequence numbers.

Theory of operation
-------------------
Every entry gets the next sequence number (1, 2, 3, ...). Numbers are never reused, not after
eviction and not after `clear()`, so a seq is a stable name for "that event" that a view, a
selection or an inspector can hold without the ring changing under it.

Storage is a preallocated list of `capacity` slots; the entry with sequence `s` lives in slot
`(s - 1) % capacity`. That gives O(1) `get(seq)` (a deque is O(n) in the middle) and lets a
batch be written with at most two slice assignments. The live window is `[first_seq, last_seq]`;
everything older has been overwritten (`evicted` counts those) or cleared.

`append_batch` is the hot path, called once per socket read: one StoredEvent per frame, built
in a comprehension, written with slice assignment, and counted per name with one
`Counter.update`. `version` goes up once per change so a UI timer can skip work when nothing
happened. The store has no clock: callers pass wall-clock `received` times.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import cast

from amitui.protocol.frames import Frame, FrameKind

DEFAULT_CAPACITY = 100_000


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One frame as the stream received it."""

    seq: int
    received: float  # wall-clock epoch seconds, given by the caller
    frame: Frame
    server: str = ""


@dataclass(frozen=True, slots=True)
class GapMarker:
    """A place in the stream where events may be missing (connection lost, restored)."""

    seq: int
    received: float
    reason: str
    server: str = ""


Entry = StoredEvent | GapMarker


def frame_name(frame: Frame) -> str:
    """The name a frame is counted and muted under.

    Events use their event name. Other kinds have no event name, so they are grouped by kind in
    parentheses ("(response)", "(malformed)"), which cannot collide with an AMI event name.
    """
    if frame.kind is FrameKind.EVENT:
        return frame.name
    return f"({frame.kind.value})"


class EventRing:
    """A bounded, append-only ring of StoredEvent and GapMarker entries."""

    __slots__ = ("_capacity", "_first", "_next", "_slots", "counts", "evicted", "version")

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._slots: list[Entry | None] = [None] * capacity
        self._next = 1  # the seq the next entry gets
        self._first = 1  # oldest live seq; the ring is empty when _first == _next
        self.evicted = 0
        self.version = 0
        self.counts: Counter[str] = Counter()

    # -- writing ---------------------------------------------------------------------------

    def append_batch(self, frames: Sequence[Frame], received: float, server: str = "") -> None:
        """Store the frames of one read, in order, all with the same receive time."""
        n = len(frames)
        if n == 0:
            return
        start = self._next
        entries: list[Entry] = [
            StoredEvent(seq, received, frame, server)
            for seq, frame in zip(range(start, start + n), frames, strict=True)
        ]
        self.counts.update([frame_name(f) for f in frames])
        self._write(entries)

    def mark_gap(self, reason: str, received: float, server: str = "") -> GapMarker:
        """Record that events may be missing here; returns the marker."""
        marker = GapMarker(self._next, received, reason, server)
        self._write([marker])
        return marker

    def clear(self) -> None:
        """Drop every entry. Numbering continues; `counts` and `evicted` are kept (they are
        totals for the session, not a description of what is stored)."""
        self._slots = [None] * self._capacity
        self._first = self._next
        self.version += 1

    def _write(self, entries: list[Entry]) -> None:
        cap = self._capacity
        n = len(entries)
        if n > cap:
            # Only the newest `cap` can survive; writing the rest would be wasted work.
            entries = entries[n - cap :]
        end = self._next + n  # one past the new last seq
        lo = (end - len(entries) - 1) % cap  # slot of the first entry actually written
        k = len(entries)
        slots = self._slots
        if lo + k <= cap:
            slots[lo : lo + k] = entries
        else:
            split = cap - lo
            slots[lo:] = entries[:split]
            slots[: k - split] = entries[split:]
        self._next = end
        new_first = max(self._first, end - cap)
        self.evicted += new_first - self._first
        self._first = new_first
        self.version += 1

    # -- reading ---------------------------------------------------------------------------

    @property
    def capacity(self) -> int:
        return self._capacity

    @property
    def first_seq(self) -> int:
        """The oldest stored seq, 0 when empty."""
        return self._first if self._next > self._first else 0

    @property
    def last_seq(self) -> int:
        """The newest stored seq, 0 when empty."""
        return self._next - 1 if self._next > self._first else 0

    @property
    def next_seq(self) -> int:
        """The seq the next entry will get."""
        return self._next

    def __len__(self) -> int:
        return self._next - self._first

    def get(self, seq: int) -> Entry | None:
        """The entry with this seq, or None if it was evicted, cleared, or not yet written."""
        if self._first <= seq < self._next:
            return self._slots[(seq - 1) % self._capacity]
        return None

    def since(self, seq: int) -> list[Entry]:
        """Every stored entry with a seq greater than `seq`, oldest first."""
        start = max(seq + 1, self._first)
        count = self._next - start
        if count <= 0:
            return []
        cap = self._capacity
        lo = (start - 1) % cap
        slots = self._slots
        if lo + count <= cap:
            part = slots[lo : lo + count]
        else:
            part = slots[lo:] + slots[: count - (cap - lo)]
        # Every slot in the live window holds an entry, never None.
        return cast("list[Entry]", part)

    def __iter__(self) -> Iterator[Entry]:
        # A snapshot, so appending while iterating neither breaks nor repeats anything.
        return iter(self.since(0))
