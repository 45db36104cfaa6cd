"""Between the session and the store: events in batches into the ring, gaps as markers, and
the docs the composer needs, fetched through the session and cached per server.

No Textual here on purpose: these run inside the app's loop but are plain callbacks, so the
session's reader never waits on the UI.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from amitui.client import SessionError
from amitui.client.interface import SessionLike
from amitui.protocol import Action, Frame
from amitui.store import EventRing
from amitui.store.actiondocs import (
    ActionDoc,
    CommandInfo,
    parse_action_doc,
    parse_list_commands,
)
from amitui.store.calls import CallTracker
from amitui.store.catalog import EventCatalog


class RateMeter:
    """Events per second over the last few seconds, from per-second buckets."""

    def __init__(self, window: int = 5, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._window = window
        self._buckets: deque[list[float]] = deque()  # [second, count]

    def add(self, n: int) -> None:
        second = float(int(self._clock()))
        if self._buckets and self._buckets[-1][0] == second:
            self._buckets[-1][1] += n
        else:
            self._buckets.append([second, float(n)])
        while len(self._buckets) > self._window + 1:
            self._buckets.popleft()

    def rate(self) -> float:
        now = int(self._clock())
        counted = sum(c for s, c in self._buckets if now - self._window <= s < now)
        return counted / self._window


class StoreBridge:
    def __init__(
        self,
        ring: EventRing,
        server: str = "",
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ring = ring
        self.server = server
        self.clock = clock
        self.meter = RateMeter(clock=monotonic)
        self.calls = CallTracker()
        self.catalog = EventCatalog()

    def on_events(self, batch: list[Frame]) -> None:
        received = self.clock()
        self.ring.append_batch(batch, received, self.server)
        first = self.ring.last_seq - len(batch) + 1  # the batch got consecutive numbers
        observe = self.calls.observe
        for offset, frame in enumerate(batch):
            observe(first + offset, received, frame)
        self.catalog.observe_batch(batch, received)
        self.meter.add(len(batch))

    def on_gap(self, text: str) -> None:
        self.ring.mark_gap(text, self.clock(), self.server)


def _docs_refusal(message: str) -> str:
    if message.lower() == "permission denied":
        return (
            "no docs: this AMI user may not send Command, which reading the docs needs "
            "(manager show command); free rows still work"
        )
    return f"no docs: {message}"


class SessionDocs:
    """The composer's DocsSource over a live session; one cache per server and AMI version."""

    def __init__(self, session: Callable[[], SessionLike | None]) -> None:
        self._session = session
        self._docs: dict[tuple[str, str], dict[str, ActionDoc | str]] = {}

    def _key(self, session: SessionLike) -> tuple[str, str]:
        return (session.spec.address, session.state.ami_version or "")

    async def list_commands(self) -> list[CommandInfo] | str:
        session = self._session()
        if session is None:
            return "not connected"
        try:
            tr = await session.send(Action("ListCommands"))
        except SessionError as exc:
            return str(exc)
        if not tr.ok or tr.response is None:
            return f"ListCommands failed: {tr.message}"
        return parse_list_commands(tr.response)

    async def describe(self, name: str) -> ActionDoc | str:
        session = self._session()
        if session is None:
            return "not connected"
        cache = self._docs.setdefault(self._key(session), {})
        if name.lower() in cache:
            return cache[name.lower()]
        try:
            tr = await session.send(Action.of("Command", Command=f"manager show command {name}"))
        except SessionError as exc:
            return str(exc)  # not cached: it may work once reconnected
        result: ActionDoc | str
        if tr.response is None:
            return f"no docs: {tr.message}"
        if not tr.ok:
            result = _docs_refusal(tr.message)
        else:
            doc = parse_action_doc(name, tr.response.output or ())
            result = doc if doc is not None else f"the server has no documentation for {name}"
        cache[name.lower()] = result
        return result
