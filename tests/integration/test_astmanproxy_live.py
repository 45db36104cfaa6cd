"""Against a real AstManProxy, when one is given: AMITUI_ASTMANPROXY=host:port (its users file's
user and secret in AMITUI_ASTMANPROXY_USER / AMITUI_ASTMANPROXY_SECRET, by default the
`proxyuser=proxysecret` of the project's notes). The project never builds or starts one; the
fake in tests/client/fakeproxy.py covers the same ground in every run.

Timings are printed, not asserted: the exit's path (Logoff answered by `Goodbye:`) is."""

from __future__ import annotations

import os
import time

import pytest

from amitui.client import AmiSession, Outcome, ServerSpec, Timing
from amitui.client.proxy import is_goodbye
from amitui.protocol import Action

ADDRESS = os.environ.get("AMITUI_ASTMANPROXY", "")

pytestmark = pytest.mark.skipif(
    not ADDRESS, reason="no AstManProxy given: set AMITUI_ASTMANPROXY=host:port to run"
)


def spec() -> ServerSpec:
    host, _, port = ADDRESS.rpartition(":")
    return ServerSpec(
        host=host or "127.0.0.1",
        port=int(port),
        user=os.environ.get("AMITUI_ASTMANPROXY_USER", "proxyuser"),
        secret=os.environ.get("AMITUI_ASTMANPROXY_SECRET", "proxysecret"),
    )


async def test_ping_a_list_and_a_quick_logoff() -> None:
    session = AmiSession(spec(), timing=Timing(action_timeout=10), reconnect=False)
    started = time.monotonic()
    await session.open()
    try:
        assert session.state.proxy is not None and "AstManProxy" in session.state.proxy
        ping = await session.send(Action("Ping"))
        assert ping.ok and ping.response is not None
        assert ping.response.get("Server") is not None  # answered by the Asterisk behind it
        channels = await session.send(Action("CoreShowChannels"))
        assert channels.outcome is Outcome.ANSWERED and channels.exchange.list_end is not None
        assert channels.truncated is None
    finally:
        closing = time.monotonic()
        await session.close()
    ended = time.monotonic()
    logoff = session.logoff
    assert logoff is not None and logoff.outcome is Outcome.ANSWERED
    assert logoff.response is not None and is_goodbye(logoff.response)
    print(
        f"\nthrough {ADDRESS}: ping {ping.latency_ms:.1f} ms, whole run "
        f"{(ended - started) * 1000:.0f} ms, close {(ended - closing) * 1000:.0f} ms; "
        f"AMI {session.state.ami_version or 'unknown'}, "
        f"Asterisk {session.state.asterisk_version or 'unknown'}"
    )
