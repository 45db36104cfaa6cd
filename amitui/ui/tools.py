"""The console's tools beyond the three panes: the event catalog, the permission check, call
tracing, history, recording, export and replay controls.

Three small parts AmiApp makes and hands what they use, so app.py stays about composition and
data flow: `Tools` (exploring, history, export), `Recorder` (the record toggle) and
`ReplayKeys` (the playback controls). Bindings and `action_*` methods stay on AmiApp (Textual
gathers bindings from DOM classes and looks actions up there); each is one call into a part.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App

from amitui.client.interface import ReplayControl, SessionLike
from amitui.protocol import Action
from amitui.store import ActionHistory, EventRing, FilteredView, StoredEvent
from amitui.store.callheaders import NO_CHANNEL
from amitui.store.catalog import EventCatalog
from amitui.store.saved import Collection, HistoryFile, SavedError
from amitui.ui import safe
from amitui.ui.app_settings import Settings
from amitui.ui.bridge import StoreBridge
from amitui.ui.fleet import Fleet, Member, Target
from amitui.ui.keymap import KeyHints
from amitui.ui.widgets.stream import EventStream
from amitui.ui.widgets.stream_pane import StreamPane

# The screens, recording and export are imported when first used, not at start-up: the
# first paint waits for every import (bench/startup.py).
if TYPE_CHECKING:
    from amitui.capture.live import LiveRecording
    from amitui.store.docs import SessionDocs

REPLAY_ACTIONS = frozenset(
    {"replay_pause", "replay_step", "replay_back", "replay_forward", "replay_faster",
     "replay_slower"}
)  # fmt: skip


# Every toast here goes through safe.notify: filters quote Linkedids, errors quote files.


@dataclass
class ToolHooks:
    """What Tools asks of the rest of the app: the server actions go to, and sending."""

    target_catalog: Callable[[], EventCatalog]  # the catalog of the server actions go to
    target_selected: Callable[[], None]  # actions go to the selected event's server
    request_send: Callable[[Action], None]  # with the read-only and confirmation checks
    prepare: Callable[[str, list[tuple[str, str]]], None]  # into the composer, not sent


class Tools:
    """The catalog, the permission check, call tracing, history and export (made by AmiApp)."""

    def __init__(
        self, host: App[Any], fleet: Fleet, bridge: StoreBridge, ring: EventRing,
        view: FilteredView, history: ActionHistory, event_docs: SessionDocs,
        key_hints: KeyHints, settings: Settings, hooks: ToolHooks,
    ) -> None:  # fmt: skip
        self.host = host  # the widgets, screens and toasts
        self.fleet = fleet
        self.bridge = bridge
        self.ring = ring
        self.view = view
        self.history = history
        self.event_docs = event_docs
        self.key_hints = key_hints
        self.settings = settings
        self.hooks = hooks

    # -- exploring: catalog, permissions, calls ---------------------------------------------

    def catalog(self) -> None:
        from amitui.ui.screens.catalog import CatalogScreen

        self.bridge.analyse(budget=None)  # up to date before it is shown
        # With several servers: the composer's server, compared with its own docs.
        server = self.fleet.member().spec.address
        if self.fleet.several:
            server = f"{self.fleet.describe()} ({server})"
        catalog = CatalogScreen(self.hooks.target_catalog(), self.event_docs, server=server)
        self.host.push_screen(catalog)

    def why(self) -> None:
        from amitui.ui.screens.why import WhyNoEvents

        self.bridge.analyse(budget=None)
        spec = self.fleet.member().spec
        self.host.push_screen(WhyNoEvents(self.event_docs, self.hooks.target_catalog(), spec))

    def calls(self) -> None:
        from amitui.ui.screens.calls import CallsScreen

        self.bridge.analyse(budget=None)
        # Functions, not values: a replay seeking back replaces the tracker and its clock.
        screen = CallsScreen(self.bridge.call_book, self.ring, clock=lambda: self.bridge.clock())
        self.host.push_screen(screen, self.follow)

    def follow_call(self) -> None:
        self.bridge.analyse(budget=None)
        entry = self.host.query_one(EventStream).selected_entry()
        call = None
        if isinstance(entry, StoredEvent):  # ids are one server's: its own tracker
            call = self.bridge.tracker_of(entry).call_of(entry.frame)
        if call is None:
            key = self.key_hints.key  # the keys bound now, after [keys]
            safe.notify(
                self.host,
                f"Select an event of a call first ({key('stream.up')}/{key('stream.down')}); "
                f"{key('app.calls')} lists every call",
            )
            return
        self.follow(call.filter_text())

    def prepare_for_channel(self, name: str) -> None:
        """Hangup or Redirect of the selected event's channel, prepared in the composer."""
        entry = self.host.query_one(EventStream).selected_entry()
        channel = entry.frame.get("Channel") if isinstance(entry, StoredEvent) else None
        if not channel or channel == NO_CHANNEL:  # `none`: a global variable's VarSet
            key = self.key_hints.key
            how = f"{key('app.focus-events')}, then {key('stream.up')}/{key('stream.down')}"
            safe.notify(self.host, f"Select an event with a Channel first ({how})")
            return
        if self.refuse_gone_channel(name):
            return
        self.hooks.target_selected()  # the channel is on the server the event came from
        self.hooks.prepare(name, [("Channel", channel)])

    def refuse_gone_channel(self, action: str) -> bool:
        """Before preparing a Hangup or Redirect of the selected event's channel: when that
        channel has already hung up, say so and prepare nothing. By name the action could
        reach another channel: after a restart the same name is a new channel."""
        entry = self.host.query_one(EventStream).selected_entry()
        if not isinstance(entry, StoredEvent):
            return False
        self.bridge.analyse(budget=None)  # tracing up to date with the stream
        frame = entry.frame
        tracker = self.bridge.tracker_of(entry)
        trace = tracker.channel(frame.get("Uniqueid"), frame.get("Channel"))
        if trace is None or trace.cause is None:
            return False
        why = f"{trace.cause} {trace.cause_txt}".strip() or "cause unknown"
        text = f"{trace.name} has already hung up ({why}); {action} not prepared"
        safe.notify(self.host, text, title="Channel gone", severity="warning")
        return True

    def follow(self, filter_text: str | None) -> None:
        if filter_text and self.host.query_one(StreamPane).apply_filter(filter_text):
            clears = self.key_hints.key("stream.clear-filter")
            safe.notify(self.host, f"Following the call: {filter_text} ({clears} clears)")

    # -- history and saved actions ----------------------------------------------------------

    def history_file(self, target: Target | None = None) -> HistoryFile:
        """The history of one server (default: the one actions go to)."""
        member = self.fleet.member(target)
        profile, spec = member.profile.name or None, member.spec
        return HistoryFile(profile, server=spec.address, user=spec.user, demo=self.settings.demo)

    def load_history(self) -> None:
        for member in self.fleet:  # each server's own file
            try:
                self.history_file(Target(member.name)).load_into(self.history)
            except SavedError as exc:
                safe.notify(self.host, str(exc), title="History not loaded", severity="warning")

    def remember(self, action_id: str, target: Target | None = None) -> None:
        record = self.history.get(action_id)
        member = self.fleet.member(target)
        if record is None or member.replay is not None:
            return
        try:
            self.history_file(target).append(record, server=member.spec.address)
        except SavedError as exc:
            safe.notify(self.host, str(exc), title="History not saved", severity="warning")

    def show_history(self) -> None:
        from amitui.ui.screens.history import HistoryScreen

        collection = Collection(self.fleet.member().profile.name or None)  # the target's
        try:
            saved = collection.load()
        except SavedError as exc:
            safe.notify(self.host, str(exc), title="Saved actions not loaded", severity="warning")
            saved = {}
        screen = HistoryScreen(
            self.history, saved, collection=collection, source=self.history_file()
        )

        def chosen(choice: tuple[str, list[tuple[str, str]]] | None) -> None:
            if choice is None:
                return
            name, headers = choice
            if screen.resend:
                self.hooks.request_send(Action.of(name, headers))
            else:
                self.hooks.prepare(name, headers)

        self.host.push_screen(screen, chosen)

    # -- export -----------------------------------------------------------------------------

    def export(self, fmt: str = "ndjson") -> None:
        """The stream as filtered now, to a file in the current directory."""
        from amitui.store.exporting import ExportError, default_export_name, export_entries

        entries = [e for seq in self.view.rows() if (e := self.ring.get(seq)) is not None]
        path = default_export_name(fmt, time.time())
        try:
            count = export_entries(entries, path, fmt)
        except (ExportError, OSError) as exc:
            safe.notify(self.host, str(exc), title="Export failed", severity="error")
            return
        safe.notify(self.host, f"{count:,} events to {Path(path).resolve()}", title="Exported")


class Recorder:
    """The record toggle: one `.amirec` per live server (made by AmiApp)."""

    def __init__(
        self, host: App[Any], fleet: Fleet, key_hints: KeyHints, settings: Settings
    ) -> None:
        self.host = host  # for its toasts
        self.fleet = fleet
        self.key_hints = key_hints
        self.settings = settings
        self.recordings: list[LiveRecording] = []  # one per server while recording

    def toggle(self) -> None:
        """Start or stop recording: one `.amirec` per server (each file is one connection,
        as `amitui replay` reads it), named after the server's profile."""
        if self.recordings:
            summaries = [r.stop() for r in self.recordings if r.active]
            self.recordings = []
            safe.notify(self.host, "\n".join(summaries) or "stopped", title="Recording stopped")
            return
        from amitui.capture.live import LiveRecording, Tappable

        members = [m for m in self.fleet if m.session is not None]
        live: list[tuple[Member, Tappable]] = []  # a replay cannot be recorded: it has no tap
        for m in members:
            if isinstance(m.session, Tappable):
                live.append((m, m.session))
        if not members or len(live) < len(members) or any(m.replay is not None for m in members):
            safe.notify(self.host, "Recording needs a live session", severity="warning")
            return

        stamp = time.strftime("%Y%m%d-%H%M%S")
        limit = int(self.settings.record_max_bytes)
        paths = []
        for member, session in live:
            name = member.profile.name or self.settings.profile.name or "session"
            path = f"amitui-{name}-{stamp}.amirec"
            try:
                self.recordings.append(
                    LiveRecording(session, path, max_bytes=limit, on_full=self._recording_full)
                )
            except (OSError, ValueError) as exc:
                safe.notify(self.host, f"cannot record to {path}: {exc}", severity="error")
                self.stop()
                return
            paths.append(str(Path(path).resolve()))
        stops = self.key_hints.key("app.record")
        safe.notify(self.host, f"Recording to {', '.join(paths)} ({stops} stops)", title="● REC")

    def _recording_full(self) -> None:
        """One file reached its bound: stop them all, so no server's recording goes on alone."""
        if self.recordings:
            summaries = [r.stop() for r in self.recordings if r.active]
            self.recordings = []
            safe.notify(self.host, "\n".join(summaries), title="Recording full",
                        severity="warning")  # fmt: skip

    @property
    def recording(self) -> LiveRecording | None:
        """The running recording (the first server's, when there are several)."""
        return next((r for r in self.recordings if r.active), None)

    def stop(self) -> None:
        for recording in self.recordings:
            if recording.active:
                recording.stop()
        self.recordings = []


class ReplayKeys:
    """The playback controls of the session actions go to, when it is a replay."""

    def __init__(self, session: Callable[[], SessionLike | None]) -> None:
        self.session = session  # asked each time: the target may change

    def _replay(self) -> ReplayControl | None:
        session = self.session()
        return session.replay if session is not None else None

    def pause(self) -> None:
        if (replay := self._replay()) is not None:
            replay.resume() if replay.paused else replay.pause()

    def step(self) -> None:
        if (replay := self._replay()) is not None:
            replay.step(1)

    def back(self) -> None:
        if (replay := self._replay()) is not None:
            replay.seek(replay.position - 10)

    def forward(self) -> None:
        if (replay := self._replay()) is not None:
            replay.seek(replay.position + 10)

    def faster(self) -> None:
        if (replay := self._replay()) is not None:
            replay.speed = min(64.0, (replay.speed or 1.0) * 2)

    def slower(self) -> None:
        if (replay := self._replay()) is not None:
            replay.speed = max(0.125, (replay.speed or 1.0) / 2)

    def status(self) -> str | None:
        replay = self._replay()
        return replay.describe() if replay is not None else None

    def check(self, action: str) -> bool | None:
        """Replay keys only exist over a replay (Textual hides them otherwise)."""
        if action in REPLAY_ACTIONS:
            return self._replay() is not None
        return True
