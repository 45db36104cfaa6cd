"""`amitui events` over several servers when one of them is lost: it reconnects on its own,
its gaps named on stderr, and the other's events go on (loopback fake servers)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable

import pytest

from amitui import exitcodes
from amitui.client import ServerSpec
from amitui.commands import several
from amitui.commands.cli import build_parser
from tests.client.fakeami import FakeAmi


@pytest.fixture
async def fakes() -> AsyncIterator[tuple[FakeAmi, FakeAmi]]:
    one, two = await FakeAmi().start(), await FakeAmi().start()
    yield one, two
    await one.stop()
    await two.stop()


async def until(pred: Callable[[], bool]) -> None:
    async with asyncio.timeout(20):  # a guard against hanging, not a timed assertion
        while not pred():
            await asyncio.sleep(0.01)


def spec(fake: FakeAmi, name: str) -> ServerSpec:
    return ServerSpec(port=fake.port, user="u", secret=fake.secret, auth="plain", name=name)


async def test_a_lost_server_comes_back_and_its_gap_is_named(
    fakes: tuple[FakeAmi, FakeAmi], capsys: pytest.CaptureFixture[str]
) -> None:
    one, two = fakes
    args = build_parser().parse_args(["events", "--json", "--count", "2"])
    task = asyncio.create_task(several.events_several(args, [spec(one, "a"), spec(two, "b")]))
    await until(lambda: len(one.actions("login")) == 1 == len(two.actions("login")))
    one.drop_all()
    await until(lambda: len(one.actions("login")) == 2 and len(one.writers) == 1)
    one.push(b"Event: Hangup\r\nChannel: PJSIP/1-1\r\n\r\n")
    two.push(b"Event: Hangup\r\nChannel: PJSIP/2-1\r\n\r\n")
    assert await asyncio.wait_for(task, 20) == exitcodes.OK
    out, err = capsys.readouterr()
    servers = sorted(json.loads(line)["Server"] for line in out.splitlines())
    assert servers == ["a", "b"]
    lines = err.splitlines()
    assert lines[0].startswith("amitui: a: connection lost")
    assert lines[1].startswith("amitui: a: reconnected after")
    assert len(lines) == 2
