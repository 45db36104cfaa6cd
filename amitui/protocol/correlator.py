"""Which action does this frame answer? A pure state machine, no clock and no I/O.

Theory of operation
-------------------
The client registers each action (with its ActionID) before sending it; `route(frame)` then
says what the frame is for:

* A response with a known ActionID answers that action. When it opens a list
  (`EventList: start`, in any case; or, on servers before 13.2 that sent no markers, a
  `Message` saying the results "will follow"), the action stays open for its items.
* An event carrying the ActionID of an open list is an item of it, unless it ends the list:
  `EventList: Complete`, or, with no EventList header, an event named `...Complete`.
* A response without an ActionID answers an action only where Asterisk is known to drop the
  ActionID it was sent (Ping on 1.6.0/1.6.1, Events before 1.8.5): the oldest such action still
  waiting for its response, since Asterisk serves one session's actions in order. Any other
  response without one is a stray, never the answer to an action that carried an ActionID:
  AstManProxy forwards its own upstream login reply to every client, and handed to the oldest
  waiting action it once reported an Originate that was never answered as a success.
* A second response for an action already answered (JabberSend, CoreShowChannelMap errors) is
  kept on that action as a late response; it never lands on another one.
* An event carrying the ActionID of an action answered earlier (OriginateResponse, UserEvent)
  is a follow-up: it stays an ordinary event in the stream and is also noted on the action.
  Finished actions are remembered for this, up to a bound.
* Kind is decided by the parser from the first header, so OriginateResponse, which carries a
  `Response:` header, is an event here.

Timeouts belong to the session, which calls `abandon`. Tests: tests/protocol/test_correlator.py.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field

from amitui.protocol.actions import Action
from amitui.protocol.frames import Frame, FrameKind
from amitui.protocol.recent import RecentMap

_WILL_FOLLOW = re.compile(r"will follow", re.IGNORECASE)
# Where an event may carry an ActionID: the header's name anywhere in its lower-cased bytes
# (header names are case-insensitive on input). An event whose bytes do not hold it is routed
# as a plain event whatever else it holds; the session looks for it in a whole read's bytes at
# once (amitui/client/batches.py) instead of in each event.
ACTION_ID_LOWER = b"actionid"
# The actions some Asterisk versions answer without echoing their ActionID (protocol notes §4,
# §9, §10; commit 14b46c79f9 fixed Events in 1.8.5). Lowercased.
ANSWERED_WITHOUT_ID = frozenset({"ping", "events"})
# Finished actions remembered for their late responses and follow-up events. An Originate's
# OriginateResponse may come long after hundreds of other actions; older ones are forgotten.
REMEMBERED_ACTIONS = 256


class Role(enum.Enum):
    RESPONSE = "response"  # the response of a pending action
    LIST_ITEM = "list-item"
    LIST_END = "list-end"  # the ...Complete event that closes a list
    LATE = "late"  # a further response for an action already answered
    FOLLOW_UP = "follow-up"  # an event carrying the ActionID of a known action
    STRAY = "stray"  # a response nobody is waiting for
    EVENT = "event"  # an ordinary event, or a banner/unknown/malformed frame


# The roles whose frames reach the event stream, live (amitui.client.session) and replayed
# (amitui.capture.replay) alike: everything but what answers an action while it is pending.
STREAMED_ROLES = frozenset({Role.EVENT, Role.FOLLOW_UP, Role.STRAY, Role.LATE})


@dataclass(slots=True)
class Exchange:
    """One action and everything that has come back for it so far."""

    action: Action
    response: Frame | None = None
    items: list[Frame] = field(default_factory=list)
    list_end: Frame | None = None
    late: list[Frame] = field(default_factory=list)
    follow_ups: list[Frame] = field(default_factory=list)
    is_list: bool = False
    done: bool = False
    # Frames routed to it so far: a view that drew it compares this number to know it must
    # redraw (an OriginateResponse or a late response came), instead of counting lists.
    changes: int = 0

    @property
    def action_id(self) -> str:
        return self.action.action_id or ""

    def reply_frames(self) -> list[Frame]:
        """What completes the reply, in arrival order: the response, list items, the list's
        Complete event, then late responses. Follow-ups are not part of it: they may come
        any time later (see `amitui.store.formats.exchange_frames`)."""
        frames = [self.response] if self.response is not None else []
        frames += self.items
        if self.list_end is not None:
            frames.append(self.list_end)
        return frames + self.late


@dataclass(frozen=True, slots=True)
class Routed:
    role: Role
    exchange: Exchange | None = None

    @property
    def finished(self) -> bool:
        """True when this frame completed its exchange."""
        return self.role in (Role.RESPONSE, Role.LIST_END) and bool(
            self.exchange and self.exchange.done
        )


# Most frames are plain events: one shared answer instead of a new object per frame.
PLAIN_EVENT = Routed(Role.EVENT)


def opens_list(response: Frame) -> bool:
    marker = response.get("EventList")
    if marker is not None:
        return marker.lower() == "start"
    return bool(_WILL_FOLLOW.search(response.get("Message") or ""))


def ends_list(event: Frame) -> bool:
    marker = event.get("EventList")
    if marker is not None:
        return marker.lower() == "complete"
    return event.name.endswith("Complete")


class Correlator:
    def __init__(self, remember: int = REMEMBERED_ACTIONS) -> None:
        self._pending: dict[str, Exchange] = {}  # insertion order is send order
        self._recent: RecentMap[str, Exchange] = RecentMap(remember)

    @property
    def pending(self) -> list[Exchange]:
        return list(self._pending.values())

    def expect(self, action: Action) -> Exchange:
        """Register an action about to be sent. It must carry an ActionID."""
        if not action.action_id:
            raise ValueError("an action needs an ActionID to be correlated")
        if action.action_id in self._pending:
            raise ValueError(f"ActionID {action.action_id!r} is already pending")
        exchange = Exchange(action)
        self._pending[action.action_id] = exchange
        return exchange

    def abandon(self, action_id: str) -> Exchange | None:
        """Stop waiting for an action (timeout, connection lost). Late frames are kept."""
        exchange = self._pending.pop(action_id, None)
        if exchange is not None:
            self._finish(exchange)
        return exchange

    def abandon_all(self) -> list[Exchange]:
        return [e for aid in list(self._pending) if (e := self.abandon(aid)) is not None]

    def route(self, frame: Frame) -> Routed:
        if frame.kind is FrameKind.RESPONSE:
            routed = self._route_response(frame)
        elif frame.kind is FrameKind.EVENT:
            routed = self._route_event(frame)
            if routed is PLAIN_EVENT:
                return routed  # nearly every event: nothing to count
        else:
            return PLAIN_EVENT
        if routed.exchange is not None:
            routed.exchange.changes += 1
        return routed

    def _finish(self, exchange: Exchange) -> None:
        exchange.done = True
        self._pending.pop(exchange.action_id, None)
        self._recent.put(exchange.action_id, exchange)

    def _route_response(self, frame: Frame) -> Routed:
        aid = frame.action_id
        if aid:
            exchange = self._pending.get(aid)
            if exchange is None:
                known = self._recent.get(aid)
                if known is not None:
                    known.late.append(frame)
                    return Routed(Role.LATE, known)
                return Routed(Role.STRAY)
            if exchange.response is not None:
                exchange.late.append(frame)
                return Routed(Role.LATE, exchange)
        else:
            exchange = next(
                (
                    e
                    for e in self._pending.values()
                    if e.response is None and e.action.name.lower() in ANSWERED_WITHOUT_ID
                ),
                None,
            )
            if exchange is None:
                return Routed(Role.STRAY)
        return self._answer(exchange, frame)

    def settle(self, action_id: str, frame: Frame) -> Routed | None:
        """`frame` answers the pending action `action_id` although it is no response (the
        session knows: AstManProxy answers Logoff with a bare `Goodbye:` line). None when that
        action is not waiting for its response."""
        exchange = self._pending.get(action_id)
        if exchange is None or exchange.response is not None:
            return None
        exchange.changes += 1
        return self._answer(exchange, frame)

    def _answer(self, exchange: Exchange, frame: Frame) -> Routed:
        exchange.response = frame
        if opens_list(frame):
            exchange.is_list = True
        else:
            self._finish(exchange)
        return Routed(Role.RESPONSE, exchange)

    def _route_event(self, frame: Frame) -> Routed:
        raw = frame.raw
        # Nearly every event carries no ActionID. Asking the frame builds its header index,
        # several times the cost of this look at the bytes; a frame made by hand has no raw.
        if raw and ACTION_ID_LOWER not in raw.lower():
            return PLAIN_EVENT
        aid = frame.action_id
        if not aid:
            return PLAIN_EVENT
        exchange = self._pending.get(aid)
        if exchange is not None and exchange.is_list:
            if ends_list(frame):
                exchange.list_end = frame
                self._finish(exchange)
                return Routed(Role.LIST_END, exchange)
            exchange.items.append(frame)
            return Routed(Role.LIST_ITEM, exchange)
        exchange = exchange or self._recent.get(aid)
        if exchange is not None:
            exchange.follow_ups.append(frame)
            return Routed(Role.FOLLOW_UP, exchange)
        return PLAIN_EVENT
