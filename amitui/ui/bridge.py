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
from amitui.store import EventRing, StoredEvent
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
        self._analysed = 0  # the last sequence number traced and catalogued
        self.unanalysed = 0  # evicted from the ring before they could be analysed

    def on_events(self, batch: list[Frame]) -> None:
        # The reader's path: into the ring and nothing else. Tracing and the catalog read the
        # ring later, from the UI's timer (`analyse`), so they never slow the socket down.
        # The ring keeps a cut copy of an oversized frame (store/trim.py); `batch` itself is
        # not changed, so the session's other consumers (a recording, scripts) get it whole.
        self.ring.append_batch(batch, self.clock(), self.server)
        self.meter.add(len(batch))

    def analyse(self, budget: int | None = 20_000) -> int:
        """Feed call tracing and the catalog with what arrived since the last call, at most
        `budget` events (None: all). Events evicted before their turn are counted, not lost
        silently: `unanalysed`. Returns how many were analysed."""
        ring = self.ring
        start = max(self._analysed + 1, ring.first_seq)
        if ring.first_seq > self._analysed + 1 and self._analysed:
            self.unanalysed += ring.first_seq - self._analysed - 1
        end = ring.last_seq if budget is None else min(ring.last_seq, start + budget - 1)
        if end < start:
            return 0
        observe, get, catalog = self.calls.observe, ring.get, self.catalog
        batch: list[Frame] = []  # one socket read's events share a receive time
        parsed: list[tuple[tuple[str, str], ...]] = []
        when = 0.0
        for seq in range(start, end + 1):
            entry = get(seq)
            if not isinstance(entry, StoredEvent):
                if entry is not None:  # a gap: the server may have restarted in it
                    self.calls.mark_gap()
                continue
            # Parsed once here for both readers, and not kept: stored events stay compact.
            headers = entry.frame.peek_headers()
            observe(seq, entry.received, entry.frame, headers)
            if entry.received != when and batch:
                catalog.observe_batch(batch, when, parsed)
                batch, parsed = [], []
            when = entry.received
            batch.append(entry.frame)
            parsed.append(headers)
        if batch:
            catalog.observe_batch(batch, when, parsed)
        self._analysed = end
        return end - start + 1

    def reset_analysis(self) -> None:
        """After the ring was cleared (a replay seeking back): start tracing afresh."""
        self.calls = CallTracker()
        self.catalog = EventCatalog()
        self._analysed = 0
        self.unanalysed = 0

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
