"""The console's keys in one table: bindings, palette entries and every "press X" hint.

Each row names a binding id (what `[keys]` in the config file rebinds), its default key, the
action it runs and the words shown for it. From the table come the BINDINGS of the app, the
stream pane and the stream, the command palette's entries, and the hints in titles and
notifications. A hint asks `KeyHints.key(id)`, which answers with the key bound now, after the
user's overrides, so rebinding a key never leaves a hint naming the old one.

Only the main screen's keys are here; a modal screen or a composer field keeps its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Literal

from textual.actions import parse
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.keys import format_key

Owner = Literal["app", "pane", "stream"]  # AmiApp, StreamPane, EventStream


@dataclass(frozen=True, slots=True)
class Command:
    id: str  # the binding id: what [keys] rebinds
    key: str  # default key(s) in Textual's names, comma-separated; "" for the palette only
    action: str  # the action string, run on the owner
    owner: Owner  # whose BINDINGS it is in (Textual looks up the action there)
    description: str  # the footer's and the key panel's word for it
    title: str = ""  # the command palette's title; "" keeps it out of the palette
    help: str = ""  # the palette's line under the title; the current key is added to it
    show: bool = True  # in the footer
    priority: bool = False


_C = Command
COMMANDS: tuple[Command, ...] = (
    # The stream: moving pauses following.
    _C("stream.up", "up,k", "cursor(-1)", "stream", "Up", show=False),
    _C("stream.down", "down,j", "cursor(1)", "stream", "Down", show=False),
    _C("stream.page-up", "pageup", "page(-1)", "stream", "Page up", show=False),
    _C("stream.page-down", "pagedown", "page(1)", "stream", "Page down", show=False),
    _C("stream.first", "home,g", "first", "stream", "First", show=False),
    _C("stream.follow", "end,G", "follow", "stream", "Follow",
       "Follow stream", "Jump to the newest event"),
    _C("stream.pause", "space", "toggle_pause", "stream", "Pause",
       "Pause stream", "Keep events, stop"),
    _C("stream.left", "left", "sideways(-1)", "stream", "Scroll left", show=False),
    _C("stream.right", "right", "sideways(1)", "stream", "Scroll right", show=False),
    # The stream pane: what the stream shows.
    _C("stream.filter", "slash", "open_filter", "pane", "Filter",
       "Filter events", "Filter the stream"),
    _C("stream.clear-filter", "x", "clear_filter", "pane", "Clear filter",
       "Clear filter", "Show every event again"),
    _C("stream.mute", "m", "mute_selected", "pane", "Mute type",
       "Mute selected event type", "Hide this type"),
    # The app: panes, screens and tools. This order is the footer's.
    _C("app.focus-events", "e", "focus('stream')", "app", "Events"),
    _C("app.focus-composer", "a", "focus_composer", "app", "Compose",
       "Compose action", "Pick an action from ListCommands"),
    _C("app.focus-inspector", "i", "focus('inspector')", "app", "Inspect"),
    _C("app.types", "t", "types", "app", "Types",
       "Event types", "Counts per type; mute and unmute"),
    _C("app.calls", "c", "calls", "app", "Calls",
       "Calls", "Calls traced by Uniqueid and Linkedid, with timelines"),
    _C("app.live", "l", "live", "app", "Live",
       "Live PBX state", "Channels, bridges, endpoints, queues right now", show=False),
    _C("app.catalog", "d", "catalog", "app", "Catalog",
       "Event catalog", "Types and headers seen vs the server's docs"),
    _C("app.why", "w", "why", "app", "Why no events?",
       "Why don't I see events?", "Read classes, event mask, what is missing", show=False),
    _C("app.follow-call", "f", "follow_call", "app", "Follow call",
       "Follow this call", "Filter to the selected call", show=False),
    _C("app.hangup", "h", "hangup", "app", "Hangup",
       "Hang up selected channel", "Prepare Hangup"),
    _C("app.redirect", "r", "redirect", "app", "Redirect",
       "Redirect selected channel", "Prepare Redirect", show=False),
    _C("app.originate", "o", "originate", "app", "Originate",
       "Originate", "Prepare an Originate"),
    _C("app.history", "H", "history", "app", "History",
       "History and saved actions", "Edit or re-send"),
    _C("app.record", "R", "record", "app", "Record",
       "Record to a file", "Start or stop an .amirec recording", show=False),
    _C("app.export", "X", "export('ndjson')", "app", "Export",
       "Export as NDJSON", "The filtered stream, one JSON per line", show=False),
    _C("app.export-json", "", "export('json')", "app", "Export JSON",
       "Export as JSON", "The filtered stream, one array"),
    _C("app.export-csv", "", "export('csv')", "app", "Export CSV",
       "Export as CSV", "The filtered stream, a column per header"),
    _C("replay.pause", "p", "replay_pause", "app", "Play/pause"),
    _C("replay.step", "full_stop", "replay_step", "app", "Step"),
    _C("replay.back", "less_than_sign", "replay_back", "app", "-10 s"),
    _C("replay.forward", "greater_than_sign", "replay_forward", "app", "+10 s"),
    _C("replay.faster", "plus", "replay_faster", "app", "Faster", show=False),
    _C("replay.slower", "minus", "replay_slower", "app", "Slower", show=False),
    _C("app.help", "question_mark", "help", "app", "Keys"),
    _C("app.leave", "escape", "leave", "app", "Back to events", show=False),
    _C("app.maximize", "f11", "maximize", "app", "Maximize", show=False),
    _C("app.quit", "ctrl+q", "quit", "app", "Quit", priority=True),
)  # fmt: skip
BY_ID = {c.id: c for c in COMMANDS}

# The palette's entries, in the order it lists them: what the stream shows first, then the
# screens and the tools.
PALETTE = (
    "stream.filter", "stream.clear-filter", "stream.follow", "stream.pause", "stream.mute",
    "app.types", "app.calls", "app.live", "app.catalog", "app.why", "app.follow-call",
    "app.focus-composer", "app.originate", "app.hangup", "app.redirect", "app.history",
    "app.record", "app.export", "app.export-json", "app.export-csv",
)  # fmt: skip


def bindings(owner: Owner) -> list[BindingType]:
    """The BINDINGS of one owner, in table order."""
    return [
        Binding(c.key, c.action, c.description, show=c.show, id=c.id, priority=c.priority)
        for c in COMMANDS
        if c.owner == owner and c.key
    ]


# Names that read better in a sentence than Textual's footer spelling ("end", "pgup").
_SPELLED = {
    "end": "End", "home": "Home", "pageup": "PgUp", "pagedown": "PgDn", "escape": "Esc",
    "enter": "Enter", "tab": "Tab", "delete": "Del", "insert": "Ins",
}  # fmt: skip


def spell(key: str) -> str:
    """One key as a hint names it: `/` for slash, `↑` for up, `End`, `ctrl+f`."""
    key = key.strip()
    if len(key) == 1:
        return key
    return _SPELLED.get(key) or format_key(key)


class KeyHints:
    """The keys bound now: the table's defaults under the user's `[keys]` overrides."""

    def __init__(self, overrides: Mapping[str, str] | None = None) -> None:
        self.overrides = dict(overrides or {})

    def key(self, binding_id: str) -> str:
        """The key that runs `binding_id`, as a hint spells it (the first one, if several)."""
        # An empty override is ignored, as Textual's keymap ignores it.
        keys = self.overrides.get(binding_id) or BY_ID[binding_id].key
        return spell(keys.split(",")[0])

    def help(self, command: Command) -> str:
        """The palette's help line: the command's help and, if it has one, its key."""
        if not command.key:
            return command.help
        return f"{command.help} ({self.key(command.id)})"

    def palette(self, owners: Mapping[Owner, DOMNode]) -> Iterator[SystemCommand]:
        """The palette's entries, each calling its action on the owner directly."""
        for binding_id in PALETTE:
            command = BY_ID[binding_id]
            _, name, params = parse(command.action)
            method = getattr(owners[command.owner], f"action_{name}")
            yield SystemCommand(command.title, self.help(command), partial(method, *params))
