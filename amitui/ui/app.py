"""The console: one AMI session worker per server feeding the store, three panes reading it.

Data flow: each session's reader appends each batch to the shared ring through its tap of the
StoreBridge, tagged with its server (no Textual message per event); a 20 Hz timer asks the
stream to sync, which costs nothing when the ring has not changed. Messages carry only
low-rate facts: a session's state changed, an action completed. Every action goes to one
server through `request_send` (ui/servers.py), which refuses read-only violations and asks
before anything that changes the PBX.

Wiring: the app makes its parts and hands each what it uses: `servers` (ui/servers.py: the
sessions, the status bar, sending), `tools`, `recorder` and `replay_keys` (ui/tools.py) and
`live_view` (ui/live_actions.py). Textual finds bindings, actions and message handlers on the
app, so those stay here, each one call into its part.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Static

from amitui.client import ActionPolicy, AmiSession, ServerSpec
from amitui.client.interface import SessionLike
from amitui.config import Profile
from amitui.protocol import Action
from amitui.protocol.safetext import shown
from amitui.store import (
    ActionHistory,
    Entry,
    EventRing,
    FilteredView,
    GapMarker,
    StoredEvent,
)
from amitui.store.catalog import EventCatalog
from amitui.ui import keymap, lower, pacing, safe, theming
from amitui.ui.app_settings import Settings
from amitui.ui.bridge import SessionDocs, StoreBridge
from amitui.ui.fleet import Fleet, Target
from amitui.ui.live_actions import LiveView
from amitui.ui.lower import LowerPanes
from amitui.ui.servers import (
    DemoStarter,
    ServerHooks,
    ServerParts,
    SessionFactory,
    SessionStateChanged,
)
from amitui.ui.theme import load_themes, variable_defaults
from amitui.ui.tools import Recorder, ReplayKeys, ToolHooks, Tools
from amitui.ui.widgets.statusbar import StatusBar
from amitui.ui.widgets.stream import EventStream
from amitui.ui.widgets.stream_pane import StreamPane

if TYPE_CHECKING:
    from amitui.capture.live import LiveRecording
    from amitui.ui.livesync import LiveSync
    from amitui.ui.widgets.composer import ActionComposer

Servers = Sequence[tuple[ServerSpec, Profile]]  # several servers: each with its profile
__all__ = ["AmiApp", "SessionStateChanged", "Settings"]


class AmiApp(App[int]):
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
    BINDINGS = keymap.bindings("app")

    def __init__(
        self,
        spec: ServerSpec | Servers,
        settings: Settings | None = None,
        *,
        session_factory: SessionFactory = AmiSession,
        demo_starter: DemoStarter | None = None,
    ) -> None:
        self._themes = load_themes()  # before App.__init__, which asks for the variables
        super().__init__()
        for theme in self._themes.themes:
            self.register_theme(theme)
        self.settings = settings or Settings()
        theming.set_early_theme(self, self.settings.theme)
        self.session_factory = session_factory
        self.demo_starter = demo_starter
        self.ring = EventRing(self.settings.ring_capacity, self.settings.ring_max_bytes)
        self.view = FilteredView(self.ring)
        self.history = ActionHistory()
        first = spec if isinstance(spec, ServerSpec) else spec[0][0]
        self.bridge = StoreBridge(
            self.ring, first.address, self.settings.clock, self.settings.monotonic
        )
        self.fleet = (
            Fleet.single(spec, self.settings.profile, self.bridge)
            if isinstance(spec, ServerSpec)
            else Fleet.of_servers(spec, self.bridge)
        )
        # The composer's docs and the event docs are the target server's.
        self.docs = SessionDocs(self.fleet.session)
        self.event_docs = SessionDocs(self.fleet.session)
        self.key_hints = keymap.KeyHints(self.settings.keymap)  # what every "press X" names
        self.ticks = pacing.Ticks()  # which ticks work (fewer under a flood)
        # The composer and the inspector, mounted just after the first screen (ui/lower.py).
        self.lower = LowerPanes(self, lambda: lower.make_lower(self.docs))
        self._make_parts()

    def _make_parts(self) -> None:
        """The parts, each handed what it uses (the app itself only as the widgets' host)."""
        self.servers = ServerParts(
            self, self.fleet, self.bridge, self.ring, self.history, self.key_hints,
            ServerHooks(self.title_text, self.status_extras, self.rewind, self._remember),
            panes=self.lower, session_factory=self.session_factory,
            demo_starter=self.demo_starter, demo=self.settings.demo,
        )  # fmt: skip
        hooks = ToolHooks(
            self.servers.target_catalog, self.servers.target_selected, self.request_send,
            self.action_prepare,
        )  # fmt: skip
        self.tools = Tools(
            self, self.fleet, self.bridge, self.ring, self.view, self.history,
            self.event_docs, self.key_hints, self.settings, hooks,
        )  # fmt: skip
        self.recorder = Recorder(self, self.fleet, self.key_hints, self.settings)
        self.replay_keys = ReplayKeys(lambda: self.session)
        self.live_view = LiveView(
            self, self.ring, lambda: self.session, self.settings.clock, self.request_send,
            self.action_prepare, lead=self.bridge,
        )  # fmt: skip

    def _remember(self, action_id: str, target: Target | None) -> None:
        self.tools.remember(action_id, target)  # made after the servers, which it needs

    # The server actions go to, and its session and policy (with one server: the server).

    @property
    def spec(self) -> ServerSpec:
        return self.fleet.member().spec

    @property
    def session(self) -> SessionLike | None:
        return self.fleet.member().session

    @property
    def policy(self) -> ActionPolicy:
        return self.fleet.member().policy

    # -- composition ------------------------------------------------------------------------

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return variable_defaults(self._themes.themes)

    def compose(self) -> ComposeResult:
        yield Static(self.title_text(), id="title", markup=False)
        yield StreamPane(self.view, keys=self.key_hints, id="stream-pane")
        yield Horizontal(id="lower")  # the composer and the inspector: see ui/lower.py
        yield StatusBar(id="status")
        yield Footer()

    def title_text(self) -> str:
        # Not markup, and shown(): a replay names its server from the recording's header.
        parts = ["amitui"]
        if len(self.fleet) > 1:
            parts.append("servers " + ", ".join(m.label for m in self.fleet))
            read_only = [m.label for m in self.fleet if m.read_only]
            if read_only:
                parts.append(f"read-only: {', '.join(read_only)}")
            return shown(" · ".join(parts))
        if self.settings.profile.name:
            parts.append(f"profile {self.settings.profile.name}")
        parts.append(f"{self.spec.user}@{self.spec.address}")
        if self.settings.demo:
            parts.append("DEMO PBX — simulated calls, nothing real")
        if self.spec.read_only:
            parts.append("read-only")
        return shown(" · ".join(parts))

    def on_mount(self) -> None:
        pacing.tune_collector()  # launch.py paused it while the console was imported and built
        for problem in self._themes.problems:
            safe.notify(self, problem, severity="warning", timeout=10)
        self.theme = theming.pick_theme(self, self.settings.theme)
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        color = self.settings.profile.color if len(self.fleet) == 1 else None
        if color:  # several servers: each has its colour in the stream's server column
            title = self.query_one("#title", Static)
            try:
                title.styles.background = color
                title.add_class("-profile-color")
            except Exception:
                safe.notify(self, f"profile color {color!r} is not a colour", severity="warning")
        self.servers.sync()
        self.query_one(EventStream).focus()
        self.call_after_refresh(self._mount_lower)
        self.tools.load_history()
        if self.settings.hint:
            self.notify(self.settings.hint, title="Demo PBX", timeout=30, markup=False)
        self.set_interval(1 / self.settings.refresh_hz, self._tick, name="refresh")
        self.set_interval(0.5, self.servers.update_status, name="status")
        self.set_interval(0.5, self.live_view.tick, name="live")
        self.servers.start_sessions()

    async def _mount_lower(self) -> None:
        await self.lower.mount(self.query_one("#lower", Horizontal), self.servers.lower_mounted)

    @property
    def lower_ready(self) -> bool:
        """The composer and the inspector are mounted (ui/lower.py)."""
        return self.lower.ready

    def with_lower(self, then: Callable[[], object]) -> None:
        self.lower.when_ready(then)

    async def _shutdown(self) -> None:
        # Textual's (private, and pinned in pyproject.toml): not while the composer and the
        # inspector are half mounted (ui/lower.py).
        await self.lower.wait_mounted()
        await super()._shutdown()

    async def on_unmount(self) -> None:
        """Log off politely and stop the demo PBX, so nothing is left half-open."""
        self.recorder.stop()
        for member in self.fleet:
            if member.session is not None:
                await member.session.close()
        if self.servers.demo_server is not None:
            await self.servers.demo_server.close()

    # -- session ----------------------------------------------------------------------------

    def rewind(self) -> None:
        self.ring.clear()
        self.live.reset()  # the replay starts over: so do the live tables
        # The replay delivers everything again from the start: the totals start over too, or
        # every seek back would add the same events to the count once more.
        self.ring.counts.clear()
        self.ring.evicted = self.ring.evicted_by_size = 0
        self.bridge.reset_analysis()

    async def _tick(self) -> None:
        # Textual stops the timers only after it has removed the screens: under load a tick
        # still came while the app shut down, and found the panes gone (NoMatches).
        if not self.is_running:
            return
        started = time.monotonic()
        if not self.ticks.due(self.ring, started, self.bridge.backlog):
            return
        # A budget of it, letting keys through between chunks. The live tables are fed
        # here rather than on the 0.5 s timer: at 50,000 events/s half a second of events
        # held the loop for a key press's worth at once (bench/console.py).
        await pacing.analyse_for_a_tick(self.bridge, self.live, 1 + self.ticks.skipped)
        if not self.is_running:
            return
        self.ticks.done(self.ring, started)  # from its start: its own work is not a pause
        self.servers.sync()
        self.servers.refresh_transcript()
        self.query_one(StreamPane).sync()
        # With the pane's title, so that both counts say the same at any moment; the 0.5 s
        # timer still refreshes rates and pings while nothing arrives.
        self.servers.update_status()

    def _rec_marker(self) -> str | None:
        recording = self.recorder.recording
        return "● REC" if recording is not None and recording.active else None

    def status_extras(self) -> list[str | None]:
        """The status bar's parts beyond the servers': replay, recording, untraced."""
        return [self.replay_keys.status(), self._rec_marker(), pacing.untraced_note(self.bridge)]

    # -- panes talking to each other --------------------------------------------------------

    def on_event_stream_selected(self, message: EventStream.Selected) -> None:
        self.with_lower(lambda: self._inspect(message.entry))

    def _inspect(self, entry: Entry) -> None:
        inspector = lower.inspector(self)
        if isinstance(entry, StoredEvent):
            inspector.show_event(entry)
        elif isinstance(entry, GapMarker):
            inspector.show_gap(entry)

    def on_event_stream_follow_changed(self, _: EventStream.FollowChanged) -> None:
        self.servers.update_status()  # the pane retitles itself

    def on_action_composer_send_requested(self, message: ActionComposer.SendRequested) -> None:
        self.servers.request_send(message.action)

    def on_session_state_changed(self, message: SessionStateChanged) -> None:
        self.servers.state_changed(message)

    def on_action_composer_next_server_requested(
        self, _: ActionComposer.NextServerRequested
    ) -> None:
        self.servers.next_server()

    # -- actions ----------------------------------------------------------------------------

    def action_leave(self) -> None:
        """Escape: out of whatever field or pane, back to the stream."""
        self.query_one(StreamPane).close_filter()
        self.query_one(EventStream).focus()

    def action_focus_composer(self) -> None:
        self.with_lower(lambda: lower.composer(self).focus_picker())

    def action_types(self) -> None:
        def closed(_: None) -> None:
            self.query_one(StreamPane).sync()  # the mutes may have changed

        from amitui.ui.screens.types import EventTypes  # not needed by the first screen

        self.push_screen(EventTypes(self.view, self.live.rates), closed)

    def action_hangup(self) -> None:
        self.tools.prepare_for_channel("Hangup")

    def action_redirect(self) -> None:
        self.tools.prepare_for_channel("Redirect")

    def action_prepare(self, name: str, headers: list[tuple[str, str]]) -> None:
        self.with_lower(lambda: lower.composer(self).prepare(name, headers))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.replay_keys.check(action)

    def action_originate(self) -> None:
        self.servers.target_selected()
        self.with_lower(lambda: lower.composer(self).prepare("Originate"))

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
        yield from self.key_hints.palette({"app": self, "pane": pane, "stream": pane.stream})

    # The parts' actions, as the keymap names them (Textual looks them up on the app).

    def action_catalog(self) -> None:
        self.tools.catalog()

    def action_why(self) -> None:
        self.tools.why()

    def action_calls(self) -> None:
        self.tools.calls()

    def action_follow_call(self) -> None:
        self.tools.follow_call()

    def action_history(self) -> None:
        self.tools.show_history()

    def action_export(self, fmt: str = "ndjson") -> None:
        self.tools.export(fmt)

    def action_record(self) -> None:
        self.recorder.toggle()

    def action_live(self) -> None:
        self.live_view.open()

    def action_replay_pause(self) -> None:
        self.replay_keys.pause()

    def action_replay_step(self) -> None:
        self.replay_keys.step()

    def action_replay_back(self) -> None:
        self.replay_keys.back()

    def action_replay_forward(self) -> None:
        self.replay_keys.forward()

    def action_replay_faster(self) -> None:
        self.replay_keys.faster()

    def action_replay_slower(self) -> None:
        self.replay_keys.slower()

    # -- the parts' state, by the names launch.py, the live completion and tests use ---------

    @property
    def live(self) -> LiveSync:
        return self.live_view.live

    @property
    def recordings(self) -> list[LiveRecording]:
        return self.recorder.recordings

    @property
    def connected_once(self) -> bool:
        return self.servers.connected_once

    @property
    def _demo_server(self) -> Any:
        return self.servers.demo_server

    def request_send(self, action: Action) -> None:
        self.servers.request_send(action)

    def choose_target(self, target: Target) -> None:
        self.servers.choose_target(target)

    def target_catalog(self) -> EventCatalog:
        return self.servers.target_catalog()

    def _update_status(self) -> None:
        self.servers.update_status()
