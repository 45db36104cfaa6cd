"""The event stream pane: the stream, its filter bar, and titles saying what is shown.

The pane keeps its titles current itself: `sync()` takes the view's new rows and retitles, and
the stream's FollowChanged retitles it too. The title counts events; gap markers are rows of
the stream but not events, so they are counted apart ("Events 44 · 2 gaps"), and the number
agrees with the status bar's.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Region
from textual.widgets import Input

from amitui.protocol import safetext
from amitui.store import EventRing, FilteredView, FilterError, GapMarker, StoredEvent, parse_filter
from amitui.ui import keymap, safe
from amitui.ui.widgets.stream import EventStream


def _plain(text: Content | None) -> str:
    return "" if text is None else text.plain


class GapSeqs:
    """The seqs of the gap markers in a ring, kept up to date with one look at each entry.

    Markers are rare (one per reconnect) but the ring may hold 100,000 entries: each update
    looks only at what arrived since the last one and drops what the ring evicted.
    """

    def __init__(self, ring: EventRing) -> None:
        self.ring = ring
        self.seqs: list[int] = []
        self._scanned = 0  # the last seq looked at

    def update(self) -> list[int]:
        ring = self.ring
        new = ring.since(self._scanned)
        if new:
            self.seqs.extend(e.seq for e in new if isinstance(e, GapMarker))
            self._scanned = new[-1].seq
        oldest = ring.first_seq or ring.next_seq  # an empty ring keeps none
        if self.seqs and self.seqs[0] < oldest:
            self.seqs = self.seqs[bisect_left(self.seqs, oldest) :]
        return self.seqs

    def between(self, first: int, last: int) -> int:
        """How many markers have a seq in [first, last]."""
        return bisect_right(self.seqs, last) - bisect_left(self.seqs, first)


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
    BINDINGS = keymap.bindings("pane")

    def __init__(
        self, view: FilteredView, *, keys: keymap.KeyHints | None = None, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.view = view
        self.key_hints = keys or keymap.KeyHints()  # the keys the hints name
        self.stream = EventStream(view, id="stream")
        self._gaps = GapSeqs(view.ring)
        self._titled_version = -1  # the ring's version the title last counted

    def compose(self) -> ComposeResult:
        yield Input(
            placeholder="filter: Event=Hangup Cause!=16  Channel~^PJSIP/  text",
            id="filter",
            highlighter=safe.MASK,  # a followed call puts the server's Linkedid in here
        )
        yield self.stream

    def on_mount(self) -> None:
        self.update_titles()

    def sync(self) -> bool:
        """Take the view's new rows, if any, and retitle; True when anything changed. The
        title counts what the ring holds too ("12 of 340"): events a filter hides change
        that count without changing the rows, so the title follows the ring's version."""
        changed = self.stream.sync()
        version = self.view.ring.version
        if changed or version != self._titled_version:
            self._titled_version = version
            self.update_titles()
        return changed

    def on_event_stream_follow_changed(self, _: EventStream.FollowChanged) -> None:
        self.update_titles()  # and on to the app, for the status bar

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
        key = self.key_hints.key
        if not isinstance(entry, StoredEvent) or not entry.frame.name:
            safe.notify(
                self,
                f"Select an event first ({key('stream.up')}/{key('stream.down')}), "
                f"then {key('stream.mute')} mutes its type",
            )
            return
        self.view.mute(entry.frame.name)
        self.stream.sync()
        self.update_titles()
        safe.notify(self, f"Muted {entry.frame.name} ({key('app.types')} lists types to unmute)")

    # -- titles -----------------------------------------------------------------------------

    def update_titles(self) -> None:
        rows = self.stream.rows
        gaps = self._gaps.update()
        # Every marker passes every filter, so the shown rows hold those in their range.
        shown = len(rows) - (self._gaps.between(rows[0], rows[-1]) if rows else 0)
        total = len(self.view.ring) - len(gaps)
        title = f"Events {shown:,}" if shown == total else f"Events {shown:,} of {total:,}"
        if gaps:
            title += f" · {len(gaps):,} gap{'s' if len(gaps) > 1 else ''}"
        if self.view.filter:
            title += f" · filter: {safetext.shown(self.view.filter.text)}"
        if self.view.muted:
            title += f" · muted {len(self.view.muted)}"
        key = self.key_hints.key  # Content, not markup: a key may be spelled `[`
        if self.stream.following:
            subtitle = f"following · {key('stream.up')} or {key('stream.pause')} pauses"
        else:
            subtitle = f"PAUSED · {self.stream.waiting:,} new · {key('stream.follow')} follows"
        # Content, not markup: the filter may quote the server.
        self._set_edges(Content(title), Content(subtitle))

    def _set_edges(self, title: Content, subtitle: Content) -> None:
        """The border's title and subtitle, redrawing only the rows they sit in.

        Setting `border_title` redraws the whole pane (Textual's descriptor), and the title
        changes at every tick that brings events: ~1.6 ms, ~14 times a second under a flood
        (bench/console.py), for two rows of text. Textual is pinned (pyproject.toml): this
        sets the attributes its descriptor sets, `_border_title` and `_border_subtitle`."""
        width, height = self.outer_size
        if not self.is_mounted or height < 2:  # not laid out yet: the whole pane is drawn
            self.border_title, self.border_subtitle = title, subtitle
            return
        left, top = self.content_offset
        title, subtitle = title.expand_tabs(4), subtitle.expand_tabs(4)  # as the descriptor
        rows = []
        if title.plain != _plain(self._border_title):
            self._border_title = title
            rows.append(Region(-left, -top, width, 1))
        if subtitle.plain != _plain(self._border_subtitle):
            self._border_subtitle = subtitle
            rows.append(Region(-left, height - 1 - top, width, 1))
        if rows:
            self.refresh(*rows)
