"""The live view: what is up on the PBX now, a tab per table, and actions on the selected row.

The tables come from amitui/store/live.py through LiveSync; this screen only draws them (once a
second, so durations tick) and says how fresh each one is. Every value is the server's, so
every cell is a `Text` through `safe.cell`, never markup. Actions go through the app's normal
path: `send` (read-only refusal and confirmation) or `prepare` (into the composer).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Input, Label, Sparkline, TabbedContent, TabPane

from amitui.protocol import Action
from amitui.protocol.safetext import shown
from amitui.store import EventFilter, FilterError, parse_filter
from amitui.store.live import LIVE, NOT_LOADED, RESYNCING, UNAVAILABLE, LiveTable, Row, select
from amitui.ui import safe
from amitui.ui.livesync import LiveSync
from amitui.ui.widgets.steady import SteadyTable

Send = Callable[[Action], None]
Prepare = Callable[[str, list[tuple[str, str]]], None]
MAX_SHOWN = 2_000  # rows drawn per table; the rest are counted, not drawn
# Which row actions each tab offers (the footer shows only those).
OFFERS = {
    "hangup": {"channels", "parked"},
    "redirect": {"channels", "parked"},
    "originate": {"endpoints"},
    "pause": {"queues"},
    "remove": {"queues"},
    "kick": {"conferences"},
    "compose": {"channels", "parked", "endpoints", "queues", "conferences"},
}


class LiveScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    LiveScreen { align: center middle; }
    LiveScreen > Vertical { width: 100%; height: 100%; background: $panel; }
    LiveScreen #live-top { height: 3; }
    LiveScreen #live-spark-label { width: 34; padding: 0 1; color: $text-muted; }
    LiveScreen Sparkline { width: 1fr; height: 3; }
    LiveScreen #live-filter { height: 1; margin: 0 1; }
    LiveScreen #live-status { height: 1; padding: 0 1; }
    LiveScreen TabbedContent { height: 1fr; }
    LiveScreen DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape,q,l", "close", "Close", id="live.close"),
        Binding("slash", "filter", "Filter", id="live.filter"),
        Binding("s", "sort", "Sort", id="live.sort"),
        Binding("S", "reverse", "Reverse", show=False, id="live.reverse"),
        Binding("ctrl+r", "resync", "Resync", id="live.resync"),
        Binding("h", "hangup", "Hangup", id="live.hangup"),
        Binding("r", "redirect", "Redirect", id="live.redirect"),
        Binding("o", "originate", "Originate to", id="live.originate"),
        Binding("p", "pause", "Pause/unpause", id="live.pause"),
        Binding("x", "remove", "Remove member", id="live.remove"),
        Binding("k", "kick", "Kick", id="live.kick"),
        Binding("a", "compose", "Edit in composer", id="live.compose"),
    ]

    def __init__(self, live: LiveSync, send: Send, prepare: Prepare) -> None:
        super().__init__()
        self.live = live
        self.send = send
        self.prepare = prepare
        self._filters: dict[str, EventFilter] = {}
        self._sort: dict[str, tuple[str, bool]] = {}
        self._shown: dict[str, dict[str, Row]] = {}
        self._tabs: list[str] = []
        self._problem = ""

    # -- building ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical():
            with Horizontal(id="live-top"):
                yield Label("", id="live-spark-label")
                yield Sparkline([0.0], id="live-spark")
            yield Input(placeholder="filter rows: State=Up Channel~PJSIP \"text\" (/ to edit)",
                        id="live-filter", compact=True)  # fmt: skip
            yield Label("", id="live-status")
            with TabbedContent(id="live-tabs"):
                for table in self.live.tabs():
                    yield self._pane(table)
            yield Footer()

    def _pane(self, table: LiveTable) -> TabPane:
        self._tabs.append(table.name)
        # Steady: the tables change at every tick while calls come and go.
        grid = SteadyTable[Text](id=f"table-{table.name}", cursor_type="row", zebra_stripes=True)
        for column in table.columns:
            grid.add_column(column, key=column)
        return TabPane(table.title, grid, id=f"tab-{table.name}")

    def on_mount(self) -> None:
        self.set_interval(1.0, self._redraw, name="live-redraw")
        self._redraw()
        self._grid().focus()

    # -- drawing -----------------------------------------------------------------------------

    @property
    def active(self) -> str:
        pane = self.query_one(TabbedContent).active
        return pane.removeprefix("tab-") if pane else self._tabs[0]

    def _grid(self, name: str | None = None) -> DataTable[Text]:
        return self.query_one(f"#table-{name or self.active}", DataTable)

    async def _add_new_tabs(self) -> None:
        tabs = self.query_one(TabbedContent)
        for table in self.live.tabs():
            if table.name not in self._tabs:
                await tabs.add_pane(self._pane(table))

    def _redraw(self) -> None:
        if any(t.name not in self._tabs for t in self.live.tabs()):
            self.run_worker(self._add_new_tabs(), group="live-tabs", exclusive=True)
        now = self.live.clock()
        counts = self.live.state.channel_counts() or [0.0]
        self.query_one(Sparkline).data = counts
        self.query_one("#live-spark-label", Label).update(
            f"Channels now {int(counts[-1])}\nmost {int(max(counts))} in the last "
            f"{max(len(counts) // 60, 1)} min"
        )
        name = self.active
        table = self.live.state[name]
        grid = self._grid(name)
        sort, reverse = self._sort.get(name, ("", False))
        chosen = select(table.rows(now), self._filters.get(name), sort or None, reverse)
        self._shown[name] = dict(chosen[:MAX_SHOWN])
        selected = self._selected_key(grid)
        grid.clear()
        for key, row in chosen[:MAX_SHOWN]:
            grid.add_row(*(safe.cell(row.get(c, "")) for c in table.columns), key=key)
        if selected in self._shown[name]:
            grid.move_cursor(row=grid.get_row_index(selected), scroll=False)
        self._status(table, len(chosen), now)

    def _selected_key(self, grid: DataTable[Text]) -> str | None:
        if not grid.row_count:
            return None
        return str(grid.coordinate_to_cell_key(grid.cursor_coordinate).row_key.value)

    def _status(self, table: LiveTable, matching: int, now: float) -> None:
        fresh = table.freshness
        style = {LIVE: "green", RESYNCING: "yellow", NOT_LOADED: "yellow",
                 UNAVAILABLE: "dim"}.get(fresh.state, "bold red")  # fmt: skip
        mark = {LIVE: "● live", RESYNCING: "⟳ resyncing", NOT_LOADED: "… loading"}.get(
            fresh.state, "⚠ " + fresh.state.upper() if fresh.state != UNAVAILABLE else
            "events only")  # fmt: skip
        line = Text(mark, style=style)
        if fresh.reason:
            since = time.strftime("%H:%M:%S", time.localtime(fresh.since)) if fresh.since else ""
            line.append(f" ({shown(fresh.reason)}{', since ' + since if since else ''})")
        total = len(table.records)
        line.append(f" · {matching:,} of {total:,} rows" if matching != total else
                    f" · {total:,} rows")  # fmt: skip
        if matching > MAX_SHOWN:
            line.append(f", first {MAX_SHOWN:,} drawn")
        if table.overflow:
            line.append(f" · {table.overflow:,} not kept (bound {table.bound:,})", style="yellow")
        sort, reverse = self._sort.get(table.name, ("", False))
        if sort:
            line.append(f" · sorted by {sort} {'↓' if reverse else '↑'}")
        if self._problem:
            line.append(f" · {self._problem}", style="bold red")
        self.query_one("#live-status", Label).update(line)

    # -- tabs, filter, sort --------------------------------------------------------------------

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        name = self.active
        chosen = self._filters.get(name)
        self.query_one("#live-filter", Input).value = chosen.text if chosen else ""
        self._problem = ""
        self.refresh_bindings()
        self._redraw()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter applies the filter, as in the stream; one that does not parse is not applied
        (the previous one stays) and the status line says why."""
        event.stop()
        try:
            self._filters[self.active] = parse_filter(event.value)
        except FilterError as exc:
            self._problem = f"filter not applied: {exc}"
            self._redraw()
            return
        self._problem = ""
        self._grid().focus()
        self._redraw()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        column = str(event.column_key.value)
        sort, reverse = self._sort.get(self.active, ("", False))
        self._sort[self.active] = (column, not reverse if sort == column else False)
        self._redraw()

    def action_filter(self) -> None:
        self.query_one("#live-filter", Input).focus()

    def action_sort(self) -> None:
        columns = list(self.live.state[self.active].columns)
        sort, _ = self._sort.get(self.active, ("", False))
        following = columns[(columns.index(sort) + 1) % len(columns)] if sort else columns[0]
        self._sort[self.active] = (following, False)
        self._redraw()

    def action_reverse(self) -> None:
        sort, reverse = self._sort.get(self.active, (self.live.state[self.active].columns[0],
                                                     False))  # fmt: skip
        self._sort[self.active] = (sort, not reverse)
        self._redraw()

    def action_resync(self) -> None:
        self.live.state.gap("a resync was asked for", self.live.clock())
        self._redraw()

    def action_close(self) -> None:
        if self.query_one("#live-filter", Input).has_focus:
            self._grid().focus()
            return
        self.dismiss(None)

    # -- actions on the selected row -------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        tabs = OFFERS.get(action)
        return True if tabs is None else self.active in tabs

    def _row(self) -> Row | None:
        key = self._selected_key(self._grid())
        return self._shown.get(self.active, {}).get(key or "")

    def _offer(self, verb: str) -> tuple[str, list[tuple[str, str]]] | None:
        """The action `verb` means for the selected row, with its headers; None (and a note
        saying why) when the row does not fit."""
        row, tab = self._row(), self.active
        if row is None:
            self.notify("Select a row first (↑/↓)")
            return None
        if tab in ("channels", "parked") and verb in ("hangup", "redirect", "compose"):
            name = "Redirect" if verb == "redirect" else "Hangup"
            return name, [("Channel", row["Channel"])]
        if tab == "endpoints":
            return "Originate", [("Channel", row["Endpoint"])]
        if tab == "queues" and row["Kind"] == "member":
            target = [("Queue", row["Queue"]), ("Interface", row["Interface"])]
            if verb == "remove":
                return "QueueRemove", target
            paused = "false" if row["Paused"].startswith("yes") else "true"
            return "QueuePause", [*target, ("Paused", paused)]
        if tab == "conferences" and row["Kind"] == "party":
            return "ConfbridgeKick", [("Conference", row["Conference"]),
                                      ("Channel", row["Channel"])]  # fmt: skip
        self.notify({"queues": "Select a member row", "conferences": "Select a party row"}.get(
            tab, "Nothing to do with this row"))  # fmt: skip
        return None

    def _send(self, verb: str) -> None:
        offer = self._offer(verb)
        if offer is not None:
            self.send(Action.of(offer[0], offer[1]))

    def _prepare(self, verb: str) -> None:
        offer = self._offer(verb)
        if offer is not None:
            self.dismiss(None)
            self.prepare(*offer)

    def action_hangup(self) -> None:
        self._send("hangup")

    def action_pause(self) -> None:
        self._send("pause")

    def action_remove(self) -> None:
        self._send("remove")

    def action_kick(self) -> None:
        self._send("kick")

    def action_redirect(self) -> None:
        self._prepare("redirect")

    def action_originate(self) -> None:
        self._prepare("originate")

    def action_compose(self) -> None:
        self._prepare("compose")
