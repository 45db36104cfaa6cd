"""A reply AstManProxy may have cut (it keeps 255 lines of a packet) is not a success: `amitui
action` prints it, says so on stderr, and exits 1. tests/client/fakeproxy.py cuts `core show
help` as the real proxy does."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from amitui import exitcodes
from amitui.client import ServerSpec
from amitui.commands import scripting
from amitui.commands.cli import build_parser
from amitui.config import Config
from tests.client.fakeproxy import FakeProxy


@pytest.fixture
async def proxy() -> AsyncIterator[FakeProxy]:
    server = await FakeProxy(goodbye_linger=0.0).start()
    yield server
    await server.stop()


async def command(proxy: FakeProxy, cli: str) -> int:
    args = build_parser().parse_args(["action", "Command", f"Command={cli}"])
    spec = ServerSpec(port=proxy.port, user="u", secret="s3cret")
    return await scripting._action(args, spec, Config())


async def test_a_cut_reply_is_exit_1_with_a_reason(
    proxy: FakeProxy, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await command(proxy, "core show help") == exitcodes.ACTION_FAILED
    out, err = capsys.readouterr()
    assert out.startswith("Response: Success\n")  # what came is printed all the same
    [line] = err.splitlines()
    assert line.startswith("amitui: Command: reply possibly incomplete: possibly truncated")


async def test_a_whole_reply_through_the_proxy_is_exit_0(
    proxy: FakeProxy, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await command(proxy, "core show uptime") == exitcodes.OK
    assert capsys.readouterr().err == ""
