from __future__ import annotations

import random
import time

from amitui.protocol.frames import Frame
from amitui.store.filter import parse_filter
from amitui.store.ring import EventRing, StoredEvent
from amitui.store.view import FilteredView

from ._support import event

NAMES = ["Hangup", "Newchannel", "VarSet", "DialBegin"]


def _frame(i: int, name: str) -> Frame:
    return event(name, ("Channel", f"PJSIP/{100 + i % 3}-{i:08x}"), ("Cause", str(16 + i % 2)))


def _fill(ring: EventRing, names: list[str]) -> None:
    ring.append_batch(
        [event(n, ("Cause", "16" if i % 2 else "17")) for i, n in enumerate(names)], 0.0
    )


def _expected(view: FilteredView) -> list[int]:
    """The rows computed the slow, obvious way."""
    muted = {m.lower() for m in view.muted}
    out = []
    for e in view.ring:
        if isinstance(e, StoredEvent) and (
            e.frame.name.lower() in muted or not view.filter.matches(e.frame)
        ):
            continue
        out.append(e.seq)
    return out


def test_without_filter_every_entry_is_a_row() -> None:
    ring = EventRing(10)
    _fill(ring, ["Hangup", "VarSet"])
    ring.mark_gap("lost", 0.0)
    assert FilteredView(ring).rows() == [1, 2, 3]


def test_filter_selects_rows() -> None:
    ring = EventRing(10)
    _fill(ring, ["Hangup", "VarSet", "Hangup", "Newchannel"])
    view = FilteredView(ring)
    view.set_filter(parse_filter("Event=Hangup"))
    assert view.rows() == [1, 3]
    view.set_filter(parse_filter("Event!=Hangup"))
    assert view.rows() == [2, 4]


def test_new_entries_are_tested_on_the_next_call() -> None:
    ring = EventRing(10)
    view = FilteredView(ring, parse_filter("Event=Hangup"))
    _fill(ring, ["Hangup", "VarSet"])
    assert view.rows() == [1]
    _fill(ring, ["VarSet", "Hangup"])
    assert view.rows() == [1, 4]


def test_gap_markers_pass_filters_and_mutes() -> None:
    ring = EventRing(10)
    _fill(ring, ["VarSet"])
    ring.mark_gap("connection lost", 0.0)
    view = FilteredView(ring, parse_filter("Event=Hangup"))
    view.mute("VarSet")
    assert view.rows() == [2]


def test_mute_and_unmute_case_insensitively() -> None:
    ring = EventRing(10)
    _fill(ring, ["Hangup", "VarSet", "Hangup", "VarSet"])
    view = FilteredView(ring)
    view.mute("varset")
    assert view.muted == frozenset({"varset"})
    assert view.rows() == [1, 3]
    _fill(ring, ["VARSET", "Hangup"])
    assert view.rows() == [1, 3, 6]
    view.unmute("VarSet")
    assert view.muted == frozenset()
    assert view.rows() == [1, 2, 3, 4, 5, 6]


def test_mute_combines_with_filter() -> None:
    ring = EventRing(10)
    _fill(ring, ["Hangup", "VarSet", "Hangup", "Newchannel"])
    view = FilteredView(ring, parse_filter("Cause=16"))  # odd indexes: seqs 2 and 4
    view.mute("Newchannel")
    assert view.rows() == [2]


def test_set_muted_replaces_the_set() -> None:
    ring = EventRing(10)
    _fill(ring, ["Hangup", "VarSet", "Newchannel"])
    view = FilteredView(ring)
    view.mute("Hangup")
    view.set_muted(["VarSet", "Newchannel"])
    assert view.muted == frozenset({"VarSet", "Newchannel"})
    assert view.rows() == [1]


def test_evicted_seqs_are_dropped_from_the_front() -> None:
    ring = EventRing(4)
    view = FilteredView(ring, parse_filter("Event=Hangup"))
    _fill(ring, ["Hangup", "VarSet", "Hangup", "VarSet"])
    assert view.rows() == [1, 3]
    _fill(ring, ["Hangup", "Hangup", "VarSet"])  # ring now holds 4..7
    assert view.rows() == [5, 6]
    _fill(ring, ["VarSet"] * 4)
    assert view.rows() == []


def test_clear_empties_the_view() -> None:
    ring = EventRing(10)
    view = FilteredView(ring)
    _fill(ring, ["Hangup", "VarSet"])
    assert view.rows() == [1, 2]
    ring.clear()
    assert view.rows() == []
    _fill(ring, ["Hangup"])
    assert view.rows() == [3]


def test_unchanged_rows_are_the_same_object_and_old_lists_never_change() -> None:
    ring = EventRing(3)
    view = FilteredView(ring)
    _fill(ring, ["A", "B"])
    first = view.rows()
    assert view.rows() is first
    _fill(ring, ["C", "D"])
    second = view.rows()
    assert first == [1, 2]
    assert second == [2, 3, 4]
    view.set_filter(parse_filter(""))  # the same filter: nothing to recompute
    assert view.rows() is second


def test_incremental_updates_equal_a_full_recompute() -> None:
    rng = random.Random(1234)
    filters = ["", "Event=Hangup", "Cause!=16", "Channel~pjsip/10[12]", "Event!~^new", "pjsip/102"]
    ring = EventRing(60)
    view = FilteredView(ring)
    for step in range(600):
        action = rng.random()
        if action < 0.6:
            names = rng.choices(NAMES, k=rng.randrange(0, 25))
            ring.append_batch([_frame(step * 100 + i, n) for i, n in enumerate(names)], 0.0)
        elif action < 0.7:
            ring.mark_gap("lost", 0.0)
        elif action < 0.8:
            view.set_filter(parse_filter(rng.choice(filters)))
        elif action < 0.88:
            view.mute(rng.choice(NAMES))
        elif action < 0.96:
            view.unmute(rng.choice(NAMES))
        else:
            ring.clear()
        # Poll only sometimes, so several changes pile up between calls.
        if rng.random() < 0.5:
            rows = view.rows()
            fresh = FilteredView(ring, view.filter)
            fresh.set_muted(view.muted)
            assert rows == fresh.rows() == _expected(view)


def test_recompute_of_100k_entries_is_fast() -> None:
    ring = EventRing(100_000)
    frames = [_frame(i, NAMES[i % 4]) for i in range(1000)]
    for _ in range(100):
        ring.append_batch(frames, 0.0)
    view = FilteredView(ring, parse_filter("Event=Hangup Cause!=17"))
    view.mute("VarSet")
    start = time.perf_counter()
    rows = view.rows()
    elapsed = time.perf_counter() - start
    assert len(rows) == 100 * 250  # every Hangup (i % 4 == 0) has Cause 16
    assert elapsed < 1.0
