"""History on disk per profile, and saved actions with variables."""

from __future__ import annotations

import json
import stat
import tomllib
from pathlib import Path

import pytest

from amitui.config import config_dir, state_dir
from amitui.protocol import LocalProtocolError, encode_action
from amitui.store.history import ActionHistory, ActionRecord
from amitui.store.saved import (
    Collection,
    HistoryFile,
    MissingValues,
    SavedAction,
    SavedError,
    fill,
    from_record,
    profile_slug,
    variables,
)

SECRET = "s3cr3t-do-not-leak"


def record(i: int, **kw: object) -> ActionRecord:
    return ActionRecord(
        f"a{i}",
        "Originate",
        (("Channel", f"PJSIP/{i}"),),
        1795833957.0 + i,
        **kw,  # type: ignore[arg-type]
    )


# -- history -----------------------------------------------------------------------------


def test_history_lives_in_the_state_dir_collections_in_the_config_dir() -> None:
    # Without a server, the history is the profile's; tests/store/test_history_origin.py
    # covers the per-server files the console uses.
    assert HistoryFile("prod").path == state_dir() / "history" / "prod.jsonl"
    assert HistoryFile(None).path.name == "default.jsonl"
    assert Collection("prod").path == config_dir() / "collections" / "prod.toml"


@pytest.mark.parametrize(
    ("name", "slug"),
    [("../../etc/passwd", "_.._etc_passwd"), ("a b/c", "a_b_c"), ("", "default"), (".x", "x")],
)
def test_profile_names_cannot_escape_the_directory(name: str, slug: str) -> None:
    assert profile_slug(name) == slug
    assert HistoryFile(name).path.parent == state_dir() / "history"


def test_history_round_trip_is_private_and_masked(tmp_path: Path) -> None:
    hist = HistoryFile("p", base=tmp_path)
    hist.append(record(1, status="Success", latency_ms=12.5), server="pbx:5038")
    login = ActionRecord("a2", "Login", (("Username", "admin"), ("Secret", SECRET)), 5.0)
    hist.append(login)
    assert SECRET not in hist.path.read_text()
    assert stat.S_IMODE(hist.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(hist.path.parent.stat().st_mode) == 0o700
    first, second = HistoryFile("p", base=tmp_path).load()
    assert first == record(1, status="Success", latency_ms=12.5)
    assert second.headers == (("Username", "admin"), ("Secret", "********"))
    assert json.loads(hist.path.read_text().splitlines()[0])["server"] == "pbx:5038"


def test_history_keeps_the_newest_limit(tmp_path: Path) -> None:
    hist = HistoryFile("p", base=tmp_path, limit=5)
    for i in range(12):
        hist.append(record(i))
    assert len(hist.path.read_text().splitlines()) <= 5
    assert [r.action_id for r in hist.load()] == [f"a{i}" for i in range(7, 12)]
    # A second console finds the same, and keeps appending past it.
    again = HistoryFile("p", base=tmp_path, limit=5)
    again.append(record(12))
    assert [r.action_id for r in again.load()] == [f"a{i}" for i in range(8, 13)]


def test_history_skips_damaged_lines(tmp_path: Path) -> None:
    hist = HistoryFile("p", base=tmp_path)
    hist.append(record(1))
    with open(hist.path, "a") as f:
        f.write('{"id": "x", "name": "Ping"}\nnot json\n{"id": "cut", "na')
    assert [r.action_id for r in hist.load()] == ["a1"]
    hist.append(record(2))  # the cut line does not swallow the next record
    assert [r.action_id for r in hist.load()] == ["a1", "a2"]


def test_history_loads_into_the_in_memory_history(tmp_path: Path) -> None:
    hist = HistoryFile("p", base=tmp_path)
    hist.append(record(1, status="Success", latency_ms=3.0))
    hist.append(record(2))
    memory = ActionHistory()
    assert hist.load_into(memory) == 2
    newest, oldest = list(memory)
    assert newest.action_id == "a2" and newest.status is None
    assert oldest.status == "Success" and oldest.latency_ms == 3.0
    hist.clear()
    assert hist.load() == []


def test_history_write_errors_are_one_clear_line(tmp_path: Path) -> None:
    (tmp_path / "history").write_text("a file where the directory should be")
    with pytest.raises(SavedError):
        HistoryFile("p", base=tmp_path).append(record(1))


# -- saved actions -----------------------------------------------------------------------

RING = SavedAction(
    "ring-desk",
    "Originate",
    (("Channel", "PJSIP/${ext}"), ("Exten", "${dest}"), ("Variable", "X=$${EXTEN}"),
     ("Variable", "Y=${CALLERID(num)}"), ("CallerID", "${ext} <${ext}>")),
    "ring a desk phone",
)  # fmt: skip


def test_variables_in_first_seen_order_escapes_and_functions_excluded() -> None:
    assert variables(RING) == ["ext", "dest"]


def test_fill_substitutes_and_keeps_literals() -> None:
    action = fill(RING, {"ext": "100", "dest": "200"})
    assert action.name == "Originate"
    assert action.headers == (
        ("Channel", "PJSIP/100"),
        ("Exten", "200"),
        ("Variable", "X=${EXTEN}"),
        ("Variable", "Y=${CALLERID(num)}"),
        ("CallerID", "100 <100>"),
    )
    encode_action(action.with_id("x"))


def test_fill_refuses_missing_values_and_header_injection() -> None:
    with pytest.raises(MissingValues, match=r"\$\{dest\}"):
        fill(RING, {"ext": "100"})
    with pytest.raises(LocalProtocolError, match="line break"):
        fill(RING, {"ext": "100\r\nAction: Hangup", "dest": "1"})
    with pytest.raises(LocalProtocolError, match="line break"):
        fill(RING, {"ext": "100", "dest": "1\n"})


def test_collection_round_trip_through_real_toml(tmp_path: Path) -> None:
    coll = Collection("p", base=tmp_path)
    assert coll.load() == {}
    odd = SavedAction('weird key "q"', "Command", (("Command", 'say "hi"\t\\ \x7f é'),))
    coll.save(RING)
    coll.save(odd)
    text = coll.path.read_text()
    tomllib.loads(text)  # what we write is TOML any other tool can read
    assert stat.S_IMODE(coll.path.stat().st_mode) == 0o600
    assert Collection("p", base=tmp_path).load() == {RING.key: RING, odd.key: odd}
    assert coll.remove(odd.key) and not coll.remove(odd.key)
    assert list(coll.load()) == ["ring-desk"]


def test_collection_written_by_hand(tmp_path: Path) -> None:
    coll = Collection("p", base=tmp_path)
    coll.path.parent.mkdir(parents=True)
    coll.path.write_text(
        '[actions.ring-desk]\nname = "Originate"\n'
        'headers = [["Channel", "PJSIP/${ext}"], ["Exten", "${dest}"]]\n'
        '[actions.ping]\nname = "Ping"\n'
    )
    saved = coll.load()
    assert variables(saved["ring-desk"]) == ["ext", "dest"]
    assert fill(saved["ping"], {}).name == "Ping"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[actions.x\n", "not valid TOML"),
        ("actions = 1\n", "must be a table"),
        ("[actions.x]\nheaders = []\n", 'needs name = "ActionName"'),
        ('[actions.x]\nname = "P"\nheaders = [["only-one"]]\n', 'each header must be ["Key"'),
        ('[actions.x]\nname = "P"\nheaders = "Channel: x"\n', "must be a list"),
    ],
)
def test_collection_errors_say_where(tmp_path: Path, text: str, message: str) -> None:
    coll = Collection("p", base=tmp_path)
    coll.path.parent.mkdir(parents=True)
    coll.path.write_text(text)
    with pytest.raises(SavedError, match=message.replace("[", r"\[")):
        coll.load()


def test_a_history_record_saved_as_an_action() -> None:
    rec = ActionRecord("a1", "Login", (("Username", "u"), ("Secret", SECRET)), 1.0)
    saved = from_record("login", rec, "log in")
    assert saved == SavedAction(
        "login", "Login", (("Username", "u"), ("Secret", "********")), "log in"
    )
