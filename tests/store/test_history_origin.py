"""History per server and user in the XDG state dir, and the old per-profile file read-only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amitui.config import config_dir, state_dir
from amitui.store.history import ActionHistory, ActionRecord
from amitui.store.saved import DEMO, HistoryFile, Origin, history_key

T0 = 1795833957.0


def record(i: int) -> ActionRecord:
    return ActionRecord(f"a{i}", "Ping", (("Channel", f"PJSIP/{i}"),), T0 + i, "Success", 1.0)


def legacy_file(profile: str, *entries: dict[str, object]) -> Path:
    """A history file as amitui wrote it before per-server files."""
    path = config_dir() / "history" / f"{profile}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(e) + "\n" for e in entries), "utf-8")
    return path


def old_entry(i: int, server: object) -> dict[str, object]:
    headers = [["Channel", "PJSIP/9"]]
    return {"id": f"old{i}", "name": "Hangup", "headers": headers, "sent": T0 - 100 + i,
            "status": "Success", "latency_ms": 2.0, "server": server}  # fmt: skip


def test_state_dir_follows_xdg_state_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "s"))
    assert state_dir() == tmp_path / "s" / "amitui"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_STATE_HOME", "relative/path")  # the XDG spec: ignored
    assert state_dir() == tmp_path / "home" / ".local" / "state" / "amitui"
    monkeypatch.delenv("XDG_STATE_HOME")
    assert state_dir() == tmp_path / "home" / ".local" / "state" / "amitui"


def test_one_file_per_server_and_user_in_the_state_dir() -> None:
    prod = HistoryFile("p", server="pbx:5038", user="admin")
    assert prod.path == state_dir() / "history" / "admin@pbx_5038.jsonl"
    assert prod.origin == Origin("pbx:5038", "admin")
    prod.append(record(1), server="ignored:1")  # the file's own server wins
    HistoryFile("p", server="pbx:5038", user="reader").append(record(2))
    HistoryFile("p", server="lab:5038", user="admin").append(record(3))
    # Same server and user under another profile: the same history.
    again = HistoryFile("other", server="pbx:5038", user="admin")
    assert [(r.action_id, o) for r, o in again.entries()] == [("a1", Origin("pbx:5038", "admin"))]
    line = json.loads(prod.path.read_text().splitlines()[0])
    assert (line["server"], line["user"]) == ("pbx:5038", "admin")
    assert not (config_dir() / "history").exists()  # nothing written to the config dir


def test_the_demo_has_its_own_history_whatever_its_port() -> None:
    demo = HistoryFile(None, server="127.0.0.1:40123", user="admin", demo=True)
    assert demo.path == state_dir() / "history" / f"{DEMO}.jsonl"
    demo.append(record(1), server="127.0.0.1:40123")
    later = HistoryFile(None, server="127.0.0.1:40999", user="admin", demo=True)
    assert later.entries() == [(record(1), Origin(DEMO, "admin"))]
    real = HistoryFile(None, server="127.0.0.1:40123", user="admin")
    assert real.entries() == []


def test_the_old_profile_file_is_merged_read_only_first() -> None:
    old = legacy_file("p", old_entry(1, "pbx:5038"), old_entry(2, "lab:5038"))
    before = old.read_bytes()
    hist = HistoryFile("p", server="pbx:5038", user="admin")
    assert hist.legacy_path == old
    hist.append(record(1))
    assert [(r.action_id, o) for r, o in hist.entries()] == [
        ("old1", Origin("pbx:5038", "")),  # the user of an old entry is not known
        ("old2", Origin("lab:5038", "")),
        ("a1", Origin("pbx:5038", "admin")),
    ]
    assert hist.origins()[("old2", T0 - 98)] == Origin("lab:5038")
    memory = ActionHistory()
    assert hist.load_into(memory) == 3
    hist.clear()
    assert [r.action_id for r in hist.load()] == ["old1", "old2"]
    assert old.read_bytes() == before  # never written, moved or deleted
    # The demo is not mixed with what real servers did under the same profile.
    assert HistoryFile("p", server="x:1", user="admin", demo=True).entries() == []


def test_the_limit_counts_the_old_entries_too() -> None:
    legacy_file("p", *(old_entry(i, "pbx:5038") for i in range(4)))
    hist = HistoryFile("p", server="pbx:5038", user="admin", limit=3)
    hist.append(record(1))
    assert [r.action_id for r in hist.load()] == ["old2", "old3", "a1"]


def test_hostile_fields_and_names() -> None:
    legacy_file("p", old_entry(1, {"not": "text"}), old_entry(2, None), {"id": 1})
    hist = HistoryFile("p", server="../../etc:1", user="a/b\x1b[2J")
    assert hist.path.parent == state_dir() / "history"
    assert hist.path.name == history_key("a/b\x1b[2J", "../../etc:1") + ".jsonl"
    assert "/" not in history_key("..", "/..") and not history_key(".", "x").startswith(".")
    assert [o for _, o in hist.entries()] == [Origin(), Origin()]
    assert Origin().label() == "an unknown server"
    assert Origin("pbx:5038").label() == "pbx:5038"
    assert Origin("pbx:5038", "admin").label() == "admin@pbx:5038"
    assert not Origin().same_server(Origin())
