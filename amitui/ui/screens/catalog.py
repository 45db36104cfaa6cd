"""The event catalog: every event type seen, next to the server's own docs for it.

Left, the types (count, last seen, mark); right, the selected type's headers (how often seen,
sample values, documented or not) and its doc. A worker fetches the docs once per type through
an EventDocsSource and the marks fill in as they arrive. The catalog keeps growing while the
screen is open; a 1 Hz timer redraws only when its version moved. `e` writes the
documentation-gap report as Markdown and JSON.

Below 140 columns (an 80x24 terminal) the detail goes under the list instead of beside it, so
each table has the whole width and every column of the list fits; the free-text Samples column
is cut to what the headers table has left after its fixed columns, and recut on resize.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Label, Static
from textual.worker import Worker

from amitui.protocol.safetext import shown
from amitui.store.catalog_gaps import Gaps, doc_for, gaps, is_implicit
from amitui.store.catalog_observe import EventCatalog, EventEntry
from amitui.store.catalog_report import ReportContext, catalog_to_json, catalog_to_markdown
from amitui.store.eventclasses import DocResult, EventDoc
from amitui.store.exporting import write_private_text
from amitui.store.sentinels import NotFetched, Unavailable
from amitui.ui import safe
from amitui.ui.screens.catalog_parts import (
    CatalogTable,
    clock_text,
    describe,
    header_state,
    mark_of,
)

__all__ = ["CatalogScreen", "CatalogTable", "EventDocsSource"]


class EventDocsSource(Protocol):
    """Where the catalog's docs come from (store.docs.SessionDocs over a live session). An
    Unavailable result says why they are: not connected, no `command` privilege."""

    async def documented_events(self) -> set[str] | Unavailable: ...

    async def event_doc(self, name: str) -> DocResult:
        """The doc, None when the server has none for this event, or why it cannot be asked."""
        ...


_SORTS = ("count", "name", "last seen", "mark")
_ROLE_ORDER = {"gap": 0, "warn": 1, "muted": 2, "ok": 3}
_SAMPLES_WIDTH = 72  # at most; the whole values are in the JSON export
_SAMPLES_MIN = 12  # narrower than this, the table scrolls sideways instead


class CatalogScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    CatalogScreen { align: center middle; }
    CatalogScreen > Vertical { width: 96%; height: 92%; border: thick $accent; background: $panel; }
    CatalogScreen #catalog-title { padding: 0 1; color: $text-muted; width: 1fr; }
    CatalogScreen #types { width: auto; max-width: 50%; height: 1fr; }
    CatalogScreen #detail { width: 1fr; padding-left: 1; }
    CatalogScreen #doc { height: auto; max-height: 6; }
    CatalogScreen #headers { height: 1fr; }
    CatalogScreen #header-doc { height: auto; max-height: 5; color: $text-muted; }
    CatalogScreen.-narrow > Vertical { width: 100%; height: 100%; }
    CatalogScreen.-narrow #panes { layout: vertical; }
    CatalogScreen.-narrow #types { width: 1fr; max-width: 100%; height: 1fr; }
    CatalogScreen.-narrow #detail { padding-left: 0; height: 1fr; }
    CatalogScreen.-narrow #doc { max-height: 3; padding: 0 1; }
    CatalogScreen.-narrow #header-doc { max-height: 2; padding: 0 1; }
    """
    # Side by side needs about 140 columns: the list as wide as its four columns (auto), the
    # headers' four fixed columns and some room for their samples.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (140, "-wide")]
    BINDINGS = [
        Binding("e", "export", "Export report", id="catalog.export"),
        Binding("s", "sort", "Sort", id="catalog.sort"),
        Binding("r", "refetch", "Refetch docs", id="catalog.refetch"),
        Binding("escape,q", "close", "Close", id="catalog.close"),
    ]

    def __init__(
        self,
        catalog: EventCatalog,
        docs: EventDocsSource,
        *,
        server: str = "",
        export_dir: Path | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self.catalog = catalog
        self.source = docs
        self.server = server
        self.export_dir = export_dir  # None: the current directory
        self.clock = clock
        self.docs: dict[str, DocResult] = {}  # lowercased name -> result, as they arrive
        self.documented: set[str] | Unavailable | None = None
        self.sort_by = "count"
        self.selected: str | None = None
        self._version = -1  # the catalog version last drawn
        self._loader: Worker[None] | None = None
        self._drawn: dict[str, int] = {}  # name -> the count its row shows
        self._names: dict[str, str] = {}  # a name cell's text -> the name
        self._cut_for = -1  # the headers table's width when its samples were cut

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("", id="catalog-title", markup=False)
            with Horizontal(id="panes"):
                yield CatalogTable(id="types", cursor_type="row", zebra_stripes=True)
                with Vertical(id="detail"):
                    yield Static("", id="doc", markup=False)
                    yield CatalogTable(id="headers", cursor_type="row", zebra_stripes=True)
                    yield Static("", id="header-doc", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        columns = (("Event", "name"), ("Count", "count"), ("Last seen", "last"), ("Mark", "mark"))
        for label, key in columns:
            self.types.add_column(label, key=key)
        for label in ("Header", "Seen", "Docs", "Mark", "Samples"):
            self.headers_table.add_column(label, key=label.lower())
        self.refresh_view()
        self._show_detail()
        self._load_docs()  # at least `manager show events`, even before any event arrived
        self.types.focus()
        self.set_interval(1.0, self.refresh_view, name="catalog-refresh")

    @property
    def types(self) -> CatalogTable:
        return self.query_one("#types", CatalogTable)

    @property
    def headers_table(self) -> CatalogTable:
        return self.query_one("#headers", CatalogTable)

    # -- docs ---------------------------------------------------------------------------------

    def _load_docs(self) -> None:
        if self._loader is None or self._loader.is_finished:
            self._loader = self.run_worker(
                self._fetch_docs(), name="catalog docs", group="catalog",
                description="manager show event, once per event type", exit_on_error=False,
            )  # fmt: skip

    async def _fetch_docs(self) -> None:
        if not isinstance(self.documented, set):
            self.documented = await self.source.documented_events()
            self._update_title()
        while missing := [e.name for e in self.catalog if e.name.lower() not in self.docs]:
            for name in missing:
                result = await self.source.event_doc(name)
                if isinstance(result, Unavailable):  # the session's, not the event's: stop asking
                    self.docs.update({n.lower(): result for n in missing})
                    self.refresh_view(force=True)
                    break
                self.docs[name.lower()] = result
                self._draw_type(name)

    def action_refetch(self) -> None:
        self.docs.clear()
        self.documented = None
        self.refresh_view(force=True)
        self._load_docs()

    # -- drawing ------------------------------------------------------------------------------

    def _state(self, entry: EventEntry) -> tuple[DocResult | NotFetched, Gaps | None]:
        result = doc_for(self.docs, entry.name)
        if isinstance(result, NotFetched | Unavailable):
            return result, None
        return result, gaps(entry, result)

    def _sort_key(self, name: str) -> tuple[object, ...]:
        entry = self.catalog.get(name)
        if entry is None:
            return (0, name)
        keys: dict[str, tuple[object, ...]] = {
            "name": (name.lower(),),
            "last seen": (-entry.last_seen, name.lower()),
            "mark": (_ROLE_ORDER[mark_of(*self._state(entry))[1]], -entry.count),
        }
        return keys.get(self.sort_by, (-entry.count, name.lower()))

    def _draw_type(self, name: str) -> None:
        """Add or update one type's row in place (no clear, so the cursor stays put)."""
        entry = self.catalog.get(name)
        if entry is None:
            return
        self._drawn[name] = entry.count
        table = self.types
        mark, role = mark_of(*self._state(entry))
        self._names[shown(entry.name)] = entry.name  # the sort gets the cell, not the key
        cells: dict[str, Text | str] = {
            "name": safe.cell(entry.name),  # the server's text: never a markup str
            "count": Text(f"{entry.count:,}", justify="right"),
            "last": clock_text(entry.last_seen),
            "mark": table.styled(mark, role),
        }
        if entry.name in table.rows:
            for column, value in cells.items():
                table.update_cell(entry.name, column, value, update_width=True)
        else:
            table.add_row(*cells.values(), key=entry.name)
        if entry.name == self.selected:
            self._show_detail()

    def refresh_view(self, force: bool = False) -> None:
        """Redraw what changed; rows are reordered only on request or when types appear."""
        if self.catalog.version == self._version and not force:
            return
        self._version = self.catalog.version
        table = self.types
        known = len(table.rows)
        for entry in self.catalog:
            if force or self._drawn.get(entry.name) != entry.count:  # a busy PBX: skip the rest
                self._draw_type(entry.name)
        if force or len(table.rows) != known:
            table.sort("name", key=lambda cell: self._sort_key(self._names.get(str(cell), "")))
            if self.selected is not None and self.selected in table.rows:
                table.move_cursor(row=table.get_row_index(self.selected))
        if self.selected is None and table.row_count:
            self.selected = self._cursor_key()
            self._show_detail()
        self._update_title()
        if len(table.rows) != known:
            self._load_docs()

    def _update_title(self) -> None:
        documented = self.documented
        docs = (
            "docs: asking the server…" if documented is None
            else f"docs unavailable: {documented.reason}" if isinstance(documented, Unavailable)
            else f"{len(documented)} events documented by the server"
        )  # fmt: skip
        count = f"{len(self.catalog)} types, {self.catalog.total:,} events"
        self.query_one("#catalog-title", Label).update(
            shown(f"Event catalog · {count} · {docs} · sorted by {self.sort_by}")
        )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table is self.types:
            # The row under the cursor now: a message may predate a re-sort of the rows.
            key = self._cursor_key()
            if key is not None and key != self.selected:
                self.selected = key
                self._show_detail()
        elif event.data_table is self.headers_table:
            self._show_header_doc(event.row_key.value)

    def _cursor_key(self) -> str | None:
        table = self.types
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        if event.data_table is self.types:
            columns = {"name": "name", "count": "count", "last": "last seen", "mark": "mark"}
            self.sort_by = columns.get(str(event.column_key.value), "count")
            self.refresh_view(force=True)

    def action_sort(self) -> None:
        self.sort_by = _SORTS[(_SORTS.index(self.sort_by) + 1) % len(_SORTS)]
        self.refresh_view(force=True)

    def _entry(self) -> EventEntry | None:
        return self.catalog.get(self.selected) if self.selected else None

    def _show_detail(self) -> None:
        entry = self._entry()
        table = self.headers_table
        was = (
            table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            if table.row_count
            else None
        )
        table.clear()
        if entry is None:
            self.query_one("#doc", Static).update("No events yet." if not self.catalog else "")
            return
        result, found = self._state(entry)
        doc = result if isinstance(result, EventDoc) else None
        self.query_one("#doc", Static).update(shown(describe(entry, result), multiline=True))
        rows: list[tuple[str, str, str, str, str, str]] = []  # name seen docs mark role samples
        for stats in entry.headers.values():
            documented = doc is not None and doc.header(stats.name) is not None
            docs_text, mark, role = header_state(stats.name, documented, found)
            seen = f"{stats.count}/{entry.count}" + (" (repeats)" if stats.repeated else "")
            rows.append((stats.name, seen, docs_text, mark, role, " | ".join(stats.samples)))
        for name in found.documented_not_seen if found else ():
            rows.append((name, "0", "yes", "never seen", "warn", ""))
        columns = [[str(c.label), *(shown(r[i]) for r in rows)] for i, c in enumerate(
            list(table.columns.values())[:4])]  # fmt: skip
        room = max(_SAMPLES_MIN, min(_SAMPLES_WIDTH, table.free_width(columns)))
        self._cut_for = table.size.width
        for name, seen, docs_text, mark, role, samples in rows:
            # Cut as shown (escapes make outside text longer), so the cut never hides the "…".
            text = shown(samples)
            text = text if cell_len(text) <= room else text[: room - 1] + "…"
            table.add_row(
                safe.cell(name), seen, docs_text, table.styled(mark, role), Text(text),
                key=name,
            )  # fmt: skip
        keep = was is not None and was in table.rows  # more events of this type: stay put
        if keep and was is not None:
            table.move_cursor(row=table.get_row_index(was))
        self._show_header_doc(was.value if keep and was is not None else None)

    def on_catalog_table_resized(self, event: CatalogTable.Resized) -> None:
        # The samples were cut for the old width: cut them again when the room changed.
        table = self.headers_table
        if event.control is table and table.size.width != self._cut_for:
            self._show_detail()

    def _show_header_doc(self, name: str | None) -> None:
        entry = self._entry()
        view = self.query_one("#header-doc", Static)
        if entry is None or name is None:
            view.update("")
            return
        result = doc_for(self.docs, entry.name)
        header = result.header(name) if isinstance(result, EventDoc) else None
        if is_implicit(name):
            text = "added by the manager core, not by the event (never a documentation gap)"
        elif header is not None:
            text = header.description or "documented (no description in the server's docs)"
        elif isinstance(result, EventDoc) and result.open_ended:
            text = "not named, but the docs say this event may carry extra headers"
        else:
            text = "not in the server's docs for this event"
        view.update(shown(f"{name}: {text}"))

    # -- export -------------------------------------------------------------------------------

    def action_export(self) -> None:
        self.run_worker(
            self._export(), name="catalog export", group="catalog",
            description="write the documentation-gap report", exit_on_error=False,
        )  # fmt: skip

    async def _export(self) -> None:
        if self._loader is not None and not self._loader.is_finished:
            await self._loader.wait()  # a report with every doc, not a half-fetched one
        now = self.clock()
        stem = f"amitui-catalog-{datetime.fromtimestamp(now).strftime('%Y%m%d-%H%M%S')}"
        generated = datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds")
        context = ReportContext(self.server, generated, self.documented)
        folder = self.export_dir or Path.cwd()
        written: list[str] = []
        try:
            for suffix, render in ((".md", catalog_to_markdown), (".json", catalog_to_json)):
                path = folder / f"{stem}{suffix}"
                # 0600 from creation, like every export: it holds sample values of calls.
                write_private_text(path, render(self.catalog, self.docs, context))
                written.append(str(path))
        except OSError as exc:
            safe.notify(self, f"cannot write {exc.filename}: {exc.strerror}", severity="error")
            return
        safe.notify(self, "\n".join(written), title="Catalog exported", timeout=10)

    def action_close(self) -> None:
        self.dismiss(None)
