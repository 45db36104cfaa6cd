"""The event catalog: every event type seen, its headers and sample values, against the server's
own documentation (`manager show events`, `manager show event NAME`).

Theory of operation
-------------------
`EventCatalog.observe_batch` runs once per socket read, next to the ring, so it does only dict
lookups and integer adds per header. A header counts once per event that carries it (a repeated
header, like TestEvent's two `State` lines, is noted as repeated instead of counted twice): the
"seen in 3 of 7" figure tells an optional header from a constant one. Everything is bounded:
types, headers per type, samples per header and sample length; what does not fit is counted.

Gaps compare a type with its doc (eventclasses.parse_event_doc): undocumented event, headers
seen but not documented, documented but never seen. Headers the manager core adds to every event
(Privilege, ActionID, Timestamp, SystemName, ChanVariable) are never gaps, and extra headers of an
event whose docs allow them (UserEvent, Cdr) are "free-form", not gaps.
tests/store/test_catalog.py pins each rule on output recorded from the real Asterisk 22.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from amitui.protocol.frames import REDACTED, Frame, FrameKind, Header, is_credential
from amitui.protocol.safetext import shown
from amitui.store.eventclasses import (
    DocResult,
    EventDoc,
    HeaderDoc,
    parse_event_doc,
    parse_event_list,
)

__all__ = [
    "NOT_FETCHED",
    "DocResult",
    "EventCatalog",
    "EventDoc",
    "EventEntry",
    "Gaps",
    "HeaderDoc",
    "HeaderStats",
    "Limits",
    "ReportContext",
    "catalog_report",
    "catalog_to_json",
    "catalog_to_markdown",
    "doc_for",
    "gaps",
    "is_implicit",
    "parse_event_doc",
    "parse_event_list",
]

# Added by the manager core, not by the event, so never a documentation gap: Privilege on every
# event, ActionID on events answering an action, Timestamp (timestampevents) and SystemName.
IMPLICIT_HEADERS = frozenset({"event", "privilege", "actionid", "timestamp", "systemname"})


@dataclass(frozen=True, slots=True)
class Limits:
    max_types: int = 500
    max_headers: int = 150  # per type; UserEvent may carry anything
    max_samples: int = 4  # distinct values per header
    max_sample_len: int = 80


class HeaderStats:
    __slots__ = ("count", "last", "name", "repeated", "samples", "secret")

    def __init__(self, name: str, event: str = "") -> None:
        self.name = name
        self.count = 0  # events that carried it
        self.repeated = 0  # events that carried it more than once
        self.samples: list[str] = []  # distinct values, first seen first
        self.secret = is_credential(name, event)  # masked by role: DBGetResponse's Key is data
        self.last = 0  # serial of the last event that carried it; detects repeats cheaply


class EventEntry:
    """One event type as observed."""

    __slots__ = ("count", "dropped_headers", "first_seen", "headers", "last_seen", "name")

    def __init__(self, name: str, received: float) -> None:
        self.name = name
        self.count = 0
        self.first_seen = received
        self.last_seen = received
        self.headers: dict[str, HeaderStats] = {}  # wire spelling -> stats, first seen first
        self.dropped_headers = 0  # header names not kept because of Limits.max_headers

    @property
    def privilege(self) -> tuple[str, ...]:
        """The classes the server sent in `Privilege:`, without the ever-present `all`."""
        stats = self.headers.get("Privilege")
        if stats is None or not stats.samples:
            return ()
        parts = (p.strip() for p in stats.samples[0].split(","))
        return tuple(p for p in parts if p and p != "all")


class EventCatalog:
    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._entries: dict[str, EventEntry] = {}
        self.dropped_events = 0  # events of types beyond Limits.max_types
        self.version = 0

    def observe_batch(
        self,
        frames: Sequence[Frame],
        received: float,
        parsed: Sequence[tuple[Header, ...]] | None = None,
    ) -> None:
        """Count the events of one read. Hot path: see the module docstring. `parsed`, when
        given, holds each frame's headers already split (the caller parsed them once for
        several readers)."""
        limits = self.limits
        max_headers, max_samples = limits.max_headers, limits.max_samples
        max_len = limits.max_sample_len
        entries = self._entries
        for i, frame in enumerate(frames):
            if frame.kind is not FrameKind.EVENT:
                continue
            headers = parsed[i] if parsed is not None else frame.peek_headers()
            if headers and headers[0][0] == "Event":  # always, from Asterisk: skip the index
                name, headers = headers[0][1], headers[1:]
            else:
                name = frame.name
            entry = entries.get(name)
            if entry is None:
                if len(entries) >= limits.max_types or not name:
                    self.dropped_events += 1
                    continue
                entry = entries[name] = EventEntry(name, received)
            entry.count += 1
            entry.last_seen = received
            serial = entry.count
            stats_by_name = entry.headers
            for key, value in headers:
                stats = stats_by_name.get(key)
                if stats is None:
                    if len(stats_by_name) >= max_headers:
                        entry.dropped_headers += 1
                        continue
                    stats = stats_by_name[key] = HeaderStats(key, name)
                if stats.last == serial:
                    stats.repeated += 1
                else:
                    stats.last = serial
                    stats.count += 1
                samples = stats.samples
                if len(samples) < max_samples:
                    if stats.secret:
                        value = REDACTED
                    elif len(value) > max_len:
                        value = value[: max_len - 1] + "…"
                    if value not in samples:
                        samples.append(value)
        self.version += 1

    def clear(self) -> None:
        self._entries.clear()
        self.dropped_events = 0
        self.version += 1

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[EventEntry]:
        return iter(list(self._entries.values()))  # a snapshot: the reader may add types

    def get(self, name: str) -> EventEntry | None:
        entry = self._entries.get(name)
        if entry is None:
            low = name.lower()
            entry = next((e for e in self._entries.values() if e.name.lower() == low), None)
        return entry

    @property
    def total(self) -> int:
        return sum(e.count for e in self._entries.values())

    def privileges(self) -> dict[str, tuple[str, ...]]:
        """Event name -> the classes its `Privilege:` header named (for eventclasses)."""
        return {e.name: e.privilege for e in self if e.privilege}

    def counts(self) -> dict[str, int]:
        return {e.name: e.count for e in self}


# -- gaps ----------------------------------------------------------------------------------------


def is_implicit(header: str) -> bool:
    """Headers the manager core adds to any event; ChanVariable ones come from `channelvars`."""
    low = header.lower()
    return low in IMPLICIT_HEADERS or low.endswith("chanvariable")


@dataclass(frozen=True, slots=True)
class Gaps:
    """Where observation and documentation disagree, for one event type."""

    undocumented: bool = False  # the server has no doc for this event
    unlisted: bool = False  # documented, but its headers are not
    seen_not_documented: tuple[str, ...] = ()
    documented_not_seen: tuple[str, ...] = ()
    free_form: tuple[str, ...] = ()  # extra headers the docs say may appear (UserEvent)

    @property
    def mark(self) -> str:
        if self.undocumented:
            return "undocumented"
        if self.unlisted:
            return "headers undocumented"
        n = len(self.seen_not_documented)
        if n:
            return f"{n} new header{'s' if n != 1 else ''}"
        return "ok"


def gaps(entry: EventEntry, doc: EventDoc | None) -> Gaps:
    seen = [h for h in entry.headers if not is_implicit(h)]
    if doc is None:
        return Gaps(undocumented=True, seen_not_documented=tuple(seen))
    if not doc.headers_listed:
        return Gaps(unlisted=True, seen_not_documented=tuple(seen))
    documented = {h.name.lower() for h in doc.headers}
    extra = tuple(h for h in seen if h.lower() not in documented)
    seen_low = {h.lower() for h in entry.headers}
    unseen = tuple(
        h.name for h in doc.headers if h.name.lower() not in seen_low and not is_implicit(h.name)
    )
    if doc.open_ended:
        return Gaps(documented_not_seen=unseen, free_form=extra)
    return Gaps(seen_not_documented=extra, documented_not_seen=unseen)


NOT_FETCHED = "not fetched yet"


def doc_for(docs: Mapping[str, DocResult], name: str) -> DocResult:
    """The doc result for an event name (keys are lowercased names)."""
    return docs.get(name.lower(), NOT_FETCHED)


# -- exports: the documentation-gap report -------------------------------------------------------


@dataclass
class ReportContext:
    server: str = ""
    generated: str = ""  # ISO time, given by the caller (the store keeps no clock)
    documented: set[str] | str | None = None  # `manager show events`, or why unavailable


@dataclass(frozen=True, slots=True)
class _Row:
    entry: EventEntry
    doc: EventDoc | None
    unavailable: str  # why docs could not be asked; "" when they were
    found: Gaps | None  # None when the docs were unavailable

    @property
    def mark(self) -> str:
        return self.found.mark if self.found is not None else "docs unavailable"

    def documented(self, header: str) -> bool | None:
        """Whether the docs name `header`; None when that cannot be known or does not apply."""
        if self.unavailable or is_implicit(header):
            return None
        return self.doc is not None and self.doc.header(header) is not None


def _rows(catalog: EventCatalog, docs: Mapping[str, DocResult]) -> list[_Row]:
    rows: list[_Row] = []
    for entry in sorted(catalog, key=lambda e: e.name.lower()):
        result = doc_for(docs, entry.name)
        if isinstance(result, str):
            rows.append(_Row(entry, None, result, None))
        else:
            rows.append(_Row(entry, result, "", gaps(entry, result)))
    return rows


def _never_seen(catalog: EventCatalog, documented: set[str] | str | None) -> list[str]:
    if not isinstance(documented, set):
        return []
    seen = {e.name.lower() for e in catalog}
    return sorted((n for n in documented if n.lower() not in seen), key=str.lower)


def _event_report(row: _Row) -> dict[str, object]:
    entry, found = row.entry, row.found
    return {
        "event": entry.name,
        "count": entry.count,
        "first_seen": entry.first_seen,
        "last_seen": entry.last_seen,
        "privilege": list(entry.privilege),
        "documented": None if row.unavailable else row.doc is not None,
        "docs_unavailable": row.unavailable or None,
        "synopsis": row.doc.synopsis if row.doc else "",
        "mark": row.mark,
        "headers": [
            {
                "name": s.name,
                "seen": s.count,
                "repeated": s.repeated,
                "samples": list(s.samples),
                "documented": row.documented(s.name),
                "implicit": is_implicit(s.name),
            }
            for s in entry.headers.values()
        ],
        "seen_not_documented": list(found.seen_not_documented) if found else [],
        "documented_not_seen": list(found.documented_not_seen) if found else [],
        "free_form": list(found.free_form) if found else [],
        "dropped_headers": entry.dropped_headers,
    }


def catalog_report(
    catalog: EventCatalog, docs: Mapping[str, DocResult], context: ReportContext | None = None
) -> dict[str, object]:
    """The catalog and its gaps as plain data (the JSON export)."""
    ctx = context or ReportContext()
    documented = ctx.documented
    listed = sorted(documented, key=str.lower) if isinstance(documented, set) else documented
    return {
        "server": ctx.server,
        "generated": ctx.generated,
        "total_events": catalog.total,
        "dropped_events": catalog.dropped_events,
        "documented_events": listed,  # what `manager show events` said, or why it could not
        "documented_never_seen": _never_seen(catalog, documented),
        "events": [_event_report(row) for row in _rows(catalog, docs)],
    }


def catalog_to_json(
    catalog: EventCatalog, docs: Mapping[str, DocResult], context: ReportContext | None = None
) -> str:
    # ensure_ascii: names and samples come from the server; as \u escapes no control, C1 or
    # bidi character is ever live in the file, and every JSON reader gets the exact text back.
    return json.dumps(catalog_report(catalog, docs, context), indent=2, ensure_ascii=True) + "\n"


def _md(text: object) -> str:
    """Outside text for one Markdown table cell or line: line breaks as spaces, every other
    control, C1 or bidi character as a visible escape (`shown`), `|` escaped."""
    flat = str(text).replace("\r\n", " ").replace("\n", " ")
    return shown(flat).replace("|", "\\|")


def _codes(names: Iterable[str]) -> str:
    return ", ".join(f"`{_md(n)}`" for n in names)


def _md_event(row: _Row) -> list[str]:
    out = ["", f"## {_md(row.entry.name)}", ""]
    if row.doc is not None and row.doc.synopsis:
        out += [_md(row.doc.synopsis), ""]
    if row.unavailable:
        out += [f"Docs unavailable: {_md(row.unavailable)}", ""]
    found = row.found
    if found is not None:
        for label, names in (
            ("Seen, not documented", found.seen_not_documented),
            ("Documented, never seen", found.documented_not_seen),
            ("Free-form (the docs allow extra headers)", found.free_form),
        ):
            if names:
                out.append(f"- {label}: {_codes(names)}")
    if out[-1]:
        out.append("")  # one blank line before the table, whatever came above
    out += ["| Header | Seen | Documented | Samples |", "|---|---:|---|---|"]
    labels = {True: "yes", False: "**no**", None: "?"}
    for s in row.entry.headers.values():
        documented = "core" if is_implicit(s.name) else labels[row.documented(s.name)]
        line = f"| {_md(s.name)} | {s.count} | {documented} | {_codes(s.samples)} |"
        out.append(line)
    return out


def catalog_to_markdown(
    catalog: EventCatalog, docs: Mapping[str, DocResult], context: ReportContext | None = None
) -> str:
    """A human-readable documentation-gap report."""
    ctx = context or ReportContext()
    rows = _rows(catalog, docs)
    out = [f"# AMI event catalog — {_md(ctx.server or 'server')}", ""]
    if ctx.generated:
        out.append(f"Generated {ctx.generated}.")
    out.append(f"{catalog.total} events of {len(rows)} types observed.")
    if catalog.dropped_events:
        out.append(f"{catalog.dropped_events} events of further types were not catalogued.")
    out += ["", "| Event | Count | Docs | Mark |", "|---|---:|---|---|"]
    for row in rows:
        docs_text = "?" if row.unavailable else "yes" if row.doc else "**none**"
        out.append(f"| {_md(row.entry.name)} | {row.entry.count} | {docs_text} | {row.mark} |")
    for row in rows:
        out += _md_event(row)
    never = _never_seen(catalog, ctx.documented)
    if never:
        out += ["", "## Documented by the server, never seen", "", ", ".join(map(_md, never))]
    return "\n".join(out) + "\n"
