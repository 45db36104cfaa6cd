"""The app's side of its servers: one session worker each, their states, the status bar, and
sending an action to the one server it is meant for.

A mixin of AmiApp, like tools.py: the fleet (ui/fleet.py) knows the servers and holds no
Textual; this is where their facts meet the widgets. With one server everything looks and
behaves as it always did; with several, rows, calls, titles and confirmations name theirs.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING

from textual.content import Content
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import Static

from amitui.client import Phase, SessionError, SessionState, Transcript
from amitui.protocol import Action, LocalProtocolError
from amitui.store import StoredEvent
from amitui.store.catalog import EventCatalog
from amitui.store.servers import Origin
from amitui.ui import keymap, safe
from amitui.ui.fleet import Member, Target
from amitui.ui.screens.confirm import ConfirmSend
from amitui.ui.widgets.composer import ActionComposer
from amitui.ui.widgets.inspector import ResponseInspector
from amitui.ui.widgets.statusbar import StatusBar, StatusFacts
from amitui.ui.widgets.stream import EventStream

if TYPE_CHECKING:
    from amitui.ui.app import AmiApp


class SessionStateChanged(Message):
    def __init__(self, state: SessionState, server: str = "") -> None:
        super().__init__()
        self.state = state
        self.server = server  # the member's name (its profile's)


class ServerActions:
    _shown_follow_ups = (0, 0)
    _origins_known = -1  # how many servers the stream's column was last drawn for

    def _app_for_servers(self) -> AmiApp:
        return self  # type: ignore[return-value]

    # -- sessions ---------------------------------------------------------------------------

    def start_sessions(self) -> None:
        """One worker per server; each reconnects on its own, and a failure stays its own."""
        app = self._app_for_servers()
        for member in app.fleet:
            app.run_worker(
                self._run_member(member), name=f"ami-session {member.label}", group="ami",
                description=f"AMI session to {member.spec.address}", exit_on_error=False,
            )  # fmt: skip

    async def _run_member(self, member: Member) -> None:
        app = self._app_for_servers()
        if app.demo_starter is not None and member is app.fleet.first:
            server = await app.demo_starter()
            app._demo_server = server
            member.spec = replace(member.spec, port=int(server.port))
            app.bridge.server = member.spec.address
            app.query_one("#title", Static).update(app.title_text())
        name = member.name

        def state_changed(state: SessionState) -> None:
            app.post_message(SessionStateChanged(state, name))

        member.session = app.session_factory(
            member.spec, on_events=member.tap.on_events, on_gap=member.tap.on_gap,
            on_state=state_changed,
        )  # fmt: skip
        replay = member.session.replay
        if replay is not None:
            # Replayed events carry the time they happened, and seeking back starts over.
            app.bridge.clock = replay.recorded_time
            replay.on_rewind = app.rewind
        await member.session.run()

    def on_session_state_changed(self, message: SessionStateChanged) -> None:
        app = self._app_for_servers()
        state = message.state
        member = app.fleet.members.get(message.server) or app.fleet.first
        self._note_state(member, state)
        self._update_status()
        if not app.is_running or not app.query(ActionComposer):
            return  # shutting down
        if state.phase is Phase.READY:
            member.connected_once = True
            if not member.commands_loaded and member is app.fleet.member():
                member.commands_loaded = True
                app.query_one(ActionComposer).refresh_commands()
        elif state.phase is Phase.FAILED:
            title = f"AMI {member.label}" if app.fleet.several else "AMI"
            reason = state.reason or "connection failed"
            safe.notify(app, reason, title=title, severity="error", timeout=30)

    def _note_state(self, member: Member, state: SessionState) -> None:
        """What the analysis must know of a server: behind a proxy, and its AMI version."""
        bridge = self._app_for_servers().bridge
        if state.proxy:
            member.behind_proxy = True
            bridge.proxied.add(member.tap.server)
        if state.ami_version:
            bridge.versions[member.tap.server] = state.ami_version

    @property
    def connected_once(self) -> bool:
        """Whether any server was ever logged in (launch exits non-zero when none was)."""
        return any(m.connected_once for m in self._app_for_servers().fleet)

    def sync_servers(self) -> None:
        """After new events: a server named for the first time behind a proxy adds itself to
        the column and the composer's choices."""
        app = self._app_for_servers()
        fleet = app.fleet
        fleet.learn(app.bridge.origins())
        member = fleet.member()
        if member.split_by_upstream and not fleet.target.upstream:
            # Behind a proxy an action goes to one Asterisk, named: the first one known
            # until the user picks another (without `Server:` the proxy would choose).
            self.choose_target(Target(member.name, member.upstreams[0]))
        known = len(fleet.targets()) if fleet.several else 0
        if known == self._origins_known:
            return
        self._origins_known = known
        stream = app.query_one(EventStream)
        stream.show_origins(fleet.origin_of if known else None, fleet.label_width())
        app.query_one(ActionComposer).several_servers = bool(known)
        self.title_composer()

    # -- status -----------------------------------------------------------------------------

    def _update_status(self) -> None:
        try:
            self._show_status()
        except NoMatches:  # the timer can fire once more while the app shuts down
            return

    def _show_status(self) -> None:
        app = self._app_for_servers()
        fleet = app.fleet
        stream = app.query_one(EventStream)
        extra = [x for x in app.status_extras() if x]
        facts = StatusFacts(
            state=fleet.first.state, rate=app.bridge.meter.rate(),
            total=sum(app.ring.counts.values()), evicted=app.ring.evicted,
            evicted_by_size=app.ring.evicted_by_size, shown=len(stream.rows),
            following=stream.following, waiting=stream.waiting,
            read_only=fleet.first.read_only, demo=app.settings.demo,
            ping_ms=app.session.ping_ms if app.session else None, extra=extra,
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
        app.query_one(StatusBar).show(facts)

    # -- which server actions go to ---------------------------------------------------------

    def title_composer(self) -> None:
        """'Compose (a)' with one server; 'Compose on pbx-b (a)' with several."""
        app = self._app_for_servers()
        composer = app.query_one(ActionComposer)
        key = app.key_hints.key("app.focus-composer")
        if not app.fleet.several:
            composer.border_title = Content(f"Compose ({key})")
            return
        # Content, not markup: a proxy's upstream name is the server's text.
        composer.border_title = safe.content(f"Compose on {app.fleet.describe()} ({key})")
        # The composer keeps its own keys (keymap.py holds the main screen's); `[keys]` may
        # still rebind this one by its id.
        server_key = app.key_hints.overrides.get("composer.server") or composer.server_key
        composer.border_subtitle = Content(f"{keymap.spell(server_key.split(',')[0])} next server")

    def choose_target(self, target: Target) -> None:
        """Actions go to `target` from now on; its action list replaces the other's."""
        app = self._app_for_servers()
        if target == app.fleet.target:
            return
        app.fleet.target = target
        self.title_composer()
        member = app.fleet.member()
        if member.state.phase is Phase.READY:
            member.commands_loaded = True
            app.query_one(ActionComposer).refresh_commands()
        else:
            member.commands_loaded = False  # loaded once it is ready

    def on_action_composer_next_server_requested(
        self, _: ActionComposer.NextServerRequested
    ) -> None:
        app = self._app_for_servers()
        current = app.fleet.target
        target = app.fleet.cycle()
        app.fleet.target = current  # choose_target does the rest
        self.choose_target(target)
        safe.notify(app, f"Actions go to {app.fleet.describe()}", timeout=3)

    def target_origin(self) -> Origin:
        """The target as the bridge keys its tracing: (tag when split, upstream)."""
        app = self._app_for_servers()
        member, target = app.fleet.member(), app.fleet.target
        return (member.tap.server if app.bridge.split else "", target.upstream)

    def target_catalog(self) -> EventCatalog:
        """The catalog of the server actions go to (with one server: the catalog)."""
        app = self._app_for_servers()
        if not app.fleet.several:
            return app.bridge.catalog
        return app.bridge.catalog_for(self.target_origin())

    def target_selected(self) -> None:
        """Keys that act on the selected event (hangup, redirect, originate) act on the server
        it came from."""
        app = self._app_for_servers()
        entry = app.query_one(EventStream).selected_entry()
        if isinstance(entry, StoredEvent) and len(app.fleet.targets()) > 1:
            self.choose_target(app.fleet.target_of(entry))

    # -- sending ----------------------------------------------------------------------------

    def request_send(self, action: Action) -> None:
        """Send to the current target after the checks: read-only refuses, state-changing
        actions ask first (naming the server when several are open)."""
        app = self._app_for_servers()
        fleet = app.fleet
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
            safe.notify(app, text, title="Refused", severity="error")
            return
        if changes and member.profile.confirm:

            def answered(ok: bool | None) -> None:
                if ok:
                    self.send_to(action, target)
                else:
                    safe.notify(app, f"{action.name} not sent")

            app.push_screen(ConfirmSend(action, member.spec.address, on=where or None), answered)
            return
        self.send_to(action, target)

    def send_to(self, action: Action, target: Target) -> None:
        app = self._app_for_servers()
        member = app.fleet.member(target)
        app.run_worker(
            self._send_now(action, target), group="actions", name=f"send {action.name}",
            description=f"{action.name} to {member.spec.address}", exit_on_error=False,
        )  # fmt: skip

    async def _send_now(self, action: Action, target: Target) -> None:
        app = self._app_for_servers()
        fleet = app.fleet
        session = fleet.member(target).session
        if session is None:
            safe.notify(app, "not connected yet", severity="error")
            return
        on = f" on {fleet.describe(target)}" if fleet.several else ""
        try:
            tr: Transcript = await session.send(action)
        except (SessionError, LocalProtocolError) as exc:
            safe.notify(app, str(exc), title=f"{action.name} not sent{on}", severity="error")
            return
        aid = tr.action.action_id or ""
        app.history.add(aid, tr.action.name, tr.action.headers, tr.sent_wall)
        app.history.update(aid, tr.status, tr.latency_ms)
        app.remember(aid, target)
        ex = tr.exchange
        self._shown_follow_ups = (len(ex.follow_ups), len(ex.late))
        app.query_one(ResponseInspector).show_transcript(tr)
        took = f" in {tr.latency_ms:.0f} ms" if tr.latency_ms is not None else ""
        text = f"{action.name}{on} → {tr.status}{took}: {tr.message}"
        if not tr.ok and tr.message.strip().lower() == "permission denied":
            # Asterisk does not say which class was missing; ListCommands (or what we know) does.
            text += f"\n{app.query_one(ActionComposer).why_denied(action.name)}"
        # The reply's Message is the server's text: never markup, escapes visible.
        safe.notify(app, text, severity="information" if tr.ok else "error", timeout=6)

    def refresh_transcript(self) -> None:
        """Redraw the shown action when later frames arrived for it (OriginateResponse…)."""
        inspector = self._app_for_servers().query_one(ResponseInspector)
        tr = inspector.subject
        if isinstance(tr, Transcript):
            ex = tr.exchange
            seen = (len(ex.follow_ups), len(ex.late))
            if seen != self._shown_follow_ups:
                self._shown_follow_ups = seen
                inspector.show_transcript(tr)
