"""The session against the real Asterisk 22: behaviour that matters, proven on the real peer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from amitui.client import (
    AmiSession,
    LoginError,
    Outcome,
    Phase,
    ServerSpec,
    Timing,
)
from amitui.protocol import Action, Frame
from tests.conftest import Asterisk

pytestmark = pytest.mark.asterisk


def names_of(tr: object) -> list[str]:
    return [item.get("Channel") or "" for item in tr.items]  # type: ignore[attr-defined]


def spec(server: Asterisk, who: str = "admin", **kw: object) -> ServerSpec:
    user, secret = server.admin if who == "admin" else server.reader
    return ServerSpec(host=server.host, port=server.port, user=user, secret=secret, **kw)  # type: ignore[arg-type]


class Collector:
    """Gathers streamed events and lets a test wait for one."""

    def __init__(self) -> None:
        self.frames: list[Frame] = []
        self.gaps: list[str] = []
        self._changed = asyncio.Event()

    def events(self, batch: list[Frame]) -> None:
        self.frames.extend(batch)
        self._changed.set()

    def gap(self, text: str) -> None:
        self.gaps.append(text)
        self._changed.set()

    async def wait_for(self, pred: Callable[[], bool], timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout):
            while not pred():
                self._changed.clear()
                await self._changed.wait()

    def named(self, name: str) -> list[Frame]:
        return [f for f in self.frames if f.name == name]


@pytest.fixture
async def admin(asterisk: Asterisk) -> AsyncIterator[tuple[AmiSession, Collector]]:
    got = Collector()
    session = AmiSession(spec(asterisk), on_events=got.events, on_gap=got.gap)
    await session.open()
    yield session, got
    await session.close()


def _sent_logins(sent: list[bytes]) -> list[str]:
    return [d.decode() for d in sent if d.startswith(b"Action: Login")]


async def test_md5_login_is_used_when_offered(asterisk: Asterisk) -> None:
    got = Collector()
    sent: list[bytes] = []
    session = AmiSession(
        spec(asterisk),
        on_events=got.events,
        on_wire=lambda d, data: (
            sent.append(data) if isinstance(data, bytes) and d == "out" else None
        ),
    )
    await session.open()
    try:
        assert session.state.phase is Phase.READY
        assert session.state.ami_version == "11.0.0"
        (login,) = _sent_logins(sent)
        assert "AuthType: MD5" in login and "Key: " in login and "Secret" not in login
        # The key itself is masked in what the session reports.
        assert "Key: ********" in login
        await got.wait_for(lambda: bool(got.named("FullyBooted")))
    finally:
        await session.close()


async def test_plain_login(asterisk: Asterisk) -> None:
    got = Collector()
    sent: list[bytes] = []
    session = AmiSession(
        spec(asterisk, auth="plain"),
        on_events=got.events,
        on_wire=lambda d, data: (
            sent.append(data) if isinstance(data, bytes) and d == "out" else None
        ),
    )
    await session.open()
    try:
        (login,) = _sent_logins(sent)
        assert "Secret: ********" in login and "AuthType" not in login
        assert not any(b"amitui-admin-secret" in d for d in sent)
        await got.wait_for(lambda: bool(got.named("FullyBooted")))
    finally:
        await session.close()


@pytest.mark.parametrize("auth", ["auto", "plain"])
async def test_wrong_secret_is_one_clear_line(asterisk: Asterisk, auth: str) -> None:
    bad = ServerSpec(host=asterisk.host, port=asterisk.port, user="admin", secret="nope", auth=auth)
    session = AmiSession(bad, reconnect=False)
    with pytest.raises(LoginError) as info:
        await session.open()
    assert str(info.value) == (
        f"login failed for 'admin' at {asterisk.host}:{asterisk.port}: Authentication failed"
    )
    assert session.state.phase is not Phase.READY


async def test_read_only_user_originate_is_permission_denied(asterisk: Asterisk) -> None:
    session = AmiSession(spec(asterisk, "reader"))
    await session.open()
    try:
        tr = await session.send(
            Action.of("Originate", Channel="Local/100@default", Application="Wait", Data="1")
        )
    finally:
        await session.close()
    assert tr.outcome is Outcome.ANSWERED
    assert not tr.ok
    assert tr.message == "Permission denied"


async def test_list_commands_and_command_output(admin: tuple[AmiSession, Collector]) -> None:
    session, _ = admin
    tr = await session.send(Action("ListCommands"))
    assert tr.ok
    assert ((tr.response and tr.response.get("Originate")) or "").endswith("(Priv: originate,all)")
    tr = await session.send(Action.of("Command", Command="manager show command Originate"))
    assert tr.ok and tr.response is not None and tr.response.output is not None
    assert "[Syntax]" in tr.response.output
    assert "Channel: <value>" in tr.response.output
    tr = await session.send(Action.of("Command", Command="core show version"))
    assert tr.response is not None and tr.response.output is not None
    assert tr.response.output[0].startswith("Asterisk 22.")


async def test_originate_events_list_and_hangup(admin: tuple[AmiSession, Collector]) -> None:
    session, got = admin
    tr = await session.send(
        Action.of(
            "Originate", Channel="Local/100@default", Application="Wait", Data="20", Async="true"
        )
    )
    assert tr.ok, tr.message
    aid = tr.action.action_id
    await got.wait_for(
        lambda: any(f.name == "OriginateResponse" and f.action_id == aid for f in got.frames)
    )
    origin = next(f for f in got.frames if f.name == "OriginateResponse")
    # An event that carries `Response:` stays an event, and is tied to its action.
    assert origin.get("Response") == "Success"
    assert origin in tr.exchange.follow_ups
    # The transaction: response, then the follow-up, each timed from the send.
    labels = [label for label, _ in tr.timings]
    assert labels[0] == "response: Success" and "follow-up: OriginateResponse" in labels
    assert [at for _, at in tr.timings] == sorted(at for _, at in tr.timings)
    channels = [f.get("Channel") for f in got.named("Newchannel")]
    assert any(c and c.startswith("Local/100@default-") and c.endswith(";1") for c in channels)

    listing = await session.send(Action("CoreShowChannels"))
    assert listing.outcome is Outcome.ANSWERED and listing.exchange.list_end is not None
    assert listing.exchange.list_end.get("ListItems") == str(len(listing.items))
    assert all(item.action_id == listing.action.action_id for item in listing.items)
    steps = [label for label, _ in listing.timings]
    assert steps == [
        "response: Success",
        "first list item",
        f"list complete: {len(names_of(listing))} items",
    ]
    names = [item.get("Channel") or "" for item in listing.items]
    ours = next(n for n in names if n.endswith(";1") and n.startswith("Local/100@default-"))
    # List items belong to the action, not to the stream.
    assert not got.named("CoreShowChannel")

    hang = await session.send(Action.of("Hangup", Channel=ours))
    assert hang.ok, hang.message
    await got.wait_for(lambda: any(f.get("Channel") == ours for f in got.named("Hangup")))


async def test_logoff_says_goodbye(asterisk: Asterisk) -> None:
    session = AmiSession(spec(asterisk), reconnect=False)
    await session.open()
    tr = await session.send(Action("Logoff"))
    assert tr.status == "Goodbye"
    await session.close()


async def test_session_comes_back_after_server_restart(asterisk: Asterisk) -> None:
    got = Collector()
    timing = Timing(backoff_base=0.2, backoff_cap=1.0, ping_interval=2.0, pong_deadline=2.0)
    session = AmiSession(spec(asterisk), timing=timing, on_events=got.events, on_gap=got.gap)
    await session.open()
    runner = asyncio.create_task(session.run())
    try:
        stop = await asyncio.to_thread(asterisk.sandbox, "down", timeout=60)
        assert stop.returncode == 0, stop.stderr
        await got.wait_for(lambda: any(g.startswith("connection lost") for g in got.gaps), 20)
        # The Shutdown event's reason, not a bare "connection closed".
        assert got.gaps[0].startswith("connection lost: Asterisk shut down ("), got.gaps
        assert got.named("Shutdown")
        assert session.state.phase in (Phase.RECONNECTING, Phase.CONNECTING)
        start = await asyncio.to_thread(asterisk.sandbox, "up")
        assert start.returncode == 0, start.stderr
        await got.wait_for(lambda: any(g.startswith("reconnected") for g in got.gaps), 30)
        assert session.ready
        assert (await session.send(Action("Ping"))).ok
        assert session.reconnects == 1
    finally:
        await session.close()
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)


async def test_a_real_local_call_is_traced_as_one_call(admin: tuple[AmiSession, Collector]) -> None:
    from amitui.store.calls import CallTracker

    session, got = admin
    tr = await session.send(
        Action.of("Originate", Channel="Local/101@default", Application="Wait", Data="1",
                  Async="true")
    )  # fmt: skip
    assert tr.ok
    aid = tr.action.action_id
    await got.wait_for(lambda: any(f.name == "OriginateResponse" and f.action_id == aid
                                   for f in got.frames))  # fmt: skip
    uid = next(f.get("Uniqueid") for f in got.frames if f.name == "OriginateResponse")
    # Local/101 hangs up by itself after 2 s: wait for both halves to go.
    await got.wait_for(lambda: sum(f.name == "Hangup" and (f.get("Linkedid") == uid)
                                   for f in got.frames) >= 2, 15)  # fmt: skip
    tracker = CallTracker()
    for seq, frame in enumerate(got.frames, start=1):
        tracker.observe(seq, float(seq), frame)
    ours = [c for c in tracker.calls() if uid in c.linkedids]
    assert len(ours) == 1
    call = ours[0]
    halves = sorted(ch.name[-2:] for ch in call.channels.values())
    assert halves == [";1", ";2"]
    assert not call.active
    assert call.cause  # the first channel's Hangup cause and text
