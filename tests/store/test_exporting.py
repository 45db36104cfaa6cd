"""Exports of the stream: NDJSON, JSON and CSV agree with `--json`, and never leak a secret."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from amitui.protocol import Frame, FrameKind, Parser, frame_to_json
from amitui.store import EventRing, StoredEvent
from amitui.store.exporting import (
    ExportError,
    default_export_name,
    export_entries,
    export_text,
    format_for,
)
from amitui.store.ring import Entry
from tests.store._support import event, parse

TRANSCRIPTS = Path(__file__).resolve().parent.parent / "transcripts"
SECRET = "s3cr3t-do-not-leak"
T0 = 1795833957.25  # 2026-11-28 02:45:57.250 UTC


def ring_of(frames: list[Frame], gap_after: int | None = None) -> EventRing:
    ring = EventRing(100)
    for i, frame in enumerate(frames):
        ring.append_batch([frame], T0 + i, "pbx:5038")
        if i == gap_after:
            ring.mark_gap("connection lost", T0 + i)
    return ring


def call_frames() -> list[Frame]:
    parser = Parser()
    parser.feed((TRANSCRIPTS / "asterisk22-call.bin").read_bytes())
    return [f for f in parser.frames() if f.kind is FrameKind.EVENT]


def received_first(frames: list[Frame]) -> list[dict[str, object]]:
    """What each exported object holds: the receive time first, then `frame_to_json`."""
    return [{"_received": iso(T0 + i), **frame_to_json(f)} for i, f in enumerate(frames)]


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds")


def test_ndjson_is_one_frame_to_json_per_event_and_skips_gaps() -> None:
    frames = call_frames()
    ring = ring_of(frames, gap_after=2)
    lines = export_text(ring, "ndjson").splitlines()
    objects = [json.loads(x) for x in lines]
    assert objects == received_first(frames)
    assert all(next(iter(obj)) == "_received" for obj in objects)


def test_json_is_an_array_of_the_same_objects() -> None:
    frames = call_frames()
    assert json.loads(export_text(ring_of(frames), "json")) == received_first(frames)


def test_csv_columns_are_the_union_of_headers_in_first_seen_order() -> None:
    frames = [
        event("Newchannel", ("Channel", "PJSIP/100-1"), ("Uniqueid", "1.1")),
        event("VarSet", ("Channel", "PJSIP/100-1"), ("Variable", "A"), ("Value", "1")),
        event("Hangup", ("UniqueID", "1.1"), ("Cause", "16")),  # other spelling, same column
    ]
    rows = list(csv.reader(io.StringIO(export_text(ring_of(frames), "csv"))))
    assert rows[0] == [
        "seq", "_received", "event", "Channel", "Uniqueid", "Variable", "Value", "Cause",
    ]  # fmt: skip
    assert rows[1] == ["1", "2026-11-28T02:45:57.250+00:00", "Newchannel", "PJSIP/100-1", "1.1",
                       "", "", ""]  # fmt: skip
    assert rows[3][2:] == ["Hangup", "", "1.1", "", "", "16"]


def test_csv_joins_repeated_headers_and_command_output() -> None:
    (agi,) = parse("Event: VarSet\nChanVariable: a=1\nChanVariable: b=2\n\n")
    (cmd,) = parse(
        "Response: Success\nMessage: Command output follows\nOutput: one\nOutput: two\n\n"
    )
    rows = list(csv.DictReader(io.StringIO(export_text(ring_of([agi, cmd]), "csv"))))
    assert rows[0]["ChanVariable"] == "a=1 | b=2"
    assert rows[1]["event"] == "(response)" and rows[1]["Output"] == "one | two"


def test_no_export_format_leaks_a_secret() -> None:
    frames = [
        event("UserEvent", ("Secret", SECRET), ("key", SECRET)),
        Frame(FrameKind.MALFORMED, (), f"Secret: {SECRET}\r\nCut: sh".encode(), error="cut short"),
    ]
    ring = ring_of(frames)
    for fmt in ("ndjson", "json", "csv"):
        text = export_text(ring, fmt)
        assert SECRET not in text, fmt
        assert "********" in text


def test_csv_cells_cannot_become_spreadsheet_formulas() -> None:
    frames = [
        event("Newchannel", ("CallerIDName", '=HYPERLINK("http://x","y")'),
              ("CallerIDNum", "+4930123456"), ("Exten", "-1"), ("AccountCode", "@SUM(A1)"),
              ("Context", "-cmd|calc")),
    ]  # fmt: skip
    (row,) = csv.DictReader(io.StringIO(export_text(ring_of(frames), "csv")))
    assert row["CallerIDName"] == '\'=HYPERLINK("http://x","y")'
    assert row["CallerIDNum"] == "+4930123456"  # a number stays a number
    assert row["Exten"] == "-1"
    assert row["AccountCode"] == "'@SUM(A1)"
    assert row["Context"] == "'-cmd|calc"


def test_export_to_a_file_by_extension(tmp_path: Path) -> None:
    frames = call_frames()
    ring = ring_of(frames)
    selection: list[Entry] = [e for e in ring if isinstance(e, StoredEvent)]
    selection = selection[2:5]
    for name in ("a.ndjson", "a.jsonl", "a.json", "a.csv"):
        assert export_entries(selection, tmp_path / name) == 3
    assert len((tmp_path / "a.ndjson").read_text().splitlines()) == 3
    assert len(json.loads((tmp_path / "a.json").read_text())) == 3
    assert len((tmp_path / "a.csv").read_text().splitlines()) == 4
    assert not list(tmp_path.glob(".*partial"))
    assert export_entries(selection, tmp_path / "forced.txt", "csv") == 3
    assert format_for("x.CSV") == "csv" and format_for("x.txt") == "ndjson"


def test_export_errors_are_clear_and_leave_nothing(tmp_path: Path) -> None:
    ring = ring_of(call_frames())
    with pytest.raises(ExportError, match="cannot write"):
        export_entries(ring, tmp_path / "missing-dir" / "x.csv")
    with pytest.raises(ExportError, match="unknown export format 'xml'"):
        export_entries(ring, tmp_path / "x.xml", "xml")
    assert list(tmp_path.iterdir()) == []


def test_default_export_name() -> None:
    name = default_export_name("csv", T0)
    assert name.startswith("amitui-export-2026") and name.endswith(".csv")
