"""How much tracing and cataloguing one 20 Hz tick of the console does (AmiApp._tick).

Under a flood the console can keep up with (bench/console.py at 50,000 events/s) analysis
took most of each tick, and the reader and keys waited. Now it falls behind instead, catches
up when the flood eases, and what the ring evicts before its turn is counted and shown.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from amitui.store import EventRing
from amitui.ui.bridge import StoreBridge

# Analysis per tick: events per chunk, at most, and seconds. Between chunks the loop is let
# go (a key press, a screen update), so a chunk is what a key can wait behind, and a key waits
# at each of its hops (app, screen, widget, each its own task). Chunks of 500 (~9 ms) made a
# key at 50,000 events/s wait 41 ms (p50) before its action ran; chunks of 100 (~2 ms), 15 ms,
# for no less tracing (bench/console.py).
ANALYSE_CHUNK = 100
ANALYSE_MAX = 20_000
ANALYSE_SECONDS = 0.03
# Behind by more than this many events, a tick may spend up to ANALYSE_SECONDS_BEHIND: fewer
# redraws, but tracing catches up before the ring evicts what it has not read. Keys still get
# in between chunks.
ANALYSE_BEHIND = 5_000
ANALYSE_SECONDS_BEHIND = 0.08


# Under a flood (this many events or more since the last tick's work) a tick does its work,
# tracing and redrawing, at most every FLOOD_TICK_SECONDS (~5 redraws a second); a trickle is
# still shown at the next tick. Nobody reads 1,000 new rows in 50 ms, so a redraw at every
# 20 Hz tick of a flood is work nobody sees; the time goes to tracing and keys instead, and a
# key's own redraw is never held back. A working tick traces for the ticks it let go as well,
# so tracing keeps its share of the time. At 20,000 events/s a redraw every other tick cost
# 10-12 points of a core more than every fourth, with every event traced in both
# (bench/console.py; comparing CPU between runs needs tracing to have kept up in both, and
# the bench prints what is left).
FLOOD_EVENTS = 500
FLOOD_TICK_SECONDS = 0.19  # every fourth 20 Hz tick: under 0.2 s, so that jitter cannot skip five


class Ticks:
    """Which of the console's ticks work: something changed since the last one that did, and,
    under a flood, it was long enough ago."""

    def __init__(self) -> None:
        self.version = -1  # the ring's version when the last working tick redrew
        self.skipped = 0  # ticks let go under the flood since then: this one works for them
        self._seq = 0  # the ring's next_seq then
        self._at = float("-inf")

    def due(self, ring: EventRing, now: float, backlog: int) -> bool:
        """`backlog`: events call tracing has not read yet (the calls pane may gain some)."""
        if ring.version == self.version and not backlog:
            return False
        flood = ring.next_seq - self._seq >= FLOOD_EVENTS
        if flood and now - self._at < FLOOD_TICK_SECONDS:
            self.skipped += 1
            return False
        return True

    def done(self, ring: EventRing, started: float) -> None:
        """The tick that began at `started` has worked and redrawn."""
        self.version, self._seq, self._at = ring.version, ring.next_seq, started
        self.skipped = 0


class Follower(Protocol):
    """What reads the ring right behind call tracing: the live tables (ui/livesync.py)."""

    def pull(self) -> None: ...


async def analyse_for_a_tick(bridge: StoreBridge, follower: Follower, ticks: int = 1) -> None:
    """Tracing, the catalog and then the live tables, in chunks, for at most ANALYSE_SECONDS
    per tick this one stands for (`ticks`: under a flood, the ones skipped too) and 20,000
    events. Each chunk's events are split once for all three and let go before the next
    chunk (store/parsed.py)."""
    spent = 0.0  # in the chunks themselves: what other tasks do between them is theirs
    budget = ANALYSE_SECONDS * ticks
    if bridge.backlog > ANALYSE_BEHIND:
        budget = max(budget, ANALYSE_SECONDS_BEHIND)
    for _ in range(ANALYSE_MAX // ANALYSE_CHUNK):
        start = time.perf_counter()
        with collector_paused():
            done = bridge.analyse(ANALYSE_CHUNK)
            follower.pull()
            bridge.parsed.clear()
        spent += time.perf_counter() - start
        if done < ANALYSE_CHUNK or spent >= budget:
            return
        await asyncio.sleep(0)


def tune_collector() -> None:
    """The garbage collector's settings for the console's life, set once it is built.

    Measured with bench/console.py: at 20,000 events/s the default thresholds ran more than one
    full collection a second, up to 200 ms each, and a key press waited for them. Stored events
    hold no reference cycles and are kept out of the collector's walks (store/untrack.py), so
    a full collection walks ~60,000 objects plus what it frees: Textual's drawn strips, which
    refer to themselves (Strip.divide caches a list holding the strip), ~11 MB a minute under
    a flood. One every ~15 s at 20,000 events/s (the third threshold, 25) keeps memory nearly
    level (+3 MB a minute over 120 s) with pauses near 100 ms; one a minute (100) paused
    470 ms. The young generations are collected in small steps (the first: 2,000, not 10,000,
    whose second-generation walks took 100 ms). What exists now, Textual's own objects and
    the first screen's, is frozen out of every walk."""
    gc.freeze()
    gc.enable()
    gc.set_threshold(2_000, 10, 25)


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a tick splits events for its readers.

    The split headers live until the chunk's last reader is done (store/parsed.py), thousands
    of small tuples; each collection in that window walked them and moved them to an
    older generation, and the older generations' collections are the console's longest pauses
    under a flood (bench/console.py). Freed by reference counting before the collector runs
    again, they are never walked at all. Only the collector is held, never memory: a chunk
    is a bounded amount of work (ANALYSE_CHUNK, ParsedOnce's limit).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def untraced_note(bridge: StoreBridge) -> str | None:
    """The status bar's word on events the ring evicted before they were traced."""
    n = bridge.unanalysed
    return f"{n:,} evicted before tracing" if n else None
