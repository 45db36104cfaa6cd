"""Call tracing across a real Asterisk restart: the same channel name, two calls."""

from __future__ import annotations

import asyncio

import pytest

from amitui.client import AmiSession, Timing
from amitui.protocol import Action, Frame
from amitui.store import EventRing, StoredEvent
from amitui.store.filter import parse_filter
from amitui.ui.bridge import StoreBridge
from tests.conftest import Asterisk
from tests.integration.test_real_asterisk import spec

pytestmark = pytest.mark.asterisk


class Console:
    """What the console keeps: the ring, fed by the session, traced by the bridge."""

    def __init__(self) -> None:
        self.ring = EventRing(100_000)
        self.bridge = StoreBridge(self.ring)
        self.changed = asyncio.Event()

    def events(self, batch: list[Frame]) -> None:
        self.bridge.on_events(batch)
        self.changed.set()

    def gap(self, text: str) -> None:
        self.bridge.on_gap(text)
        self.changed.set()

    def frames(self) -> list[StoredEvent]:
        return [e for e in self.ring if isinstance(e, StoredEvent)]

    def gaps(self) -> list[str]:
        return [e.reason for e in self.ring if not isinstance(e, StoredEvent)]

    async def wait_for(self, pred: object, timeout: float = 15.0) -> None:
        async with asyncio.timeout(timeout):
            while not pred():  # type: ignore[operator]
                self.changed.clear()
                await self.changed.wait()


async def restart(asterisk: Asterisk, console: Console) -> None:
    before = sum(g.startswith("reconnected") for g in console.gaps())
    stop = await asyncio.to_thread(asterisk.sandbox, "down", timeout=60)
    assert stop.returncode == 0, stop.stderr
    start = await asyncio.to_thread(asterisk.sandbox, "up")
    assert start.returncode == 0, start.stderr
    await console.wait_for(
        lambda: sum(g.startswith("reconnected") for g in console.gaps()) > before, 30
    )


async def originate(session: AmiSession, console: Console, seconds: int) -> str:
    """A Local call that waits `seconds`; returns its first channel's Uniqueid."""
    tr = await session.send(
        Action.of("Originate", Channel="Local/100@default", Application="Wait",
                  Data=str(seconds), Async="true")
    )  # fmt: skip
    assert tr.ok, tr.message
    aid = tr.action.action_id

    def answered() -> str | None:
        for e in console.frames():
            if e.frame.name == "OriginateResponse" and e.frame.action_id == aid:
                return e.frame.get("Uniqueid")
        return None

    await console.wait_for(lambda: answered() is not None)
    uid = answered()
    assert uid
    return uid


async def test_a_call_after_a_real_restart_is_a_call_of_its_own(asterisk: Asterisk) -> None:
    console = Console()
    timing = Timing(backoff_base=0.2, backoff_cap=1.0, ping_interval=2.0, pong_deadline=2.0)
    session = AmiSession(spec(asterisk), timing=timing, on_events=console.events,
                         on_gap=console.gap)  # fmt: skip
    await session.open()
    runner = asyncio.create_task(session.run())
    try:
        # A fresh run, so our Local channel is the first: Local/100@default-00000000.
        await restart(asterisk, console)
        old_uid = await originate(session, console, 60)  # still up when Asterisk restarts
        await restart(asterisk, console)
        new_uid = await originate(session, console, 1)

        def hung_up() -> bool:
            return sum(e.frame.name == "Hangup" and e.frame.get("Linkedid") == new_uid
                       for e in console.frames()) >= 2  # fmt: skip

        await console.wait_for(hung_up)
    finally:
        await session.close()
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)

    console.bridge.analyse(budget=None)
    tracker = console.bridge.calls
    old = tracker.call_of(next(e.frame for e in console.frames()
                               if e.frame.get("Uniqueid") == old_uid))  # fmt: skip
    new = tracker.call_of(next(e.frame for e in console.frames()
                               if e.frame.get("Uniqueid") == new_uid))  # fmt: skip
    assert old is not None and new is not None and old is not new
    old_names = sorted(ch.name for ch in old.channels.values())
    new_names = sorted(ch.name for ch in new.channels.values())
    # The name was reused: each restart numbered channels from zero again.
    first = "Local/100@default-00000000"
    assert old_names == new_names == [f"{first};1", f"{first};2"]
    assert not set(old.seqs) & set(new.seqs)
    assert not old.active  # it died with the server, Hangup seen or not
    assert not new.active and new.cause and "Asterisk" not in new.cause
    # `f` on the new call follows it alone.
    flt = parse_filter(new.filter_text())
    followed = [e.seq for e in console.frames() if flt.matches(e.frame)]
    assert followed == new.seqs
