"""The ring's byte bound and its cut copies of oversized frames (finding 4 of the trust issue:
300 events with a 4 MB header took the console to 3.6 GB)."""

from __future__ import annotations

import random

import pytest

from amitui.protocol.frames import Frame
from amitui.settings import DEFAULT_MAX_BYTES
from amitui.store.ring import (
    ENTRY_OVERHEAD,
    EventRing,
    GapMarker,
    StoredEvent,
    TruncatedEvent,
)
from amitui.store.trim import EVENT_RAW_CAP

from ._support import event

MB = 1024 * 1024


def _sized(name: str, raw_size: int) -> StoredEvent:
    """An event of exactly `raw_size` raw bytes, wrapped only to carry it to the test."""
    head = f"Event: {name}\r\nPad: ".encode()
    frame = event(name, ("Pad", "x" * (raw_size - len(head) - 2)))
    assert len(frame.raw) == raw_size
    return StoredEvent(0, 0.0, frame)


def _held(ring: EventRing) -> int:
    """What the ring's entries hold, counted from the entries themselves."""
    return sum(
        (len(e.frame.raw) if isinstance(e, StoredEvent) else len(e.reason)) + ENTRY_OVERHEAD
        for e in ring
    )


def test_defaults_bound_bytes_and_cut_large_events() -> None:
    ring = EventRing()
    assert ring.max_bytes == DEFAULT_MAX_BYTES == 256 * MB
    assert ring.event_cap == EVENT_RAW_CAP == 64 * 1024
    with pytest.raises(ValueError):
        EventRing(max_bytes=0)
    with pytest.raises(ValueError):
        EventRing(event_cap=100)  # no room for the lines that are always kept


def test_a_small_byte_budget_evicts_by_size_and_counts_it() -> None:
    per = 1000 + ENTRY_OVERHEAD
    ring = EventRing(100, max_bytes=5 * per)  # room for five 1000-byte events by bytes
    frames = [_sized(f"E{i}", 1000).frame for i in range(8)]
    ring.append_batch(frames[:3], 0.0)
    assert (ring.evicted, ring.evicted_by_size) == (0, 0)
    ring.append_batch(frames[3:], 0.0)
    assert [e.frame.name for e in ring if isinstance(e, StoredEvent)] == [
        "E3", "E4", "E5", "E6", "E7",
    ]  # fmt: skip
    assert (ring.evicted, ring.evicted_by_size) == (3, 3)
    assert ring.stored_bytes == 5 * per == _held(ring)
    assert ring.get(3) is None and ring.first_seq == 4
    # Evicting by count is counted as an eviction, not as one by size.
    small = EventRing(2, max_bytes=DEFAULT_MAX_BYTES)
    small.append_batch(frames[:5], 0.0)
    assert (small.evicted, small.evicted_by_size) == (3, 0)


def test_the_newest_entry_stays_even_when_it_alone_is_over_the_budget() -> None:
    ring = EventRing(10, max_bytes=500)
    ring.append_batch([_sized("A", 400).frame, _sized("B", 400).frame], 0.0)
    assert [e.seq for e in ring] == [2]
    assert (ring.evicted, ring.evicted_by_size) == (1, 1)
    ring.mark_gap("connection lost", 1.0)  # small enough to sit beside nothing else
    assert [type(e) for e in ring] == [GapMarker]
    assert ring.evicted_by_size == 2


def test_a_huge_event_is_stored_cut_with_its_real_size() -> None:
    big = event(
        "VarSet",
        ("Privilege", "dialplan,all"),
        ("Channel", "PJSIP/200-00000001"),
        ("Variable", "BLOB"),
        ("Value", "v" * (4 * MB)),
        ("Uniqueid", "1700000000.1"),
        ("Linkedid", "1700000000.0"),
    )
    original = big.raw
    ring = EventRing(10)
    ring.append_batch([event("Newchannel"), big], 1.0, "pbx")
    whole, cut = ring.get(1), ring.get(2)
    assert isinstance(whole, StoredEvent) and not whole.truncated and whole.real_size == 0
    assert isinstance(cut, TruncatedEvent) and cut.truncated
    assert cut.real_size == len(original) > 4 * MB
    assert len(cut.frame.raw) <= EVENT_RAW_CAP
    assert (cut.seq, cut.received, cut.server) == (2, 1.0, "pbx")
    frame = cut.frame
    assert frame.name == "VarSet"
    assert [k for k, _ in frame.headers] == [
        "Event", "Privilege", "Channel", "Variable", "Value", "Uniqueid", "Linkedid",
    ]  # fmt: skip
    assert frame.get("Uniqueid") == "1700000000.1" and frame.get("Linkedid") == "1700000000.0"
    assert (frame.get("Value") or "").startswith("vvvv")
    # Only the ring's copy is cut: the frame the session delivered is whole.
    assert big.raw is original and big.get("Value") == "v" * (4 * MB)
    # The ring counts what it keeps, not what arrived.
    assert ring.stored_bytes == _held(ring) < EVENT_RAW_CAP + 2 * 1024


def test_300_events_of_4_mb_stay_within_the_budget() -> None:
    """The issue's figures, at a budget small enough to show eviction by size."""
    ring = EventRing(100_000, max_bytes=8 * MB)
    blob = b"h" * (4 * MB)
    for i in range(300):
        raw = b"Event: UserEvent\r\nUniqueid: 1.%d\r\nData: %s\r\n" % (i, blob)
        ring.append_batch([Frame.event_unparsed(raw)], float(i))
        assert ring.stored_bytes <= 8 * MB
    assert all(isinstance(e, TruncatedEvent) for e in ring)
    assert len(ring) + ring.evicted == 300
    assert ring.evicted == ring.evicted_by_size > 0
    assert ring.stored_bytes == _held(ring)


def test_clear_gives_every_byte_back() -> None:
    ring = EventRing(10, max_bytes=10_000)
    ring.append_batch([_sized("A", 900).frame] * 4, 0.0)
    ring.clear()
    assert ring.stored_bytes == 0
    ring.append_batch([_sized("B", 900).frame] * 3, 0.0)
    assert ring.stored_bytes == 3 * (900 + ENTRY_OVERHEAD)
    assert ring.evicted_by_size == 0


def test_bytes_match_the_entries_under_random_use() -> None:
    rng = random.Random(11)
    cap = 13
    ring = EventRing(cap, max_bytes=12_000, event_cap=4096)
    for step in range(500):
        action = rng.random()
        if action < 0.75:
            sizes = [rng.choice((40, 300, 1500, 5000, 20_000)) for _ in range(rng.randrange(40))]
            ring.append_batch([_sized(f"E{step}", s).frame for s in sizes], float(step))
        elif action < 0.95:
            ring.mark_gap(f"gap {step}", float(step))
        else:
            ring.clear()
        assert ring.stored_bytes == _held(ring)
        assert len(ring) <= cap
        assert ring.stored_bytes <= 12_000 or len(ring) == 1
        assert ring.evicted_by_size <= ring.evicted
        assert all(len(e.frame.raw) <= 4096 for e in ring if isinstance(e, StoredEvent))
        assert all(e.real_size > 4096 for e in ring if isinstance(e, StoredEvent) and e.truncated)


def test_a_view_drops_what_the_byte_bound_evicted() -> None:
    from amitui.store import FilteredView, parse_filter

    ring = EventRing(100, max_bytes=3 * (1000 + ENTRY_OVERHEAD))
    view = FilteredView(ring, parse_filter("Event=Hangup"))
    ring.append_batch([_sized(n, 1000).frame for n in ("Hangup", "VarSet", "Hangup")], 0.0)
    assert view.rows() == [1, 3]
    ring.append_batch([_sized("Hangup", 1000).frame], 0.0)  # 1 leaves by size
    assert ring.evicted_by_size == 1
    assert view.rows() == [3, 4]
