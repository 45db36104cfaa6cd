"""Every export says when amitui received each event, under a name no AMI header can take."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from amitui.protocol import Frame
from amitui.store import EventRing
from amitui.store.exporting import export_entries
from tests.store._support import event

# 2026-11-28 02:45:57.123 UTC, then 1.5 s later: milliseconds that must survive the export.
T0 = 1795833957.123
EXPECTED = ["2026-11-28T02:45:57.123+00:00", "2026-11-28T02:45:58.623+00:00"]


def exported(tmp_path: Path, *frames_and_times: tuple[Frame, float]) -> dict[str, Path]:
    ring = EventRing(10)
    for frame, received in frames_and_times:
        ring.append_batch([frame], received, "pbx:5038")
    ring.mark_gap("connection lost", T0 + 2)
    paths = {fmt: tmp_path / f"x.{fmt}" for fmt in ("ndjson", "json", "csv")}
    for path in paths.values():
        export_entries(ring, path)
    return paths


def test_each_format_carries_the_receive_time(tmp_path: Path) -> None:
    # Neither event has a Timestamp header: the receive time is all there is.
    paths = exported(
        tmp_path,
        (event("Newchannel", ("Channel", "PJSIP/100-1")), T0),
        (event("Hangup", ("Channel", "PJSIP/100-1"), ("Cause", "16")), T0 + 1.5),
    )
    ndjson = [json.loads(line) for line in paths["ndjson"].read_text("utf-8").splitlines()]
    assert [obj["_received"] for obj in ndjson] == EXPECTED
    assert [obj["Event"] for obj in ndjson] == ["Newchannel", "Hangup"]
    array = json.loads(paths["json"].read_text("utf-8"))
    assert [obj["_received"] for obj in array] == EXPECTED
    with open(paths["csv"], newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [row["_received"] for row in rows] == EXPECTED
    assert [row["event"] for row in rows] == ["Newchannel", "Hangup"]


def test_a_header_with_the_same_name_cannot_replace_it(tmp_path: Path) -> None:
    # A UserEvent may carry any header name; the receive time must stay amitui's.
    crafted = event(
        "UserEvent", ("UserEvent", "x"), ("_received", "1999-01-01"), ("Seq", "7"), ("Time", "5")
    )
    paths = exported(tmp_path, (crafted, T0))
    (obj,) = [json.loads(line) for line in paths["ndjson"].read_text("utf-8").splitlines()]
    assert obj["_received"] == EXPECTED[0] and obj["_received:ami"] == "1999-01-01"
    assert next(iter(obj)) == "_received"
    (same,) = json.loads(paths["json"].read_text("utf-8"))
    assert same == obj
    with open(paths["csv"], newline="", encoding="utf-8") as f:
        header, row = list(csv.reader(f))
    assert header[:3] == ["seq", "_received", "event"]
    assert len(header) == len(set(header))  # no column name twice
    cells = dict(zip(header, row, strict=True))
    assert cells["_received"] == EXPECTED[0] and cells["_received:ami"] == "1999-01-01"
    assert cells["seq"] == "1" and cells["Seq:ami"] == "7"
    assert cells["Time"] == "5"  # chan_sip's qualify Time is a header like any other


def test_several_servers_name_each_events_server_and_one_server_does_not(
    tmp_path: Path,
) -> None:
    ring = EventRing(10)
    ring.append_batch([event("Newchannel", ("Channel", "PJSIP/100-1"))], T0, "pbx-a")
    ring.append_batch([event("Newchannel", ("Channel", "PJSIP/100-1"))], T0 + 1.5, "pbx-b")
    for fmt in ("ndjson", "json", "csv"):
        export_entries(ring, tmp_path / f"two.{fmt}")
    ndjson = [json.loads(line) for line in (tmp_path / "two.ndjson").read_text().splitlines()]
    assert [list(obj)[:3] for obj in ndjson] == [["_received", "_server", "Event"]] * 2
    assert [obj["_server"] for obj in ndjson] == ["pbx-a", "pbx-b"]
    assert [o["_server"] for o in json.loads((tmp_path / "two.json").read_text())] == [
        "pbx-a", "pbx-b",
    ]  # fmt: skip
    with open(tmp_path / "two.csv", newline="", encoding="utf-8") as f:
        assert [row["_server"] for row in csv.DictReader(f)] == ["pbx-a", "pbx-b"]
    one = exported(tmp_path, (event("Newchannel", ("Channel", "PJSIP/100-1")), T0))
    assert "_server" not in json.loads(one["ndjson"].read_text().splitlines()[0])
    assert "_server" not in one["csv"].read_text().splitlines()[0]
