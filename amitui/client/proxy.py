"""Through AstManProxy: what a session must know that a direct Asterisk never makes it learn.

Theory of operation
-------------------
AstManProxy (1.22pre081119) sits between AMI clients and one or more Asterisk servers. Its
banner is its own (`Asterisk Call Manager Proxy/1.22pre081119`), so the session learns the AMI
and Asterisk versions from `CoreSettings` instead. The proxy changes the byte stream in ways the
session must recognise, each pinned by tests/client/test_proxy.py against tests/client/fakeproxy.py:

* Logoff is answered with a bare `Goodbye: ...` line (no Response, no ActionID): it answers the
  pending Logoff, so closing does not wait out the Logoff timeout.
* Every packet from upstream gains `Server: <upstream>`; the proxy's own replies (login,
  Challenge, Goodbye) carry none. A packet longer than the proxy's header table is cut to
  `CUT_LINES` lines, and the cut one has no room left for `Server:`: that is how a reply that
  may have lost lines is told from a whole one.
* When the Asterisk behind it restarts, `Shutdown` passes but the client's connection stays; once
  the proxy has logged in again it sends every client the upstream banner glued before its login
  reply (no ActionID). `Upstreams` turns these into the gaps a reconnect would have marked.
* `ProxyMessage: Proxy Shutting Down` comes before the proxy closes the connection.
* Other clients' responses are forwarded too; the session counts and sets them aside (that rule
  needs no proxy: a response with an ActionID this session never used is no event).
* Under load, and with `authrequired = no`, whole events can come before the banner:
  `BannerPrelude` sets them aside, and anything else before a banner is refused as before.
"""

from __future__ import annotations

import re

from amitui.protocol import Frame, FrameKind
from amitui.protocol.parser import build_frame
from amitui.protocol.safetext import shown

ASTMANPROXY = "Asterisk Call Manager Proxy"
# AstManProxy keeps MAX_HEADERS - 1 = 255 lines of an upstream packet (standard.c `_read`); the
# lines past that are lost and `Server:` no longer fits (common.c `AddHeader`).
CUT_LINES = 255
_UPSTREAM_BANNER = re.compile(r"^Asterisk Call Manager/(?P<version>[0-9][0-9A-Za-z.\-]*)$")
_PACKET_END = re.compile(rb"\n\r?\n")
_EVENT = b"event:"


def proxy_name(banner: Frame) -> str | None:
    """'AstManProxy 1.22pre081119' for a proxy's banner; None for Asterisk's own."""
    name, _, version = banner.text.partition("/")
    name = name.strip()
    if not name.endswith("Proxy"):
        return None
    label = "AstManProxy" if name == ASTMANPROXY else name
    return f"{label} {version.strip()}".strip()


def _first_key(frame: Frame) -> str:
    headers = frame.headers
    return headers[0][0].lower() if headers else ""


def is_goodbye(frame: Frame) -> bool:
    """AstManProxy's answer to Logoff: `Goodbye: Y'all come back now, y'hear?` and nothing else."""
    return frame.kind is FrameKind.UNKNOWN and _first_key(frame) == "goodbye"


def proxy_message(frame: Frame) -> str | None:
    """The text of a `ProxyMessage:` packet (the proxy speaking for itself), else None."""
    if frame.kind is FrameKind.UNKNOWN and _first_key(frame) == "proxymessage":
        return frame.get("ProxyMessage") or ""
    return None


def cut_note(frame: Frame) -> str | None:
    """Why a reply that came through AstManProxy may have lost lines, or None if it is whole."""
    lines = frame.raw.count(b"\n")
    if lines < CUT_LINES or frame.get("Server") is not None:
        return None
    return (
        f"possibly truncated by the proxy: {lines} lines and no Server: header "
        f"(AstManProxy keeps at most {CUT_LINES} lines of a packet)"
    )


class Upstreams:
    """The Asterisk servers behind one proxy connection: which are down, since when, and what
    the proxy said of them. Pure state; the session turns its answers into gaps and state."""

    def __init__(self, proxy: str) -> None:
        self.proxy = proxy  # 'AstManProxy 1.22pre081119'
        self.seen: set[str] = set()  # `Server:` values seen: the upstreams
        self.down: dict[str, tuple[str, float]] = {}  # server -> (why, since: monotonic)
        self.ami_version: str | None = None
        self.asterisk_version: str | None = None

    @property
    def note(self) -> str | None:
        """Why some Asterisk behind the proxy cannot answer, for the state line."""
        if not self.down:
            return None
        return "; ".join(why for why, _ in self.down.values())

    def all_down(self) -> bool:
        """Every upstream known is down (it said so): the proxy drops actions it has nowhere
        to send. A mere lack of answers (`unanswered`) is not enough to say that."""
        known = {server for server in self.down if server}
        return bool(known) and self.seen <= known

    def learned(self, settings: Frame) -> None:
        """A CoreSettings response: the versions of the Asterisk behind the proxy."""
        self.ami_version = settings.get("AMIversion") or None
        self.asterisk_version = settings.get("AsteriskVersion") or None

    def shutdown(self, event: Frame, now: float) -> str:
        """A Shutdown event from upstream. Returns the gap text."""
        server = event.get("Server") or "?"
        how = shown(event.get("Shutdown") or "now")
        again = ", restarting" if (event.get("Restart") or "").lower() == "true" else ""
        why = f"Asterisk behind the proxy ({shown(server)}) shut down ({how}{again})"
        self.seen.add(server)
        self.down[server] = (why, now)
        return f"{why}; events are not received until it is back"

    def unanswered(self, why: str, now: float) -> None:
        """Nothing came back through the proxy in time (CoreSettings, a keepalive Ping): the
        Asterisk behind it is probably down, though nothing said so."""
        self.down.setdefault("", (why, now))

    def answered(self, reply: Frame) -> bool:
        """A reply came from upstream (it carries `Server:`): clears `unanswered`. True when
        that changed the note."""
        if "" in self.down and reply.get("Server") is not None:
            del self.down[""]
            return True
        return False

    def upstream_login(self, frame: Frame, now: float) -> str | None:
        """The proxy's login reply from upstream (after a restart), forwarded with no ActionID.
        Returns the gap text; None if `frame` is no such reply."""
        if frame.action_id or frame.get("Server") is None:
            return None
        message = frame.get("Message") or ""
        if message not in ("Authentication accepted", "Authentication failed"):
            return None
        server = frame.get("Server") or "?"
        self.seen.add(server)
        self.down.pop("", None)
        where = f"Asterisk behind the proxy ({shown(server)})"
        if message == "Authentication failed":
            self.down[server] = (f"the proxy could not log in to {where}", now)
            return f"the proxy could not log in to {where} again; events are not received"
        for line in frame.loose:
            found = _UPSTREAM_BANNER.match(line.strip())
            if found is not None:
                self.ami_version = found["version"]
                self.asterisk_version = None  # until CoreSettings says again: it may be new
        return self.back(server, now, "the proxy logged in to it again")

    def back(self, server: str, now: float, how: str) -> str:
        """`server` answers again. Returns the gap text."""
        was = self.down.pop(server, None)
        where = f"Asterisk behind the proxy ({shown(server)})"
        if was is None:
            return f"{where} reconnected ({how}); it may have restarted, events may be missing"
        return f"{where} is back after {now - was[1]:.1f} s; events in between were not received"


class BannerPrelude:
    """The bytes of a connection up to its banner. Whole event packets before the banner
    (AstManProxy under load) are split off as frames; from the first thing that is not an
    event on, everything goes to the parser, which refuses a non-banner as it always did."""

    def __init__(self, limit: int = 1 << 20) -> None:
        self._buf = bytearray()
        self._limit = limit  # this much of events and still no banner: not AMI after all
        self._taken = 0
        self._after_event = False

    def feed(self, data: bytes) -> tuple[list[Frame], bytes | None]:
        """(events before the banner, the bytes for the parser from there on). The bytes are
        None while it cannot tell yet; once they are returned the prelude is over."""
        buf = self._buf
        buf += data
        events: list[Frame] = []
        while True:
            if self._after_event:
                while buf and buf[0] in (10, 13):
                    del buf[:1]  # blank lines between packets carry nothing
            head = bytes(buf[: len(_EVENT)]).lower()
            if len(head) < len(_EVENT) and _EVENT.startswith(head):
                return events, None  # maybe an event; maybe the banner's first bytes
            if head != _EVENT:
                return events, self.flush()
            end = _PACKET_END.search(buf)
            if end is None or self._taken > self._limit:
                return events, (self.flush() if self._taken + len(buf) > self._limit else None)
            events.append(build_frame(bytes(buf[: end.start() + 1])))
            self._taken += end.end()
            del buf[: end.end()]
            self._after_event = True

    def flush(self) -> bytes:
        """Whatever is held, for the parser (the connection ended, or the prelude is over)."""
        data = bytes(self._buf)
        self._buf.clear()
        return data
