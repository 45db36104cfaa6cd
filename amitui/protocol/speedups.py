"""The optional C modules, one rule for loading them.

Four hot spots have a C version beside the Python one: the header split and the live
tables' lowercase view of it (amitui/protocol/_lines.c), keeping stored events out of the
garbage collector's walks (amitui/store/_untrack.c), call tracing's pass over each event's
headers (amitui/store/_callscan.c) and the catalog's count of them (amitui/store/_catalog.c).
`pip install` builds them when a C compiler is present; where none
was, or when AMITUI_PURE_PYTHON is set, the Python version runs. Tests hold each pair to the
same results, and CI (AMITUI_REQUIRE_SPEEDUPS) fails if a C version was not built.

Nothing here imports from amitui, so the bottom of any layer may use it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def speedup(load: Callable[[], T]) -> T | None:
    """What `load()` returns (it imports a C module's function), or None when that module was
    not built or pure Python was asked for."""
    if os.environ.get("AMITUI_PURE_PYTHON"):
        return None
    try:
        return load()
    except ImportError:
        return None
