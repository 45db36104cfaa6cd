"""Where each frame of one socket read goes: the session's ingest hot path.

`Router.read` is the session's reader: it reads the socket until the connection ends and
hands `Router.route` what the parser made of each read; route itself never awaits, reads or
writes the socket.

Theory of operation
-------------------
* Plain events (nearly all) are found for a whole read at once (client/batches.py) and join
  the read's batch as they are, as the correlator would have routed them. Every other frame is
  looked at one by one, in its place, and routed through the correlator.
* A reply is noted on the transcript of the action it answers, timed; when its exchange is
  finished the `send()` waiting for it is woken. Later frames of a finished action are timed on
  its transcript still. What answers a pending action never reaches the stream.
* A read's batch goes out once: to each subscription, which drops and counts when full, and to
  `on_events`, whose failure is noted, never raised. Asterisk tears down a client that reads
  slowly (`writetimeout`), so nothing downstream may slow the reader.
* A gap marker (Asterisk shut down, or behind a proxy went away or came back) goes after the
  frame that told, and after every frame before it: the batch so far is delivered first.
* While the banner is awaited, or while anyone listens to the wire, frames go one by one:
  a listener hears each frame before whatever it causes.
* What a proxy adds to the stream is handled by the session's proxy reactions
  (amitui/client/behind_proxy.py); the router only calls them where the frame stands.

Tests: tests/client/test_routing.py, tests/client/test_batches.py (which frames are more than
plain events), tests/client/test_session_faults.py, tests/client/test_proxy.py.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeAlias

from amitui.client.batches import notable
from amitui.client.behind_proxy import ProxyAware
from amitui.client.errors import ConnectError
from amitui.client.proxy import BannerPrelude, Upstreams, cut_note, proxy_name
from amitui.client.spec import EventsCallback, GapCallback, WireCallback, hand_over
from amitui.client.subscription import Subscription
from amitui.client.transcript import Outcome, Transcript
from amitui.protocol import (
    PLAIN_EVENT,
    Correlator,
    Exchange,
    Frame,
    FrameKind,
    Parser,
    Role,
    Routed,
)  # fmt: skip
from amitui.protocol.correlator import STREAMED_ROLES
from amitui.protocol.recent import RecentMap

# Events the session itself looks at: Asterisk going away, and (behind a proxy) coming back.
WATCHED_EVENTS = frozenset({"Shutdown", "FullyBooted"})

# The actions in flight, by ActionID: each one's transcript, and the future its send() awaits.
Waiting: TypeAlias = dict[str, tuple[Transcript, asyncio.Future[None]]]


class Router:
    """Routes the frames of every read of one session, for the session's whole life; each
    connection brings its own correlator and banner (`connected`).

    `proxy` is the session: the router calls its proxy reactions and reads `upstreams` (which
    it sets when the banner names a proxy). `waiting` and `recent` are the session's own maps
    of transcripts, shared: the session registers an action, the router notes its replies."""

    def __init__(
        self,
        proxy: ProxyAware,
        *,
        correlator: Correlator,
        waiting: Waiting,
        recent: RecentMap[str, Transcript],
        listeners: Callable[[], list[WireCallback]],
        gap: GapCallback,
        on_events: EventsCallback | None = None,
        errors: list[str] | None = None,
    ) -> None:
        self.on_events = on_events
        self.subs: list[Subscription] = []
        self.errors: list[str] = errors if errors is not None else []  # on_events' failures
        self.delivered = 0  # events handed to the consumers
        self._proxy = proxy
        # Bound once: they are called per frame, where a lookup each time would cost.
        self._watched = proxy._watched
        self._foreign = proxy._foreign
        self._from_proxy = proxy._from_proxy
        self._refresh = proxy._refresh
        self._listeners = listeners
        self._gap = gap
        self._waiting = waiting
        self._recent = recent
        self._correlator = correlator
        self._banner: asyncio.Future[Frame] | None = None

    def connected(self, correlator: Correlator, banner: asyncio.Future[Frame]) -> None:
        """A new connection: the correlator that routes its replies, and the banner it is yet
        to send (the router gives it to `banner`, or the reason it is not one)."""
        self._correlator = correlator
        self._banner = banner

    async def read(self, reader: asyncio.StreamReader, parser: Parser) -> str:
        """Read one connection until it ends, routing each read; why it ended. Before the
        banner, what a proxy sends first is set aside by the session (`_before_banner`)."""
        prelude: BannerPrelude | None = BannerPrelude()
        route = self.route
        try:
            while True:
                data = await reader.read(1 << 18)
                if prelude is not None:
                    held = self._proxy._before_banner(prelude, data)
                    if held is None:
                        continue
                    prelude = None
                    parser.feed(held)
                elif data:
                    parser.feed(data)
                if not data:
                    parser.feed_eof()
                    route(parser.drain())
                    return "the server closed the connection"
                route(parser.drain())
        except (ConnectionError, OSError) as exc:
            return f"connection lost: {exc.__class__.__name__}"
        except Exception as exc:  # a bug here must end the connection, not the program
            return f"internal error while reading: {exc!r}"

    def route(self, frames: list[Frame]) -> None:
        """Send one read's frames where they belong. The hot path, once per read: the plain
        events join the batch as they are, found for the whole read at once (`notable`). Nothing
        here may ask each frame for a header by name: the first such lookup builds the frame's
        index, costlier than its parsing."""
        if not frames:
            return
        listeners = self._listeners()
        seen = self._banner
        ups = self._proxy.upstreams
        if listeners or (seen is not None and not seen.done()):
            self._each(frames, listeners, ups)
            return
        batch: list[Frame] = []
        done = 0
        for i in notable(frames, WATCHED_EVENTS):
            batch += frames[done:i]
            batch = self._one(frames[i], batch, ups)
            done = i + 1
        if done:
            batch += frames[done:]
        else:
            batch = frames
        if batch:
            self.deliver(batch)

    def _each(
        self, frames: list[Frame], listeners: list[WireCallback], ups: Upstreams | None
    ) -> None:
        """Frame by frame: while the banner is awaited, or with listeners to the wire, which
        hear each frame before whatever it causes (a gap marker)."""
        batch: list[Frame] = []
        seen = self._banner
        for frame in frames:
            for listen in listeners:
                listen("in", frame)
            if seen is not None and not seen.done():
                if frame.kind is FrameKind.BANNER:
                    # Known at once: what follows in this read may already be the proxy's.
                    name = proxy_name(frame)
                    ups = self._proxy.upstreams = Upstreams(name) if name is not None else None
                    seen.set_result(frame)
                    continue
                seen.set_exception(
                    ConnectError(
                        f"{self._proxy.spec.address} did not send an AMI banner; it sent "
                        f"{frame.text[:60]!r}"
                    )
                )
            batch = self._one(frame, batch, ups)
        if batch:
            self.deliver(batch)

    def _one(self, frame: Frame, batch: list[Frame], ups: Upstreams | None) -> list[Frame]:
        """Route one frame, into `batch` if it goes to the stream. Returns the batch to go on
        with: a new one once a gap marker was given. `ups` is None when connected directly."""
        gap: str | None = None
        if frame.kind is FrameKind.EVENT:
            if frame.name in WATCHED_EVENTS:
                gap = self._watched(frame)
            routed = self._correlator.route(frame)
            if routed is PLAIN_EVENT:
                # Behind a proxy, another client's list items and follow-ups reach us too,
                # with that client's ActionID. Directly, Asterisk sends an event with an
                # ActionID only to the session that sent the action.
                if ups is None or not frame.action_id or not self._foreign(frame):
                    batch.append(frame)
            elif self._streamed(routed, frame, ups):
                batch.append(frame)
        else:
            routable = True
            if ups is not None:
                routable, gap = self._from_proxy(frame)
            if routable and self._streamed(self._correlator.route(frame), frame, ups):
                batch.append(frame)
        if gap is None:
            return batch
        # The marker goes after the frame that told, and after everything before it.
        if batch:
            self.deliver(batch)
        self._gap(gap)
        return []

    def _streamed(self, routed: Routed, frame: Frame, ups: Upstreams | None) -> bool:
        """Note a reply on its transcript; True when the frame goes to the stream as well."""
        if routed.exchange is not None:
            self.note_reply(routed.role, routed.exchange, routed.finished, frame, ups)
        if routed.role not in STREAMED_ROLES:
            return False
        return routed.role is not Role.STRAY or not self._foreign(frame)

    def note_reply(
        self, role: Role, exchange: Exchange, finished: bool, frame: Frame, ups: Upstreams | None
    ) -> None:
        """Time a reply on its action's transcript, and wake the action's send() once its
        exchange is finished."""
        now = time.monotonic()
        if ups is not None and ups.answered(frame):
            self._refresh()
        waiting = self._waiting.get(exchange.action_id)
        if waiting is None:
            # Later frames of a finished action (OriginateResponse, a late second response):
            # timed on its transcript, which the inspector may still be showing.
            done = self._recent.get(exchange.action_id)
            if done is not None and role in (Role.FOLLOW_UP, Role.LATE):
                done.timings.append((f"{role.value}: {frame.name}", now))
            return
        tr, fut = waiting
        if ups is not None and tr.truncated is None:
            tr.truncated = cut_note(frame)
        if role is Role.RESPONSE:
            tr.answered = now
            tr.timings.append((f"response: {frame.name}", now))
        elif role is Role.LIST_ITEM and len(exchange.items) == 1:
            tr.timings.append(("first list item", now))
        elif role is Role.LIST_END:
            tr.timings.append((f"list complete: {len(exchange.items)} items", now))
        if finished:
            del self._waiting[exchange.action_id]
            tr.done = now
            tr.outcome = Outcome.ANSWERED
            self._recent.put(exchange.action_id, tr)
            if not fut.done():
                fut.set_result(None)

    def deliver(self, batch: list[Frame]) -> None:
        """Hand a batch to the consumers, without waiting for any."""
        self.delivered += len(batch)
        for sub in self.subs:
            sub.offer(batch)
        if self.on_events is not None:
            hand_over(self.on_events, batch, self.errors)
