"""Exports and the catalog report are private (0600 from creation, like recordings and
history) and safe to open on a terminal: no control, C1 or bidi character from the server is
ever live in them, while the JSON forms keep every value exact."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from amitui.store import EventRing
from amitui.store.catalog import (
    EventCatalog,
    ReportContext,
    catalog_to_json,
    catalog_to_markdown,
)
from amitui.store.exporting import export_entries, export_text, write_private_text
from tests.store._support import event

EVIL = "\x1b]52;c;cHduZWQ=\x07\x1b[2J\x9b31m\u202etxt.exe\u2028"
LIVE = ("\x1b", "\x07", "\x9b", "\u202e", "\u2028")
T0 = 1795833957.25


def no_live_controls(text: str) -> bool:
    return not any(c in text for c in LIVE)


def evil_ring() -> EventRing:
    ring = EventRing(10)
    ring.append_batch([event("Newchannel", ("CallerIDName", EVIL), ("Exten", "100"))], T0, "p")
    return ring


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that lets others read: the files must be private anyway."""
    old = os.umask(0o022)
    yield None
    os.umask(old)


@pytest.mark.parametrize("name", ["a.ndjson", "a.json", "a.csv"])
def test_exports_are_created_0600(tmp_path: Path, name: str, open_umask: object) -> None:
    path = tmp_path / name
    path.write_text("old")
    path.chmod(0o644)  # replacing a readable file leaves a private one
    (tmp_path / f".{name}.partial").write_text("stale")  # and a stale partial changes nothing
    assert export_entries(evil_ring(), path) == 1
    assert mode(path) == 0o600
    assert not list(tmp_path.glob(".*partial"))


def test_catalog_report_files_are_created_0600(tmp_path: Path, open_umask: object) -> None:
    path = tmp_path / "report.md"
    write_private_text(path, "# report\n")
    assert mode(path) == 0o600 and path.read_text() == "# report\n"


def test_ndjson_and_json_exports_are_exact_and_escaped() -> None:
    ring = evil_ring()
    ndjson, array = export_text(ring, "ndjson"), export_text(ring, "json")
    assert no_live_controls(ndjson) and no_live_controls(array)
    assert json.loads(ndjson)["CallerIDName"] == EVIL
    assert json.loads(array)[0]["CallerIDName"] == EVIL


def test_csv_cells_show_escapes() -> None:
    text = export_text(evil_ring(), "csv")
    assert no_live_controls(text)
    (row,) = csv.DictReader(io.StringIO(text))
    assert row["CallerIDName"].startswith("\\x1b]52;c;")
    assert row["Exten"] == "100"


def evil_catalog() -> EventCatalog:
    catalog = EventCatalog()
    name = "Evil\x1b[2J"
    catalog.observe_batch([event(name, (f"X-{EVIL[:4]}", EVIL), ("CallerIDName", EVIL))], T0)
    return catalog


def test_catalog_markdown_shows_escapes() -> None:
    docs = {"evil\x1b[2j": None}
    text = catalog_to_markdown(evil_catalog(), docs, ReportContext(server=f"pbx{EVIL}"))
    assert no_live_controls(text)
    assert "## Evil\\x1b[2J" in text and "\\u202etxt.exe" in text


def test_catalog_json_is_exact_and_escaped() -> None:
    text = catalog_to_json(evil_catalog(), {}, ReportContext(server=f"pbx{EVIL}"))
    assert no_live_controls(text)
    report = json.loads(text)
    assert report["server"] == f"pbx{EVIL}"
    assert report["events"][0]["headers"][-1]["samples"] == [EVIL]
