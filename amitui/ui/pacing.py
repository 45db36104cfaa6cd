"""How much tracing and cataloguing one 20 Hz tick of the console does (AmiApp._tick).

Under a flood the console can keep up with (bench/console.py at 50,000 events/s) analysis
took most of each tick, and the reader and keys waited. Now it falls behind instead, catches
up when the flood eases, and what the ring evicts before its turn is counted and shown.
"""

from __future__ import annotations

import time

from amitui.ui.bridge import StoreBridge

# Analysis per tick: events per chunk, at most, and seconds.
ANALYSE_CHUNK = 2_000
ANALYSE_MAX = 20_000
ANALYSE_SECONDS = 0.015


def analyse_for_a_tick(bridge: StoreBridge) -> None:
    """Tracing and the catalog, in chunks, for at most ANALYSE_SECONDS (and 20,000 events,
    as before this bound existed)."""
    deadline = time.perf_counter() + ANALYSE_SECONDS
    for _ in range(ANALYSE_MAX // ANALYSE_CHUNK):
        if bridge.analyse(ANALYSE_CHUNK) < ANALYSE_CHUNK:
            return
        if time.perf_counter() >= deadline:
            return


def untraced_note(bridge: StoreBridge) -> str | None:
    """The status bar's word on events the ring evicted before they were traced."""
    n = bridge.unanalysed
    return f"{n:,} evicted before tracing" if n else None
