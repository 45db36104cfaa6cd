"""Export the (filtered) stream or a selection of it to NDJSON, JSON or CSV.

Every format starts from `frame_to_json`, so they agree with each other and with `--json`:
keys in wire order, repeated keys as arrays, Command output as an `Output` array, credentials
masked (by role, `frames.redact`). A malformed packet's `_raw` text is masked here as well.
NDJSON and JSON objects are written by `safetext.json_line()`, one per line (exact values; no
character a terminal would act on); CSV cells go through `safetext.shown()`. Gap markers are
not events and are left out; the CSV's seq column shows the holes.

Every event carries `_received`: when amitui received it (ISO 8601, UTC, milliseconds; for a
replay, when it was recorded), since many events have no Timestamp header. In NDJSON and JSON
it is the first key of each object. Nothing from Asterisk has that name, but a crafted
UserEvent could send any header name, so a header that would take one of the export's own
names is written as `<name>:ami` instead: a header name never holds a colon (the first colon
ends it), so that cannot collide either.

With several servers in one export, `_server` (the server each event came from) follows
`_received`, in every format; with one server it is left out.

CSV columns: seq, _received, [_server,] event (the name the stream counts it under), then the
union of header names in first-seen order, compared case-insensitively (AMI's own rule, so
`Uniqueid` and `UniqueID` are one column). The Event header is the event column. Repeated
values are joined with " | ". A cell that a spreadsheet would run as a formula (`=`, `@`, or a
sign not followed by a number) gets a leading `'`: caller ID names reach the PBX from outside,
and an export should never turn into a command when opened. `+4930...` stays as it is.

Files are written to a temporary name and renamed, so an export never leaves half a file, and
are created 0600 (`write_private`), like recordings and history: an export shows who called
whom. Tests: tests/store/test_exporting.py.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO, TypeVar

from amitui.protocol.jsonform import frame_to_json
from amitui.protocol.safetext import json_line, shown
from amitui.store.recording import mask_secrets
from amitui.store.ring import Entry, StoredEvent, frame_name

FORMATS = ("ndjson", "json", "csv")
_SUFFIXES = {".ndjson": "ndjson", ".jsonl": "ndjson", ".json": "json", ".csv": "csv"}
_NUMBER = re.compile(r"^[+-][0-9][0-9.,]*$")
JOIN = " | "
RECEIVED = "_received"  # the export's own name for the receive time
SERVER = "_server"  # with several servers: the one each event came from
_CSV_OWN = ("seq", RECEIVED, SERVER)  # the CSV's own columns besides `event` (lowercase)
T = TypeVar("T")


class ExportError(Exception):
    """The export could not be written; the message says why."""


def format_for(path: str | os.PathLike[str], default: str = "ndjson") -> str:
    """The format a file name asks for (.ndjson/.jsonl, .json, .csv), else `default`."""
    return _SUFFIXES.get(Path(path).suffix.lower(), default)


def events_only(entries: Iterable[Entry]) -> list[StoredEvent]:
    return [e for e in entries if isinstance(e, StoredEvent)]


def event_json(event: StoredEvent) -> dict[str, Any]:
    """The event as `--json` prints it, with a malformed packet's raw text masked too."""
    obj = frame_to_json(event.frame)
    if isinstance(obj.get("_raw"), str):
        obj["_raw"] = mask_secrets(obj["_raw"])
    return obj


def exported_json(event: StoredEvent, *, server: bool = False) -> dict[str, Any]:
    """One exported object: `_received` first (then `_server` when the export spans several
    servers), then the event as `event_json` has it."""
    out: dict[str, Any] = {RECEIVED: iso_utc(event.received)}
    if server:
        out[SERVER] = event.server
    for key, value in event_json(event).items():
        out[f"{key}:ami" if key in (RECEIVED, SERVER) else key] = value
    return out


def _several_servers(events: list[StoredEvent]) -> bool:
    return len({e.server for e in events}) > 1


def write_entries(entries: Iterable[Entry], fmt: str, out: TextIO) -> int:
    """Write the events among `entries` to `out` in `fmt`; returns how many were written."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    events = events_only(entries)
    several = _several_servers(events)
    if fmt == "ndjson":
        for event in events:
            out.write(json_line(exported_json(event, server=several)) + "\n")
    elif fmt == "json":
        # An array with one object a line: json_line's safety, and still easy to read or diff.
        lines = (json_line(exported_json(e, server=several)) for e in events)
        out.write("[\n" + ",\n".join(lines) + "\n]\n")
    else:
        _write_csv(events, out)
    return len(events)


def export_text(entries: Iterable[Entry], fmt: str) -> str:
    """The export as one string (for the clipboard)."""
    buf = io.StringIO()
    write_entries(entries, fmt, buf)
    return buf.getvalue()


def export_entries(
    entries: Iterable[Entry], path: str | os.PathLike[str], fmt: str | None = None
) -> int:
    """Write the events among `entries` to `path` (format from `fmt` or the file name)."""
    target = Path(path)
    kind = fmt or format_for(target)
    try:
        return write_private(target, lambda out: write_entries(entries, kind, out))
    except OSError as exc:
        raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from None


def write_private(path: str | os.PathLike[str], write: Callable[[TextIO], T]) -> T:
    """Write `path` through `write(out)`: to a temporary file created 0600 (never a moment
    readable by others, whatever the umask), renamed over `path` when complete. Returns what
    `write` returns; raises OSError (naming `path`), or what `write` raises, leaving nothing."""
    target = Path(path)
    tmp = target.with_name(f".{target.name}.partial")
    try:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()  # a stale one would keep its own mode; O_EXCL refuses links too
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        # newline="" so the csv module's CRLF row ends are written as they are.
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            result = write(out)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise OSError(exc.errno, exc.strerror, str(target)) from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return result


def write_private_text(path: str | os.PathLike[str], text: str) -> None:
    """`text` to `path`, created 0600 and replaced whole (see `write_private`)."""
    write_private(path, lambda out: out.write(text))


def default_export_name(fmt: str, now: float) -> str:
    """`amitui-export-20261128-024557.ndjson`: sortable, no characters a shell would mind."""
    stamp = datetime.fromtimestamp(now).strftime("%Y%m%d-%H%M%S")
    return f"amitui-export-{stamp}.{fmt}"


# -- CSV -------------------------------------------------------------------------------------


def _write_csv(events: list[StoredEvent], out: TextIO) -> None:
    rows = [(e, _flatten(event_json(e))) for e in events]
    columns: dict[str, str] = {}  # lowercased -> first-seen spelling
    for _, cells in rows:
        for key in cells:
            low = _csv_key(key).lower()
            if low != "event" and low not in columns:
                columns[low] = _csv_key(key)
    several = _several_servers(events)
    own = _CSV_OWN if several else tuple(c for c in _CSV_OWN if c != SERVER)
    writer = csv.writer(out)
    writer.writerow([*own, "event", *(_cell(shown(c)) for c in columns.values())])
    for event, cells in rows:
        by_low: dict[str, str] = {}
        for key, value in cells.items():
            low = _csv_key(key).lower()
            # Same name in two spellings within one event: keep both values, in order.
            by_low[low] = f"{by_low[low]}{JOIN}{value}" if low in by_low else value
        line = [str(event.seq), iso_utc(event.received)]
        if several:
            line.append(_cell(shown(event.server)))
        line.append(_cell(shown(frame_name(event.frame))))
        line.extend(_cell(shown(by_low.get(low, ""))) for low in columns)
        writer.writerow(line)


def _csv_key(key: str) -> str:
    """A header's column: its own name, unless that is one of the CSV's own columns."""
    return f"{key}:ami" if key.lower() in _CSV_OWN else key


def _flatten(obj: dict[str, Any]) -> dict[str, str]:
    return {key: _text(value) for key, value in obj.items()}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return JOIN.join(_text(v) for v in value)
    return str(value)


def _cell(value: str) -> str:
    if not value:
        return value
    first = value[0]
    if first in "=@\t\r" or (first in "+-" and not _NUMBER.match(value)):
        return "'" + value
    return value


def iso_utc(epoch: float) -> str:
    """`2026-11-28T02:45:57.250+00:00`: ISO 8601, UTC, milliseconds."""
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds")
