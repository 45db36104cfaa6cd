"""The live event stream: a Line-API view over the filtered ring.

Only visible rows are rendered, each from a cache keyed by sequence number, so the cost of a
refresh follows the screen size, not the event rate. The widget never receives a message per
event: the app calls `sync()` from a ~20 Hz timer, which does nothing when the store has not
changed. While following, the newest row stays in view; moving the cursor up (or scrolling
with the mouse) pauses, and new events are kept and counted until the user follows again.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Callable

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.cache import LRUCache
from textual.color import Color, ColorParseError
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from amitui.protocol import Frame, FrameKind
from amitui.protocol.safetext import shown
from amitui.store import Entry, FilteredView, GapMarker, StoredEvent
from amitui.store.formats import describe_frame
from amitui.ui import keymap
from amitui.ui.widgets.scrolling import SteadySize

# With several servers open: each row's server and the colour to name it in (a profile's
# `color`, or None for the theme's). None as the whole: one server, no column.
OriginOf = Callable[[Entry], tuple[str, str | None]]
ORIGIN_MAX = 12  # cells for the server column at most; a longer name is cut with "…"

# Headers that identify an event at a glance, in the order they are shown.
SUMMARY_KEYS = (
    "Channel", "DestChannel", "LocalOneChannel", "LocalTwoChannel", "Service", "AccountID",
    "RemoteAddress", "Variable", "Value", "DialStatus", "Cause", "Cause-txt", "Exten",
    "Application", "AppData", "UserEvent", "ChannelStateDesc", "BridgeUniqueid", "Device",
    "State", "Peer", "PeerStatus", "Endpoint", "ContactStatus", "AOR", "Status", "Response",
    "Message", "Uniqueid", "Linkedid",
)  # fmt: skip
_BARE_KEYS = frozenset({"Channel"})  # shown as a bare value: it is the row's subject
_SHORT = {
    "ChannelStateDesc": "State", "BridgeUniqueid": "Bridge", "DestChannel": "Dest",
    "LocalOneChannel": "LocalOne", "LocalTwoChannel": "LocalTwo", "RemoteAddress": "From",
}  # fmt: skip
_SKIP = frozenset({"event", "privilege", "actionid"})
# What every channel event carries (Asterisk's channel snapshot). A UserEvent's own headers
# are the ones outside it: they are what the dialplan author put there, so they come first.
_SNAPSHOT = frozenset(
    key.lower()
    for key in (
        "Event", "Privilege", "Channel", "ChannelState", "ChannelStateDesc", "CallerIDNum",
        "CallerIDName", "ConnectedLineNum", "ConnectedLineName", "Language", "AccountCode",
        "Context", "Exten", "Priority", "Uniqueid", "Linkedid", "UserEvent", "ActionID",
        "SystemName", "Timestamp", "Tenantid",
    )
)  # fmt: skip
_HANGUPS = frozenset({"Hangup", "HangupRequest", "SoftHangupRequest", "HangupHandlerRun"})
FAMILIES = ("call", "dialplan", "system", "security", "agent", "user", "reporting")
NAME_WIDTH = 22
CACHE_SIZE = 500  # drawn rows kept: ten screens of 45; each row is ~15 objects the collector walks


def _first_values(frame: Frame) -> dict[str, str]:
    """The first value of each header, by lower-case name, from a parse that is not kept.

    A row is drawn from this once and then cached as a line; asking the frame itself would
    keep its parsed headers for as long as the event stays in the ring, which in a quiet stream
    (where every event gets drawn) would multiply what each stored event costs.
    """
    first: dict[str, str] = {}
    for key, value in frame.peek_headers():
        first.setdefault(key.lower(), value)
    return first


def family(frame: Frame, first: dict[str, str] | None = None) -> str:
    """The colour role of an event: from its Privilege class, which Asterisk always sends."""
    if frame.kind is FrameKind.MALFORMED:
        return "malformed"
    if frame.kind is not FrameKind.EVENT:
        return "response"
    if frame.name in _HANGUPS:
        return "hangup"
    values = first if first is not None else _first_values(frame)
    klass = values.get("privilege", "").split(",", 1)[0].lower()
    return klass if klass in FAMILIES else "other"


def summary(
    frame: Frame, limit: int = 8, first: dict[str, str] | None = None
) -> list[tuple[str | None, str]]:
    """(key, value) pairs to show after the name; key None means a bare value."""
    if frame.kind is FrameKind.MALFORMED:
        return [(None, frame.error or "malformed")]
    values = first if first is not None else _first_values(frame)
    picked: list[tuple[str | None, str]] = []
    if frame.name == "UserEvent":
        name = values.get("userevent")
        if name:
            picked.append(("UserEvent", name))
        picked.extend(_own_headers(frame))
        if len(picked) >= limit:
            return picked[:limit]
    for key in SUMMARY_KEYS:
        if picked and key == "UserEvent":
            continue
        value = values.get(key.lower())
        if value:
            picked.append((None if key in _BARE_KEYS else _SHORT.get(key, key), value))
            if len(picked) >= limit:
                return picked
    if not picked:  # an event nobody listed: show whatever it carries
        for key, value in frame.peek_headers():
            if key.lower() not in _SKIP and value:
                picked.append((key, value))
                if len(picked) >= 4:
                    break
    return picked


def _own_headers(frame: Frame) -> list[tuple[str | None, str]]:
    """A UserEvent's headers beyond the channel snapshot, in wire order."""
    return [(k, v) for k, v in frame.peek_headers() if k.lower() not in _SNAPSHOT and v]


class EventStream(SteadySize, ScrollView, can_focus=True):
    COMPONENT_CLASSES = {
        "event-stream--time",
        "event-stream--key",
        "event-stream--cursor",
        "event-stream--gap",
        "event-stream--malformed",
        "event-stream--response",
        "event-stream--hangup",
        "event-stream--other",
        "event-stream--server",
        *(f"event-stream--{name}" for name in FAMILIES),
    }
    DEFAULT_CSS = """
    EventStream { background: $surface; scrollbar-size-vertical: 1; overflow-x: hidden; }
    EventStream > .event-stream--time { color: $event-time; }
    EventStream > .event-stream--key { color: $event-key; }
    EventStream > .event-stream--cursor { background: $event-cursor-background; }
    EventStream:focus > .event-stream--cursor {
        background: $event-cursor-background; text-style: bold;
    }
    EventStream > .event-stream--gap { color: $event-gap; text-style: bold; }
    EventStream > .event-stream--malformed { color: $event-malformed; text-style: bold; }
    EventStream > .event-stream--response { color: $event-response; text-style: italic; }
    EventStream > .event-stream--hangup { color: $event-hangup; text-style: bold; }
    EventStream > .event-stream--other { color: $event-other; }
    EventStream > .event-stream--server { color: $accent; text-style: bold; }
    EventStream > .event-stream--call { color: $event-call; }
    EventStream > .event-stream--dialplan { color: $event-dialplan; }
    EventStream > .event-stream--system { color: $event-system; }
    EventStream > .event-stream--security { color: $event-security; }
    EventStream > .event-stream--agent { color: $event-agent; }
    EventStream > .event-stream--user { color: $event-user; }
    EventStream > .event-stream--reporting { color: $event-reporting; }
    """
    BINDINGS = keymap.bindings("stream")

    following: reactive[bool] = reactive(True)

    class Selected(Message):
        """The user selected an entry (cursor moved or clicked)."""

        def __init__(self, entry: Entry) -> None:
            super().__init__()
            self.entry = entry

    class FollowChanged(Message):
        def __init__(self, following: bool) -> None:
            super().__init__()
            self.following = following

    def __init__(
        self,
        view: FilteredView,
        *,
        clock_format: Callable[[float], str] | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.view = view
        self.rows: list[int] = []
        self.cursor: int | None = None  # index into rows; None while following
        self.waiting = 0  # rows that arrived while paused
        self._paused_at_seq = 0
        # Drawn rows by seq: each row's segments and width.
        self._cache: LRUCache[int, tuple[list[Segment], int]] = LRUCache(CACHE_SIZE)
        self._widest = 0  # the longest row drawn so far: how far right `right` may scroll
        self._format_time = clock_format or format_time
        self._origin: OriginOf | None = None
        self._origin_width = 0
        self._origin_styles: dict[str | None, Style] = {}
        self._draw_style: Style | None = None  # rich_style while a draw is under way

    # -- data -------------------------------------------------------------------------------

    def sync(self) -> bool:
        """Take the view's current rows; True when anything changed."""
        rows = self.view.rows()
        if rows is self.rows:
            return False
        selected = self.selected_seq
        self.rows = rows
        # The stream's box never changes with its rows: a new size tells the scrollbars, not a
        # layout of the whole screen (~25 ms each while the ring fills): SteadySize.
        self.virtual_size = Size(max(self._widest, self.size.width), len(rows))
        moved = False
        if selected is not None:
            index = bisect_left(rows, selected)
            found = index < len(rows) and rows[index] == selected
            self.cursor = index if found else (min(index, len(rows) - 1) if rows else None)
            moved = not found and self.cursor is not None
        if self.following:
            self.scroll_to(y=len(rows), animate=False, immediate=True, force=True)
            self.waiting = 0
        else:
            self.waiting = len(rows) - bisect_left(rows, self._paused_at_seq + 1)
        self.refresh()
        if moved:
            # The selected event left the rows (a filter, an eviction): the highlight is on
            # another one now, and the inspector must show that one, not the one gone.
            entry = self.selected_entry()
            if entry is not None:
                # Posted from this widget's own turn: sync() often runs in the pane's handler,
                # and Textual stops a message at the parent that was current when it was made.
                self.call_later(self._announce, entry)
        return True

    def _announce(self, entry: Entry) -> None:
        self.post_message(self.Selected(entry))

    def notify_style_update(self) -> None:
        """Textual restyled the widget (a new theme, among others): the drawn rows carry the
        old colours, so they are drawn again, as Textual's own Log does."""
        super().notify_style_update()
        self._cache.clear()
        self._origin_styles.clear()

    def show_origins(self, origin: OriginOf | None, width: int = 0) -> None:
        """With several servers, a column naming each row's server, `width` cells wide (None:
        no column, as with one server). The drawn rows change (a server may have joined):
        they are all drawn again."""
        width = min(max(width, 1), ORIGIN_MAX) if origin is not None else 0
        self._origin, self._origin_width = origin, width
        self._cache.clear()
        self._origin_styles.clear()
        self._widest = 0
        self.refresh()

    @property
    def selected_seq(self) -> int | None:
        if self.cursor is None or not self.rows:
            return None
        return self.rows[min(self.cursor, len(self.rows) - 1)]

    def selected_entry(self) -> Entry | None:
        seq = self.selected_seq
        return None if seq is None else self.view.ring.get(seq)

    # -- movement ---------------------------------------------------------------------------

    def watch_following(self, following: bool) -> None:
        if following:
            self.cursor = None
            self.waiting = 0
            self.scroll_to(y=len(self.rows), animate=False, immediate=True, force=True)
        else:
            self._paused_at_seq = self.rows[-1] if self.rows else 0
        self.refresh()
        self.post_message(self.FollowChanged(following))

    def _move_to(self, index: int) -> None:
        if not self.rows:
            return
        index = max(0, min(index, len(self.rows) - 1))
        self.following = False
        self.cursor = index
        top = self.scroll_offset.y
        height = max(1, self.size.height)
        if index < top:
            self.scroll_to(y=index, animate=False, immediate=True, force=True)
        elif index >= top + height:
            self.scroll_to(y=index - height + 1, animate=False, immediate=True, force=True)
        self.refresh()
        entry = self.selected_entry()
        if entry is not None:
            self.post_message(self.Selected(entry))

    def action_cursor(self, delta: int) -> None:
        start = self.cursor if self.cursor is not None else len(self.rows)
        self._move_to(start + delta)

    def action_page(self, direction: int) -> None:
        start = self.cursor if self.cursor is not None else len(self.rows) - 1
        self._move_to(start + direction * max(1, self.size.height - 1))

    def action_sideways(self, direction: int) -> None:
        """Scroll the rows sideways, so a long row can be read whole."""
        step = max(8, self.size.width // 3)
        x = max(0, self.scroll_offset.x + direction * step)
        self.scroll_to(x=x, animate=False, immediate=True, force=True)
        self.refresh()

    def action_first(self) -> None:
        self._move_to(0)

    def action_follow(self) -> None:
        self.following = True

    def action_toggle_pause(self) -> None:
        self.following = not self.following

    def on_click(self, event: events.Click) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < len(self.rows):
            self._move_to(index)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self.following = False

    # -- rendering --------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # The widget's style, once a draw: `rich_style` walks every ancestor's styles, and
        # each row took it twice (bench/console.py).
        self._draw_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._draw_style = None

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.size.width
        base = self.rich_style if self._draw_style is None else self._draw_style
        if index >= len(self.rows):
            return Strip.blank(width, base)
        seq = self.rows[index]
        strip = self._line(seq)
        style = base
        if index == self.cursor:
            # Under the widget's own style, so the cursor's background wins over the pane's
            # while each segment keeps its colour (a style applied later only fills gaps).
            cursor = self.get_component_rich_style("event-stream--cursor")
            strip = strip.apply_style(cursor)
            style = base + cursor
        strip = strip.apply_style(base)
        strip = strip.crop(self.scroll_offset.x, self.scroll_offset.x + width)
        return strip.extend_cell_length(width, style)

    def _line(self, seq: int) -> Strip:
        """The row's strip, new at each draw from its cached segments. A cached Strip kept
        the strips Textual derived from it for one frame (styled, cropped: each with seven
        caches of its own) as long as the row stayed cached: 20,000 more objects for every
        full garbage collection to walk (bench/console.py)."""
        cached = self._cache.get(seq)
        if cached is None:
            entry = self.view.ring.get(seq)
            segments = self._segments(entry) if entry is not None else []
            cached = (segments, Segment.get_line_length(segments))
            if cached[1] > self._widest:
                self._widest = cached[1]
                self.virtual_size = Size(self._widest, len(self.rows))
            self._cache.set(seq, cached)
        return Strip(*cached)

    def _style(self, role: str) -> Style:
        return self.get_component_rich_style(f"event-stream--{role}", partial=True)

    def _segments(self, entry: Entry) -> list[Segment]:
        stamp = Segment(self._format_time(entry.received) + " ", self._style("time"))
        if self._origin is not None:
            return [stamp, self._origin_segment(entry), *self._body(entry)]
        return [stamp, *self._body(entry)]

    def _origin_segment(self, entry: Entry) -> Segment:
        assert self._origin is not None
        label, color = self._origin(entry)
        width = self._origin_width
        text = shown(label)  # a proxy's `Server:` value is the server's text
        # By cells, not characters: a name may hold wide ones.
        cut = cell_len(text) > width
        text = set_cell_size(text, width - 1) + "…" if cut else set_cell_size(text, width)
        style = self._origin_styles.get(color)
        if style is None:
            style = self._origin_styles[color] = self._style("server") + _color_style(color)
        return Segment(text + " ", style)

    def _body(self, entry: Entry) -> list[Segment]:
        # Every name, key and value is the server's text: shown() makes its escapes visible
        # (a Segment goes to the terminal as it is).
        if isinstance(entry, GapMarker):
            return [Segment(f"──── {shown(entry.reason)} ────", self._style("gap"))]
        assert isinstance(entry, StoredEvent)
        frame = entry.frame
        first = _first_values(frame)
        role = family(frame, first)
        name = shown(describe_frame(frame))
        segs = [Segment(name.ljust(NAME_WIDTH) + " ", self._style(role))]
        key_style = self._style("key")
        for key, value in summary(frame, first=first):
            if key is not None:
                segs.append(Segment(f"{shown(key)}=", key_style))
            segs.append(Segment(shown(value) + "  "))
        return segs


def _color_style(color: str | None) -> Style:
    """A profile's colour as a foreground; one that Textual cannot read is left out (the
    title already says so once)."""
    if not color:
        return Style()
    try:
        return Style(color=Color.parse(color).rich_color)
    except ColorParseError:
        return Style()


def format_time(epoch: float) -> str:
    """HH:MM:SS.mmm in local time: what an engineer compares with the PBX's own logs."""
    whole = int(epoch)
    return time.strftime("%H:%M:%S", time.localtime(whole)) + f".{int((epoch - whole) * 1000):03d}"
