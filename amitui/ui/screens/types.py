"""Every event type seen, with its count; mute and unmute from here."""

from __future__ import annotations

from collections import Counter

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from amitui.store import FilteredView


class EventTypes(ModalScreen[None]):
    DEFAULT_CSS = """
    EventTypes { align: center middle; }
    EventTypes > Vertical {
        width: 60; max-width: 95%; height: 80%; border: thick $primary; background: $panel;
    }
    EventTypes Label { padding: 0 1; color: $text-muted; }
    EventTypes DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("m,space,enter", "toggle_mute", "Mute/unmute", id="types.toggle"),
        Binding("escape,q,t", "close", "Close", id="types.close"),
    ]

    def __init__(self, view: FilteredView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Event types seen (since start) · m/enter: mute or unmute · esc: close")
            yield DataTable(cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Event", "Count", "Shown")
        self._fill()
        table.focus()

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        counts: Counter[str] = self.view.ring.counts
        muted = {m.lower() for m in self.view.muted}
        for name, count in counts.most_common():
            table.add_row(name, f"{count:,}", "muted" if name.lower() in muted else "yes", key=name)
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

    def action_toggle_mute(self) -> None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return
        name = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        if name.lower() in {m.lower() for m in self.view.muted}:
            self.view.unmute(name)
        else:
            self.view.mute(name)
        self._fill()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()  # Enter goes to the table first; it means the same as m here
        self.action_toggle_mute()

    def action_close(self) -> None:
        self.dismiss(None)
