"""The sending side of an AMI session: an Action becomes an exchange on the wire, and the sender
waits for its answer. The connection it travels on is the session's room (session.py); where
the answer's frames go is the Router's (routing.py), which wakes the waiting sender.

Theory of operation
-------------------
* `send(action)` is the session's public send: it refuses before anything is written an action
  that can change the PBX on a read-only session, any action while not ready, and any action
  behind a proxy that has no Asterisk left to forward it to.
* `exchange(action)` gives the action an ActionID from the session's numbering, registers it
  with the connection's correlator and in `waiting`, writes it and waits for the Router to say
  the exchange finished (response, and the whole list for list actions). It returns a
  Transcript whatever happens: answered, timed out, list incomplete, or outcome unknown because
  the connection dropped first. The session's own actions (login, Ping, Logoff) go this way.
* An action in flight when the connection drops is never re-sent: `fail_pending` makes its
  outcome `unknown`. Re-sending an Originate or Hangup behind the user's back is how other
  libraries surprise.

Tests: tests/client/test_session_faults.py, tests/client/test_policy.py,
tests/client/test_session_close.py and tests/integration/ (the real Asterisk).
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

from amitui.client.errors import NotReady, ReadOnlyRefused
from amitui.client.policy import ActionPolicy
from amitui.client.proxy import Upstreams
from amitui.client.routing import Waiting
from amitui.client.spec import ServerSpec, Timing, WireCallback
from amitui.client.state import SessionState
from amitui.client.transcript import Outcome, Transcript
from amitui.protocol import Action, ActionIds, Correlator, Exchange, encode_action


class Session(Protocol):
    """What the sender reads from its session, at each send and never kept: the writer, reader
    and correlator are each connection's own, and `ids` may be replaced (a fleet's numbering)."""

    spec: ServerSpec
    policy: ActionPolicy
    timing: Timing
    ids: ActionIds
    state: SessionState
    upstreams: Upstreams | None
    _writer: asyncio.StreamWriter | None
    _reader_task: asyncio.Task[str] | None
    _correlator: Correlator

    @property
    def ready(self) -> bool: ...

    def _wire_listeners(self) -> list[WireCallback]: ...


class Sender:
    """Sends the actions of one session, for the session's whole life.

    `waiting` is the session's map of actions in flight, shared with its Router: the sender
    registers an action there and takes it out on a timeout or a lost connection; the router
    takes it out when the exchange finishes."""

    def __init__(self, session: Session, *, waiting: Waiting) -> None:
        self._session = session
        self._waiting = waiting

    async def send(self, action: Action, timeout: float | None = None) -> Transcript:
        """Send an action and wait for its whole reply. Raises NotReady, ReadOnlyRefused or
        LocalProtocolError (before anything is sent); otherwise returns a Transcript."""
        session = self._session
        if session.spec.read_only and session.policy.changes_state(action):
            raise ReadOnlyRefused(
                f"{action.name} can change the PBX and this session is read-only; refused"
            )
        if not session.ready:
            raise NotReady(f"not connected to {session.spec.address} ({session.state.describe()})")
        ups = session.upstreams
        if ups is not None and ups.all_down():
            # The proxy drops an action it has no Asterisk to send to: say so now, not after
            # the timeout.
            raise NotReady(f"{ups.note}; the proxy has nowhere to send {action.name}")
        return await self.exchange(action, timeout)

    async def exchange(
        self, action: Action, timeout: float | None, internal: bool = False
    ) -> Transcript:
        """Write the action and wait for its exchange to finish, or `timeout` (the session's
        action timeout when None). Checks only that there is a connection to write on."""
        session = self._session
        writer = session._writer
        reading = session._reader_task
        if writer is None or reading is None or reading.done():
            # No reader, no answer: the connection is gone even if run() has not noticed yet.
            raise NotReady(f"not connected to {session.spec.address}")
        if not action.action_id:
            action = action.with_id(session.ids.next())
        data = encode_action(action)  # refuses injection and over-long lines before sending
        exchange: Exchange = session._correlator.expect(action)
        tr = Transcript(action, exchange, time.time(), time.monotonic(), internal=internal)
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        aid = action.action_id or ""
        self._waiting[aid] = (tr, fut)
        writer.write(data)
        listeners = session._wire_listeners()
        if listeners:
            text = action.redacted_text().encode()
            for listen in listeners:
                listen("out", text)
        limit = timeout if timeout is not None else session.timing.action_timeout
        try:
            await asyncio.wait_for(asyncio.shield(fut), limit)
        except TimeoutError:
            self._waiting.pop(aid, None)
            session._correlator.abandon(aid)
            tr.done = time.monotonic()
            if tr.response is None:
                tr.outcome = Outcome.TIMEOUT
                tr.note = f"no response within {limit:g} s"
            else:
                tr.outcome = Outcome.INCOMPLETE
                tr.note = f"list not complete after {limit:g} s ({len(tr.items)} items so far)"
        return tr

    def fail_pending(self, note: str) -> None:
        """End every action in flight with outcome unknown: the connection that would have
        answered it is gone (or, behind a proxy, every Asterisk there)."""
        now = time.monotonic()
        correlator = self._session._correlator
        for aid, (tr, fut) in list(self._waiting.items()):
            correlator.abandon(aid)
            tr.outcome = Outcome.UNKNOWN
            tr.note = note
            tr.done = now
            if not fut.done():
                fut.set_result(None)
        self._waiting.clear()
