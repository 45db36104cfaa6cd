"""Every event type seen, with its count; mute and unmute from here."""

from __future__ import annotations

from collections import Counter

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from amitui.store import FilteredView
from amitui.store.rates import RateHistory, sparkline
from amitui.ui import safe


class EventTypes(ModalScreen[None]):
    DEFAULT_CSS = """
    EventTypes { align: center middle; }
    EventTypes > Vertical {
        width: 90; max-width: 95%; height: 80%; border: thick $primary; background: $panel;
    }
    EventTypes Label { padding: 0 1; color: $text-muted; }
    EventTypes DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("m,space,enter", "toggle_mute", "Mute/unmute", id="types.toggle"),
        Binding("escape,q,t", "close", "Close", id="types.close"),
    ]

    def __init__(self, view: FilteredView, rates: RateHistory | None = None) -> None:
        super().__init__()
        self.view = view
        self.rates = rates  # per-type events per second, for the sparklines

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Event types seen (since start) · m/enter: mute or unmute · esc: close")
            yield DataTable(cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Event", "Count", "Shown")
        if self.rates is not None:
            table.add_columns("Now /s", "Last 60 s")
            self.set_interval(1.0, self._fill, name="types-rates")
        self._fill()
        table.focus()

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        counts: Counter[str] = self.view.ring.counts
        muted = {m.lower() for m in self.view.muted}
        for name, count in counts.most_common():
            state = "muted" if name.lower() in muted else "yes"
            # The name is the server's: a cell Text, never a markup str.
            rates = self._rate_cells(name) if self.rates is not None else []
            table.add_row(safe.cell(name), f"{count:,}", state, *rates, key=name)
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

    def _rate_cells(self, name: str) -> list[str]:
        series = self.rates.series(name) if self.rates is not None else []
        return [f"{series[-1]:,}" if series else "", sparkline(series, 40)]

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
