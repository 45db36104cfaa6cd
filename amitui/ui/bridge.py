"""Between the session and the store: events in batches into the ring, gaps as markers. The
docs client the app takes from here, SessionDocs, is amitui/store/docs.py's.

No Textual here on purpose: these run inside the app's loop but are plain callbacks, so the
session's reader never waits on the UI.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from amitui.protocol import Frame
from amitui.store import Entry, EventRing, StoredEvent
from amitui.store.calls import CallTracker
from amitui.store.catalog import EventCatalog
from amitui.store.docs import SessionDocs as SessionDocs  # re-exported: the app imports it here
from amitui.store.parsed import ParsedOnce
from amitui.store.servers import CallBook, Origin, upstream_of


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


class Tap:
    """One server's way into the shared ring: its batches tagged with its name, and its rate.
    The reader's path, so it does nothing else (tracing reads the ring later)."""

    def __init__(self, bridge: StoreBridge, server: str, monotonic: Callable[[], float]) -> None:
        self._bridge = bridge
        self.server = server
        self.meter = RateMeter(clock=monotonic)

    def on_events(self, batch: list[Frame]) -> None:
        # The ring keeps a cut copy of an oversized frame (store/trim.py); `batch` itself is
        # not changed, so the session's other consumers (a recording, scripts) get it whole.
        self._bridge.ring.append_batch(batch, self._bridge.clock(), self.server)
        self.meter.add(len(batch))

    def on_gap(self, text: str) -> None:
        self._bridge.ring.mark_gap(text, self._bridge.clock(), self.server)


MAX_ORIGINS = 64  # servers traced apart; a hostile proxy could name a new one in every packet
_ONE: Origin = ("", "")


class StoreBridge:
    """Sessions into the ring (one `Tap` each; the bridge's own for the first), and the 20 Hz
    analysis of what arrived: call tracing and the event catalog, per server.

    With one server everything is traced together, as it always was. With several (`split`)
    each keeps its own tracker and catalog: ids are only unique within a server, and the
    catalog compares a server with its own docs. Behind AstManProxy (`proxied` holds those
    sessions' tags) each Asterisk is told apart by its packets' `Server:` header."""

    def __init__(
        self,
        ring: EventRing,
        server: str = "",
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ring = ring
        self.clock = clock
        self._monotonic = monotonic
        self._own = Tap(self, server, monotonic)
        self.split = False  # several servers: traced and catalogued apart
        self.proxied: set[str] = set()  # tags of sessions behind a proxy
        self.versions: dict[str, str] = {}  # tag -> AMI version: a catalog per version
        self._trackers: dict[Origin, CallTracker] = {}
        self._catalogs: dict[tuple[str, str, str], EventCatalog] = {}
        self._analysed = 0  # the last sequence number traced and catalogued
        self.unanalysed = 0  # evicted from the ring before they could be analysed
        self.parsed = ParsedOnce()  # this tick's split headers, shared with the live tables

    # -- ingest: the bridge's own tap, and one per further server ---------------------------

    @property
    def server(self) -> str:
        return self._own.server

    @server.setter
    def server(self, value: str) -> None:
        self._own.server = value

    @property
    def meter(self) -> RateMeter:
        return self._own.meter

    @property
    def own_tap(self) -> Tap:
        """The tap `on_events`/`on_gap` use: the first (or only) server's."""
        return self._own

    def on_events(self, batch: list[Frame]) -> None:
        self._own.on_events(batch)

    def on_gap(self, text: str) -> None:
        self._own.on_gap(text)

    def tap(self, server: str) -> Tap:
        """Another server's way into the same ring, tagged `server`."""
        return Tap(self, server, self._monotonic)

    # -- analysis ---------------------------------------------------------------------------

    def origin(self, entry: Entry, headers: tuple[tuple[str, str], ...] | None = None) -> Origin:
        """Which server's tracing an entry belongs to: (its tag when split, its upstream)."""
        if not self.split and not self.proxied:
            return _ONE
        tag = entry.server if self.split else ""
        if entry.server not in self.proxied or not isinstance(entry, StoredEvent):
            return (tag, "")
        up = upstream_of(headers if headers is not None else entry.frame.peek_headers())
        origin = (tag, up)
        if origin not in self._trackers and len(self._trackers) >= MAX_ORIGINS:
            return (tag, "…")  # past the bound: the rest traced together, not lost
        return origin

    def tracker(self, origin: Origin = _ONE) -> CallTracker:
        found = self._trackers.get(origin)
        if found is None:
            tag, up = origin
            found = self._trackers[origin] = CallTracker(server=up or tag)
        return found

    def catalog_for(self, origin: Origin = _ONE) -> EventCatalog:
        version = self.versions.get(origin[0], "") if self.split else ""
        key = (*origin, version)
        found = self._catalogs.get(key)
        if found is None:
            found = self._catalogs[key] = EventCatalog()
        return found

    @property
    def calls(self) -> CallTracker:
        """The one server's tracker (with several, see `call_book` and `tracker_of`)."""
        if len(self._trackers) == 1:
            return next(iter(self._trackers.values()))
        if self.split or self.proxied:  # no one server: an empty one, not kept
            found = self._trackers.get(_ONE)
            return found if found is not None else CallTracker()
        return self.tracker()

    @property
    def catalog(self) -> EventCatalog:
        """The one server's catalog (with several, see `catalog_for`)."""
        if len(self._catalogs) == 1:
            return next(iter(self._catalogs.values()))
        if self.split or self.proxied:
            kept = self._catalogs.get((*_ONE, ""))
            return kept if kept is not None else EventCatalog()
        return self.catalog_for()

    def tracker_of(self, entry: Entry) -> CallTracker:
        return self.tracker(self.origin(entry))

    def call_book(self) -> CallTracker | CallBook:
        """Every server's calls: the tracker itself when there is one."""
        if len(self._trackers) <= 1:
            return self.calls
        return CallBook(self._trackers.values())

    def origins(self) -> list[Origin]:
        """The servers traced so far, in the order first seen."""
        return list(self._trackers)

    @property
    def analysed(self) -> int:
        """The last ring seq traced and catalogued."""
        return self._analysed

    @property
    def backlog(self) -> int:
        """Events in the ring not analysed yet."""
        ring = self.ring
        return max(0, ring.last_seq - max(self._analysed, ring.first_seq - 1))

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
        split = self.parsed.split
        origin_of = self.origin
        batch: list[Frame] = []  # one socket read's events share a receive time and server
        parsed: list[tuple[tuple[str, str], ...]] = []
        when, where = 0.0, _ONE
        tracker: CallTracker | None = None
        traced: Origin | None = None  # whose tracker `tracker` is
        plain = not self.split and not self.proxied  # one server: no lookup per event
        for entry in ring.since(start - 1, limit=end - start + 1):
            if not isinstance(entry, StoredEvent):  # a gap: the server may have restarted in it
                self._gap(entry)
                continue
            # Split once for every reader of this tick (the live tables too), then forgotten:
            # stored events stay compact.
            seq, frame, received = entry.seq, entry.frame, entry.received
            headers = split(seq, frame)
            origin = _ONE if plain else origin_of(entry, headers)
            if received != when or origin != where:
                if batch:
                    self.catalog_for(where).observe_batch(batch, when, parsed)
                    batch, parsed = [], []
                when, where = received, origin
            if tracker is None or origin != traced:
                tracker, traced = self.tracker(origin), origin
            tracker.observe(seq, received, frame, headers)
            batch.append(frame)
            parsed.append(headers)
        if batch:
            self.catalog_for(where).observe_batch(batch, when, parsed)
        self._analysed = end
        return end - start + 1

    def _gap(self, marker: Entry) -> None:
        """Every tracker of the gap's server (of every server, when not split)."""
        for (tag, _), tracker in self._trackers.items():
            if not self.split or tag == marker.server:
                tracker.mark_gap()

    def reset_analysis(self) -> None:
        """After the ring was cleared (a replay seeking back): start tracing afresh."""
        self._trackers.clear()
        self._catalogs.clear()
        self.parsed.clear()
        self._analysed = 0
        self.unanalysed = 0
