"""The event catalog's parts that are not the screen: its table (theme-coloured marks, the room
left for a free-text column) and the texts of its cells and doc pane.

Tests: tests/ui/test_catalog_screen.py, tests/ui/test_catalog_narrow.py.
"""

from __future__ import annotations

import time
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import DataTable

from amitui.store.catalog_gaps import Gaps, is_implicit
from amitui.store.catalog_observe import EventEntry
from amitui.store.eventclasses import DocResult
from amitui.store.sentinels import NotFetched, Unavailable


class CatalogTable(DataTable[Text | str]):
    """A DataTable whose marks take their colours from the theme."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "catalog-table--gap", "catalog-table--warn", "catalog-table--ok", "catalog-table--muted",
    }  # fmt: skip
    DEFAULT_CSS = """
    CatalogTable > .catalog-table--gap { color: $error; text-style: bold; }
    CatalogTable > .catalog-table--warn { color: $warning; }
    CatalogTable > .catalog-table--ok { color: $success; }
    CatalogTable > .catalog-table--muted { color: $text-muted; }
    """

    class Resized(Message):
        """The table's width changed: a free-text column may get more or less room."""

        def __init__(self, table: CatalogTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> CatalogTable:
            return self.table

    def on_resize(self, _event: events.Resize) -> None:
        self.post_message(self.Resized(self))

    def free_width(self, fixed: list[list[str]]) -> int:
        """What is left of the table's width after the columns whose cell texts are `fixed`
        (each list: a label, then that column's cells) and the padding of one more column.
        A vertical scrollbar is reserved even before rows make it appear."""
        width = self.scrollable_content_region.width
        if not self.show_vertical_scrollbar:
            width -= self.styles.scrollbar_size_vertical
        pads = 2 * self.cell_padding * (len(fixed) + 1)
        return width - pads - sum(max(map(cell_len, texts)) for texts in fixed)

    def styled(self, text: str, role: str) -> Text:
        # partial: only the colour and text style, so zebra stripes and the cursor show through
        style = self.get_component_rich_style(f"catalog-table--{role}", partial=True)
        return Text(text, style=style)


def mark_of(result: DocResult | NotFetched, found: Gaps | None) -> tuple[str, str]:
    """A type's mark and its colour role."""
    if found is None:
        return ("…" if isinstance(result, NotFetched) else "docs unavailable"), "muted"
    if found.undocumented or found.unlisted:
        return found.mark, "gap"
    return found.mark, "warn" if found.seen_not_documented else "ok"


def clock_text(epoch: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(epoch))


def header_state(name: str, documented: bool, found: Gaps | None) -> tuple[str, str, str]:
    """(docs column, mark, colour role) for one seen header."""
    if is_implicit(name):
        return "core", "", "muted"
    if found is None:
        return "?", "", "muted"
    if documented:
        return "yes", "", "ok"
    if name in found.free_form:
        return "no", "free-form", "muted"
    return "no", "new", "gap" if found.undocumented else "warn"


def describe(entry: EventEntry, result: DocResult | NotFetched) -> str:
    cls = f"class {','.join(entry.privilege)} (from Privilege) · " if entry.privilege else ""
    times = "once" if entry.count == 1 else f"{entry.count:,} times"
    facts = f"{cls}seen {times}, last at {clock_text(entry.last_seen)}"
    if isinstance(result, NotFetched):
        return f"{entry.name}\n{facts} · asking the server for its docs…"
    if isinstance(result, Unavailable):
        return f"{entry.name}\n{facts} · docs unavailable: {result.reason}"
    if result is None:
        return f"{entry.name} — the server has no documentation for this event\n{facts}"
    where = " ".join(p for p in (result.provided_by, result.since and f"since {result.since}") if p)
    lines = [f"{result.name} — {result.synopsis or '(no synopsis)'}", f"{facts} · {where}"]
    if not result.headers_listed:
        lines.append("The server documents this event but lists none of its headers.")
    return "\n".join(lines)
