"""Which of the console's ticks work, tracing and redrawing (ui/pacing.py Ticks): every tick
while events trickle in, at most every FLOOD_TICK_SECONDS under a flood, never when nothing
changed."""

from __future__ import annotations

from itertools import pairwise

from amitui.store import EventRing
from amitui.ui.pacing import FLOOD_EVENTS, FLOOD_TICK_SECONDS, Ticks
from tests.store._support import event

TICK = 0.05


def _arrive(ring: EventRing, n: int) -> None:
    ring.append_batch([event("Newchannel", ("Uniqueid", str(i))) for i in range(n)], 1.0)


def _working(per_tick: int, ticks: int) -> list[float]:
    """When ticks worked over `ticks` ticks of 20 Hz, `per_tick` events arriving before each."""
    ring, gate, worked = EventRing(), Ticks(), []
    for i in range(ticks):
        now = 100.0 + i * TICK
        _arrive(ring, per_tick)
        if gate.due(ring, now, backlog=per_tick):
            gate.done(ring, now)
            worked.append(now)
    return worked


def test_a_trickle_is_shown_at_every_tick() -> None:
    assert len(_working(3, 10)) == 10
    assert len(_working(FLOOD_EVENTS - 1, 10)) == 10


def test_a_flood_is_worked_on_less_often_but_never_left() -> None:
    worked = _working(FLOOD_EVENTS, 20)
    assert worked[0] == 100.0  # the first tick of a flood still shows it at once
    assert min(b - a for a, b in pairwise(worked)) >= FLOOD_TICK_SECONDS
    assert len(worked) == 5  # every fourth tick at 20 Hz: ~5 redraws a second


def test_a_working_tick_counts_the_ticks_it_let_go() -> None:
    ring, gate = EventRing(), Ticks()
    _arrive(ring, FLOOD_EVENTS)
    assert gate.due(ring, 1.0, backlog=FLOOD_EVENTS)
    gate.done(ring, 1.0)
    _arrive(ring, FLOOD_EVENTS)
    for now in (1.05, 1.1, 1.15):  # the 20 Hz ticks within FLOOD_TICK_SECONDS
        assert not gate.due(ring, now, backlog=FLOOD_EVENTS)
    assert gate.skipped == 3  # the next working tick traces for four
    assert gate.due(ring, 1.2, backlog=4 * FLOOD_EVENTS)
    gate.done(ring, 1.2)
    assert gate.skipped == 0


def test_nothing_new_is_not_worked_on_unless_tracing_is_behind() -> None:
    ring, gate = EventRing(), Ticks()
    _arrive(ring, 1)
    assert gate.due(ring, 1.0, backlog=1)
    gate.done(ring, 1.0)
    assert not gate.due(ring, 2.0, backlog=0)
    # The ring did not change, but tracing has events still to read: the calls pane may gain.
    assert gate.due(ring, 2.0, backlog=5)
