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

The ring is bounded in bytes as well as in count: a packet may be 8 MiB, so 100,000 of them
would not fit in memory. Each entry is counted as its raw bytes plus `ENTRY_OVERHEAD` (the
objects that hold it); `_sizes` keeps each slot's raw length beside `_slots`, so an entry that
leaves, by either bound, gives its bytes back without being looked at. When the total exceeds
`max_bytes` the oldest entries go (`evicted_by_size` counts those, `evicted` counts every
eviction), though the newest is always kept. And a frame larger than `event_cap` is stored as
a cut copy that keeps its identifying lines, with its real size on the entry (store/trim.py):
only the ring's copy is cut, so a live, replayed or recorded stream is bounded alike while
the frame the session delivered stays whole for recordings and scripts.

`append_batch` is the hot path, called once per socket read: one StoredEvent per frame, built
by `map` (StoredEvent is not frozen for that: see there), written with slice assignment, and
counted per name with one `Counter.update`; the sizes are one `map(len, ...)` and one array
slice per batch, and the cutting and the byte eviction only run when a batch needs them.
`version` goes up once per change so a UI timer can skip work when nothing happened. The store
has no clock: callers pass wall-clock `received` times.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import attrgetter
from typing import cast

from amitui.protocol.frames import Frame, FrameKind
from amitui.settings import DEFAULT_CAPACITY, DEFAULT_MAX_BYTES  # the [ui] defaults' one home
from amitui.store.trim import EVENT_RAW_CAP, check_cap, trim_frame
from amitui.store.untrack import untrack

# What one entry costs beyond its raw bytes: the StoredEvent (72 bytes), the Frame (104), the
# bytes object's header (33), the slot and its size (16), and the allocator's rounding.
ENTRY_OVERHEAD = 256


@dataclass(slots=True, unsafe_hash=True)
class StoredEvent:
    """One frame as the stream received it. Never changed once stored (hashed by its fields as
    a frozen one would be): not declared frozen because a frozen constructor writes each field
    through `object.__setattr__`, which made it the costliest step of storing an event."""

    seq: int
    received: float  # wall-clock epoch seconds, given by the caller
    frame: Frame
    server: str = ""

    @property
    def real_size(self) -> int:
        """The raw size that arrived when `frame` is a cut copy (TruncatedEvent); else 0."""
        return 0

    @property
    def truncated(self) -> bool:
        return self.real_size > 0


@dataclass(slots=True, unsafe_hash=True)
class TruncatedEvent(StoredEvent):
    """A stored event whose frame is a cut copy of what arrived (store/trim.py).

    A subclass rather than a field on every StoredEvent: one more field costs every event a
    slot and a slower constructor on the ingest path, for the rare one that was cut."""

    real_size: int = 0


@dataclass(frozen=True, slots=True)
class GapMarker:
    """A place in the stream where events may be missing (connection lost, restored)."""

    seq: int
    received: float
    reason: str
    server: str = ""


Entry = StoredEvent | GapMarker

_RAW = attrgetter("raw")
_KIND = attrgetter("kind")
_NAME = attrgetter("name")
_FRAME = attrgetter("frame")


def _stored_events(
    start: int, received: float, frames: Sequence[Frame], server: str
) -> list[Entry]:
    """`[StoredEvent(start + i, received, frame, server) for i, frame in enumerate(frames)]`,
    the loop run by `map`: the ingest path's one StoredEvent per event."""
    n = len(frames)
    seqs = range(start, start + n)
    return list(map(StoredEvent, seqs, repeat(received, n), frames, repeat(server, n)))


def frame_name(frame: Frame) -> str:
    """The name a frame is counted and muted under.

    Events use their event name, and so do AstManProxy's own packets (`ProxyMessage`,
    `Goodbye`: `Frame.name` knows them). Other kinds have no event name, so they are grouped by
    kind in parentheses ("(response)", "(malformed)"), which cannot collide with an AMI event
    name.
    """
    if frame.kind is FrameKind.EVENT:
        return frame.name
    if frame.kind is FrameKind.UNKNOWN and frame.name:
        return frame.name
    return f"({frame.kind.value})"


class EventRing:
    """A bounded, append-only ring of StoredEvent and GapMarker entries."""

    __slots__ = (
        "_capacity", "_event_cap", "_first", "_max_bytes", "_next", "_raw_bytes", "_sizes",
        "_slots", "counts", "evicted", "evicted_by_size", "version",
    )  # fmt: skip

    def __init__(
        self,
        capacity: int = DEFAULT_CAPACITY,
        max_bytes: int = DEFAULT_MAX_BYTES,
        event_cap: int = EVENT_RAW_CAP,
    ) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        if max_bytes < 1:
            raise ValueError("max_bytes must be at least 1")
        self._capacity = capacity
        self._max_bytes = max_bytes
        self._event_cap = check_cap(event_cap)
        self._slots: list[Entry | None] = [None] * capacity
        self._sizes = array("q", bytes(8 * capacity))  # raw bytes per slot; 0 when empty
        self._raw_bytes = 0  # the sum of _sizes
        self._next = 1  # the seq the next entry gets
        self._first = 1  # oldest live seq; the ring is empty when _first == _next
        self.evicted = 0  # every entry that left by a bound (count or bytes)
        self.evicted_by_size = 0  # of those, the ones that left because of the byte bound
        self.version = 0
        self.counts: Counter[str] = Counter()

    # -- writing ---------------------------------------------------------------------------

    def append_batch(self, frames: Sequence[Frame], received: float, server: str = "") -> None:
        """Store the frames of one read, in order, all with the same receive time."""
        n = len(frames)
        if n == 0:
            return
        start = self._next
        lengths = list(map(len, map(_RAW, frames)))
        sizes = array("q", lengths)
        entries: list[Entry]
        if max(lengths) > self._event_cap:
            entries = self._cut_entries(frames, sizes, start, received, server)
        else:
            entries = _stored_events(start, received, frames, server)
        if list(map(_KIND, frames)).count(FrameKind.EVENT) == n:
            self.counts.update(map(_NAME, frames))  # an event is counted under its name
        else:
            self.counts.update(map(frame_name, frames))
        # Kept for minutes but never part of a cycle: out of the collector's walks (untrack.py).
        untrack(entries)
        untrack(list(map(_FRAME, entries)))
        self._write(entries, sizes)

    def _cut_entries(
        self, frames: Sequence[Frame], sizes: array[int], start: int, received: float, server: str
    ) -> list[Entry]:
        """The batch's entries with every oversized frame stored as a cut copy; `sizes` is
        updated to what is kept."""
        cap = self._event_cap
        entries: list[Entry] = []
        for i, frame in enumerate(frames):
            real = sizes[i]
            if real <= cap:
                entries.append(StoredEvent(start + i, received, frame, server))
                continue
            kept = trim_frame(frame, cap)
            sizes[i] = len(kept.raw)
            entries.append(TruncatedEvent(start + i, received, kept, server, real))
        return entries

    def mark_gap(self, reason: str, received: float, server: str = "") -> GapMarker:
        """Record that events may be missing here; returns the marker."""
        marker = GapMarker(self._next, received, reason, server)
        self._write([marker], array("q", [len(reason)]))
        return marker

    def clear(self) -> None:
        """Drop every entry. Numbering continues; `counts` and `evicted` are kept (they are
        totals for the session, not a description of what is stored)."""
        self._slots = [None] * self._capacity
        self._sizes = array("q", bytes(8 * self._capacity))
        self._raw_bytes = 0
        self._first = self._next
        self.version += 1

    def _write(self, entries: list[Entry], sizes: array[int]) -> None:
        cap = self._capacity
        n = len(entries)
        if n > cap:
            # Only the newest `cap` can survive; writing the rest would be wasted work.
            entries = entries[n - cap :]
            sizes = sizes[n - cap :]
        end = self._next + n  # one past the new last seq
        lo = (end - len(entries) - 1) % cap  # slot of the first entry actually written
        k = len(entries)
        slots, held = self._slots, self._sizes
        # Slots outside the live window hold size 0, so this is what the overwritten entries
        # (evicted by count) gave back.
        if lo + k <= cap:
            freed = sum(held[lo : lo + k])
            slots[lo : lo + k] = entries
            held[lo : lo + k] = sizes
        else:
            split = cap - lo
            freed = sum(held[lo:]) + sum(held[: k - split])
            slots[lo:] = entries[:split]
            slots[: k - split] = entries[split:]
            held[lo:] = sizes[:split]
            held[: k - split] = sizes[split:]
        self._raw_bytes += sum(sizes) - freed
        self._next = end
        new_first = max(self._first, end - cap)
        self.evicted += new_first - self._first
        self._first = new_first
        if self._raw_bytes + (end - new_first) * ENTRY_OVERHEAD > self._max_bytes:
            self._evict_by_size()
        self.version += 1

    def _evict_by_size(self) -> None:
        """Drop the oldest entries until the bytes fit again, always keeping the newest."""
        cap, held = self._capacity, self._sizes
        first, live, raw = self._first, self._next - self._first, self._raw_bytes
        while live > 1 and raw + live * ENTRY_OVERHEAD > self._max_bytes:
            raw -= held[(first - 1) % cap]
            first += 1
            live -= 1
        gone = first - self._first
        lo = (self._first - 1) % cap
        for start, stop in ((lo, min(lo + gone, cap)), (0, max(0, lo + gone - cap))):
            self._slots[start:stop] = [None] * (stop - start)
            held[start:stop] = array("q", bytes(8 * (stop - start)))
        self._raw_bytes = raw
        self._first = first
        self.evicted += gone
        self.evicted_by_size += gone

    # -- reading ---------------------------------------------------------------------------

    @property
    def capacity(self) -> int:
        return self._capacity

    @property
    def max_bytes(self) -> int:
        return self._max_bytes

    @property
    def event_cap(self) -> int:
        """Raw bytes kept of one frame; a larger one is stored cut (`StoredEvent.real_size`)."""
        return self._event_cap

    @property
    def stored_bytes(self) -> int:
        """What the stored entries are counted as: raw bytes plus `ENTRY_OVERHEAD` each."""
        return self._raw_bytes + len(self) * ENTRY_OVERHEAD

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

    def since(self, seq: int, limit: int | None = None) -> list[Entry]:
        """Every stored entry with a seq greater than `seq`, oldest first; the first `limit`
        of them when given (a reader behind by many reads only what it will use)."""
        start = max(seq + 1, self._first)
        count = self._next - start
        if limit is not None:
            count = min(count, limit)
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
