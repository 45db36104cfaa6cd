from __future__ import annotations

import pytest

from amitui.protocol.frames import REDACTED
from amitui.store.history import ActionHistory, ActionRecord

PASSWORD = "s3cr3t-Pa55"
LOGIN = [("Action", "Login"), ("Username", "admin"), ("Secret", PASSWORD)]


def test_add_records_a_pending_action() -> None:
    history = ActionHistory()
    record = history.add("a1", "Ping", [("Action", "Ping")], 100.0)
    assert record == ActionRecord("a1", "Ping", (("Action", "Ping"),), 100.0, None, None)
    assert history.get("a1") == record
    assert len(history) == 1


def test_iteration_is_newest_first() -> None:
    history = ActionHistory()
    for i in range(3):
        history.add(f"a{i}", "Ping", [], float(i))
    assert [r.action_id for r in history] == ["a2", "a1", "a0"]


def test_bound_evicts_the_oldest_and_counts_it() -> None:
    history = ActionHistory(capacity=3)
    assert ActionHistory().capacity == 1000
    for i in range(5):
        history.add(f"a{i}", "Ping", [], float(i))
    assert [r.action_id for r in history] == ["a4", "a3", "a2"]
    assert history.evicted == 2
    assert history.get("a0") is None


def test_update_sets_status_and_latency_and_keeps_position() -> None:
    history = ActionHistory()
    history.add("a1", "Ping", [], 1.0)
    history.add("a2", "Status", [], 2.0)
    updated = history.update("a1", "Success", 12.5)
    assert updated is not None
    assert (updated.status, updated.latency_ms) == ("Success", 12.5)
    assert history.get("a1") == updated
    assert [r.action_id for r in history] == ["a2", "a1"]


def test_update_with_timeout_and_no_latency() -> None:
    history = ActionHistory()
    history.add("a1", "Originate", [], 1.0)
    updated = history.update("a1", "timeout")
    assert updated is not None
    assert (updated.status, updated.latency_ms) == ("timeout", None)


def test_update_of_unknown_or_evicted_id_returns_none() -> None:
    history = ActionHistory(capacity=1)
    history.add("a1", "Ping", [], 1.0)
    history.add("a2", "Ping", [], 2.0)
    assert history.update("a1", "Success", 1.0) is None
    assert history.update("nope", "Success", 1.0) is None
    assert [r.status for r in history] == [None]


def test_reused_action_id_becomes_the_newest_record() -> None:
    history = ActionHistory()
    history.add("a1", "Ping", [], 1.0)
    history.add("a2", "Ping", [], 2.0)
    history.add("a1", "Status", [], 3.0)
    assert [(r.action_id, r.name) for r in history] == [("a1", "Status"), ("a2", "Ping")]


def test_version_increments_on_changes() -> None:
    history = ActionHistory()
    v0 = history.version
    history.add("a1", "Ping", [], 1.0)
    v1 = history.version
    history.update("a1", "Success", 1.0)
    v2 = history.version
    history.update("missing", "Success", 1.0)
    assert v0 < v1 < v2 == history.version
    history.clear()
    assert history.version > v2
    assert len(history) == 0


def test_secret_and_key_are_masked_on_add() -> None:
    history = ActionHistory()
    record = history.add("a1", "Login", LOGIN, 1.0)
    assert record.headers == (("Action", "Login"), ("Username", "admin"), ("Secret", REDACTED))
    challenge = history.add("a2", "Login", [("Action", "Login"), ("key", PASSWORD)], 1.0)
    assert challenge.headers[1] == ("key", REDACTED)


def test_a_secret_never_appears_in_any_record() -> None:
    history = ActionHistory()
    history.add("a1", "Login", LOGIN, 1.0)
    history.update("a1", "Success", 3.0)
    direct = ActionRecord("a2", "Login", tuple(LOGIN), 1.0)
    for record in [*history, direct]:
        assert PASSWORD not in repr(record)
        assert all(PASSWORD not in value for _, value in record.headers)


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError):
        ActionHistory(capacity=0)
