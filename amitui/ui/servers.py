"""The app's side of its servers: one session worker each, their states, the status bar, and
sending an action to the one server it is meant for.

`ServerParts` is made by AmiApp and handed what it uses: the fleet (ui/fleet.py: the
servers, no Textual), the store, and the app as the host of the widgets it updates, the
workers it runs and the screens it pushes. This is where the servers' facts meet the
widgets. With one server everything looks and behaves as it always did; with several, rows,
calls, titles and confirmations name theirs.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.content import Content
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import Static

from amitui.client import Phase, SessionError, SessionState, Transcript
from amitui.client.interface import SessionLike
from amitui.protocol import Action, LocalProtocolError
from amitui.store import ActionHistory, EventRing, StoredEvent
from amitui.store.catalog import EventCatalog
from amitui.store.servers import Origin
from amitui.ui import keymap, lower, safe
from amitui.ui.bridge import StoreBridge
from amitui.ui.fleet import Fleet, Member, Target
from amitui.ui.lower import LowerPanes
from amitui.ui.screens.confirm import ConfirmSend
from amitui.ui.units import ms
from amitui.ui.widgets.statusbar import StatusBar, StatusFacts
from amitui.ui.widgets.stream import EventStream

if TYPE_CHECKING:
    from amitui.ui.widgets.composer import ActionComposer

SessionFactory = Callable[..., SessionLike]
DemoStarter = Callable[[], Awaitable[Any]]  # returns an object with a `.port`


class SessionStateChanged(Message):
    def __init__(self, state: SessionState, server: str = "") -> None:
        super().__init__()
        self.state = state
        self.server = server  # the member's name (its profile's)


@dataclass
class ServerHooks:
    """What ServerParts asks of the rest of the app, beyond the store and the widgets."""

    title_text: Callable[[], str]  # the title bar's text (the demo's port changes it)
    status_extras: Callable[[], list[str | None]]  # replay, recording, untraced
    rewind: Callable[[], None]  # a replay seeking back: the store starts over
    remember: Callable[[str, Target | None], None]  # an action's reply, to its history file


class ServerParts:
    """The sessions of the fleet's servers and sending actions to them (made by AmiApp)."""

    def __init__(
        self, host: App[Any], fleet: Fleet, bridge: StoreBridge, ring: EventRing,
        history: ActionHistory, key_hints: keymap.KeyHints, hooks: ServerHooks, *,
        panes: LowerPanes, session_factory: SessionFactory, demo_starter: DemoStarter | None,
        demo: bool,
    ) -> None:  # fmt: skip
        self.host = host  # the widgets, workers, screens and toasts
        self.panes = panes  # whether the composer and the inspector are mounted yet
        self.fleet = fleet
        self.bridge = bridge
        self.ring = ring
        self.history = history
        self.key_hints = key_hints
        self.hooks = hooks
        self.session_factory = session_factory
        self.demo_starter = demo_starter
        self.demo = demo
        self.demo_server: Any = None  # the demo PBX, once started (closed on unmount)
        self._shown_changes = (0, 0)  # (exchange, its change count) the inspector drew
        self._origins_known = -1  # how many servers the stream's column was last drawn for

    # -- sessions ---------------------------------------------------------------------------

    def start_sessions(self) -> None:
        """One worker per server; each reconnects on its own, and a failure stays its own."""
        for member in self.fleet:
            self.host.run_worker(
                self._run_member(member), name=f"ami-session {member.label}", group="ami",
                description=f"AMI session to {member.spec.address}", exit_on_error=False,
            )  # fmt: skip

    async def _run_member(self, member: Member) -> None:
        if self.demo_starter is not None and member is self.fleet.first:
            server = await self.demo_starter()
            self.demo_server = server
            member.spec = replace(member.spec, port=int(server.port))
            self.bridge.server = member.spec.address
            self.host.query_one("#title", Static).update(self.hooks.title_text())
        name = member.name

        def post_state(state: SessionState) -> None:
            self.host.post_message(SessionStateChanged(state, name))

        member.session = self.session_factory(
            member.spec, on_events=member.tap.on_events, on_gap=member.tap.on_gap,
            on_state=post_state,
        )  # fmt: skip
        replay = member.session.replay
        if replay is not None:
            # Replayed events carry the time they happened, and seeking back starts over.
            self.bridge.clock = replay.recorded_time
            replay.on_rewind = self.hooks.rewind
        await member.session.run()

    def state_changed(self, message: SessionStateChanged) -> None:
        state = message.state
        member = self.fleet.members.get(message.server) or self.fleet.first
        self._note_state(member, state)
        self.update_status()
        if not self.host.is_running or not self.host.query("#lower"):
            return  # shutting down
        if state.phase is Phase.READY:
            member.connected_once = True
            if not member.commands_loaded and member is self.fleet.member():
                self._load_commands(member)
        elif state.phase is Phase.FAILED:
            title = f"AMI {member.label}" if self.fleet.several else "AMI"
            reason = state.reason or "connection failed"
            safe.notify(self.host, reason, title=title, severity="error", timeout=30)

    def _note_state(self, member: Member, state: SessionState) -> None:
        """What the analysis must know of a server: behind a proxy, and its AMI version."""
        bridge = self.bridge
        if state.proxy:
            member.behind_proxy = True
            bridge.proxied.add(member.tap.server)
        if state.ami_version:
            bridge.versions[member.tap.server] = state.ami_version

    @property
    def connected_once(self) -> bool:
        """Whether any server was ever logged in (launch exits non-zero when none was)."""
        return any(m.connected_once for m in self.fleet)

    def sync(self) -> None:
        """After new events: a server named for the first time behind a proxy adds itself to
        the column and the composer's choices."""
        fleet = self.fleet
        fleet.learn(self.bridge.origins())
        member = fleet.member()
        if member.split_by_upstream and not fleet.target.upstream:
            # Behind a proxy an action goes to one Asterisk, named: the first one known
            # until the user picks another (without `Server:` the proxy would choose).
            self.choose_target(Target(member.name, member.upstreams[0]))
        known = len(fleet.targets()) if fleet.several else 0
        if known == self._origins_known:
            return
        self._origins_known = known
        stream = self.host.query_one(EventStream)
        stream.show_origins(fleet.origin_of if known else None, fleet.label_width())
        if (composer := self._composer()) is not None:
            composer.several_servers = bool(known)
        self.title_composer()

    # -- status -----------------------------------------------------------------------------

    def update_status(self) -> None:
        try:
            self._show_status()
        except NoMatches:  # the timer can fire once more while the app shuts down
            return

    def _show_status(self) -> None:
        fleet = self.fleet
        stream = self.host.query_one(EventStream)
        extra = [x for x in self.hooks.status_extras() if x]
        facts = StatusFacts(
            state=fleet.first.state, rate=self.bridge.meter.rate(),
            total=sum(self.ring.counts.values()), evicted=self.ring.evicted,
            evicted_by_size=self.ring.evicted_by_size, shown=len(stream.rows),
            following=stream.following, waiting=stream.waiting,
            read_only=fleet.first.read_only, demo=self.demo,
            ping_ms=session.ping_ms if (session := fleet.member().session) else None, extra=extra,
        )  # fmt: skip
        if len(fleet) > 1:
            worst = fleet.worst_state()
            # Only the phase and the proxy's note colour the bar; each server's words are in
            # `servers`, and one server's version is no one else's.
            facts.state = SessionState(worst.phase, "", "", upstream=worst.upstream)
            facts.servers = fleet.status_forms(time.monotonic(), lambda m: m.tap.meter.rate())
            facts.rate = sum(m.tap.meter.rate() for m in fleet)
            facts.ping_ms = None
            facts.read_only = False
            read_only = [m.label for m in fleet if m.read_only]
            if read_only:
                facts.extra.insert(0, f"READ-ONLY {', '.join(read_only)}")
        self.host.query_one(StatusBar).show(facts)

    # -- which server actions go to ---------------------------------------------------------

    def _composer(self) -> ActionComposer | None:
        """The composer; None until it is mounted, just after the first screen (AmiApp)."""
        return lower.composer(self.host) if self.panes.ready else None

    def lower_mounted(self) -> None:
        """The composer and the inspector are in: what they missed while the first screen
        was drawn (the servers known, the action list of a server already logged in)."""
        lower.composer(self.host).several_servers = bool(self._origins_known)
        self.title_composer()
        member = self.fleet.member()
        if member.state.phase is Phase.READY and not member.commands_loaded:
            self._load_commands(member)

    def _load_commands(self, member: Member) -> None:
        composer = self._composer()
        if composer is not None:  # else lower_mounted does it
            member.commands_loaded = True
            composer.refresh_commands()

    def title_composer(self) -> None:
        """'Compose (a)' with one server; 'Compose on pbx-b (a)' with several."""
        composer = self._composer()
        if composer is None:
            return  # titled when it is mounted
        key = self.key_hints.key("app.focus-composer")
        if not self.fleet.several:
            composer.border_title = Content(f"Compose ({key})")
            return
        # Content, not markup: a proxy's upstream name is the server's text.
        composer.border_title = safe.content(f"Compose on {self.fleet.describe()} ({key})")
        # The composer keeps its own keys (keymap.py holds the main screen's); `[keys]` may
        # still rebind this one by its id.
        server_key = self.key_hints.overrides.get("composer.server") or composer.server_key
        composer.border_subtitle = Content(f"{keymap.spell(server_key.split(',')[0])} next server")

    def choose_target(self, target: Target) -> None:
        """Actions go to `target` from now on; its action list replaces the other's."""
        if target == self.fleet.target:
            return
        self.fleet.target = target
        self.title_composer()
        member = self.fleet.member()
        member.commands_loaded = False  # loaded once it is ready
        if member.state.phase is Phase.READY:
            self._load_commands(member)

    def next_server(self) -> None:
        """The composer's key for the next server: actions go there from now on."""
        current = self.fleet.target
        target = self.fleet.cycle()
        self.fleet.target = current  # choose_target does the rest
        self.choose_target(target)
        safe.notify(self.host, f"Actions go to {self.fleet.describe()}", timeout=3)

    def target_origin(self) -> Origin:
        """The target as the bridge keys its tracing: (tag when split, upstream)."""
        member, target = self.fleet.member(), self.fleet.target
        return (member.tap.server if self.bridge.split else "", target.upstream)

    def target_catalog(self) -> EventCatalog:
        """The catalog of the server actions go to (with one server: the catalog)."""
        if not self.fleet.several:
            return self.bridge.catalog
        return self.bridge.catalog_for(self.target_origin())

    def target_selected(self) -> None:
        """Keys that act on the selected event (hangup, redirect, originate) act on the server
        it came from."""
        entry = self.host.query_one(EventStream).selected_entry()
        if isinstance(entry, StoredEvent) and len(self.fleet.targets()) > 1:
            self.choose_target(self.fleet.target_of(entry))

    # -- sending ----------------------------------------------------------------------------

    def request_send(self, action: Action) -> None:
        """Send to the current target after the checks: read-only refuses, state-changing
        actions ask first (naming the server when several are open)."""
        fleet = self.fleet
        target = fleet.target
        member = fleet.member(target)
        action = fleet.route(action, target)
        if not action.action_id and member.session is not None:
            # Fixed now, so the confirmation shows exactly the bytes that will be sent.
            action = action.with_id(member.session.ids.next())
        changes = member.policy.changes_state(action)
        where = fleet.describe(target) if fleet.several else ""
        if changes and member.read_only:
            session = f"{where} is read-only" if where else "this session is read-only"
            text = f"{action.name} can change the PBX and {session}"
            safe.notify(self.host, text, title="Refused", severity="error")
            return
        if changes and member.profile.confirm:

            def answered(ok: bool | None) -> None:
                if ok:
                    self.send_to(action, target)
                else:
                    safe.notify(self.host, f"{action.name} not sent")

            confirm = ConfirmSend(action, member.spec.address, on=where or None)
            self.host.push_screen(confirm, answered)
            return
        self.send_to(action, target)

    def send_to(self, action: Action, target: Target) -> None:
        member = self.fleet.member(target)
        self.host.run_worker(
            self._send_now(action, target), group="actions", name=f"send {action.name}",
            description=f"{action.name} to {member.spec.address}", exit_on_error=False,
        )  # fmt: skip

    async def _send_now(self, action: Action, target: Target) -> None:
        fleet = self.fleet
        session = fleet.member(target).session
        if session is None:
            safe.notify(self.host, "not connected yet", severity="error")
            return
        on = f" on {fleet.describe(target)}" if fleet.several else ""
        try:
            tr: Transcript = await session.send(action)
        except (SessionError, LocalProtocolError) as exc:
            safe.notify(self.host, str(exc), title=f"{action.name} not sent{on}", severity="error")
            return
        aid = tr.action.action_id or ""
        self.history.add(aid, tr.action.name, tr.action.headers, tr.sent_wall)
        self.history.update(aid, tr.status, tr.latency_ms)
        self.hooks.remember(aid, target)
        ex = tr.exchange
        self._shown_changes = (id(ex), ex.changes)
        lower.inspector(self.host).show_transcript(tr)
        took = f" in {ms(tr.latency_ms)}" if tr.latency_ms is not None else ""
        text = f"{action.name}{on} → {tr.status}{took}: {tr.message}"
        if not tr.ok and tr.message.strip().lower() == "permission denied":
            # Asterisk does not say which class was missing; ListCommands (or what we know) does.
            text += f"\n{lower.composer(self.host).why_denied(action.name)}"
        # The reply's Message is the server's text: never markup, escapes visible.
        safe.notify(self.host, text, severity="information" if tr.ok else "error", timeout=6)

    def refresh_transcript(self) -> None:
        """Redraw the shown action when later frames arrived for it (OriginateResponse…)."""
        if not self.panes.ready:
            return  # not mounted yet: nothing shown
        inspector = lower.inspector(self.host)
        tr = inspector.subject
        if isinstance(tr, Transcript):
            ex = tr.exchange
            seen = (id(ex), ex.changes)
            if seen != self._shown_changes:
                self._shown_changes = seen
                inspector.show_transcript(tr)
