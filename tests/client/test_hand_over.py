"""A consumer of events that fails does not stop the reader (or a replay): its failures are
noted, the newest KEPT_ERRORS of them."""

from __future__ import annotations

from amitui.client.spec import KEPT_ERRORS, hand_over
from amitui.protocol import Frame
from tests.store._support import event


def test_a_failing_consumer_is_noted_and_only_the_newest_failures_kept() -> None:
    seen: list[list[Frame]] = []

    def consumer(batch: list[Frame]) -> None:
        seen.append(batch)
        raise ValueError(f"bug {len(seen)}")

    errors: list[str] = []
    batch = [event("Newchannel")]
    for _ in range(KEPT_ERRORS + 5):
        hand_over(consumer, batch, errors)
    assert len(seen) == KEPT_ERRORS + 5  # every batch was handed over
    assert len(errors) == KEPT_ERRORS
    assert errors[0] == "event consumer failed: ValueError('bug 6')"
    assert errors[-1] == f"event consumer failed: ValueError('bug {KEPT_ERRORS + 5}')"


def test_a_working_consumer_leaves_no_note() -> None:
    errors: list[str] = []
    hand_over(lambda batch: None, [event("Newchannel")], errors)
    assert errors == []
