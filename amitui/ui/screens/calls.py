"""Calls traced from the stream, and one call's timeline with a lane per channel.

The list is live: once a second it reads the tracker again, so new calls appear (newest
start first, the cursor staying on its call) and the durations of calls still up tick.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from amitui.protocol.safetext import shown
from amitui.store import EventRing, StoredEvent
from amitui.store.calls import Call, CallTracker
from amitui.store.servers import CallBook
from amitui.ui import safe
from amitui.ui.widgets.steady import SteadyTable

MAX_LANES = 8
REFRESH_S = 1.0  # durations are shown in whole seconds
COLUMNS = ("", "Start", "Duration", "Channels", "Parties", "Hangup cause", "Events")
Calls = CallTracker | CallBook  # one server's tracker, or several read as one
HINT = ("Calls, newest start first; by Uniqueid and Linkedid, Local halves and bridges joined · "
        "enter: timeline · f: follow in the stream · esc: close")  # fmt: skip
EMPTY = "No calls traced yet: events naming a channel start one."


def _clock(epoch: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(epoch))


def _short(channel: str) -> str:
    """PJSIP/1001-0000000a -> PJSIP/1001-…0a; lanes must be narrow."""
    head, sep, tail = channel.rpartition("-")
    if sep and len(tail) > 4:
        return f"{head}-…{tail[-4:]}"
    return channel


def _row_key(call: Call) -> str:
    """Unique per row: two servers can trace calls with the same ids."""
    return f"{call.server}\x1f{call.key}" if call.server else call.key


class CallsScreen(ModalScreen[str | None]):
    """Returns a stream filter when the user asks to follow a call, else None."""

    DEFAULT_CSS = """
    CallsScreen { align: center middle; }
    CallsScreen > Vertical {
        width: 95%; height: 85%; border: thick $primary; background: $panel;
    }
    CallsScreen Label { padding: 0 1; color: $text-muted; width: 100%; }
    CallsScreen DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("enter", "timeline", "Timeline", id="calls.timeline"),
        Binding("f", "follow", "Follow in stream", id="calls.follow"),
        Binding("escape,q", "close", "Close", id="calls.close"),
    ]

    def __init__(
        self,
        tracker: Calls | Callable[[], Calls],
        ring: EventRing,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`tracker` may be a function returning the current one: a replay seeking back
        starts tracing afresh with a new tracker while this screen is open. A CallBook (several
        servers) adds a Server column."""
        super().__init__()
        self._tracker = tracker
        self.ring = ring
        self.clock = clock
        self._calls: list[Call] = []
        self._shown: list[tuple[str, ...]] = []  # each row's cells as plain text
        # Each row's key as it was added: a call's key can change under it (a merge, a
        # Linkedid learned later), so the keys are compared with these, not recomputed.
        self._keys: list[str] = []
        self._seen = (-1, -1)  # (tracker, version) of the last full read
        self._by_server = False  # several servers: a Server column

    @property
    def tracker(self) -> Calls:
        t = self._tracker
        return t if isinstance(t, CallTracker | CallBook) else t()

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(HINT)
            yield SteadyTable[Text](cursor_type="row", zebra_stripes=True)  # refilled live

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        self._by_server = isinstance(self.tracker, CallBook)
        table.add_columns(*COLUMNS, *(("Server",) if self._by_server else ()))
        self.refresh_calls()
        table.focus()
        self.set_interval(REFRESH_S, self.refresh_calls, name="calls-refresh")

    def _cells(self, call: Call, now: float) -> tuple[str | Text, ...]:
        mark = Text("● up", style="bold") if call.active else Text("ended")
        cells: tuple[str | Text, ...] = (
            mark, _clock(call.start), f"{call.duration_at(now):.0f} s", str(len(call.channels)),
            safe.cell(call.parties), safe.cell(call.cause), str(len(call.seqs)),
        )  # fmt: skip
        # Last, so the columns one server shows keep their places; a proxy's name is its text.
        return (*cells, safe.cell(call.server)) if self._by_server else cells

    def refresh_calls(self) -> None:
        """Show the tracker's calls, newest start first; cells that changed are updated in
        place, and when calls came, went or merged the table is rebuilt around the cursor."""
        tracker = self.tracker
        seen = (id(tracker), tracker.version)
        if seen == self._seen and not any(c.active for c in self._calls):
            return  # nothing new, and no duration to tick
        self._seen = seen
        now = self.clock()
        calls = sorted(tracker.calls(), key=lambda c: (c.start, c.server, c.key), reverse=True)
        rows = [self._cells(call, now) for call in calls]
        plain = [tuple(str(cell) for cell in row) for row in rows]
        table = self.query_one(DataTable)
        keys = [_row_key(c) for c in calls]
        if keys == self._keys:
            columns = list(table.columns)
            for key, row, new, old in zip(keys, rows, plain, self._shown, strict=True):
                for column, cell, a, b in zip(columns, row, new, old, strict=True):
                    if a != b:
                        table.update_cell(key, column, cell, update_width=True)
        else:
            chosen = self._selected()
            table.clear()
            for key, row in zip(keys, rows, strict=True):
                table.add_row(*row, key=key)
            at = next((i for i, c in enumerate(calls) if c is chosen), None)
            if at is not None:
                table.move_cursor(row=at)
        self._calls, self._shown, self._keys = calls, plain, keys
        self.query_one(Label).update(HINT if calls else EMPTY)

    def _selected(self) -> Call | None:
        table = self.query_one(DataTable)
        if not self._calls or table.cursor_row >= len(self._calls):
            return None
        return self._calls[table.cursor_row]

    def action_timeline(self) -> None:
        call = self._selected()
        if call is not None:
            self.app.push_screen(CallTimeline(call, self.ring), self._after_timeline)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()  # the table takes Enter itself: open the timeline from its message
        self.action_timeline()

    def _after_timeline(self, follow: str | None) -> None:
        if follow:
            self.dismiss(follow)

    def action_follow(self) -> None:
        call = self._selected()
        self.dismiss(call.filter_text() if call else None)

    def action_close(self) -> None:
        self.dismiss(None)


class CallTimeline(ModalScreen[str | None]):
    """One row per event, one lane per channel, in the spirit of sngrep's call flow."""

    DEFAULT_CSS = """
    CallTimeline { align: center middle; }
    CallTimeline > Vertical {
        width: 98%; height: 92%; border: thick $accent; background: $panel;
    }
    CallTimeline Label { padding: 0 1; color: $text-muted; }
    CallTimeline DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("f", "follow", "Follow in stream", id="timeline.follow"),
        Binding("escape,q", "close", "Back", id="timeline.close"),
    ]

    def __init__(self, call: Call, ring: EventRing) -> None:
        super().__init__()
        self.call = call
        self.ring = ring

    def compose(self) -> ComposeResult:
        call = self.call
        state = "up" if call.active else f"ended · {call.cause}"
        with Vertical():
            yield Label(shown(f"{call.parties} · {len(call.channels)} channels · {state} · "
                              f"{call.filter_text()} · f: follow in the stream"),
                        markup=False)  # fmt: skip
            yield DataTable(cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        lanes = sorted(self.call.channels.values(), key=lambda c: c.first_seen)[:MAX_LANES]
        # By Uniqueid, not name: a name can be another channel's after a restart.
        lane_of = {ch.uniqueid: i for i, ch in enumerate(lanes)}
        table.add_column("Time")
        for ch in lanes:
            table.add_column(safe.cell(_short(ch.name)))
        table.add_column("Detail")
        missing = 0
        for seq in self.call.seqs:
            entry = self.ring.get(seq)
            if not isinstance(entry, StoredEvent):
                missing += 1  # evicted from the ring since; the call keeps only its seqs
                continue
            frame = entry.frame
            cells: list[str | Text] = [""] * len(lanes)
            source = lane_of.get(frame.get("Uniqueid") or frame.get("LocalOneUniqueid") or "")
            dest = lane_of.get(frame.get("DestUniqueid") or frame.get("LocalTwoUniqueid") or "")
            if source is not None:
                arrow = " ──▶" if dest is not None else ""
                cells[source] = safe.cell(frame.name + arrow, style="bold")
            if dest is not None:
                cells[dest] = safe.cell(("▶ " if source is not None else "") + frame.name)
            detail = " ".join(
                f"{k}={v}" for k in ("ChannelStateDesc", "Application", "DialStatus", "Cause-txt",
                                     "Variable", "Value", "BridgeUniqueid")
                if (v := frame.get(k))
            )  # fmt: skip
            if source is None and dest is None:
                detail = f"{frame.name} {detail}".strip()
            stamp = time.strftime("%H:%M:%S", time.localtime(entry.received))
            stamp += f".{int(entry.received * 1000) % 1000:03d}"
            table.add_row(stamp, *cells, safe.cell(detail))
        if missing:
            self.notify(f"{missing} events of this call were evicted from the ring")
        table.focus()

    def action_follow(self) -> None:
        self.dismiss(self.call.filter_text())

    def action_close(self) -> None:
        self.dismiss(None)
