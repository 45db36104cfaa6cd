"""A map that keeps only its newest entries, for what is remembered "for a while" and must not
grow with a session's age: the finished actions the correlator and the session keep so a late
response or a follow-up event (OriginateResponse) still finds its action.

Newest means most recently stored: storing a key again makes it the newest, looking one up does
not (a follow-up must not keep an old action alive past newer ones). Past the bound the oldest
goes. Plain data, no clock. Tests: tests/protocol/test_recent.py.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class RecentMap(Generic[K, V]):
    """At most `bound` entries; storing past it forgets the least recently stored."""

    __slots__ = ("_items", "bound")

    def __init__(self, bound: int) -> None:
        if bound < 1:
            raise ValueError(f"a RecentMap keeps at least one entry, not {bound}")
        self.bound = bound
        self._items: OrderedDict[K, V] = OrderedDict()

    def put(self, key: K, value: V) -> None:
        items = self._items
        items[key] = value
        items.move_to_end(key)
        while len(items) > self.bound:
            items.popitem(last=False)

    def get(self, key: K) -> V | None:
        return self._items.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)

    def keys(self) -> list[K]:
        """Oldest first."""
        return list(self._items)
