"""Listeners added to a running session and removed again (a recording started and stopped
from the console), beside the session's own `on_wire`/`on_gap`, which are never swapped.
Tests: tests/client/test_session_taps.py.
"""

from __future__ import annotations

from collections.abc import Callable

from amitui.client.spec import GapCallback, WireCallback


class Taps:
    def __init__(self) -> None:
        self._taps: list[tuple[WireCallback | None, GapCallback | None]] = []

    def add(
        self, wire: WireCallback | None = None, gap: GapCallback | None = None
    ) -> Callable[[], None]:
        """Listen until the returned function is called (calling it twice is harmless)."""
        tap = (wire, gap)
        self._taps.append(tap)

        def remove() -> None:
            if tap in self._taps:
                self._taps.remove(tap)

        return remove

    def __len__(self) -> int:
        return len(self._taps)

    def wire(self, own: WireCallback | None) -> list[WireCallback]:
        """Who hears the wire now: the session's own callback first, then the taps."""
        taps = [wire for wire, _ in self._taps if wire is not None]
        return taps if own is None else [own, *taps]

    def gaps(self) -> list[GapCallback]:
        return [gap for _, gap in self._taps if gap is not None]
