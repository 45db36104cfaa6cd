"""The console's tools beyond the three panes: the event catalog, the permission check, call
tracing, history, recording, export and replay controls.

A mixin of AmiApp's action methods, so app.py stays about composition and data flow. Bindings
live on AmiApp (Textual gathers them from DOM classes only); these methods are what they call.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from amitui.client.interface import ReplayControl
from amitui.protocol import Action
from amitui.store import StoredEvent
from amitui.store.saved import Collection, HistoryFile, SavedError
from amitui.ui import safe
from amitui.ui.fleet import Target
from amitui.ui.widgets.stream import EventStream
from amitui.ui.widgets.stream_pane import StreamPane

# The screens, recording and export are imported when first used, not at start-up: the
# first paint waits for every import (bench/startup.py).
if TYPE_CHECKING:
    from amitui.capture.live import LiveRecording
    from amitui.ui.app import AmiApp

REPLAY_ACTIONS = frozenset(
    {"replay_pause", "replay_step", "replay_back", "replay_forward", "replay_faster",
     "replay_slower"}
)  # fmt: skip


class ToolActions:
    recordings: list[LiveRecording]  # one per server while recording; set in __init__

    def _app(self) -> AmiApp:
        return self  # type: ignore[return-value]

    # Every toast here goes through safe.notify: filters quote Linkedids, errors quote files.

    # -- exploring: catalog, permissions, calls ---------------------------------------------

    def action_catalog(self) -> None:
        from amitui.ui.screens.catalog import CatalogScreen

        app = self._app()
        app.bridge.analyse(budget=None)  # up to date before it is shown
        # With several servers: the composer's server, compared with its own docs.
        server = app.spec.address
        if app.fleet.several:
            server = f"{app.fleet.describe()} ({server})"
        catalog = CatalogScreen(app.target_catalog(), app.event_docs, server=server)
        app.push_screen(catalog)

    def action_why(self) -> None:
        from amitui.ui.screens.why import WhyNoEvents

        app = self._app()
        app.bridge.analyse(budget=None)
        app.push_screen(WhyNoEvents(app.event_docs, app.target_catalog(), app.spec))

    def action_calls(self) -> None:
        from amitui.ui.screens.calls import CallsScreen

        app = self._app()
        app.bridge.analyse(budget=None)
        # Functions, not values: a replay seeking back replaces the tracker and its clock.
        screen = CallsScreen(app.bridge.call_book, app.ring, clock=lambda: app.bridge.clock())
        app.push_screen(screen, self.follow)

    def action_follow_call(self) -> None:
        app = self._app()
        app.bridge.analyse(budget=None)
        entry = app.query_one(EventStream).selected_entry()
        call = None
        if isinstance(entry, StoredEvent):  # ids are one server's: its own tracker
            call = app.bridge.tracker_of(entry).call_of(entry.frame)
        if call is None:
            key = app.key_hints.key  # the keys bound now, after [keys]
            safe.notify(
                app,
                f"Select an event of a call first ({key('stream.up')}/{key('stream.down')}); "
                f"{key('app.calls')} lists every call",
            )
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
        tracker = app.bridge.tracker_of(entry)
        trace = tracker.channel(frame.get("Uniqueid"), frame.get("Channel"))
        if trace is None or trace.cause is None:
            return False
        why = f"{trace.cause} {trace.cause_txt}".strip() or "cause unknown"
        text = f"{trace.name} has already hung up ({why}); {action} not prepared"
        safe.notify(app, text, title="Channel gone", severity="warning")
        return True

    def follow(self, filter_text: str | None) -> None:
        app = self._app()
        if filter_text and app.query_one(StreamPane).apply_filter(filter_text):
            clears = app.key_hints.key("stream.clear-filter")
            safe.notify(app, f"Following the call: {filter_text} ({clears} clears)")

    # -- history and saved actions ----------------------------------------------------------

    def history_file(self, target: Target | None = None) -> HistoryFile:
        """The history of one server (default: the one actions go to)."""
        app = self._app()
        member = app.fleet.member(target)
        profile, spec = member.profile.name or None, member.spec
        return HistoryFile(profile, server=spec.address, user=spec.user, demo=app.settings.demo)

    def load_history(self) -> None:
        app = self._app()
        for member in app.fleet:  # each server's own file
            try:
                self.history_file(Target(member.name)).load_into(app.history)
            except SavedError as exc:
                safe.notify(app, str(exc), title="History not loaded", severity="warning")

    def remember(self, action_id: str, target: Target | None = None) -> None:
        app = self._app()
        record = app.history.get(action_id)
        member = app.fleet.member(target)
        if record is None or member.replay is not None:
            return
        try:
            self.history_file(target).append(record, server=member.spec.address)
        except SavedError as exc:
            safe.notify(app, str(exc), title="History not saved", severity="warning")

    def action_history(self) -> None:
        from amitui.ui.screens.history import HistoryScreen

        app = self._app()
        collection = Collection(app.fleet.member().profile.name or None)  # the target's
        try:
            saved = collection.load()
        except SavedError as exc:
            safe.notify(app, str(exc), title="Saved actions not loaded", severity="warning")
            saved = {}
        screen = HistoryScreen(
            app.history, saved, collection=collection, source=self.history_file()
        )

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
        """Start or stop recording: one `.amirec` per server (each file is one connection,
        as `amitui replay` reads it), named after the server's profile."""
        app = self._app()
        if self.recordings:
            summaries = [r.stop() for r in self.recordings if r.active]
            self.recordings = []
            safe.notify(app, "\n".join(summaries) or "stopped", title="Recording stopped")
            return
        live = [m for m in app.fleet if m.session is not None]
        if not live or any(m.replay is not None for m in live):
            safe.notify(app, "Recording needs a live session", severity="warning")
            return
        from amitui.capture.live import LiveRecording

        stamp = time.strftime("%Y%m%d-%H%M%S")
        limit = int(app.settings.record_max_bytes)
        paths = []
        for member in live:
            name = member.profile.name or app.settings.profile.name or "session"
            path = f"amitui-{name}-{stamp}.amirec"
            try:
                self.recordings.append(LiveRecording(
                    member.session, path, max_bytes=limit, on_full=self._recording_full,  # type: ignore[arg-type]
                ))  # fmt: skip
            except (OSError, ValueError) as exc:
                safe.notify(app, f"cannot record to {path}: {exc}", severity="error")
                self.stop_recording()
                return
            paths.append(str(Path(path).resolve()))
        stops = app.key_hints.key("app.record")
        safe.notify(app, f"Recording to {', '.join(paths)} ({stops} stops)", title="● REC")

    def _recording_full(self) -> None:
        """One file reached its bound: stop them all, so no server's recording goes on alone."""
        if self.recordings:
            summaries = [r.stop() for r in self.recordings if r.active]
            self.recordings = []
            safe.notify(self._app(), "\n".join(summaries), title="Recording full",
                        severity="warning")  # fmt: skip

    @property
    def recording(self) -> LiveRecording | None:
        """The running recording (the first server's, when there are several)."""
        return next((r for r in self.recordings if r.active), None)

    def stop_recording(self) -> None:
        for recording in self.recordings:
            if recording.active:
                recording.stop()
        self.recordings = []

    # -- export -----------------------------------------------------------------------------

    def action_export(self, fmt: str = "ndjson") -> None:
        """The stream as filtered now, to a file in the current directory."""
        from amitui.store.exporting import ExportError, default_export_name, export_entries

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

    def _replay(self) -> ReplayControl | None:
        session = self._app().session
        return session.replay if session is not None else None

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
