"""Taps: listeners added to a running session and removed again (a recording started and
stopped from the console), beside the session's own callbacks, which are left alone."""

from __future__ import annotations

import asyncio

from amitui.client import AmiSession, ServerSpec
from amitui.protocol import Action, Frame
from tests.client.fakeami import FAST, FakeAmi


async def test_two_taps_hear_the_wire_and_gaps_and_one_can_leave() -> None:
    fake = await FakeAmi().start()
    own: list[str] = []
    spec = ServerSpec(port=fake.port, user="u", secret=fake.secret, auth="plain")
    session = AmiSession(spec, timing=FAST, on_gap=own.append)
    first: list[tuple[str, bytes | Frame]] = []
    second: list[tuple[str, bytes | Frame]] = []
    gaps: list[str] = []
    try:
        await session.open()
        runner = asyncio.create_task(session.run())
        untap_first = session.add_tap(wire=lambda d, x: first.append((d, x)), gap=gaps.append)
        session.add_tap(wire=lambda d, x: second.append((d, x)))
        assert session.tapped == 2
        assert (await session.send(Action("Ping"))).ok
        assert [d for d, _ in first] == ["out", "in"] == [d for d, _ in second]
        untap_first()
        untap_first()  # twice is harmless
        assert session.tapped == 1
        assert (await session.send(Action("Ping"))).ok
        assert len(first) == 2 and len(second) == 4
        fake.drop_all()
        async with asyncio.timeout(5):
            while not own:
                await asyncio.sleep(0.01)
        assert gaps == []  # the first tap left before the gap
        assert session.on_gap == own.append and session.on_wire is None
        await session.close()
        await asyncio.gather(runner, return_exceptions=True)
    finally:
        await fake.stop()
