"""Stored events out of the cyclic garbage collector's lists, when the C module is built.

The ring keeps up to 100,000 events, each a StoredEvent and a Frame: objects of Python
classes, which CPython tracks for its cyclic collector. A full collection walks every tracked
object, so the stored events made most of each full pause (about 200 ms of 300) and young
collections walked every new event twice on its way to the oldest generation.

A stored event cannot be part of a reference cycle: it refers only to bytes, str, numbers, a
FrameKind member, and tuples and dicts of str (tests/store/test_untrack.py walks every kind of
entry to hold that true). So the collector can never free anything through one, and reference
counting frees it when the ring lets it go. `untrack` drops such objects from the collector's
lists, as CPython does for its own tuples and dicts of such values; it needs C
(amitui/store/_untrack.c). Without it (no compiler at install, or AMITUI_PURE_PYTHON=1) the
objects stay tracked: the same results, with longer collector pauses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from amitui.protocol.speedups import speedup


def untrack_py(objects: list[Any]) -> None:
    """Pure Python cannot untrack an object: they stay tracked, which is always correct."""


def _load_c() -> Callable[[list[Any]], None]:
    from amitui.store._untrack import untrack as fast

    return fast


untrack = speedup(_load_c) or untrack_py
SPEEDUP = untrack is not untrack_py  # the benchmarks print whether it ran
