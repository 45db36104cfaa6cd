"""The documentation-gap report: the event catalog and its gaps as Markdown for people and as
JSON for tools. Text out, no file written here (the screen writes it, 0600, via exporting.py).

Everything in it came from the server: Markdown escapes control, C1 and bidi characters and `|`
(`_md`), JSON keeps only ASCII. A type whose docs could not be asked says why instead of a gap.
Tests: tests/store/test_catalog.py, tests/store/test_export_safety.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from amitui.protocol.safetext import shown
from amitui.store.catalog_gaps import Gaps, doc_for, gaps, is_implicit
from amitui.store.catalog_observe import EventCatalog, EventEntry
from amitui.store.eventclasses import DocResult, EventDoc
from amitui.store.sentinels import NotFetched, Unavailable


@dataclass
class ReportContext:
    server: str = ""
    generated: str = ""  # ISO time, given by the caller (the store keeps no clock)
    documented: set[str] | Unavailable | None = None  # `manager show events`, or why not


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
        if isinstance(result, NotFetched):
            rows.append(_Row(entry, None, result.value, None))
        elif isinstance(result, Unavailable):
            rows.append(_Row(entry, None, result.reason, None))
        else:
            rows.append(_Row(entry, result, "", gaps(entry, result)))
    return rows


def _never_seen(catalog: EventCatalog, documented: set[str] | Unavailable | None) -> list[str]:
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
    listed: list[str] | str | None = (
        sorted(documented, key=str.lower) if isinstance(documented, set)
        else documented.reason if isinstance(documented, Unavailable)
        else None
    )  # fmt: skip
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
