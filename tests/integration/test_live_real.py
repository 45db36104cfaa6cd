"""The live view's state against the real Asterisk 22: Local calls appear in the Channels
table from events, meet in a bridge, leave it and go; lists and events agree; queues and
endpoints come from the sandbox's queues.conf and pjsip.conf; a hangup from the table goes
through the confirmation; a server restart leaves the tables stale until they are resynced.

The server is shared with other test runs: every check looks only at this test's channels
(by Linkedid, or by name), and only those are hung up.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from amitui.client import AmiSession, Phase, ServerSpec, Timing
from amitui.config import Profile
from amitui.protocol import Action
from amitui.store import EventRing
from amitui.store.live import LIVE, STALE
from amitui.store.live_tables import Channels
from amitui.ui.bridge import StoreBridge
from amitui.ui.livesync import LiveSync
from tests.conftest import Asterisk

pytestmark = pytest.mark.asterisk


class Live:
    """A session feeding a ring, and the live state kept from it, as the console does."""

    def __init__(self, server: Asterisk, timing: Timing | None = None) -> None:
        self.ring = EventRing(50_000)
        self.bridge = StoreBridge(self.ring)
        spec = ServerSpec(host=server.host, port=server.port, user=server.admin[0],
                          secret=server.admin[1])  # fmt: skip
        self.session = AmiSession(
            spec, timing=timing or Timing(), on_events=self.bridge.on_events,
            on_gap=self.bridge.on_gap,
        )  # fmt: skip
        self.sync = LiveSync(self.ring, lambda: self.session)
        self.runner: asyncio.Task[None] | None = None

    @property
    def channels(self) -> Channels:
        table = self.sync.state["channels"]
        assert isinstance(table, Channels)
        return table

    async def until(self, check: Callable[[], bool], timeout: float = 15.0) -> None:
        """Keep the tables current (and resynced when due) until check() holds."""
        async with asyncio.timeout(timeout):
            while True:
                self.sync.tick()
                if self.sync.start():
                    await self.sync.sync()
                if check():
                    return
                await asyncio.sleep(0.05)

    def ours(self, linkedid: str) -> dict[str, dict[str, str]]:
        """Our call's channels as the table has them: name -> fields."""
        return {r.fields["channel"]: r.fields for r in self.channels.records.values()
                if r.fields.get("linkedid") == linkedid}  # fmt: skip


@pytest.fixture
async def live(asterisk: Asterisk) -> AsyncIterator[Live]:
    got = Live(asterisk)
    await got.session.open()
    got.runner = asyncio.create_task(got.session.run())
    await got.until(lambda: all(t.freshness.state == LIVE for t in got.sync.tabs()))
    yield got
    await got.session.close()
    got.runner.cancel()
    await asyncio.gather(got.runner, return_exceptions=True)


async def originate_bridged_call(live: Live) -> str:
    """Local/100 dialling Local/100: four channels, two of them in one bridge. Its Linkedid."""
    tr = await live.session.send(Action.of(
        "Originate", Channel="Local/100@default", Application="Dial", Data="Local/100@default",
        CallerID="Live Test <4242>", Async="true",
    ))  # fmt: skip
    assert tr.ok, tr.message
    aid = tr.action.action_id
    await live.until(lambda: any(f.name == "OriginateResponse" for f in tr.exchange.follow_ups))
    done = next(f for f in tr.exchange.follow_ups if f.name == "OriginateResponse")
    assert done.get("Response") == "Success", done.redacted_text()
    assert aid
    return done.get("Uniqueid") or ""


async def test_local_calls_appear_bridge_and_go(live: Live) -> None:
    linkedid = await originate_bridged_call(live)
    await live.until(lambda: sum(bool(f.get("bridge")) for f in live.ours(linkedid).values()) == 2)
    ours = live.ours(linkedid)
    assert len(ours) == 4
    bridged = sorted(n for n, f in ours.items() if f.get("bridge"))
    assert all(n.endswith(";1") for n in bridged)
    bridge_id = ours[bridged[0]]["bridge"]
    rows = dict(live.channels.rows(live.sync.clock()))
    caller = next(r for r in rows.values() if r["Channel"] == bridged[0])
    assert caller["State"] == "Up" and caller["Bridge"] == bridge_id[:8]
    bridges = dict(live.sync.state["bridges"].rows(live.sync.clock()))
    assert sorted(bridges[bridge_id]["Channels"].split(", ")) == bridged

    # What the events built is what the server lists.
    table = live.sync.state["channels"]
    before = {n: (f.get("channelstatedesc"), f.get("bridge", "")) for n, f in ours.items()}
    live.sync.state.gap("test: list again", live.sync.clock())
    await live.until(lambda: table.freshness.state == LIVE)
    after = {n: (f.get("channelstatedesc"), f.get("bridge", "")) for n, f
             in live.ours(linkedid).items()}  # fmt: skip
    assert after == before

    first = min(ours)  # the originated ;1: hanging it up ends the whole call
    assert (await live.session.send(Action.of("Hangup", Channel=first))).ok
    await live.until(lambda: not live.ours(linkedid))
    await live.until(lambda: bridge_id not in live.sync.state["bridges"].records)


async def test_queue_members_and_endpoints_from_the_sandbox(live: Live) -> None:
    queues = live.sync.state["queues"]
    key = "m:amitui-support:Local/100@default"
    await live.until(lambda: key in queues.records)
    assert "q:amitui-support" in queues.records
    endpoints = dict(live.sync.state["endpoints"].rows(live.sync.clock()))
    assert {"PJSIP/1001", "PJSIP/1002"} <= set(endpoints)
    assert endpoints["PJSIP/1001"]["Contacts"] == "sip:1001@127.0.0.1:5071"
    pause = Action.of("QueuePause", Queue="amitui-support", Interface="Local/100@default",
                      Paused="true", Reason="live test")  # fmt: skip
    assert (await live.session.send(pause)).ok
    try:
        await live.until(lambda: queues.records[key].fields.get("paused") == "1")
        row = dict(queues.rows(live.sync.clock()))[key]
        assert row["Paused"] == "yes: live test"
    finally:
        unpause = Action.of("QueuePause", Queue="amitui-support", Interface="Local/100@default",
                            Paused="false")  # fmt: skip
        assert (await live.session.send(unpause)).ok
    await live.until(lambda: queues.records[key].fields.get("paused") == "0")


async def test_hangup_from_the_table_through_the_confirmation(asterisk: Asterisk) -> None:
    from textual.widgets import DataTable

    from amitui.ui.app import AmiApp, Settings
    from amitui.ui.screens.confirm import ConfirmSend
    from amitui.ui.screens.live import LiveScreen

    spec = ServerSpec(host=asterisk.host, port=asterisk.port, user=asterisk.admin[0],
                      secret=asterisk.admin[1])  # fmt: skip
    app = AmiApp(spec, Settings(profile=Profile(name="t")))
    async with app.run_test(size=(160, 45)) as pilot:

        async def wait_for(check: Callable[[], bool]) -> None:
            async with asyncio.timeout(15):
                while not check():
                    await pilot.pause(0.05)

        await wait_for(lambda: app.session is not None and app.session.state.phase is Phase.READY)
        session = app.session
        assert session is not None
        tr = await session.send(Action.of("Originate", Channel="Local/100@default",
                                          Application="Wait", Data="30", Async="true"))  # fmt: skip
        assert tr.ok
        await wait_for(lambda: any(f.name == "OriginateResponse" for f in tr.exchange.follow_ups))
        name = next(f for f in tr.exchange.follow_ups).get("Channel") or ""
        await wait_for(lambda: name in app.live.state["channels"].names())  # type: ignore[attr-defined]
        await pilot.press("l")
        assert isinstance(app.screen, LiveScreen)
        await pilot.press("slash", *f'Channel="{name}"', "enter")  # only ours
        table = app.screen.query_one("#table-channels", DataTable)
        await wait_for(lambda: table.row_count == 1)
        await pilot.press("h")
        await wait_for(lambda: isinstance(app.screen, ConfirmSend))
        await pilot.press("y")
        await wait_for(lambda: name not in app.live.state["channels"].names())  # type: ignore[attr-defined]
        await wait_for(lambda: table.row_count == 0)


async def test_a_restart_leaves_tables_stale_until_they_are_resynced(asterisk: Asterisk) -> None:
    timing = Timing(backoff_base=0.2, backoff_cap=1.0, ping_interval=2.0, pong_deadline=2.0)
    live = Live(asterisk, timing)
    await live.session.open()
    live.runner = asyncio.create_task(live.session.run())
    restarted = False
    try:
        await live.until(lambda: all(t.freshness.state == LIVE for t in live.sync.tabs()))
        stop = await asyncio.to_thread(asterisk.sandbox, "down", timeout=60)
        assert stop.returncode == 0, stop.stderr
        await live.until(lambda: live.session.state.phase is not Phase.READY, 20)
        # The gap made every table stale; none claims to be current while the server is away.
        await live.until(lambda: all(t.freshness.state == STALE for t in live.sync.tabs()), 20)
        assert live.sync.state["channels"].freshness.reason.startswith("connection lost")
        start = await asyncio.to_thread(asterisk.sandbox, "up")
        assert start.returncode == 0, start.stderr
        restarted = True
        # A call made on the new server, by another connection, right after it came up:
        # whether its events arrive before the reconnect or not, the table must show it.
        other = Live(asterisk)
        await other.session.open()
        try:
            linkedid = await originate_bridged_call(other)
        finally:
            await other.session.close()
        await live.until(lambda: all(t.freshness.state == LIVE for t in live.sync.tabs()), 40)
        await live.until(lambda: len(live.ours(linkedid)) == 4)
        hang = Action.of("Hangup", Channel=min(live.ours(linkedid)))
        assert (await live.session.send(hang)).ok
        await live.until(lambda: not live.ours(linkedid))
    finally:
        if not restarted:  # the server is shared: never leave it down
            await asyncio.to_thread(asterisk.sandbox, "up")
        await live.session.close()
        live.runner.cancel()
        await asyncio.gather(live.runner, return_exceptions=True)
