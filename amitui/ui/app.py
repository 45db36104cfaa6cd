"""The console: one AMI session worker per server feeding the store, three panes reading it.

Data flow: each session's reader appends each batch to the shared ring through its tap of the
StoreBridge, tagged with its server (no Textual message per event); a 20 Hz timer asks the
stream to sync, which costs nothing when the ring has not changed. Messages carry only
low-rate facts: a session's state changed, an action completed. Every action goes to one
server through `request_send` (ui/servers.py), which refuses read-only violations and asks
before anything that changes the PBX.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Static

from amitui.client import ActionPolicy, AmiSession, ServerSpec
from amitui.client.interface import SessionLike
from amitui.config import Profile
from amitui.protocol.safetext import shown
from amitui.settings import (
    DEFAULT_CAPACITY,
    DEFAULT_MAX_BYTES,
    DEFAULT_RECORD_MAX_BYTES,
    DEFAULT_THEME,
    UiSettings,
)
from amitui.store import ActionHistory, EventRing, FilteredView, GapMarker, StoredEvent
from amitui.ui import keymap, safe
from amitui.ui.bridge import SessionDocs, StoreBridge
from amitui.ui.fleet import Fleet
from amitui.ui.live_actions import LiveActions
from amitui.ui.screens.types import EventTypes
from amitui.ui.screens.why import SessionEventDocs
from amitui.ui.servers import ServerActions, SessionStateChanged
from amitui.ui.theme import load_themes, variable_defaults
from amitui.ui.tools import ToolActions
from amitui.ui.widgets.composer import ActionComposer
from amitui.ui.widgets.inspector import ResponseInspector
from amitui.ui.widgets.statusbar import StatusBar
from amitui.ui.widgets.stream import EventStream
from amitui.ui.widgets.stream_pane import StreamPane

# Analysis per 20 Hz tick (see AmiApp._analyse): events per chunk, at most, and seconds.
ANALYSE_CHUNK = 2_000
ANALYSE_MAX = 20_000
ANALYSE_SECONDS = 0.015
SessionFactory = Callable[..., SessionLike]
DemoStarter = Callable[[], Awaitable[Any]]  # returns an object with a `.port`
Servers = Sequence[tuple[ServerSpec, Profile]]  # several servers: each with its profile
__all__ = ["AmiApp", "SessionStateChanged", "Settings"]


@dataclass
class Settings:
    """Everything the app needs that is not the session; tests pass fixed values."""

    profile: Profile = field(default_factory=lambda: Profile(name=""))
    ring_capacity: int = DEFAULT_CAPACITY
    ring_max_bytes: int = DEFAULT_MAX_BYTES  # the ring's byte bound, beside its count bound
    theme: str = DEFAULT_THEME
    keymap: dict[str, str] = field(default_factory=dict)
    clock: Callable[[], float] = time.time
    monotonic: Callable[[], float] = time.monotonic  # for rates; snapshots freeze it
    refresh_hz: float = 20.0
    demo: bool = False
    record_max_bytes: int = DEFAULT_RECORD_MAX_BYTES
    hint: str | None = None  # said once the console is up (the demo: how to reach a real PBX)

    @classmethod
    def from_config(cls, ui: UiSettings, keys: dict[str, str], demo: bool = False) -> Settings:
        """From the config file's checked `[ui]` and `[keys]` tables."""
        return cls(
            ring_capacity=ui.ring_capacity, ring_max_bytes=ui.ring_max_bytes, theme=ui.theme,
            keymap=dict(keys), demo=demo, record_max_bytes=ui.record_max_bytes,
        )  # fmt: skip


class AmiApp(ServerActions, ToolActions, LiveActions, App[int]):
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
        self._early_theme(self.settings.theme)
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
        self.event_docs = SessionEventDocs(self.fleet.session)
        self.key_hints = keymap.KeyHints(self.settings.keymap)  # what every "press X" names
        self._demo_server: Any = None
        self.recordings = []  # the record toggle's, one per server (ui/tools.py)
        self._last_version = -1

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
        with Horizontal(id="lower"):
            yield ActionComposer(self.docs, id="composer")
            yield ResponseInspector(id="inspector")
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
        color = self.settings.profile.color if len(self.fleet) == 1 else None
        if color:  # several servers: each has its colour in the stream's server column
            title = self.query_one("#title", Static)
            try:
                title.styles.background = color
                title.add_class("-profile-color")
            except Exception:
                safe.notify(self, f"profile color {color!r} is not a colour", severity="warning")
        self.title_composer()
        self.sync_servers()
        self.query_one(EventStream).focus()
        self.load_history()
        if self.settings.hint:
            self.notify(self.settings.hint, title="Demo PBX", timeout=30, markup=False)
        self.set_interval(1 / self.settings.refresh_hz, self._tick, name="refresh")
        self.set_interval(0.5, self._update_status, name="status")
        self.set_interval(0.5, self.live_tick, name="live")
        self.start_sessions()

    async def on_unmount(self) -> None:
        """Log off politely and stop the demo PBX, so nothing is left half-open."""
        self.stop_recording()
        for member in self.fleet:
            if member.session is not None:
                await member.session.close()
        if self._demo_server is not None:
            await self._demo_server.close()

    def _early_theme(self, name: str) -> None:
        """The configured theme, before the stylesheet is first built. Set in on_mount, its
        watcher parsed and applied all of the CSS a second time, a quarter of the time to the
        first paint (bench/startup.py). This is what the watcher does, less that refresh; a
        missing theme is left to on_mount, which says so."""
        theme = self.get_theme(name)
        if theme is None:
            return
        self.set_reactive(App.theme, name)
        self.stylesheet.set_variables(self.get_css_variables())  # built in App.__init__
        self.set_class(True, f"-theme-{name}", update=False)
        self.set_class(theme.dark, "-dark-mode", update=False)
        self.set_class(not theme.dark, "-light-mode", update=False)
        self._refresh_truecolor_filter(self.ansi_theme)

    def _pick_theme(self, name: str) -> str:
        if name in self.available_themes:
            return name
        safe.notify(self, f"theme {name!r} not found; using {DEFAULT_THEME}", severity="warning")
        return DEFAULT_THEME

    # -- session ----------------------------------------------------------------------------

    def rewind(self) -> None:
        self.ring.clear()
        self.live.reset()  # the replay starts over: so do the live tables
        # The replay delivers everything again from the start: the totals start over too, or
        # every seek back would add the same events to the count once more.
        self.ring.counts.clear()
        self.ring.evicted = self.ring.evicted_by_size = 0
        self.bridge.reset_analysis()

    def _tick(self) -> None:
        if self.ring.version == self._last_version and not self.bridge.backlog:
            return
        self._last_version = self.ring.version
        self._analyse()
        # Fed here rather than on the 0.5 s timer: at 50,000 events/s half a second of
        # events held the loop for a key press's worth at once (bench/console.py).
        self.live.pull()
        self.sync_servers()
        self.refresh_transcript()
        self.query_one(StreamPane).sync()
        # With the pane's title, so that both counts say the same at any moment; the 0.5 s
        # timer still refreshes rates and pings while nothing arrives.
        self._update_status()

    def _analyse(self) -> None:
        """Tracing and the catalog, in chunks, for at most ANALYSE_SECONDS a tick (and 20,000
        events, as before). Under a flood the console can keep up with (bench/console.py at
        50,000 events/s) analysis took most of each tick, and the reader and keys waited; now
        it falls behind instead, catches up when the flood eases, and what the ring evicts
        before its turn is counted (`_untraced`)."""
        deadline = time.perf_counter() + ANALYSE_SECONDS
        for _ in range(ANALYSE_MAX // ANALYSE_CHUNK):
            if self.bridge.analyse(ANALYSE_CHUNK) < ANALYSE_CHUNK:
                return
            if time.perf_counter() >= deadline:
                return

    def _untraced(self) -> str | None:
        n = self.bridge.unanalysed
        return f"{n:,} evicted before tracing" if n else None

    def _rec_marker(self) -> str | None:
        return "● REC" if self.recording is not None and self.recording.active else None

    def status_extras(self) -> list[str | None]:
        """The status bar's parts beyond the servers': replay, recording, untraced."""
        return [self.replay_status(), self._rec_marker(), self._untraced()]

    # -- panes talking to each other --------------------------------------------------------

    def on_event_stream_selected(self, message: EventStream.Selected) -> None:
        inspector = self.query_one(ResponseInspector)
        if isinstance(message.entry, StoredEvent):
            inspector.show_event(message.entry)
        elif isinstance(message.entry, GapMarker):
            inspector.show_gap(message.entry)

    def on_event_stream_follow_changed(self, _: EventStream.FollowChanged) -> None:
        self._update_status()  # the pane retitles itself

    def on_action_composer_send_requested(self, message: ActionComposer.SendRequested) -> None:
        self.request_send(message.action)

    # -- actions ----------------------------------------------------------------------------

    def action_leave(self) -> None:
        """Escape: out of whatever field or pane, back to the stream."""
        self.query_one(StreamPane).close_filter()
        self.query_one(EventStream).focus()

    def action_focus_composer(self) -> None:
        self.query_one(ActionComposer).focus_picker()

    def action_types(self) -> None:
        def closed(_: None) -> None:
            self.query_one(StreamPane).sync()  # the mutes may have changed

        self.push_screen(EventTypes(self.view, self.live.rates), closed)

    def _selected_channel(self) -> str | None:
        entry = self.query_one(EventStream).selected_entry()
        if isinstance(entry, StoredEvent):
            return entry.frame.get("Channel")
        return None

    def action_hangup(self) -> None:
        self._prepare_for_selected_channel("Hangup")

    def action_redirect(self) -> None:
        self._prepare_for_selected_channel("Redirect")

    def _prepare_for_selected_channel(self, name: str) -> None:
        channel = self._selected_channel()
        if not channel:
            key = self.key_hints.key
            how = f"{key('app.focus-events')}, then {key('stream.up')}/{key('stream.down')}"
            safe.notify(self, f"Select an event with a Channel first ({how})")
            return
        if self.refuse_gone_channel(name):
            return
        self.target_selected()  # the channel is on the server the event came from
        self.query_one(ActionComposer).prepare(name, [("Channel", channel)])

    def action_prepare(self, name: str, headers: list[tuple[str, str]]) -> None:
        self.query_one(ActionComposer).prepare(name, headers)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.check_replay_action(action)

    def action_originate(self) -> None:
        self.target_selected()
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
        yield from self.key_hints.palette({"app": self, "pane": pane, "stream": pane.stream})
