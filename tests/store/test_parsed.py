"""ParsedOnce: a tick's readers (call tracing and the catalog, then the live tables) split each
stored event once, and never take another event's headers for it."""

from __future__ import annotations

from amitui.store.parsed import ParsedOnce
from tests.store._support import event


def test_an_event_is_split_once_and_the_same_headers_come_back() -> None:
    frame = event("Newchannel", ("Channel", "PJSIP/1-1"), ("Uniqueid", "1.1"))
    memo = ParsedOnce()
    first = memo.headers(7, frame)
    assert first == frame.peek_headers()
    assert memo.hits == 0
    assert memo.headers(7, frame) is first
    assert memo.hits == 1


def test_a_number_reused_for_another_event_gives_that_events_headers() -> None:
    # After the ring is cleared (a replay seeking back) sequence numbers start over.
    old = event("Newchannel", ("Channel", "PJSIP/old-1"))
    new = event("Hangup", ("Channel", "PJSIP/new-2"))
    memo = ParsedOnce()
    memo.headers(1, old)
    assert memo.headers(1, new) == new.peek_headers()
    assert memo.hits == 0


def test_the_memo_is_bounded() -> None:
    memo = ParsedOnce(limit=2)
    frames = [event("UserEvent", ("N", str(i))) for i in range(5)]
    for seq, frame in enumerate(frames, 1):
        assert memo.headers(seq, frame) == frame.peek_headers()
    assert len(memo) == 2
    memo.clear()
    assert len(memo) == 0


def test_the_first_readers_split_is_what_later_readers_take() -> None:
    frame = event("Newstate", ("Channel", "PJSIP/1-1"), ("Uniqueid", "1.1"))
    memo = ParsedOnce(limit=1)
    first = memo.split(3, frame)
    assert first == frame.peek_headers() and memo.splits == 1
    assert memo.headers(3, frame) is first and memo.hits == 1
    other = event("Hangup", ("Channel", "PJSIP/2-2"))
    assert memo.split(4, other) == other.peek_headers()  # past the bound: split, not kept
    assert len(memo) == 1 and memo.splits == 2
