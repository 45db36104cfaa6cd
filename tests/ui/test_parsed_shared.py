"""The console's tick: call tracing and the catalog split each event once, and the live tables
take those headers instead of splitting the events again (store/parsed.py)."""

from __future__ import annotations

from itertools import pairwise

from amitui.store import EventRing
from amitui.store.parsed import ParsedOnce
from amitui.ui.bridge import StoreBridge
from amitui.ui.livesync import LiveSync
from tests.store._support import parse

CALL = """Event: Newchannel
Channel: PJSIP/1001-00000001
ChannelState: 4
ChannelStateDesc: Ring
CallerIDNum: 1001
CallerIDName: Alice
Uniqueid: 1700000000.1
Linkedid: 1700000000.1

Event: VarSet
Channel: PJSIP/1001-00000001
Variable: X
Value: 1
Uniqueid: 1700000000.1
Linkedid: 1700000000.1

Event: Newstate
Channel: PJSIP/1001-00000001
ChannelState: 6
ChannelStateDesc: Up
Uniqueid: 1700000000.1
Linkedid: 1700000000.1

"""


def _live(ring: EventRing, lead: StoreBridge | None) -> LiveSync:
    return LiveSync(ring, lambda: None, clock=lambda: 100.0, lead=lead)


def test_the_live_tables_take_the_headers_call_tracing_split() -> None:
    ring = EventRing(capacity=100)
    ring.append_batch(parse(CALL), 100.0)
    bridge = StoreBridge(ring)
    assert bridge.analyse() == 3
    assert len(bridge.parsed) == 3

    shared = _live(ring, bridge)
    shared.pull()
    # Newchannel and Newstate are channel events; VarSet is no table's.
    assert bridge.parsed.hits == 2

    alone = _live(ring, None)
    alone.pull()
    now = 101.0
    assert shared.state["channels"].rows(now) == alone.state["channels"].rows(now)
    assert [r["State"] for _, r in shared.state["channels"].rows(now)] == ["Up"]


def test_starting_the_analysis_over_forgets_what_was_split() -> None:
    ring = EventRing(capacity=100)
    ring.append_batch(parse(CALL), 100.0)
    bridge = StoreBridge(ring)
    bridge.analyse()
    bridge.reset_analysis()
    assert len(bridge.parsed) == 0


async def test_the_console_shares_one_memo_and_empties_it_every_tick() -> None:
    from amitui.client import ServerSpec
    from amitui.config import Profile
    from amitui.ui.app import AmiApp, Settings
    from tests.ui.fakes import FakeSession

    app = AmiApp(ServerSpec(user="admin"), Settings(profile=Profile(name="t")),
                 session_factory=FakeSession)  # fmt: skip
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        assert app.live.lead is app.bridge
        assert app.ring.last_seq > 0  # the fake session's call events arrived
        assert len(app.bridge.parsed) == 0  # and the tick that read them let them go
        assert app.bridge.parsed.hits > 0  # the live tables took headers split for tracing


def test_the_live_tables_follow_call_tracing_and_a_resync_reads_to_the_end() -> None:
    ring = EventRing(capacity=100)
    ring.append_batch(parse(CALL), 100.0)
    bridge = StoreBridge(ring)
    live = _live(ring, bridge)
    live.pull()
    assert live.state.processed == 0  # nothing traced yet: nothing read
    assert bridge.analyse(budget=1) == 1
    live.pull()
    assert live.state.processed == 1
    assert [r["State"] for _, r in live.state["channels"].rows(101.0)] == ["Ring"]
    live.pull(to_the_end=True)  # what a resync does before it asks for a list
    assert live.state.processed == 3
    assert [r["State"] for _, r in live.state["channels"].rows(101.0)] == ["Up"]


async def test_a_tick_analyses_in_chunks_and_lets_the_loop_go_between_them() -> None:
    import asyncio

    from amitui.ui import pacing

    order: list[str] = []

    class Bridge:
        def __init__(self) -> None:
            self.parsed = ParsedOnce()
            self.left = 3 * pacing.ANALYSE_CHUNK + 7  # three full chunks and a short one

        @property
        def backlog(self) -> int:
            return self.left

        def analyse(self, budget: int) -> int:
            done = min(budget, self.left)
            self.left -= done
            self.parsed.headers(self.left, parse(CALL)[0])  # something split this chunk
            order.append("chunk")
            return done

    class Follower:
        def pull(self) -> None:
            assert len(bridge.parsed) == 1  # the chunk's headers, still there to share
            order.append("pull")

    async def other() -> None:
        for _ in range(3):
            order.append("other")
            await asyncio.sleep(0)

    bridge = Bridge()
    await asyncio.gather(pacing.analyse_for_a_tick(bridge, Follower()), other())  # type: ignore[arg-type]
    assert bridge.left == 0
    assert len(bridge.parsed) == 0  # let go after every chunk
    chunks = [i for i, step in enumerate(order) if step == "chunk"]
    assert len(chunks) == 4
    # Another task ran between consecutive chunks: a key press would have too.
    assert all("other" in order[a:b] for a, b in pairwise(chunks))
