"""The session's side of connecting through a proxy (AstManProxy), as a mixin of AmiSession:
what the byte stream says beyond Asterisk's own protocol, turned into transcripts, gaps and
state. The recognising itself is pure, in amitui/client/proxy.py; tests in
tests/client/test_proxy.py, against the fake proxy in tests/client/fakeproxy.py.

Also here, because a proxy is where they show: events before the banner (`_before_banner`) and
other clients' responses (`_foreign`), both handled the same way when connected directly.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from amitui.client.errors import NotReady
from amitui.client.proxy import BannerPrelude, Upstreams, is_goodbye, proxy_message
from amitui.client.state import Phase, SessionState
from amitui.client.transcript import Outcome, Transcript
from amitui.protocol import Action, ActionIds, Correlator, Exchange, Frame, FrameKind, Role
from amitui.protocol.safetext import shown

if TYPE_CHECKING:
    from amitui.client.spec import ServerSpec, Timing


class ProxyAware:
    """Mixed into AmiSession, whose attributes and methods it uses (declared below)."""

    if TYPE_CHECKING:
        spec: ServerSpec
        timing: Timing
        ids: ActionIds
        state: SessionState
        banner: Frame | None
        upstreams: Upstreams | None
        events_before_banner: int
        foreign_responses: int
        foreign: deque[Frame]
        on_wire: Callable[[str, bytes | Frame], None] | None
        _correlator: Correlator
        _waiting: dict[str, tuple[Transcript, asyncio.Future[None]]]
        _learn_task: asyncio.Task[None] | None
        _dead_reason: str | None

        async def _send(
            self, action: Action, timeout: float | None, internal: bool = False
        ) -> Transcript: ...

        def _note_reply(
            self, role: Role, exchange: Exchange, finished: bool, frame: Frame
        ) -> None: ...

        def _fail_pending(self, note: str) -> None: ...

        def _wire_listeners(self) -> list[Callable[[str, bytes | Frame], None]]: ...

        def _deliver(self, batch: list[Frame]) -> None: ...

        def _set(self, phase: Phase, **changes: object) -> None: ...

    def _base_state(self, phase: Phase) -> SessionState:
        """The state's facts: the banner's AMI version, or behind a proxy what it told."""
        spec = self.spec
        ups = self.upstreams
        if ups is None:
            version = self.banner.version if self.banner is not None else None
            return SessionState(phase, spec.address, spec.user, ami_version=version)
        return SessionState(
            phase, spec.address, spec.user, ami_version=ups.ami_version, proxy=ups.proxy,
            asterisk_version=ups.asterisk_version, upstream=ups.note,
        )  # fmt: skip

    def _ping_pointless(self) -> bool:
        """Every Asterisk behind the proxy said it shut down: the proxy would drop a Ping, and
        the proxy itself is there."""
        return self.upstreams is not None and self.upstreams.all_down()

    def _pong_missed(self) -> bool:
        """No Pong in time. Through a proxy that says the Asterisk behind it is silent, not the
        proxy: a new connection would not bring it back, and would miss the proxy's word that
        it is back. True when handled here (behind a proxy)."""
        ups = self.upstreams
        if ups is None:
            return False
        deadline = self.timing.pong_deadline
        ups.unanswered(
            f"no Pong through the proxy within {deadline:g} s; is the Asterisk behind it down?",
            time.monotonic(),
        )
        self._refresh()
        return True

    def _before_banner(self, prelude: BannerPrelude, data: bytes) -> bytes | None:
        """The bytes for the parser once the prelude is over, else None. Events a proxy sent
        before its banner are kept: they are the PBX's, like any event after login."""
        if not data:
            return prelude.flush()
        early, held = prelude.feed(data)
        if early:
            for listen in self._wire_listeners():
                for frame in early:
                    listen("in", frame)
            self.events_before_banner += len(early)
            self._deliver(early)
        return held

    def _foreign(self, response: Frame) -> bool:
        """Another client's response or list item (a proxy forwards them all): set aside and
        counted. One with our own ActionID prefix or none is ours, and stays in the stream."""
        aid = response.action_id
        if not aid or aid.startswith(f"{self.ids.prefix}-"):
            return False
        self.foreign_responses += 1
        self.foreign.append(response)
        return True

    def _watched(self, event: Frame) -> str | None:
        """Shutdown, and behind a proxy FullyBooted. Returns the text of a gap to mark."""
        ups = self.upstreams
        if ups is None:
            if event.name == "Shutdown":
                # Asterisk says why before it closes: keep that as the reason for the gap.
                how = shown(event.get("Shutdown") or "now")
                again = ", restarting" if (event.get("Restart") or "").lower() == "true" else ""
                self._dead_reason = f"Asterisk shut down ({how}{again})"
            return None
        now = time.monotonic()
        server = event.get("Server") or "?"
        if event.name == "Shutdown":
            # The connection to the proxy stays: this is the gap a reconnect would have marked.
            gap = ups.shutdown(event, now)
            if ups.all_down():
                self._fail_pending(f"{ups.down[server][0]} before the answer; not re-sent")
            self._refresh()
            return gap
        if server not in ups.down:
            return None
        return self._upstream_back(ups.back(server, now, "it sent FullyBooted"))

    def _from_proxy(self, frame: Frame) -> tuple[bool, str | None]:
        """A frame that is not an event, behind a proxy: (route it as usual?, gap to mark)."""
        ups = self.upstreams
        assert ups is not None
        if frame.kind is FrameKind.RESPONSE:
            if frame.action_id:
                return True, None
            # The proxy's login to an Asterisk behind it, glued to that one's banner: it
            # answers no action of ours, and says that Asterisk is back.
            gap = ups.upstream_login(frame, time.monotonic())
            return gap is None, (None if gap is None else self._upstream_back(gap))
        if is_goodbye(frame):
            return not self._goodbye(frame), None
        said = proxy_message(frame)
        if said is not None:  # stays in the stream: the proxy's own words
            self._dead_reason = (
                "AstManProxy shut down"
                if said.strip().lower() == "proxy shutting down"
                else f"{ups.proxy}: {shown(said)}"
            )
        return True, None

    def _goodbye(self, frame: Frame) -> bool:
        """AstManProxy answers Logoff with a bare `Goodbye:` line: it answers the Logoff, so
        closing ends now, not at the Logoff timeout. False when no Logoff is waiting."""
        for aid, (tr, _) in list(self._waiting.items()):
            if tr.action.name.lower() == "logoff":
                routed = self._correlator.settle(aid, frame)
                if routed is not None and routed.exchange is not None:
                    self._note_reply(routed.role, routed.exchange, routed.finished, frame)
                    return True
        return False

    def _upstream_back(self, gap: str) -> str:
        self._refresh()
        self._learn_upstream()  # it may be another version now
        return gap

    def _learn_upstream(self) -> None:
        """Behind a proxy, ask the Asterisk there for its versions, in the background: the
        banner gave only the proxy's."""
        if self.upstreams is None:
            return
        if self._learn_task is not None and not self._learn_task.done():
            self._learn_task.cancel()
        self._learn_task = asyncio.create_task(
            self._ask_versions(), name=f"ami-coresettings {self.spec.address}"
        )

    async def _ask_versions(self) -> None:
        ups = self.upstreams
        try:
            tr = await self._send(Action("CoreSettings"), None, internal=True)
        except NotReady:
            return
        if ups is None or ups is not self.upstreams:
            return  # another connection by now
        if tr.ok and tr.response is not None:
            ups.learned(tr.response)
        elif tr.outcome is Outcome.TIMEOUT:
            ups.unanswered(
                f"no answer through the proxy within {self.timing.action_timeout:g} s; "
                "is the Asterisk behind it down?",
                time.monotonic(),
            )
        # Refused (the proxy's manager user may not ask): the version stays unknown, which is
        # true, rather than the proxy's, which is not Asterisk's.
        self._refresh()

    def _refresh(self) -> None:
        """What the state is made of changed while ready (behind a proxy): say so."""
        if self.state.phase is Phase.READY:
            self._set(Phase.READY)
