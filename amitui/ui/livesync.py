"""Keeps the live view's tables current: events from the ring, lists from the session.

No Textual here (like bridge.py): the app calls `tick()` from a timer and runs `sync()` as a
worker when `due()`. Tables are resynced when never loaded and after every gap; the list
actions are sent straight through the session, so they stay out of the history and the
stream (their items are list items, which the session keeps on the transcript).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from amitui.client import Outcome, Phase, SessionError
from amitui.client.interface import SessionLike
from amitui.protocol import Action, Frame
from amitui.store.actiondocs import parse_list_commands
from amitui.store.live import DEFAULT_BOUND, NOT_LOADED, STALE, ListAnswer, LiveTable
from amitui.store.live_more import empty_answer, live_state
from amitui.store.parsed import ParsedOnce
from amitui.store.rates import RateHistory
from amitui.store.ring import EventRing

RETRY_AFTER = 5.0  # seconds, after a list failed for want of a connection


class Lead(Protocol):
    """What the tables follow in the console: call tracing (ui/bridge.py's StoreBridge)."""

    @property
    def analysed(self) -> int: ...  # the last ring seq traced

    @property
    def parsed(self) -> ParsedOnce: ...  # the headers it split this tick


class LiveSync:
    def __init__(
        self,
        ring: EventRing,
        session: Callable[[], SessionLike | None],
        clock: Callable[[], float] = time.time,
        bound: int = DEFAULT_BOUND,
        lead: Lead | None = None,
    ) -> None:
        self.ring = ring
        # Call tracing's progress, when the tables follow it (the console): they read each
        # event after tracing did, in the same tick, and take the headers it split.
        self.lead = lead
        self.state = live_state(bound)
        self.rates = RateHistory()
        self.clock = clock
        self._session = session
        self.commands: frozenset[str] | None = None  # lowercased, from ListCommands
        self.running = False
        self._retry_at = 0.0

    def reset(self) -> None:
        """Start the tables afresh from what the ring gets next (a replay seeking back)."""
        self.state = live_state(self.state["channels"].bound)
        self.state.processed = self.ring.next_seq - 1

    # -- events ------------------------------------------------------------------------------

    def pull(self, *, to_the_end: bool = False) -> None:
        """Feed the tables what the ring got since the last pull: up to where call tracing
        has read (`lead`), or everything (`to_the_end`, and without a lead)."""
        ring, state, lead = self.ring, self.state, self.lead
        first = ring.first_seq
        if first > state.processed + 1 and (state.processed or first > 1):
            state.gap("events were evicted from the ring before the live view read them",
                      self.clock())  # fmt: skip
            state.processed = first - 1
        end = ring.last_seq if lead is None or to_the_end else min(ring.last_seq, lead.analysed)
        if end > state.processed:
            # Only what it reads: behind by a whole ring, copying it all for each chunk of
            # 500 made every chunk slower the further behind it was.
            entries = ring.since(state.processed, limit=end - state.processed)
            state.feed(entries, None if lead is None else lead.parsed)

    def tick(self) -> None:
        now = self.clock()
        self.pull()
        self.state.sample(now)
        self.rates.sample(now, self.ring.counts)
        session = self._session()
        if session is not None and session.replay is not None:
            for table in self.state:
                if table.freshness.state == NOT_LOADED:
                    self.state.fail(table, "a replay: built from the recorded events only", now)

    # -- lists -------------------------------------------------------------------------------

    def available(self, table: LiveTable) -> bool:
        """Whether the server has the table's list action (before ListCommands: unless the
        table is optional)."""
        if self.commands is None:
            return not table.optional
        return any(a.lower() in self.commands for a in table.list_actions)

    def tabs(self) -> list[LiveTable]:
        return [t for t in self.state if not t.optional or self.available(t)]

    def due(self) -> bool:
        session = self._session()
        return (
            not self.running
            and session is not None
            and session.state.phase is Phase.READY
            and session.replay is None
            and self.clock() >= self._retry_at
            and bool(self.state.needing_sync())
        )

    def start(self) -> bool:
        """Claim the next resync if one is due; then run `sync()` (once) as a task."""
        if not self.due():
            return False
        self.running = True
        return True

    async def sync(self) -> None:
        """Resync every table that needs it, one list at a time."""
        session = self._session()
        self.running = True
        try:
            if session is None:
                return
            if self.commands is None:
                await self._load_commands(session)
            for table in self.state.needing_sync():
                if not await self._sync(session, table):
                    self._retry_at = self.clock() + RETRY_AFTER
                    break
        finally:
            self.running = False

    async def _load_commands(self, session: SessionLike) -> None:
        try:
            tr = await session.send(Action("ListCommands"))
        except SessionError:
            return
        if tr.ok and tr.response is not None:
            self.commands = frozenset(c.name.lower() for c in parse_list_commands(tr.response))

    async def _sync(self, session: SessionLike, table: LiveTable) -> bool:
        """One table; False when the connection failed (the table stays stale)."""
        state = self.state
        names = [a for a in table.list_actions
                 if self.commands is None or a.lower() in self.commands]  # fmt: skip
        if not names:
            wanted = " or ".join(table.list_actions)
            state.fail(table, f"the server has no {wanted}; kept from events only", self.clock())
            return True
        self.pull(to_the_end=True)  # a list answers for now: the tables must be at now too
        start = self.ring.next_seq
        state.begin(table, self.clock())
        items: list[Frame] = []
        todo: list[tuple[str, list[tuple[str, str]]]] = [(name, []) for name in names]
        first = len(todo)
        while todo:
            name, headers = todo.pop(0)
            answer = await self._list(session, Action.of(name, headers))
            if answer.error:
                self.pull(to_the_end=True)
                if not answer.refused:  # no connection, no answer in time: try again later
                    table.set_freshness(STALE, f"{name}: {answer.error}", self.clock())
                    return False
                state.fail(table, f"{name}: {answer.error}; kept from events only", self.clock())
                return True
            items += answer.items
            first -= 1
            if first == 0:  # every first list answered: what do they call for?
                todo += table.more_lists(items)
        self.pull(to_the_end=True)
        state.finish(table, items, self.clock(), self.ring.since(start - 1))
        return True

    async def _list(self, session: SessionLike, action: Action) -> ListAnswer:
        try:
            tr = await session.send(action)
        except SessionError as exc:
            return ListAnswer(error=str(exc) or type(exc).__name__)
        if tr.response is None:
            return ListAnswer(error=tr.message)
        if not tr.ok:
            if empty_answer(tr.message):
                return ListAnswer()
            return ListAnswer(error=tr.message, refused=tr.outcome is Outcome.ANSWERED)
        if tr.exchange.is_list and tr.exchange.list_end is None:
            return ListAnswer(error=f"the list did not finish ({tr.outcome.value})")
        return ListAnswer(items=list(tr.items))
