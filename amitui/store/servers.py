"""Several servers in one store: which server an event is from, and their calls as one list.

The ring tags each entry with the server the console received it from (`StoredEvent.server`:
the profile's name when several are open). One connection to AstManProxy may carry several
Asterisk servers: each of their packets names its own in a `Server:` header, so behind a proxy
that header is the finer origin. An origin is the pair (received from, upstream or "").
Tests: tests/ui/test_bridge_servers.py, tests/store/test_filter_server.py.
"""

from __future__ import annotations

from collections.abc import Iterable

from amitui.store.calls import Call, CallTracker

Origin = tuple[str, str]  # (the tag the ring holds, the upstream behind a proxy or "")


def upstream_of(headers: Iterable[tuple[str, str]]) -> str:
    """The first `Server:` value among the headers, or "" (one pass, no index kept)."""
    for key, value in headers:
        if len(key) == 6 and key.lower() == "server":
            return value
    return ""


class CallBook:
    """Several servers' trackers read as one (the calls list): calls are never joined across
    servers, and each keeps its tracker's `server`."""

    def __init__(self, trackers: Iterable[CallTracker]) -> None:
        self.trackers = list(trackers)

    @property
    def version(self) -> int:
        # A tracker added (a server's first call) changes the sum too.
        return sum(t.version for t in self.trackers) + len(self.trackers)

    @property
    def evicted(self) -> int:
        return sum(t.evicted for t in self.trackers)

    def calls(self) -> list[Call]:
        """Newest activity first, over every server."""
        every = [c for t in self.trackers for c in t.calls()]
        return sorted(every, key=lambda c: c.last, reverse=True)
