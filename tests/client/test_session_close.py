"""close() and cancellation end a running session at once, even when they land while run() is
dropping a lost connection (between the loss and the backoff pause)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from amitui.client import AmiSession, Phase, ServerSpec, Timing
from tests.client.fakeami import FakeAmi

# A backoff pause of an hour: a run() that waits it out never ends within the test's guard.
SLOW_BACKOFF = Timing(connect_timeout=2, action_timeout=2, backoff_base=3600, backoff_cap=3600)
GUARD = 30.0  # only a guard against hanging forever: nothing here is timed


@pytest.fixture
async def fake() -> AsyncIterator[FakeAmi]:
    server = await FakeAmi().start()
    yield server
    await server.stop()


def spec(fake: FakeAmi) -> ServerSpec:
    return ServerSpec(port=fake.port, user="u", secret=fake.secret, auth="plain")


async def test_close_during_the_drop_of_a_lost_connection_ends_run(fake: FakeAmi) -> None:
    closing: list[asyncio.Task[None]] = []
    session = AmiSession(spec(fake), timing=SLOW_BACKOFF)
    # The gap is reported just before run() drops the lost connection: close() then runs
    # while run() waits in that drop, and sets the wake-up that the backoff pause waits for.
    session.on_gap = lambda _text: closing.append(
        asyncio.ensure_future(session.close(logoff=False))
    )
    await session.open()
    runner = asyncio.create_task(session.run())
    await asyncio.sleep(0)
    fake.drop_all()
    await asyncio.wait_for(runner, GUARD)  # not an hour of backoff
    await asyncio.gather(*closing)
    assert session.state.phase is Phase.CLOSED


async def test_cancelling_run_during_the_drop_is_not_swallowed(fake: FakeAmi) -> None:
    session = AmiSession(spec(fake), timing=SLOW_BACKOFF)
    runner: asyncio.Task[None] | None = None

    def cancel_run(_text: str) -> None:
        assert runner is not None
        runner.cancel()  # delivered at run()'s next await: inside the drop of the connection

    session.on_gap = cancel_run
    await session.open()
    runner = asyncio.create_task(session.run())
    await asyncio.sleep(0)
    fake.drop_all()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(runner, GUARD)
    assert runner.cancelled()
    await session.close()


async def test_local_address_is_our_end_of_the_connection(fake: FakeAmi) -> None:
    session = AmiSession(spec(fake), timing=SLOW_BACKOFF)
    assert session.local_address is None
    await session.open()
    try:
        [writer] = fake.writers
        assert session.local_address == writer.get_extra_info("peername")[:2]
    finally:
        await session.close()
    assert session.local_address is None
