"""The console: one AMI session worker feeding the store, three panes reading it.

Data flow: the session's reader appends each batch to the ring through StoreBridge (no Textual
message per event); a 20 Hz timer asks the stream to sync, which costs nothing when the ring
has not changed. Messages carry only low-rate facts: the session's state changed, an action
completed. Every action goes through `request_send`, which refuses read-only violations and
asks before anything that changes the PBX.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from amitui.client import (
    ActionPolicy,
    AmiSession,
    Phase,
    ServerSpec,
    SessionError,
    SessionState,
    Transcript,
)
from amitui.client.interface import SessionLike
from amitui.client.replay import ReplaySession
from amitui.config import Profile
from amitui.protocol import Action, LocalProtocolError
from amitui.protocol.safetext import shown
from amitui.store import ActionHistory, EventRing, FilteredView, GapMarker, StoredEvent
from amitui.store.ring import DEFAULT_MAX_BYTES
from amitui.ui import safe
from amitui.ui.bridge import SessionDocs, StoreBridge
from amitui.ui.live_actions import LiveActions
from amitui.ui.screens.confirm import ConfirmSend
from amitui.ui.screens.types import EventTypes
from amitui.ui.screens.why import SessionEventDocs
from amitui.ui.theme import DEFAULT_THEME, load_themes, variable_defaults
from amitui.ui.tools import ToolActions
from amitui.ui.widgets.composer import ActionComposer
from amitui.ui.widgets.inspector import ResponseInspector
from amitui.ui.widgets.statusbar import StatusBar, StatusFacts
from amitui.ui.widgets.stream import EventStream
from amitui.ui.widgets.stream_pane import StreamPane

SessionFactory = Callable[..., SessionLike]
DemoStarter = Callable[[], Awaitable[Any]]  # returns an object with a `.port`


@dataclass
class Settings:
    """Everything the app needs that is not the session; tests pass fixed values."""

    profile: Profile = field(default_factory=lambda: Profile(name=""))
    ring_capacity: int = 100_000
    ring_max_bytes: int = DEFAULT_MAX_BYTES  # the ring's byte bound, beside its count bound
    theme: str = DEFAULT_THEME
    keymap: dict[str, str] = field(default_factory=dict)
    clock: Callable[[], float] = time.time
    monotonic: Callable[[], float] = time.monotonic  # for rates; snapshots freeze it
    refresh_hz: float = 20.0
    demo: bool = False
    record_max_bytes: int = 100_000_000
    hint: str | None = None  # said once the console is up (the demo: how to reach a real PBX)


class SessionStateChanged(Message):
    def __init__(self, state: SessionState) -> None:
        super().__init__()
        self.state = state


class AmiApp(ToolActions, LiveActions, App[int]):
    TITLE = "amitui"
    CSS = """
    Screen { layout: vertical; }
    #title { height: 1; dock: top; background: $panel; color: $foreground; padding: 0 1; }
    #title.-profile-color { text-style: bold; }
    #stream-pane { height: 3fr; }
    #lower { height: 2fr; }
    #composer { width: 2fr; border: round $secondary 50%; }
    #composer:focus-within { border: round $secondary; }
    #inspector { width: 3fr; border: round $accent 50%; }
    #inspector:focus-within { border: round $accent; }
    """
    BINDINGS = [
        Binding("e", "focus('stream')", "Events", id="app.focus-events"),
        Binding("a", "focus_composer", "Compose", id="app.focus-composer"),
        Binding("i", "focus('inspector')", "Inspect", id="app.focus-inspector"),
        Binding("t", "types", "Types", id="app.types"),
        Binding("c", "calls", "Calls", id="app.calls"),
        Binding("l", "live", "Live", show=False, id="app.live"),
        Binding("d", "catalog", "Catalog", id="app.catalog"),
        Binding("w", "why", "Why no events?", show=False, id="app.why"),
        Binding("f", "follow_call", "Follow call", show=False, id="app.follow-call"),
        Binding("h", "hangup", "Hangup", id="app.hangup"),
        Binding("r", "redirect", "Redirect", show=False, id="app.redirect"),
        Binding("o", "originate", "Originate", id="app.originate"),
        Binding("H", "history", "History", id="app.history"),
        Binding("R", "record", "Record", show=False, id="app.record"),
        Binding("X", "export('ndjson')", "Export", show=False, id="app.export"),
        Binding("p", "replay_pause", "Play/pause", id="replay.pause"),
        Binding("full_stop", "replay_step", "Step", id="replay.step"),
        Binding("less_than_sign", "replay_back", "-10 s", id="replay.back"),
        Binding("greater_than_sign", "replay_forward", "+10 s", id="replay.forward"),
        Binding("plus", "replay_faster", "Faster", show=False, id="replay.faster"),
        Binding("minus", "replay_slower", "Slower", show=False, id="replay.slower"),
        Binding("question_mark", "help", "Keys", id="app.help"),
        Binding("escape", "leave", "Back to events", show=False, id="app.leave"),
        Binding("f11", "maximize", "Maximize", show=False, id="app.maximize"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    def __init__(
        self,
        spec: ServerSpec,
        settings: Settings | None = None,
        *,
        session_factory: SessionFactory = AmiSession,
        demo_starter: DemoStarter | None = None,
    ) -> None:
        self._themes = load_themes()  # before App.__init__, which asks for the variables
        super().__init__()
        for theme in self._themes.themes:
            self.register_theme(theme)
        self.spec = spec
        self.settings = settings or Settings()
        self.session_factory = session_factory
        self.demo_starter = demo_starter
        self.session: SessionLike | None = None
        self.ring = EventRing(self.settings.ring_capacity, self.settings.ring_max_bytes)
        self.view = FilteredView(self.ring)
        self.history = ActionHistory()
        self.bridge = StoreBridge(
            self.ring, spec.address, self.settings.clock, self.settings.monotonic
        )
        self.docs = SessionDocs(lambda: self.session)
        self.event_docs = SessionEventDocs(lambda: self.session)
        profile = self.settings.profile
        self.policy = ActionPolicy(profile.confirm_actions, profile.safe_actions)
        self._demo_server: Any = None
        self._shown_follow_ups = (0, 0)
        self._last_version = -1
        self._commands_loaded = False
        self.connected_once = False  # launch() exits non-zero when the console never got in

    # -- composition ------------------------------------------------------------------------

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return variable_defaults(self._themes.themes)

    def compose(self) -> ComposeResult:
        yield Static(self._title_text(), id="title", markup=False)
        yield StreamPane(self.view, id="stream-pane")
        with Horizontal(id="lower"):
            yield ActionComposer(self.docs, id="composer")
            yield ResponseInspector(id="inspector")
        yield StatusBar(id="status")
        yield Footer()

    def _title_text(self) -> str:
        # Not markup, and shown(): a replay names its server from the recording's header.
        parts = ["amitui"]
        if self.settings.profile.name:
            parts.append(f"profile {self.settings.profile.name}")
        parts.append(f"{self.spec.user}@{self.spec.address}")
        if self.settings.demo:
            parts.append("DEMO PBX — simulated calls, nothing real")
        if self.spec.read_only:
            parts.append("read-only")
        return shown(" · ".join(parts))

    def on_mount(self) -> None:
        # Measured with bench/console.py: at 20,000 events/s the default thresholds ran more
        # than one full collection a second over the ring's objects, up to 200 ms each, and a
        # key press waited for them. Frames hold no reference cycles (the ring frees them by
        # reference counting), so collecting far less often loses nothing; what exists at
        # start-up (Textual's own objects) is frozen out of the scans altogether.
        gc.freeze()
        gc.set_threshold(10_000, 10, 10)
        for problem in self._themes.problems:
            safe.notify(self, problem, severity="warning", timeout=10)
        self.theme = self._pick_theme(self.settings.theme)
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        color = self.settings.profile.color
        if color:
            title = self.query_one("#title", Static)
            try:
                title.styles.background = color
                title.add_class("-profile-color")
            except Exception:
                safe.notify(self, f"profile color {color!r} is not a colour", severity="warning")
        self.query_one(ActionComposer).border_title = "Compose (a)"
        self.query_one(EventStream).focus()
        self.load_history()
        if self.settings.hint:
            self.notify(self.settings.hint, title="Demo PBX", timeout=30, markup=False)
        self.set_interval(1 / self.settings.refresh_hz, self._tick, name="refresh")
        self.set_interval(0.5, self._update_status, name="status")
        self.set_interval(0.5, self.live_tick, name="live")
        self.run_worker(
            self._run_session(),
            name="ami-session",
            group="ami",
            description=f"AMI session to {self.spec.address}",
            exit_on_error=False,
        )

    async def on_unmount(self) -> None:
        """Log off politely and stop the demo PBX, so nothing is left half-open."""
        self.stop_recording()
        if self.session is not None:
            await self.session.close()
        if self._demo_server is not None:
            await self._demo_server.close()

    def _pick_theme(self, name: str) -> str:
        if name in self.available_themes:
            return name
        safe.notify(self, f"theme {name!r} not found; using {DEFAULT_THEME}", severity="warning")
        return DEFAULT_THEME

    def watch_theme(self, _: str) -> None:
        for stream in self.query(EventStream):
            stream.forget_styles()

    # -- session ----------------------------------------------------------------------------

    async def _run_session(self) -> None:
        spec = self.spec
        if self.demo_starter is not None:
            server = await self.demo_starter()
            self._demo_server = server
            spec = replace(spec, port=int(server.port))
            self.spec = spec
            self.bridge.server = spec.address
            self.query_one("#title", Static).update(self._title_text())
        self.session = self.session_factory(
            spec,
            on_events=self.bridge.on_events,
            on_gap=self.bridge.on_gap,
            on_state=lambda state: self.post_message(SessionStateChanged(state)),
        )
        if isinstance(self.session, ReplaySession):
            # Replayed events carry the time they happened, and seeking back starts over.
            self.bridge.clock = self.session.recorded_time
            self.session.on_rewind = self._rewind
        await self.session.run()

    def _rewind(self) -> None:
        self.ring.clear()
        self.live.reset()  # the replay starts over: so do the live tables
        # The replay delivers everything again from the start: the totals start over too, or
        # every seek back would add the same events to the count once more.
        self.ring.counts.clear()
        self.ring.evicted = self.ring.evicted_by_size = 0
        self.bridge.reset_analysis()

    def on_session_state_changed(self, message: SessionStateChanged) -> None:
        state = message.state
        self._update_status()
        if not self.is_running or not self.query(ActionComposer):
            return  # shutting down
        if state.phase is Phase.READY:
            self.connected_once = True
        if state.phase is Phase.READY and not self._commands_loaded:
            self._commands_loaded = True
            self.query_one(ActionComposer).refresh_commands()
        elif state.phase is Phase.FAILED:
            safe.notify(
                self, state.reason or "connection failed", title="AMI", severity="error", timeout=30
            )

    def _tick(self) -> None:
        if self.ring.version == self._last_version:
            return
        self._last_version = self.ring.version
        self.bridge.analyse()
        self._refresh_transcript()
        pane = self.query_one(StreamPane)
        if pane.stream.sync():
            pane.update_titles()

    def _untraced(self) -> str | None:
        n = self.bridge.unanalysed
        return f"{n:,} evicted before tracing" if n else None

    def _rec_marker(self) -> str | None:
        return "● REC" if self.recording is not None and self.recording.active else None

    def _refresh_transcript(self) -> None:
        """Redraw the shown action when later frames arrived for it (OriginateResponse…)."""
        inspector = self.query_one(ResponseInspector)
        tr = inspector.subject
        if isinstance(tr, Transcript):
            ex = tr.exchange
            seen = (len(ex.follow_ups), len(ex.late))
            if seen != self._shown_follow_ups:
                self._shown_follow_ups = seen
                inspector.show_transcript(tr)

    def _update_status(self) -> None:
        try:
            self._show_status()
        except NoMatches:  # the timer can fire once more while the app shuts down
            return

    def _show_status(self) -> None:
        session = self.session
        stream = self.query_one(EventStream)
        state = (
            session.state
            if session
            else SessionState(Phase.IDLE, self.spec.address, self.spec.user)
        )
        self.query_one(StatusBar).show(
            StatusFacts(
                state=state,
                rate=self.bridge.meter.rate(),
                total=sum(self.ring.counts.values()),
                evicted=self.ring.evicted,
                evicted_by_size=self.ring.evicted_by_size,
                shown=len(stream.rows),
                following=stream.following,
                waiting=stream.waiting,
                read_only=self.spec.read_only,
                demo=self.settings.demo,
                ping_ms=session.ping_ms if session else None,
                extra=[
                    x for x in (self.replay_status(), self._rec_marker(), self._untraced()) if x
                ],
            )
        )

    # -- panes talking to each other --------------------------------------------------------

    def on_event_stream_selected(self, message: EventStream.Selected) -> None:
        inspector = self.query_one(ResponseInspector)
        if isinstance(message.entry, StoredEvent):
            inspector.show_event(message.entry)
        elif isinstance(message.entry, GapMarker):
            inspector.show_gap(message.entry)

    def on_event_stream_follow_changed(self, _: EventStream.FollowChanged) -> None:
        self.query_one(StreamPane).update_titles()
        self._update_status()

    def on_action_composer_send_requested(self, message: ActionComposer.SendRequested) -> None:
        self.request_send(message.action)

    def request_send(self, action: Action) -> None:
        """Send after the checks: read-only refuses, state-changing actions ask first."""
        if not action.action_id and self.session is not None:
            # Fixed now, so the confirmation shows exactly the bytes that will be sent.
            action = action.with_id(self.session.ids.next())
        changes = self.policy.changes_state(action)
        if changes and self.spec.read_only:
            safe.notify(
                self,
                f"{action.name} can change the PBX and this session is read-only",
                title="Refused",
                severity="error",
            )
            return
        if changes and self.settings.profile.confirm:

            def answered(ok: bool | None) -> None:
                if ok:
                    self._send(action)
                else:
                    safe.notify(self, f"{action.name} not sent")

            self.push_screen(ConfirmSend(action, self.spec.address), answered)
            return
        self._send(action)

    def _send(self, action: Action) -> None:
        self.run_worker(
            self._send_now(action), group="actions", name=f"send {action.name}",
            description=f"{action.name} to {self.spec.address}", exit_on_error=False,
        )  # fmt: skip

    async def _send_now(self, action: Action) -> None:
        session = self.session
        if session is None:
            safe.notify(self, "not connected yet", severity="error")
            return
        try:
            tr: Transcript = await session.send(action)
        except (SessionError, LocalProtocolError) as exc:
            safe.notify(self, str(exc), title=f"{action.name} not sent", severity="error")
            return
        self.history.add(tr.action.action_id or "", tr.action.name, tr.action.headers, tr.sent_wall)
        self.history.update(tr.action.action_id or "", tr.status, tr.latency_ms)
        self.remember(tr.action.action_id or "")
        ex = tr.exchange
        self._shown_follow_ups = (len(ex.follow_ups), len(ex.late))
        self.query_one(ResponseInspector).show_transcript(tr)
        took = f" in {tr.latency_ms:.0f} ms" if tr.latency_ms is not None else ""
        text = f"{action.name} → {tr.status}{took}: {tr.message}"
        if not tr.ok and tr.message.strip().lower() == "permission denied":
            # Asterisk does not say which class was missing; ListCommands (or what we know) does.
            text += f"\n{self.query_one(ActionComposer).why_denied(action.name)}"
        # The reply's Message is the server's text: never markup, escapes visible.
        safe.notify(self, text, severity="information" if tr.ok else "error", timeout=6)

    # -- actions ----------------------------------------------------------------------------

    def action_leave(self) -> None:
        """Escape: out of whatever field or pane, back to the stream."""
        self.query_one(StreamPane).close_filter()
        self.query_one(EventStream).focus()

    def action_focus_composer(self) -> None:
        self.query_one(ActionComposer).focus_picker()

    def action_types(self) -> None:
        def closed(_: None) -> None:
            pane = self.query_one(StreamPane)
            pane.stream.sync()
            pane.update_titles()

        self.push_screen(EventTypes(self.view, self.live.rates), closed)

    def _selected_channel(self) -> str | None:
        entry = self.query_one(EventStream).selected_entry()
        if isinstance(entry, StoredEvent):
            return entry.frame.get("Channel")
        return None

    def action_hangup(self) -> None:
        channel = self._selected_channel()
        if not channel:
            safe.notify(self, "Select an event with a Channel first (e, then ↑/↓)")
            return
        if self.refuse_gone_channel("Hangup"):
            return
        self.query_one(ActionComposer).prepare("Hangup", [("Channel", channel)])

    def action_redirect(self) -> None:
        channel = self._selected_channel()
        if not channel:
            safe.notify(self, "Select an event with a Channel first (e, then ↑/↓)")
            return
        if self.refuse_gone_channel("Redirect"):
            return
        self.query_one(ActionComposer).prepare("Redirect", [("Channel", channel)])

    def action_prepare(self, name: str, headers: list[tuple[str, str]]) -> None:
        self.query_one(ActionComposer).prepare(name, headers)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.check_replay_action(action)

    def action_originate(self) -> None:
        self.query_one(ActionComposer).prepare("Originate")

    def action_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_maximize(self) -> None:
        focused = self.focused
        if self.screen.maximized is not None:
            self.screen.minimize()
        elif focused is not None:
            self.screen.maximize(focused)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        pane = self.query_one(StreamPane)
        palette: list[tuple[str, str, Callable[[], object]]] = [
            ("Filter events", "Filter the stream (/)", pane.action_open_filter),
            ("Clear filter", "Show every event again (x)", pane.action_clear_filter),
            ("Follow stream", "Jump to the newest event (End)", pane.stream.action_follow),
            ("Pause stream", "Keep events, stop (space)", pane.stream.action_toggle_pause),
            ("Mute selected event type", "Hide this type (m)", pane.action_mute_selected),
            ("Event types", "Counts per type; mute and unmute (t)", self.action_types),
            ("Calls", "Calls traced by Uniqueid and Linkedid, with timelines (c)",
             self.action_calls),
            ("Live PBX state", "Channels, bridges, endpoints, queues right now (l)",
             self.action_live),
            ("Event catalog", "Types and headers seen vs the server's docs (d)",
             self.action_catalog),
            ("Why don't I see events?", "Read classes, event mask, what is missing (w)",
             self.action_why),
            ("Follow this call", "Filter to the selected call (f)", self.action_follow_call),
            ("Compose action", "Pick an action from ListCommands (a)", self.action_focus_composer),
            ("Originate", "Prepare an Originate (o)", self.action_originate),
            ("Hang up selected channel", "Prepare Hangup (h)", self.action_hangup),
            ("Redirect selected channel", "Prepare Redirect (r)", self.action_redirect),
            ("History and saved actions", "Edit or re-send (H)", self.action_history),
            ("Record to a file", "Start or stop an .amirec recording (R)", self.action_record),
            ("Export as NDJSON", "The filtered stream, one JSON per line (X)", self.action_export),
            ("Export as JSON", "The stream, one array", partial(self.action_export, "json")),
            ("Export as CSV", "The filtered stream, a column per header",
             partial(self.action_export, "csv")),
        ]  # fmt: skip
        for title, help_text, callback in palette:
            yield SystemCommand(title, help_text, callback)
