"""RecentMap (amitui/protocol/recent.py), and the bound the correlator and session use it with."""

from __future__ import annotations

import pytest

from amitui.protocol import Correlator, Role
from amitui.protocol.correlator import REMEMBERED_ACTIONS
from amitui.protocol.recent import RecentMap
from tests.protocol.test_correlator import event, expect, response


def test_keeps_the_newest_up_to_its_bound() -> None:
    recent: RecentMap[str, int] = RecentMap(3)
    for i, key in enumerate("abcde"):
        recent.put(key, i)
    assert recent.keys() == ["c", "d", "e"] and len(recent) == 3
    assert recent.get("a") is None and "a" not in recent
    assert recent.get("e") == 4 and "e" in recent


def test_storing_again_makes_newest_and_looking_up_does_not() -> None:
    recent: RecentMap[str, int] = RecentMap(2)
    recent.put("a", 1)
    recent.put("b", 2)
    assert recent.get("a") == 1  # a look-up keeps "a" the oldest...
    recent.put("c", 3)
    assert recent.keys() == ["b", "c"]
    recent.put("b", 20)  # ...storing again makes "b" the newest
    recent.put("d", 4)
    assert recent.keys() == ["b", "d"] and recent.get("b") == 20


def test_a_bound_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        RecentMap(0)


def test_the_correlator_remembers_the_named_number_of_finished_actions() -> None:
    c = Correlator()
    for i in range(REMEMBERED_ACTIONS + 1):
        expect(c, f"r{i}")
        c.route(response(f"r{i}"))
    assert c.route(event("OriginateResponse", "r1")).role is Role.FOLLOW_UP
    assert c.route(event("OriginateResponse", "r0")).role is Role.EVENT  # the oldest went
