"""When the console's tick redraws its panes (ui/pacing.py Redraws): every tick while events
trickle in, at most every FLOOD_REDRAW_SECONDS under a flood, never when nothing changed."""

from __future__ import annotations

from itertools import pairwise

from amitui.store import EventRing
from amitui.ui.pacing import FLOOD_EVENTS, FLOOD_REDRAW_SECONDS, Redraws
from tests.store._support import event

TICK = 0.05


def _arrive(ring: EventRing, n: int) -> None:
    ring.append_batch([event("Newchannel", ("Uniqueid", str(i))) for i in range(n)], 1.0)


def _ticks(per_tick: int, ticks: int) -> list[float]:
    """The times the panes were redrawn over `ticks` ticks, `per_tick` events arriving before
    each."""
    ring, redraws, drawn = EventRing(), Redraws(), []
    for i in range(ticks):
        now = 100.0 + i * TICK
        _arrive(ring, per_tick)
        if redraws.due(ring, now, analysed=per_tick):
            redraws.done(ring, now)
            drawn.append(now)
    return drawn


def test_a_trickle_is_shown_at_every_tick() -> None:
    assert len(_ticks(3, 10)) == 10
    assert len(_ticks(FLOOD_EVENTS - 1, 10)) == 10


def test_a_flood_is_redrawn_less_often_but_still_redrawn() -> None:
    drawn = _ticks(FLOOD_EVENTS, 20)
    assert drawn[0] == 100.0  # the first tick of a flood still shows it at once
    gaps = [b - a for a, b in pairwise(drawn)]
    assert min(gaps) >= FLOOD_REDRAW_SECONDS - 1e-9
    assert len(drawn) == 10  # every other tick at 20 Hz


def test_nothing_new_is_not_redrawn_unless_tracing_moved_on() -> None:
    ring, redraws = EventRing(), Redraws()
    _arrive(ring, 1)
    assert redraws.due(ring, 1.0, analysed=0)
    redraws.done(ring, 1.0)
    assert not redraws.due(ring, 2.0, analysed=0)
    # The ring did not change, but the tick traced events it had not yet: the calls pane may
    # have news.
    assert redraws.due(ring, 2.0, analysed=5)
