from __future__ import annotations

import ast
import random
from pathlib import Path

import pytest

import amitui.store
from amitui.store.ring import EventRing, GapMarker, StoredEvent, frame_name

from ._support import event, parse


def _seqs(ring: EventRing) -> list[int]:
    return [e.seq for e in ring]


def test_empty_ring_reports_zero_seqs() -> None:
    ring = EventRing(4)
    assert len(ring) == 0
    assert ring.first_seq == 0
    assert ring.last_seq == 0
    assert ring.get(1) is None
    assert list(ring) == []


def test_seqs_start_at_one_and_continue_across_batches() -> None:
    ring = EventRing(10)
    ring.append_batch([event("A"), event("B")], 5.0)
    ring.append_batch([event("C")], 6.0)
    assert _seqs(ring) == [1, 2, 3]
    assert (ring.first_seq, ring.last_seq) == (1, 3)


def test_entry_keeps_frame_time_and_server() -> None:
    ring = EventRing(10)
    frame = event("Hangup", ("Cause", "16"))
    ring.append_batch([frame], 1700000000.25, server="pbx1")
    entry = ring.get(1)
    assert entry == StoredEvent(1, 1700000000.25, frame, "pbx1")


def test_stored_events_hash_and_compare_by_their_fields() -> None:
    # Kept in sets and as keys by readers: an entry read twice is one key.
    ring = EventRing(10)
    frame = event("Hangup", ("Cause", "16"))
    ring.append_batch([frame, frame], 5.0, server="pbx1")
    first, second = ring.get(1), ring.get(2)
    assert first is not None and second is not None
    assert hash(first) == hash((1, 5.0, frame, "pbx1")) and first != second
    assert {first: "a"}[StoredEvent(1, 5.0, frame, "pbx1")] == "a"


def test_seqs_never_repeat_after_eviction() -> None:
    ring = EventRing(3)
    ring.append_batch([event(str(i)) for i in range(5)], 0.0)
    assert _seqs(ring) == [3, 4, 5]
    ring.append_batch([event("x")], 0.0)
    assert _seqs(ring) == [4, 5, 6]
    assert (ring.first_seq, ring.last_seq) == (4, 6)


def test_get_of_evicted_or_future_seq_is_none() -> None:
    ring = EventRing(2)
    frames = [event("A"), event("B"), event("C")]
    ring.append_batch(frames, 0.0)
    assert ring.get(1) is None
    assert ring.get(0) is None
    assert ring.get(4) is None
    entry = ring.get(3)
    assert isinstance(entry, StoredEvent)
    assert entry.frame is frames[2]


def test_evicted_counts_entries_dropped_by_the_bound() -> None:
    ring = EventRing(3)
    ring.append_batch([event("A")] * 2, 0.0)
    assert ring.evicted == 0
    ring.append_batch([event("A")] * 4, 0.0)
    assert ring.evicted == 3
    ring.mark_gap("lost", 0.0)
    assert ring.evicted == 4


def test_batch_larger_than_capacity_keeps_the_newest() -> None:
    ring = EventRing(3)
    frames = [event(f"E{i}") for i in range(7)]
    ring.append_batch(frames, 0.0)
    assert _seqs(ring) == [5, 6, 7]
    assert [e.frame.name for e in ring if isinstance(e, StoredEvent)] == ["E4", "E5", "E6"]
    assert ring.evicted == 4


def test_version_increments_on_every_change_only() -> None:
    ring = EventRing(3)
    v0 = ring.version
    ring.append_batch([event("A")], 0.0)
    v1 = ring.version
    ring.append_batch([], 0.0)
    assert ring.version == v1 > v0
    ring.mark_gap("lost", 0.0)
    v2 = ring.version
    assert v2 > v1
    ring.clear()
    assert ring.version > v2
    ring.get(1)
    ring.since(0)
    list(ring)
    assert ring.version == v2 + 1


def test_counts_keep_counting_beyond_the_ring() -> None:
    ring = EventRing(2)
    ring.append_batch([event("Hangup")] * 5 + [event("Newchannel")], 0.0)
    assert len(ring) == 2
    assert ring.counts["Hangup"] == 5
    assert ring.counts["Newchannel"] == 1


def test_counts_group_non_events_by_kind() -> None:
    ring = EventRing(10)
    ring.append_batch(parse("Response: Success\nActionID: 1\n\nEvent: X\n\n"), 0.0)
    assert ring.counts == {"(response)": 1, "X": 1}


def test_frame_name_when_event_header_is_not_first() -> None:
    (frame,) = parse("Privilege: call\nEvent: Late\n\n")
    assert frame_name(frame) == "Late"


def test_gap_marker_takes_a_seq_and_is_not_counted() -> None:
    ring = EventRing(10)
    ring.append_batch([event("A")], 1.0)
    marker = ring.mark_gap("connection lost", 2.0, server="pbx1")
    ring.append_batch([event("B")], 3.0)
    assert marker == GapMarker(2, 2.0, "connection lost", "pbx1")
    assert ring.get(2) == marker
    assert _seqs(ring) == [1, 2, 3]
    assert sum(ring.counts.values()) == 2


def test_since_returns_entries_after_seq() -> None:
    ring = EventRing(4)
    ring.append_batch([event(str(i)) for i in range(6)], 0.0)  # holds 3..6
    assert [e.seq for e in ring.since(4)] == [5, 6]
    assert [e.seq for e in ring.since(0)] == [3, 4, 5, 6]
    assert ring.since(6) == []
    assert ring.since(100) == []


def test_since_with_a_limit_returns_only_the_first_entries_across_the_wrap() -> None:
    ring = EventRing(4)
    ring.append_batch([event(str(i)) for i in range(6)], 0.0)  # holds 3..6, wrapped
    assert [e.seq for e in ring.since(0, limit=2)] == [3, 4]
    assert [e.seq for e in ring.since(4, limit=1)] == [5]
    assert [e.seq for e in ring.since(3, limit=10)] == [4, 5, 6]
    assert ring.since(2, limit=0) == []


def test_clear_empties_but_numbering_continues() -> None:
    ring = EventRing(5)
    ring.append_batch([event("A")] * 3, 0.0)
    ring.clear()
    assert len(ring) == 0
    assert (ring.first_seq, ring.last_seq) == (0, 0)
    assert ring.get(2) is None
    assert ring.counts["A"] == 3
    ring.append_batch([event("B")], 0.0)
    assert _seqs(ring) == [4]


def test_capacity_must_be_positive() -> None:
    assert EventRing().capacity == 100_000
    with pytest.raises(ValueError):
        EventRing(0)


def test_matches_a_plain_list_model_under_random_use() -> None:
    rng = random.Random(7)
    cap = 17
    ring = EventRing(cap)
    live: list[tuple[int, str]] = []  # (seq, label) the ring should hold
    evicted = 0
    next_seq = 1
    for step in range(400):
        action = rng.random()
        if action < 0.7:
            labels = [f"E{step}.{i}" for i in range(rng.randrange(0, 40))]
            ring.append_batch([event(label) for label in labels], float(step))
        elif action < 0.95:
            labels = [f"gap{step}"]
            ring.mark_gap(labels[0], float(step))
        else:
            labels = []
            ring.clear()
            live = []
        for label in labels:
            live.append((next_seq, label))
            next_seq += 1
        if len(live) > cap:
            evicted += len(live) - cap
            live = live[-cap:]
        got = [(e.seq, e.frame.name if isinstance(e, StoredEvent) else e.reason) for e in ring]
        assert got == live
        assert ring.evicted == evicted
        assert (ring.first_seq, ring.last_seq) == ((live[0][0], live[-1][0]) if live else (0, 0))
        probe = rng.randrange(0, next_seq + 2)
        entry = ring.get(probe)
        assert (entry.seq if entry else None) == (probe if probe in dict(live) else None)


FORBIDDEN = ("textual", "rich", "asyncio", "socket", "amitui.client", "amitui.ui")


STORE_FILES = sorted(Path(amitui.store.__file__).parent.glob("*.py"))


def test_store_sources_were_found() -> None:
    assert {p.name for p in STORE_FILES} >= {"ring.py", "filter.py", "view.py", "history.py"}


@pytest.mark.parametrize("path", STORE_FILES, ids=lambda p: p.name)
def test_store_imports_no_io_or_ui(path: Path) -> None:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        for name in names:
            assert not name.startswith(FORBIDDEN), f"{path} imports {name}"
