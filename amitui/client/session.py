"""One AMI session's connection, for its whole life: open, log in, run, back off and reconnect,
keep alive, close, and the state it reports. Where the frames of each read go is the Router's
room (amitui/client/routing.py); how an action is written and its answer awaited is the
Sender's (amitui/client/sending.py); the banner and the login are amitui/client/login.py's.

Theory of operation
-------------------
* One reader task per connection reads as fast as the socket gives bytes, feeds the sans-IO
  parser and hands each read's frames to the Router (amitui/client/routing.py), once per read.
  It never awaits a consumer: Asterisk tears down a client that reads slowly (`writetimeout`).
* `send(action)` is the Sender's: it returns a Transcript whatever happens, and an action in
  flight when the connection drops is never re-sent (its outcome is `unknown`).
* A keepalive Ping runs every `ping_interval`; no Pong within `pong_deadline` means the peer is
  gone even if TCP has not noticed, and the connection is dropped and re-made.
* `run()` reconnects with capped exponential backoff and jitter, and reports each gap through
  `on_gap`, so the stream can mark where events were missed. A refused login is final,
  unless the refusal says nothing of the credentials (the server stopping: login.py).
* Behind AstManProxy (its banner says so) the connection outlives the Asterisk servers behind
  it: their restarts become gaps without a reconnect, and the versions come from CoreSettings.
  What the proxy changes in the byte stream is recognised in amitui/client/proxy.py.
* A response carrying an ActionID this session never used is another client's (a proxy
  forwards them): counted in `foreign_responses`, kept in `foreign`, never an event.

Tests: tests/client/test_session_faults.py (fake server: stalls, drops, garbage),
tests/client/test_session_close.py, tests/client/test_proxy.py (a fake AstManProxy) and
tests/integration/ (the real Asterisk).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import replace

from amitui.client.behind_proxy import ProxyAware
from amitui.client.errors import ConnectError, LoginError
from amitui.client.login import await_banner, log_in
from amitui.client.policy import ActionPolicy
from amitui.client.proxy import Upstreams
from amitui.client.routing import WATCHED_EVENTS as WATCHED_EVENTS  # bench/ingest.py's import
from amitui.client.routing import Router, Waiting
from amitui.client.sending import Sender
from amitui.client.spec import (
    EventsCallback,
    GapCallback,
    ServerSpec,
    StateCallback,
    Timing,
    WireCallback,
)
from amitui.client.state import Phase, SessionState
from amitui.client.subscription import Subscription
from amitui.client.taps import Taps
from amitui.client.transcript import Outcome, Transcript
from amitui.client.transport import open_connection
from amitui.protocol import (
    Action,
    ActionIds,
    Correlator,
    Exchange,
    Frame,
    Parser,
    Role,
)
from amitui.protocol.correlator import REMEMBERED_ACTIONS
from amitui.protocol.parser import DEFAULT_MAX_FRAME
from amitui.protocol.recent import RecentMap


class AmiSession(ProxyAware):
    def __init__(
        self,
        spec: ServerSpec,
        *,
        timing: Timing | None = None,
        reconnect: bool = True,
        policy: ActionPolicy | None = None,
        on_events: EventsCallback | None = None,
        on_state: StateCallback | None = None,
        on_gap: GapCallback | None = None,
        on_wire: WireCallback | None = None,
        max_frame: int = DEFAULT_MAX_FRAME,
    ) -> None:
        self.spec = spec
        self.timing = timing or Timing()
        self.reconnect = reconnect
        self.policy = policy or ActionPolicy()
        self.on_state = on_state
        self.on_gap = on_gap
        self.on_wire = on_wire
        # Listeners added while running (a recording), beside on_wire/on_gap: add_tap().
        self._taps = Taps()
        self.max_frame = max_frame
        self.ids = ActionIds()
        self.state = SessionState(Phase.IDLE, spec.address, spec.user)
        self.banner: Frame | None = None
        self.upstreams: Upstreams | None = None  # behind a proxy: the Asterisk servers there
        self.events_before_banner = 0  # of events_received (a proxy under load sends some)
        self.foreign_responses = 0  # other clients' responses, set aside (see `foreign`)
        self.foreign: deque[Frame] = deque(maxlen=50)  # the latest of them, for debugging
        self.logoff: Transcript | None = None  # how the last close() was answered
        self.reconnects = 0
        self.ping_ms: float | None = None
        self.callback_errors: list[str] = []
        self._writer: asyncio.StreamWriter | None = None
        self._reader_task: asyncio.Task[str] | None = None
        self._keepalive_task: asyncio.Task[None] | None = None
        self._learn_task: asyncio.Task[None] | None = None
        self._correlator = Correlator()
        # The actions in flight: the sender puts each in, the router takes it out when answered.
        self._waiting: Waiting = {}
        # Answered, for timing their follow-ups: as many as the correlator routes them for.
        self._recent: RecentMap[str, Transcript] = RecentMap(REMEMBERED_ACTIONS)
        self._banner_seen: asyncio.Future[Frame] | None = None
        self._dead_reason: str | None = None
        self._closing = False
        self._wake = asyncio.Event()
        # Built once: each connection hands it its correlator and banner (open()).
        self._router = Router(
            self,
            correlator=self._correlator,
            waiting=self._waiting,
            recent=self._recent,
            listeners=self._wire_listeners,
            gap=self._gap,
            on_events=on_events,
            errors=self.callback_errors,
        )
        self._sender = Sender(self, waiting=self._waiting)

    # -- public API --------------------------------------------------------------------------

    def add_tap(
        self, *, wire: WireCallback | None = None, gap: GapCallback | None = None
    ) -> Callable[[], None]:
        """Hear the wire (each action sent, masked; each frame as parsed) and the gaps too,
        beside `on_wire`/`on_gap`, until the returned function is called. A recording
        started and stopped while the session runs uses this; nothing is swapped in place."""
        return self._taps.add(wire, gap)

    @property
    def tapped(self) -> int:
        """How many taps are listening now."""
        return len(self._taps)

    def _wire_listeners(self) -> list[WireCallback]:
        return self._taps.wire(self.on_wire)

    @property
    def replay(self) -> None:
        """A live session has no playback controls (client/interface.py ReplayControl)."""
        return None

    @property
    def ready(self) -> bool:
        return self.state.phase is Phase.READY

    @property
    def local_address(self) -> tuple[str, int] | None:
        """Our end of the connection (host, port), while connected: Asterisk names it as the
        RemoteAddress of its security events about this session."""
        writer = self._writer
        name = writer.get_extra_info("sockname") if writer is not None else None
        return (str(name[0]), int(name[1])) if name else None

    @property
    def on_events(self) -> EventsCallback | None:
        """Given each read's batch of events; the router calls it, so it lives there."""
        return self._router.on_events

    @on_events.setter
    def on_events(self, callback: EventsCallback | None) -> None:
        self._router.on_events = callback

    @property
    def events_received(self) -> int:
        """Events handed to the consumers since the session was made."""
        return self._router.delivered

    def subscribe(self, maxsize: int = 1000) -> Subscription:
        """A bounded queue of event batches; a full queue drops and counts, never blocks."""
        sub = Subscription(maxsize)
        self._router.subs.append(sub)
        return sub

    async def open(self) -> None:
        """Connect and log in once. Raises ConnectError or LoginError."""
        self._set(Phase.CONNECTING)
        spec = self.spec
        reader, writer = await open_connection(
            spec.host, spec.port, spec.tls, self.timing.connect_timeout
        )
        loop = asyncio.get_running_loop()
        self._writer = writer
        self._dead_reason = None
        self._correlator = Correlator()
        self._banner_seen = loop.create_future()
        self._router.connected(self._correlator, self._banner_seen)
        parser = Parser(max_frame=self.max_frame)
        self._reader_task = asyncio.create_task(
            self._read_loop(reader, parser), name=f"ami-reader {spec.address}"
        )
        try:
            await self._await_banner()
            self._set(Phase.AUTHENTICATING)
            await self._login()
        except BaseException:
            await self._drop_connection("login did not complete")
            raise
        self._set(Phase.READY)
        self._keepalive_task = asyncio.create_task(
            self._keepalive(), name=f"ami-keepalive {spec.address}"
        )
        self._learn_upstream()

    async def run(self) -> None:
        """Stay connected until close(): reconnect with backoff, report gaps. Returns on a
        refused login (phase FAILED) or after close()."""
        attempt = 0
        lost_at: float | None = None
        while not self._closing:
            reason: str
            try:
                if self._writer is None:
                    await self.open()
                    if lost_at is not None:
                        self.reconnects += 1
                        self._gap(
                            f"reconnected after {time.monotonic() - lost_at:.1f} s; "
                            "events in between were not received"
                        )
                        lost_at = None
                attempt = 0
                reason = await self._connection_end()
            except LoginError as exc:
                self._set(Phase.FAILED, reason=str(exc))
                return
            except ConnectError as exc:
                reason = str(exc)
            if self._closing:
                break
            if lost_at is None and self.state.phase is Phase.READY:
                self._gap(f"connection lost: {reason}")
                lost_at = time.monotonic()
            await self._drop_connection(reason)
            if self._closing:
                break
            if not self.reconnect:
                self._set(Phase.FAILED, reason=reason)
                return
            attempt += 1
            delay = self._backoff(attempt)
            self._set(
                Phase.RECONNECTING,
                attempt=attempt,
                next_try=time.monotonic() + delay,
                reason=reason,
            )
            await self._pause(delay)
        self._set(Phase.CLOSED)

    async def send(self, action: Action, *, timeout: float | None = None) -> Transcript:
        """Send an action and wait for its whole reply. Raises NotReady, ReadOnlyRefused or
        LocalProtocolError (before anything is sent); otherwise returns a Transcript."""
        return await self._sender.send(action, timeout)

    async def close(self, *, logoff: bool = True) -> None:
        self._closing = True
        self._wake.set()
        if self.ready and logoff:
            with contextlib.suppress(Exception):
                self.logoff = await self._send(Action("Logoff"), 2.0, internal=True)
        await self._drop_connection("closed")
        self._set(Phase.CLOSED)

    # -- connection internals ---------------------------------------------------------------

    async def _await_banner(self) -> None:
        assert self._banner_seen is not None and self._reader_task is not None
        self.banner = await await_banner(
            self._banner_seen, self._reader_task, self.spec.address, self.timing.connect_timeout
        )
        self._set(Phase.CONNECTING)

    async def _login(self) -> None:
        await log_in(self.spec, lambda action: self._send(action, None, internal=True))

    async def _connection_end(self) -> str:
        assert self._reader_task is not None
        reason = await asyncio.shield(self._reader_task)
        return self._dead_reason or reason

    async def _drop_connection(self, reason: str) -> None:
        tasks = [
            t for t in (self._keepalive_task, self._learn_task, self._reader_task) if t is not None
        ]
        self._keepalive_task = None
        self._learn_task = None
        self._reader_task = None
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()
        others = [task for task in tasks if task is not asyncio.current_task()]
        for task in others:
            task.cancel()
        try:
            if others:
                # wait() does not raise what the tasks raised, but does raise our own
                # cancellation: swallowing it would keep a cancelled run() going.
                await asyncio.wait(others)
        finally:
            for task in others:
                if task.done() and not task.cancelled():
                    task.exception()  # seen: no "exception was never retrieved" at exit
            self._fail_pending(f"connection lost before the answer ({reason}); not re-sent")

    async def _keepalive(self) -> None:
        t = self.timing
        while True:
            await asyncio.sleep(t.ping_interval)
            if self._ping_pointless():
                continue
            tr = await self._send(Action("Ping"), t.pong_deadline, internal=True)
            if tr.outcome is Outcome.TIMEOUT and not self._pong_missed():
                self._dead_reason = f"no Pong within {t.pong_deadline:g} s"
                if self._writer is not None:
                    self._writer.transport.abort()
                return
            self.ping_ms = tr.latency_ms

    def _backoff(self, attempt: int) -> float:
        t = self.timing
        ceiling = min(t.backoff_cap, t.backoff_base * float(2 ** (attempt - 1)))
        jitter: float = 0.5 + random.random() / 2  # many clients, one PBX: spread them out
        return ceiling * jitter

    async def _pause(self, delay: float) -> None:
        if self._closing:
            return  # close() has set _wake already: clearing it would hold run() for `delay`
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), delay)

    # -- sending (the Sender's; ProxyAware calls these by name) and reading ------------------

    async def _send(
        self, action: Action, timeout: float | None, internal: bool = False
    ) -> Transcript:
        return await self._sender.exchange(action, timeout, internal)

    def _fail_pending(self, note: str) -> None:
        self._sender.fail_pending(note)

    async def _read_loop(self, reader: asyncio.StreamReader, parser: Parser) -> str:
        reason = await self._router.read(reader, parser)
        # Nothing more can arrive: an action waiting on this connection ends now, not at its
        # timeout (`amitui action` has no run() to notice the close for it).
        self._fail_pending(
            f"connection lost before the answer ({self._dead_reason or reason}); not re-sent"
        )
        return reason

    # What ProxyAware calls by these names (a Logoff's Goodbye, events before the banner).
    def _note_reply(self, role: Role, exchange: Exchange, finished: bool, frame: Frame) -> None:
        self._router.note_reply(role, exchange, finished, frame, self.upstreams)

    def _deliver(self, batch: list[Frame]) -> None:
        self._router.deliver(batch)

    def _gap(self, text: str) -> None:
        if self.on_gap is not None:
            self.on_gap(text)
        for gap in self._taps.gaps():
            gap(text)

    def _set(self, phase: Phase, **changes: object) -> None:
        state = replace(self._base_state(phase), **changes)  # type: ignore[arg-type]
        if state == self.state:
            return
        self.state = state
        if self.on_state is not None:
            self.on_state(state)
