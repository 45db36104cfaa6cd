"""The event stream pane: the stream, its filter bar, and titles saying what is shown."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input

from amitui.protocol import safetext
from amitui.store import FilteredView, FilterError, StoredEvent, parse_filter
from amitui.ui import safe
from amitui.ui.widgets.stream import EventStream


class StreamPane(Vertical):
    DEFAULT_CSS = """
    StreamPane { border: round $primary 50%; border-title-color: $foreground; }
    StreamPane:focus-within { border: round $primary; }
    /* Input:focus draws a tall border that would take both rows of a 1-row bar and leave
       no room for the text: the bar keeps no border, focused or not. */
    StreamPane > Input, StreamPane > Input:focus {
        display: none; height: 1; border: none; padding: 0 1; background: $panel;
    }
    StreamPane > Input.-visible { display: block; }
    StreamPane > Input.-error { color: $error; }
    """
    BINDINGS = [
        Binding("slash", "open_filter", "Filter", id="stream.filter"),
        Binding("x", "clear_filter", "Clear filter", id="stream.clear-filter"),
        Binding("m", "mute_selected", "Mute type", id="stream.mute"),
    ]

    def __init__(self, view: FilteredView, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view = view
        self.stream = EventStream(view, id="stream")

    def compose(self) -> ComposeResult:
        yield Input(
            placeholder="filter: Event=Hangup Cause!=16  Channel~^PJSIP/  text",
            id="filter",
            highlighter=safe.MASK,  # a followed call puts the server's Linkedid in here
        )
        yield self.stream

    def on_mount(self) -> None:
        self.update_titles()

    # -- filter -----------------------------------------------------------------------------

    def action_open_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.value = self.view.filter.text
        box.add_class("-visible")
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.apply_filter(event.value)

    def apply_filter(self, text: str) -> bool:
        box = self.query_one("#filter", Input)
        try:
            self.view.set_filter(parse_filter(text))
        except FilterError as exc:
            box.add_class("-error")
            safe.notify(self, str(exc), title="Filter not applied", severity="error")
            return False
        box.remove_class("-error", "-visible")
        self.stream.focus()
        self.stream.sync()
        self.update_titles()
        return True

    def close_filter(self) -> None:
        """Hide the filter bar without applying what was typed."""
        self.query_one("#filter", Input).remove_class("-visible", "-error")

    def action_clear_filter(self) -> None:
        self.apply_filter("")
        if self.view.muted:
            muted = ", ".join(sorted(self.view.muted))
            safe.notify(self, f"Filter cleared; still muted: {muted}")

    def action_mute_selected(self) -> None:
        entry = self.stream.selected_entry()
        if not isinstance(entry, StoredEvent) or not entry.frame.name:
            self.notify("Select an event first (up/down), then m mutes its type")
            return
        self.view.mute(entry.frame.name)
        self.stream.sync()
        self.update_titles()
        safe.notify(self, f"Muted {entry.frame.name} (t lists types to unmute)")

    # -- titles -----------------------------------------------------------------------------

    def update_titles(self) -> None:
        shown, total = len(self.stream.rows), len(self.view.ring)
        title = f"Events {shown:,}" if shown == total else f"Events {shown:,} of {total:,}"
        if self.view.filter:
            title += f" · filter: {safetext.shown(self.view.filter.text)}"
        if self.view.muted:
            title += f" · muted {len(self.view.muted)}"
        self.border_title = Content(title)  # not markup: the filter may quote the server
        if self.stream.following:
            self.border_subtitle = "following · ↑ or space pauses"
        else:
            self.border_subtitle = f"PAUSED · {self.stream.waiting:,} new · End follows"
