"""Calls traced from the stream, and one call's timeline with a lane per channel."""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from amitui.store import EventRing, StoredEvent
from amitui.store.calls import Call, CallTracker

MAX_LANES = 8


def _clock(epoch: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(epoch))


def _short(channel: str) -> str:
    """PJSIP/1001-0000000a -> PJSIP/1001-…0a; lanes must be narrow."""
    head, sep, tail = channel.rpartition("-")
    if sep and len(tail) > 4:
        return f"{head}-…{tail[-4:]}"
    return channel


class CallsScreen(ModalScreen[str | None]):
    """Returns a stream filter when the user asks to follow a call, else None."""

    DEFAULT_CSS = """
    CallsScreen { align: center middle; }
    CallsScreen > Vertical {
        width: 95%; height: 85%; border: thick $primary; background: $panel;
    }
    CallsScreen Label { padding: 0 1; color: $text-muted; }
    CallsScreen DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("enter", "timeline", "Timeline", id="calls.timeline"),
        Binding("f", "follow", "Follow in stream", id="calls.follow"),
        Binding("escape,q", "close", "Close", id="calls.close"),
    ]

    def __init__(self, tracker: CallTracker, ring: EventRing) -> None:
        super().__init__()
        self.tracker = tracker
        self.ring = ring
        self._calls: list[Call] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Calls, by Linkedid, Local halves and bridges joined · enter: timeline · "
                        "f: follow in the stream · esc: close")  # fmt: skip
            yield DataTable(cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("", "Start", "Duration", "Channels", "Parties", "Hangup cause", "Events")
        self._calls = self.tracker.calls()
        for call in self._calls:
            mark = Text("● up", style="bold") if call.active else Text("ended")
            table.add_row(
                mark, _clock(call.start), f"{call.duration:.0f} s", str(len(call.channels)),
                call.parties, call.cause, str(len(call.seqs)), key=call.key,
            )  # fmt: skip
        table.focus()
        if not self._calls:
            self.query_one(Label).update("No calls traced yet: events naming a channel start one.")

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
            yield Label(f"{call.parties} · {len(call.channels)} channels · {state} · "
                        f"{call.filter_text()} · f: follow in the stream")  # fmt: skip
            yield DataTable(cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        lanes = sorted(self.call.channels.values(), key=lambda c: c.first_seen)[:MAX_LANES]
        lane_of = {ch.name: i for i, ch in enumerate(lanes)}
        table.add_column("Time")
        for ch in lanes:
            table.add_column(_short(ch.name))
        table.add_column("Detail")
        missing = 0
        for seq in self.call.seqs:
            entry = self.ring.get(seq)
            if not isinstance(entry, StoredEvent):
                missing += 1  # evicted from the ring since; the call keeps only its seqs
                continue
            frame = entry.frame
            cells: list[str | Text] = [""] * len(lanes)
            source = lane_of.get(frame.get("Channel") or "")
            dest = lane_of.get(frame.get("DestChannel") or "")
            if source is not None:
                arrow = " ──▶" if dest is not None else ""
                cells[source] = Text(frame.name + arrow, style="bold")
            if dest is not None:
                cells[dest] = Text(("▶ " if source is not None else "") + frame.name)
            detail = " ".join(
                f"{k}={v}" for k in ("ChannelStateDesc", "Application", "DialStatus", "Cause-txt",
                                     "Variable", "Value", "BridgeUniqueid")
                if (v := frame.get(k))
            )  # fmt: skip
            if source is None and dest is None:
                detail = f"{frame.name} {detail}".strip()
            stamp = time.strftime("%H:%M:%S", time.localtime(entry.received))
            stamp += f".{int(entry.received * 1000) % 1000:03d}"
            table.add_row(stamp, *cells, detail)
        if missing:
            self.notify(f"{missing} events of this call were evicted from the ring")
        table.focus()

    def action_follow(self) -> None:
        self.dismiss(self.call.filter_text())

    def action_close(self) -> None:
        self.dismiss(None)
