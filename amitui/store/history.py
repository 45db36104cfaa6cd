"""The record of actions this console sent, for the history panel and the inspector.

Theory of operation
-------------------
Records are immutable; `update` replaces a record in place when its response arrives (or
when it times out). They are kept in a dict keyed by ActionID: dicts keep insertion order,
so the oldest record is the first key (evicted when the bound is reached), iteration newest
first is `reversed(values())`, and `update` is one lookup.

Credentials never enter the history: `ActionRecord` itself masks them (Login's Secret and Key,
any Password...) with `amitui.protocol.frames.redact`, by the action's role, so no code path,
not even constructing a record directly, can store a password that a screenshot or a
copy-to-clipboard would then reveal.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from amitui.protocol.frames import Header, redact

DEFAULT_HISTORY = 1000


@dataclass(frozen=True, slots=True)
class ActionRecord:
    """One sent action and, once known, how it ended."""

    action_id: str
    name: str
    headers: tuple[Header, ...]  # masked on construction
    sent: float  # wall-clock epoch seconds, given by the caller
    status: str | None = None  # Response value, or "timeout" / "unknown"; None while pending
    latency_ms: float | None = None

    def __post_init__(self) -> None:
        # Frozen: the one place a value may be set is here, and it must be the masked one.
        # By the action's name: its headers need not carry `Action` (they are Action.headers).
        object.__setattr__(self, "headers", redact(self.headers, self.name))


class ActionHistory:
    """The newest `capacity` sent actions, looked up by ActionID."""

    __slots__ = ("_capacity", "_records", "evicted", "version")

    def __init__(self, capacity: int = DEFAULT_HISTORY) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._records: dict[str, ActionRecord] = {}
        self.evicted = 0
        self.version = 0  # bumped on every change, so the UI can skip redraws

    @property
    def capacity(self) -> int:
        return self._capacity

    def add(
        self, action_id: str, name: str, headers: Sequence[Header], sent: float
    ) -> ActionRecord:
        """Record a sent action (pending); the oldest record goes if the bound is reached."""
        record = ActionRecord(action_id, name, tuple(headers), sent)
        # A reused ActionID is a new send: it moves to the newest position.
        self._records.pop(action_id, None)
        self._records[action_id] = record
        if len(self._records) > self._capacity:
            del self._records[next(iter(self._records))]
            self.evicted += 1
        self.version += 1
        return record

    def update(
        self, action_id: str, status: str, latency_ms: float | None = None
    ) -> ActionRecord | None:
        """Set how the action ended; None when the ActionID is unknown or already evicted."""
        old = self._records.get(action_id)
        if old is None:
            return None
        new = replace(old, status=status, latency_ms=latency_ms)
        self._records[action_id] = new  # same key: keeps its place in the order
        self.version += 1
        return new

    def get(self, action_id: str) -> ActionRecord | None:
        return self._records.get(action_id)

    def clear(self) -> None:
        self._records.clear()
        self.version += 1

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[ActionRecord]:
        """Newest first, over a snapshot (safe while actions are being sent)."""
        return iter(list(reversed(self._records.values())))
