"""The console's tools beyond the three panes: the event catalog, the permission check, call
tracing, history, recording, export and replay controls.

A mixin of AmiApp's action methods, so app.py stays about composition and data flow. Bindings
live on AmiApp (Textual gathers them from DOM classes only); these methods are what they call.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from amitui.client.replay import ReplaySession
from amitui.protocol import Action
from amitui.recorder import LiveRecording
from amitui.store import StoredEvent
from amitui.store.exporting import ExportError, default_export_name, export_entries
from amitui.store.saved import Collection, HistoryFile, SavedError
from amitui.ui import safe
from amitui.ui.screens.calls import CallsScreen
from amitui.ui.screens.catalog import CatalogScreen
from amitui.ui.screens.history import HistoryScreen
from amitui.ui.screens.why import WhyNoEvents
from amitui.ui.widgets.stream import EventStream
from amitui.ui.widgets.stream_pane import StreamPane

if TYPE_CHECKING:
    from amitui.ui.app import AmiApp

REPLAY_ACTIONS = frozenset(
    {"replay_pause", "replay_step", "replay_back", "replay_forward", "replay_faster",
     "replay_slower"}
)  # fmt: skip


class ToolActions:
    recording: LiveRecording | None = None

    def _app(self) -> AmiApp:
        return self  # type: ignore[return-value]

    # Every toast here goes through safe.notify: filters quote Linkedids, errors quote files.

    # -- exploring: catalog, permissions, calls ---------------------------------------------

    def action_catalog(self) -> None:
        app = self._app()
        app.bridge.analyse(budget=None)  # up to date before it is shown
        catalog = CatalogScreen(app.bridge.catalog, app.event_docs, server=app.spec.address)
        app.push_screen(catalog)

    def action_why(self) -> None:
        app = self._app()
        app.bridge.analyse(budget=None)
        app.push_screen(WhyNoEvents(app.event_docs, app.bridge.catalog, app.spec))

    def action_calls(self) -> None:
        app = self._app()
        app.bridge.analyse(budget=None)
        # Functions, not values: a replay seeking back replaces the tracker and its clock.
        screen = CallsScreen(lambda: app.bridge.calls, app.ring, clock=lambda: app.bridge.clock())
        app.push_screen(screen, self.follow)

    def action_follow_call(self) -> None:
        app = self._app()
        app.bridge.analyse(budget=None)
        entry = app.query_one(EventStream).selected_entry()
        call = app.bridge.calls.call_of(entry.frame) if isinstance(entry, StoredEvent) else None
        if call is None:
            safe.notify(app, "Select an event of a call first (↑/↓); c lists every call")
            return
        self.follow(call.filter_text())

    def refuse_gone_channel(self, action: str) -> bool:
        """Before preparing a Hangup or Redirect of the selected event's channel: when that
        channel has already hung up, say so and prepare nothing. By name the action could
        reach another channel: after a restart the same name is a new channel."""
        app = self._app()
        entry = app.query_one(EventStream).selected_entry()
        if not isinstance(entry, StoredEvent):
            return False
        app.bridge.analyse(budget=None)  # tracing up to date with the stream
        frame = entry.frame
        trace = app.bridge.calls.channel(frame.get("Uniqueid"), frame.get("Channel"))
        if trace is None or trace.cause is None:
            return False
        why = f"{trace.cause} {trace.cause_txt}".strip() or "cause unknown"
        text = f"{trace.name} has already hung up ({why}); {action} not prepared"
        safe.notify(app, text, title="Channel gone", severity="warning")
        return True

    def follow(self, filter_text: str | None) -> None:
        app = self._app()
        if filter_text and app.query_one(StreamPane).apply_filter(filter_text):
            safe.notify(app, f"Following the call: {filter_text} (x clears)")

    # -- history and saved actions ----------------------------------------------------------

    def history_file(self) -> HistoryFile:
        app = self._app()
        return HistoryFile(app.settings.profile.name or None)

    def load_history(self) -> None:
        app = self._app()
        try:
            self.history_file().load_into(app.history)
        except SavedError as exc:
            safe.notify(app, str(exc), title="History not loaded", severity="warning")

    def remember(self, action_id: str) -> None:
        app = self._app()
        record = app.history.get(action_id)
        if record is None or isinstance(app.session, ReplaySession):
            return
        try:
            self.history_file().append(record, server=app.spec.address)
        except SavedError as exc:
            safe.notify(app, str(exc), title="History not saved", severity="warning")

    def action_history(self) -> None:
        app = self._app()
        collection = Collection(app.settings.profile.name or None)
        try:
            saved = collection.load()
        except SavedError as exc:
            safe.notify(app, str(exc), title="Saved actions not loaded", severity="warning")
            saved = {}
        screen = HistoryScreen(app.history, saved, collection=collection)

        def chosen(choice: tuple[str, list[tuple[str, str]]] | None) -> None:
            if choice is None:
                return
            name, headers = choice
            if screen.resend:
                app.request_send(Action.of(name, headers))
            else:
                app.action_prepare(name, headers)

        app.push_screen(screen, chosen)

    # -- recording --------------------------------------------------------------------------

    def action_record(self) -> None:
        app = self._app()
        if self.recording is not None and self.recording.active:
            safe.notify(app, self.recording.stop(), title="Recording stopped")
            self.recording = None
            return
        session = app.session
        if session is None or isinstance(session, ReplaySession):
            safe.notify(app, "Recording needs a live session", severity="warning")
            return
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = f"amitui-{app.settings.profile.name or 'session'}-{stamp}.amirec"
        limit = int(app.settings.record_max_bytes)

        def full() -> None:
            if self.recording is not None:
                safe.notify(app, self.recording.stop(), title="Recording full", severity="warning")
                self.recording = None

        try:
            self.recording = LiveRecording(session, path, max_bytes=limit, on_full=full)  # type: ignore[arg-type]
        except (OSError, ValueError) as exc:
            safe.notify(app, f"cannot record to {path}: {exc}", severity="error")
            return
        safe.notify(app, f"Recording to {Path(path).resolve()} (R stops)", title="● REC")

    def stop_recording(self) -> None:
        if self.recording is not None and self.recording.active:
            self.recording.stop()
        self.recording = None

    # -- export -----------------------------------------------------------------------------

    def action_export(self, fmt: str = "ndjson") -> None:
        """The stream as filtered now, to a file in the current directory."""
        app = self._app()
        entries = [e for seq in app.view.rows() if (e := app.ring.get(seq)) is not None]
        path = default_export_name(fmt, time.time())
        try:
            count = export_entries(entries, path, fmt)
        except (ExportError, OSError) as exc:
            safe.notify(app, str(exc), title="Export failed", severity="error")
            return
        safe.notify(app, f"{count:,} events to {Path(path).resolve()}", title="Exported")

    # -- replay controls --------------------------------------------------------------------

    def _replay(self) -> ReplaySession | None:
        session = self._app().session
        return session if isinstance(session, ReplaySession) else None

    def action_replay_pause(self) -> None:
        if (replay := self._replay()) is not None:
            replay.resume() if replay.paused else replay.pause()

    def action_replay_step(self) -> None:
        if (replay := self._replay()) is not None:
            replay.step(1)

    def action_replay_back(self) -> None:
        if (replay := self._replay()) is not None:
            replay.seek(replay.position - 10)

    def action_replay_forward(self) -> None:
        if (replay := self._replay()) is not None:
            replay.seek(replay.position + 10)

    def action_replay_faster(self) -> None:
        if (replay := self._replay()) is not None:
            replay.speed = min(64.0, (replay.speed or 1.0) * 2)

    def action_replay_slower(self) -> None:
        if (replay := self._replay()) is not None:
            replay.speed = max(0.125, (replay.speed or 1.0) / 2)

    def replay_status(self) -> str | None:
        replay = self._replay()
        return replay.describe() if replay is not None else None

    def check_replay_action(self, action: str) -> bool | None:
        """Replay keys only exist over a replay (Textual hides them otherwise)."""
        if action in REPLAY_ACTIONS:
            return self._replay() is not None
        return True
