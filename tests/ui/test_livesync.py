"""LiveSync: which lists it asks for, what a refusal or a lost connection leaves the tables
saying, and that gaps and evictions in the ring make them stale until the next resync."""

from __future__ import annotations

from amitui.client import NotReady, Outcome, Phase, ServerSpec, SessionState, Transcript
from amitui.protocol import Action, ActionIds, Correlator
from amitui.store import EventRing
from amitui.store.live import LIVE, STALE, UNAVAILABLE
from amitui.ui.livesync import RETRY_AFTER, LiveSync
from tests.store._support import event, parse

CHANNEL = ("Channel: PJSIP/1001-00000001\nChannelStateDesc: Up\nUniqueid: 1.1\nLinkedid: 1.1\n"
           "Duration: 00:00:05\nBridgeId: \n")  # fmt: skip
LISTS = {
    "ListCommands": "Response: Success\nActionID: {aid}\n"
    "CoreShowChannels: List currently active channels.  (Priv: system,reporting,all)\n"
    "BridgeList: Get a list of bridges in the system.  (Priv: <none>)\n"
    "PJSIPShowEndpoints: Lists PJSIP endpoints.  (Priv: system,all)\n"
    "QueueStatus: Show queue status.  (Priv: <none>)\n\n",
    "CoreShowChannels": "Response: Success\nActionID: {aid}\nEventList: start\n"
    "Message: Channels will follow\n\n"
    "Event: CoreShowChannel\nActionID: {aid}\n" + CHANNEL + "\n"
    "Event: CoreShowChannelsComplete\nActionID: {aid}\nEventList: Complete\nListItems: 1\n\n",
    "BridgeList": "Response: Success\nActionID: {aid}\nEventList: start\n\n"
    "Event: BridgeListComplete\nActionID: {aid}\nEventList: Complete\nListItems: 0\n\n",
    "PJSIPShowEndpoints": "Response: Error\nActionID: {aid}\nMessage: No endpoints found\n\n",
    "QueueStatus": "Response: Error\nActionID: {aid}\nMessage: Permission denied\n\n",
}


class Listing:
    """A session that answers the list actions from LISTS; `down` makes every send fail."""

    def __init__(self) -> None:
        self.spec = ServerSpec(user="admin")
        self.state = SessionState(Phase.READY, self.spec.address, "admin")
        self.ping_ms: float | None = None
        self.ids = ActionIds("x")
        self.sent: list[str] = []
        self.down = False

    @property
    def replay(self) -> None:
        return None

    async def run(self) -> None:
        return None

    async def close(self, *, logoff: bool = True) -> None:
        return None

    async def send(self, action: Action, *, timeout: float | None = None) -> Transcript:
        if self.down:
            raise NotReady("not connected")
        action = action.with_id(self.ids.next())
        self.sent.append(action.name)
        correlator = Correlator()
        exchange = correlator.expect(action)
        for frame in parse(LISTS[action.name].format(aid=action.action_id)):
            correlator.route(frame)
        return Transcript(action, exchange, sent_wall=0.0, sent=0.0, outcome=Outcome.ANSWERED)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def make() -> tuple[LiveSync, Listing, EventRing, Clock]:
    ring, session, clock = EventRing(10), Listing(), Clock()
    return LiveSync(ring, lambda: session, clock), session, ring, clock


async def test_first_sync_asks_what_exists_and_says_what_it_got() -> None:
    live, session, _, _ = make()
    assert live.start()
    await live.sync()
    assert session.sent == ["ListCommands", "CoreShowChannels", "BridgeList",
                            "PJSIPShowEndpoints", "QueueStatus"]  # fmt: skip
    assert [t.name for t in live.tabs()] == ["channels", "bridges", "endpoints", "queues"]
    state = live.state
    assert state["channels"].freshness.state == LIVE
    assert [r["Channel"] for _, r in state["channels"].rows(0)] == ["PJSIP/1001-00000001"]
    assert state["endpoints"].freshness.state == LIVE  # "No endpoints found": an empty list
    queues = state["queues"].freshness
    assert queues.state == UNAVAILABLE
    assert queues.reason == "QueueStatus: Permission denied; kept from events only"
    # Tables the server has no list for are never asked, and say so.
    assert state["parked"].freshness.state == UNAVAILABLE
    assert "the server has no ParkedCalls" in state["parked"].freshness.reason
    assert not live.due()


async def test_a_lost_connection_leaves_the_table_stale_and_retries_later() -> None:
    live, session, _, clock = make()
    session.down = True
    assert live.start()
    await live.sync()  # ListCommands fails too: every table is still to be loaded
    session.down = False
    assert not live.due()  # not straight away: the connection just failed
    clock.now += RETRY_AFTER
    assert live.start()
    await live.sync()
    assert live.state["channels"].freshness.state == LIVE


async def test_a_gap_or_eviction_in_the_ring_makes_tables_stale_until_resynced() -> None:
    live, _, ring, clock = make()
    assert live.start()
    await live.sync()
    ring.mark_gap("reconnected after 2.0 s; events in between were not received", clock.now)
    live.tick()
    assert live.state["channels"].freshness.state == STALE
    assert live.state["queues"].freshness.state == UNAVAILABLE  # a refusal is not retried
    assert live.start()
    await live.sync()
    assert live.state["channels"].freshness.state == LIVE
    # More events than the ring holds arrive between two ticks: some were never read.
    ring.append_batch([event("VarSet") for _ in range(25)], clock.now)
    live.tick()
    channels = live.state["channels"].freshness
    assert channels.state == STALE and "evicted" in channels.reason


async def test_reset_starts_the_tables_afresh() -> None:
    live, _, ring, clock = make()
    assert live.start()
    await live.sync()
    ring.clear()
    live.reset()
    live.tick()
    assert not live.state["channels"].records
    ring.append_batch([event("Newchannel", ("Channel", "PJSIP/2-1"), ("Uniqueid", "2.1"))],
                      clock.now)  # fmt: skip
    live.tick()
    assert [r["Channel"] for _, r in live.state["channels"].rows(0)] == ["PJSIP/2-1"]
