"""The session under faults no real server produces on demand: stalls, drops, garbage."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from amitui.client import (
    AmiSession,
    ConnectError,
    LoginError,
    NotReady,
    Outcome,
    Phase,
    ReadOnlyRefused,
    ServerSpec,
    SessionState,
    Timing,
)
from amitui.protocol import Action, Frame, FrameKind, LocalProtocolError
from tests.client.fakeami import FAST, FakeAmi


@pytest.fixture
async def fake() -> AsyncIterator[FakeAmi]:
    server = await FakeAmi().start()
    yield server
    await server.stop()


def make(
    fake: FakeAmi, **kw: object
) -> tuple[AmiSession, list[Frame], list[str], list[SessionState]]:
    frames: list[Frame] = []
    gaps: list[str] = []
    states: list[SessionState] = []
    spec = ServerSpec(port=fake.port, user="u", secret=fake.secret, auth="plain")
    session = AmiSession(
        spec,
        timing=kw.pop("timing", FAST),  # type: ignore[arg-type]
        on_events=frames.extend,
        on_gap=gaps.append,
        on_state=states.append,
        **kw,  # type: ignore[arg-type]
    )
    return session, frames, gaps, states


async def until(pred: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not pred():
            await asyncio.sleep(0.01)


async def test_no_pong_within_deadline_drops_and_reconnects(fake: FakeAmi) -> None:
    session, _, gaps, states = make(fake)
    await session.open()
    runner = asyncio.create_task(session.run())
    try:
        fake.answer_pings = False
        await until(lambda: any(s.phase is Phase.RECONNECTING for s in states))
        lost = next(s for s in states if s.phase is Phase.RECONNECTING)
        assert lost.reason == "no Pong within 0.3 s"
        assert gaps[0] == "connection lost: no Pong within 0.3 s"
        fake.answer_pings = True
        await until(lambda: session.ready and len(gaps) == 2)
        assert gaps[1].startswith("reconnected after")
        assert fake.connections == 2
    finally:
        await session.close()
        await asyncio.gather(runner, return_exceptions=True)


async def test_action_in_flight_is_unknown_and_never_resent(fake: FakeAmi) -> None:
    session, _, _, _ = make(fake)
    await session.open()
    runner = asyncio.create_task(session.run())
    try:
        pending = asyncio.create_task(session.send(Action.of("Hold", Channel="X")))
        await until(lambda: bool(fake.actions("Hold")))
        fake.drop_all()
        tr = await pending
        assert tr.outcome is Outcome.UNKNOWN
        assert tr.note is not None and "not re-sent" in tr.note
        await until(lambda: session.ready and fake.connections == 2)
        await asyncio.sleep(0.3)  # a reconnect that re-sent would have done so by now
        assert len(fake.actions("Hold")) == 1
    finally:
        await session.close()
        await asyncio.gather(runner, return_exceptions=True)


async def test_garbage_is_shown_as_malformed_and_the_session_goes_on(fake: FakeAmi) -> None:
    session, frames, _, _ = make(fake)
    await session.open()
    try:
        fake.push(b"\x00\xffnot a header line\r\nneither this\r\n\r\nEvent: Fine\r\nA: b\r\n\r\n")
        await until(lambda: len(frames) >= 2)
        assert frames[0].kind is FrameKind.MALFORMED
        assert frames[1].name == "Fine"
        assert (await session.send(Action("Ping"))).ok
    finally:
        await session.close()


async def test_slow_consumer_drops_are_counted_and_the_reader_keeps_going(fake: FakeAmi) -> None:
    session, frames, _, _ = make(fake)
    sub = session.subscribe(maxsize=2)  # never read: the slowest consumer there is
    await session.open()
    try:
        for i in range(200):
            fake.push(f"Event: E{i}\r\nN: {i}\r\n\r\n".encode())
            if i % 10 == 9:
                await asyncio.sleep(0.01)  # separate reads, so separate batches
        await until(lambda: len(frames) == 200)
        assert sub.dropped > 0
        queued = 0
        while not sub._queue.empty():
            queued += len(sub._queue.get_nowait())
        assert sub.dropped + queued == 200
        assert (await session.send(Action("Ping"))).ok
    finally:
        await session.close()


async def test_read_only_refused_before_anything_is_sent(fake: FakeAmi) -> None:
    spec = ServerSpec(port=fake.port, user="u", secret=fake.secret, auth="plain", read_only=True)
    session = AmiSession(spec, timing=FAST)
    await session.open()
    try:
        with pytest.raises(ReadOnlyRefused, match="Originate can change the PBX"):
            await session.send(Action.of("Originate", Channel="Local/1@x"))
        with pytest.raises(ReadOnlyRefused):
            await session.send(Action.of("Command", Command="core restart now"))
        assert (await session.send(Action.of("Command", Command="core show channels"))).ok
        assert not fake.actions("Originate")
        assert len(fake.actions("Command")) == 1
    finally:
        await session.close()


async def test_header_injection_is_refused_and_nothing_written(fake: FakeAmi) -> None:
    session, _, _, _ = make(fake)
    await session.open()
    try:
        with pytest.raises(LocalProtocolError, match="line break"):
            await session.send(Action.of("Getvar", Variable="x\r\nAction: Originate"))
        await session.send(Action("Ping"))
        assert not fake.actions("Getvar") and not fake.actions("Originate")
    finally:
        await session.close()


async def test_timeout_is_reported_not_raised(fake: FakeAmi) -> None:
    session, _, _, _ = make(fake)
    await session.open()
    try:
        tr = await session.send(Action("Hold"), timeout=0.2)
        assert tr.outcome is Outcome.TIMEOUT and tr.note == "no response within 0.2 s"
        assert (await session.send(Action("Ping"))).ok
    finally:
        await session.close()


async def test_a_list_cut_short_by_the_deadline_is_incomplete_not_a_timeout(fake: FakeAmi) -> None:
    """The response came and said a list follows; one item came, the end never did."""
    session, _, _, _ = make(fake)
    await session.open()
    try:
        sending = asyncio.create_task(
            session.send(Action.of("Hold", ActionID="list-1"), timeout=0.5)
        )
        while not fake.actions("Hold"):
            await asyncio.sleep(0.01)
        fake.push(
            b"Response: Success\r\nActionID: list-1\r\nEventList: start\r\n"
            b"Message: Channels will follow\r\n\r\n"
            b"Event: CoreShowChannel\r\nActionID: list-1\r\nChannel: PJSIP/1-1\r\n\r\n"
        )
        tr = await sending
        assert tr.outcome is Outcome.INCOMPLETE
        assert tr.note == "list not complete after 0.5 s (1 items so far)"
        assert [item.name for item in tr.items] == ["CoreShowChannel"]
        assert (await session.send(Action("Ping"))).ok  # the session goes on
    finally:
        await session.close()


async def test_login_failure_and_not_ready(fake: FakeAmi) -> None:
    spec = ServerSpec(port=fake.port, user="u", secret="wrong", auth="plain")
    session = AmiSession(spec, timing=FAST)
    with pytest.raises(
        LoginError, match=r"login failed for 'u' at 127\.0\.0\.1:\d+: Authentication failed"
    ):
        await session.open()
    with pytest.raises(NotReady):
        await session.send(Action("Ping"))


async def test_md5_required_but_not_offered(fake: FakeAmi) -> None:
    spec = ServerSpec(port=fake.port, user="u", secret=fake.secret, auth="md5")
    with pytest.raises(LoginError, match="did not offer an MD5 challenge"):
        await AmiSession(spec, timing=FAST).open()


async def test_auto_auth_falls_back_to_plain(fake: FakeAmi) -> None:
    spec = ServerSpec(port=fake.port, user="u", secret=fake.secret, auth="auto")
    session = AmiSession(spec, timing=FAST)
    await session.open()
    assert session.ready
    assert fake.actions("Login")[0].get("Secret") == fake.secret
    await session.close()


async def test_no_banner_and_refused_connection_are_clear() -> None:
    silent = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = silent.sockets[0].getsockname()[1]
    timing = Timing(connect_timeout=0.3)
    try:
        with pytest.raises(ConnectError, match=r"no AMI banner .* within 0\.3 s"):
            await AmiSession(ServerSpec(port=port, user="u"), timing=timing).open()
    finally:
        silent.close()
        await silent.wait_closed()
    with pytest.raises(ConnectError, match="connection refused"):
        await AmiSession(ServerSpec(port=port, user="u"), timing=timing).open()


async def test_backoff_is_capped_and_attempts_are_visible(fake: FakeAmi) -> None:
    session, _, _, states = make(fake)
    await session.open()
    runner = asyncio.create_task(session.run())
    try:
        await fake.stop()
        await until(lambda: sum(s.phase is Phase.RECONNECTING for s in states) >= 5, 10)
        tries = [s for s in states if s.phase is Phase.RECONNECTING]
        assert [s.attempt for s in tries[:5]] == [1, 2, 3, 4, 5]
        assert all(s.reason and "refused" in s.reason for s in tries[1:5])
        delays = [s.next_try for s in tries[:5]]
        assert all(d is not None for d in delays)
    finally:
        await session.close()
        await asyncio.gather(runner, return_exceptions=True)
    assert session.state.phase is Phase.CLOSED


class StoppingAmi(FakeAmi):
    """A server that answers Login with `Asterisk is shutting down` while `stopping` is set,
    as Asterisk does for every action until its listener closes."""

    stopping = False

    def _reply(self, frame: Frame) -> bytes | None:
        if self.stopping and (frame.get("Action") or "").lower() == "login":
            aid = frame.get("ActionID")
            head = f"ActionID: {aid}\r\n" if aid else ""
            return f"Response: Error\r\n{head}Message: Asterisk is shutting down\r\n\r\n".encode()
        return super()._reply(frame)


async def test_a_login_refused_while_asterisk_stops_is_tried_again() -> None:
    """Reconnecting into a graceful shutdown got `Asterisk is shutting down` for the Login;
    the session took it as a wrong password and gave up for good (FAILED)."""
    fake = await StoppingAmi().start()
    session, _, gaps, states = make(fake)
    runner: asyncio.Task[None] | None = None
    try:
        await session.open()
        runner = asyncio.create_task(session.run())
        fake.stopping = True
        fake.drop_all()
        await until(lambda: len(fake.actions("Login")) >= 2)  # refused at least once
        fake.stopping = False
        await until(lambda: session.ready and len(gaps) == 2)
        assert gaps[1].startswith("reconnected after")
        assert not any(s.phase is Phase.FAILED for s in states)
        assert any("shutting down" in (s.reason or "") for s in states)  # said while retrying
    finally:
        await session.close()
        if runner is not None:
            await asyncio.gather(runner, return_exceptions=True)
        await fake.stop()
