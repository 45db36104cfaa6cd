"""The event stream pane: the stream, its filter bar, and titles saying what is shown."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input

from amitui.store import FilteredView, FilterError, StoredEvent, parse_filter
from amitui.ui.widgets.stream import EventStream


class StreamPane(Vertical):
    DEFAULT_CSS = """
    StreamPane { border: round $primary 50%; border-title-color: $foreground; }
    StreamPane:focus-within { border: round $primary; }
    StreamPane > Input { display: none; height: 1; border: none; padding: 0 1; background: $panel; }
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
            placeholder="filter: Event=Hangup Cause!=16  Channel~^PJSIP/  text", id="filter"
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
            self.notify(str(exc), title="Filter not applied", severity="error")
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
            self.notify(f"Filter cleared; still muted: {', '.join(sorted(self.view.muted))}")

    def action_mute_selected(self) -> None:
        entry = self.stream.selected_entry()
        if not isinstance(entry, StoredEvent) or not entry.frame.name:
            self.notify("Select an event first (up/down), then m mutes its type")
            return
        self.view.mute(entry.frame.name)
        self.stream.sync()
        self.update_titles()
        self.notify(f"Muted {entry.frame.name} (t lists types to unmute)")

    # -- titles -----------------------------------------------------------------------------

    def update_titles(self) -> None:
        shown, total = len(self.stream.rows), len(self.view.ring)
        title = f"Events {shown:,}" if shown == total else f"Events {shown:,} of {total:,}"
        if self.view.filter:
            title += f" · filter: {self.view.filter.text}"
        if self.view.muted:
            title += f" · muted {len(self.view.muted)}"
        self.border_title = title
        if self.stream.following:
            self.border_subtitle = "following · ↑ or space pauses"
        else:
            self.border_subtitle = f"PAUSED · {self.stream.waiting:,} new · End follows"
