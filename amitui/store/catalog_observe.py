"""The event catalog's observation: every event type seen, its headers and sample values.

Theory of operation
-------------------
`EventCatalog.observe_batch` runs once per socket read, next to the ring, so it does only dict
lookups and integer adds per header. A header counts once per event that carries it (a repeated
header, like TestEvent's two `State` lines, is noted as repeated instead of counted twice): the
"seen in 3 of 7" figure tells an optional header from a constant one. Everything is bounded:
types, headers per type, samples per header and sample length; what does not fit is counted.
A credential header (`is_credential`) is masked as it is sampled, before any report sees it.
The count of one event's headers is `count`: amitui/store/_catalog.c where it was built (with
its own HeaderStats type, whose counters C adds to directly), else count_py and HeaderStatsPy.

Comparing with the docs is catalog_gaps.py's; the reports are catalog_report.py's.
Tests: tests/store/test_catalog.py, and test_catalog_speedup.py for the two versions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import cast

from amitui.protocol.frames import REDACTED, Frame, FrameKind, Header, is_credential
from amitui.protocol.speedups import speedup


@dataclass(frozen=True, slots=True)
class Limits:
    max_types: int = 500
    max_headers: int = 150  # per type; UserEvent may carry anything
    max_samples: int = 4  # distinct values per header
    max_sample_len: int = 80


class HeaderStatsPy:
    """One header of one event type, as counted (the C module has the same, HeaderStats)."""

    __slots__ = ("count", "last", "name", "repeated", "samples", "secret")

    def __init__(self, name: str, secret: bool = False) -> None:
        self.name = name
        self.count = 0  # events that carried it
        self.repeated = 0  # events that carried it more than once
        self.samples: list[str] = []  # distinct values, first seen first
        self.secret = secret  # masked by role: DBGetResponse's Key is data
        self.last = 0  # serial of the last event that carried it; detects repeats cheaply


# (max_headers, max_samples, max_len, REDACTED, new(name, event) -> HeaderStats)
Rules = tuple[int, int, int, str, Callable[[str, str], HeaderStatsPy]]
Count = Callable[[dict[str, HeaderStatsPy], tuple[Header, ...], int, int, str, Rules], int]


def count_py(
    stats_by_name: dict[str, HeaderStatsPy],
    headers: tuple[Header, ...],
    start: int,
    serial: int,
    event: str,
    rules: Rules,
) -> int:
    """Count `headers[start:]` of one event (`serial`) into `stats_by_name`; the number of
    header names not kept because of max_headers. _catalog.c's count does the same in C."""
    max_headers, max_samples, max_len, redacted, new = rules
    dropped = 0
    for key, value in headers[start:] if start else headers:
        stats = stats_by_name.get(key)
        if stats is None:
            if len(stats_by_name) >= max_headers:
                dropped += 1
                continue
            stats = stats_by_name[key] = new(key, event)
        if stats.last == serial:
            stats.repeated += 1
        else:
            stats.last = serial
            stats.count += 1
        samples = stats.samples
        if len(samples) < max_samples:
            if stats.secret:
                value = redacted
            elif len(value) > max_len:
                value = value[: max(max_len - 1, 0)] + "…"
            if value not in samples:
                samples.append(value)
    return dropped


def _load_c() -> tuple[type[HeaderStatsPy], Count]:
    from amitui.store._catalog import HeaderStats as CStats
    from amitui.store._catalog import count as c_count

    # The C type has the same attributes, read-only (only count() changes them), and count()
    # takes only it (tests/store/test_catalog_speedup.py).
    return cast(type[HeaderStatsPy], CStats), cast(Count, c_count)


HeaderStats: type[HeaderStatsPy]
count: Count
HeaderStats, count = speedup(_load_c) or (HeaderStatsPy, count_py)
SPEEDUP = count is not count_py  # the benchmarks print whether it ran


def new_stats(name: str, event: str) -> HeaderStatsPy:
    return HeaderStats(name, is_credential(name, event))


class EventEntry:
    """One event type as observed."""

    __slots__ = ("count", "dropped_headers", "first_seen", "headers", "last_seen", "name")

    def __init__(self, name: str, received: float) -> None:
        self.name = name
        self.count = 0
        self.first_seen = received
        self.last_seen = received
        self.headers: dict[str, HeaderStatsPy] = {}  # wire spelling -> stats, first seen first
        self.dropped_headers = 0  # header names not kept because of Limits.max_headers

    @property
    def privilege(self) -> tuple[str, ...]:
        """The classes the server sent in `Privilege:`, without the ever-present `all`."""
        stats = self.headers.get("Privilege")
        if stats is None or not stats.samples:
            return ()
        parts = (p.strip() for p in stats.samples[0].split(","))
        return tuple(p for p in parts if p and p != "all")


class EventCatalog:
    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits = limits or Limits()
        self._rules: Rules = (limits.max_headers, limits.max_samples, limits.max_sample_len,
                              REDACTED, new_stats)  # fmt: skip
        self._entries: dict[str, EventEntry] = {}
        self.dropped_events = 0  # events of types beyond Limits.max_types
        self.version = 0

    def observe_batch(
        self,
        frames: Sequence[Frame],
        received: float,
        parsed: Sequence[tuple[Header, ...]] | None = None,
    ) -> None:
        """Count the events of one read. Hot path: see the module docstring. `parsed`, when
        given, holds each frame's headers already split (the caller parsed them once for
        several readers)."""
        limits = self.limits
        rules = self._rules
        entries = self._entries
        for i, frame in enumerate(frames):
            if frame.kind is not FrameKind.EVENT:
                continue
            headers = parsed[i] if parsed is not None else frame.peek_headers()
            if headers and headers[0][0] == "Event":  # always, from Asterisk: skip the index
                name, start = headers[0][1], 1
            else:
                name, start = frame.name, 0
            entry = entries.get(name)
            if entry is None:
                if len(entries) >= limits.max_types or not name:
                    self.dropped_events += 1
                    continue
                entry = entries[name] = EventEntry(name, received)
            entry.count += 1
            entry.last_seen = received
            dropped = count(entry.headers, headers, start, entry.count, name, rules)
            if dropped:
                entry.dropped_headers += dropped
        self.version += 1

    def clear(self) -> None:
        self._entries.clear()
        self.dropped_events = 0
        self.version += 1

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[EventEntry]:
        return iter(list(self._entries.values()))  # a snapshot: the reader may add types

    def get(self, name: str) -> EventEntry | None:
        entry = self._entries.get(name)
        if entry is None:
            low = name.lower()
            entry = next((e for e in self._entries.values() if e.name.lower() == low), None)
        return entry

    @property
    def total(self) -> int:
        return sum(e.count for e in self._entries.values())

    def privileges(self) -> dict[str, tuple[str, ...]]:
        """Event name -> the classes its `Privilege:` header named (for eventclasses)."""
        return {e.name: e.privilege for e in self if e.privilege}

    def counts(self) -> dict[str, int]:
        return {e.name: e.count for e in self}
