"""The session through AstManProxy, against a fake that speaks the bytes a real proxy sent
(tests/client/fakeproxy.py). One test per finding of "Several PBXs at once, directly and
through AstManProxy" (part 1), numbered as there."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from amitui.client import (
    AmiSession,
    ConnectError,
    NotReady,
    Outcome,
    Phase,
    ServerSpec,
    SessionState,
)
from amitui.client.proxy import is_goodbye
from amitui.protocol import Action, Frame, FrameKind
from amitui.store import EventRing
from amitui.store.actiondocs import parse_list_commands
from amitui.store.ring import GapMarker
from amitui.ui.bridge import SessionDocs, StoreBridge
from amitui.ui.widgets.statusbar import StatusFacts, status_text
from tests.client.fakeami import FAST
from tests.client.fakeproxy import HELP_LINES, FakeProxy, packet


@pytest.fixture
async def proxy() -> AsyncIterator[FakeProxy]:
    server = await FakeProxy(banner_delay=0.02).start()
    yield server
    await server.stop()


class Seen:
    """What a session hands out: events, gaps, states."""

    def __init__(self) -> None:
        self.frames: list[Frame] = []
        self.gaps: list[str] = []
        self.states: list[SessionState] = []


def make(proxy: FakeProxy, auth: str = "auto", **kw: object) -> tuple[AmiSession, Seen]:
    seen = Seen()
    spec = ServerSpec(port=proxy.port, user="u", secret="s3cret", auth=auth)
    session = AmiSession(
        spec,
        timing=kw.pop("timing", FAST),  # type: ignore[arg-type]
        on_events=seen.frames.extend,
        on_gap=seen.gaps.append,
        on_state=seen.states.append,
        **kw,  # type: ignore[arg-type]
    )
    return session, seen


async def until(pred: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not pred():
            await asyncio.sleep(0.01)


# 1. Logoff is answered by `Goodbye:` alone; the proxy keeps the connection past the timeout.
async def test_goodbye_answers_the_logoff(proxy: FakeProxy) -> None:
    session, seen = make(proxy)
    await session.open()
    await session.close()
    logoff = session.logoff
    assert logoff is not None
    assert logoff.outcome is Outcome.ANSWERED  # was TIMEOUT: the 2 s stall of every exit
    assert logoff.response is not None and is_goodbye(logoff.response)
    assert not any(is_goodbye(f) for f in seen.frames)  # an answer, not an event
    assert session.state.phase is Phase.CLOSED


# 2. The upstream's login reply (no ActionID) answers no action of ours.
async def test_upstream_login_reply_answers_no_waiting_action(proxy: FakeProxy) -> None:
    session, seen = make(proxy)
    await session.open()
    try:
        originate = asyncio.create_task(
            session.send(Action.of("Originate", Channel="Local/100@default"), timeout=0.5)
        )
        await until(lambda: bool(proxy.actions("Originate")))
        proxy.upstream_back()  # glued banner + `Response: Success`, no ActionID
        tr = await originate
        assert tr.outcome is Outcome.TIMEOUT and not tr.ok  # never "Authentication accepted"
        assert tr.response is None
        assert not any(f.kind is FrameKind.RESPONSE for f in seen.frames)
    finally:
        await session.close()


# 3. Asterisk restarts behind the proxy: a gap and a state, then the end of the gap.
async def test_upstream_restart_is_a_gap_and_a_state(proxy: FakeProxy) -> None:
    session, seen = make(proxy)
    ring = EventRing()
    bridge = StoreBridge(ring, "proxy")

    def both(text: str) -> None:
        seen.gaps.append(text)
        bridge.on_gap(text)

    session.on_gap = both
    await session.open()
    runner = asyncio.create_task(session.run())
    try:
        await until(lambda: session.state.asterisk_version is not None)
        pending = asyncio.create_task(session.send(Action("Hold"), timeout=5))
        await until(lambda: bool(proxy.actions("Hold")))
        proxy.upstream_restarts()
        await until(lambda: bool(seen.gaps))
        assert seen.gaps[0].startswith(
            "Asterisk behind the proxy (127.0.0.1) shut down (Cleanly, restarting)"
        )
        held = await pending  # its answer will never come: not left to time out
        assert held.outcome is Outcome.UNKNOWN and "not re-sent" in (held.note or "")
        state = session.state
        assert state.phase is Phase.READY and state.upstream is not None
        assert "shut down (Cleanly, restarting)" in state.describe()
        with pytest.raises(NotReady, match="nowhere to send Ping"):
            await session.send(Action("Ping"))
        proxy.upstream_back()
        await until(lambda: len(seen.gaps) == 2)
        assert "(127.0.0.1) is back after" in seen.gaps[1]
        await until(lambda: len(proxy.actions("CoreSettings")) == 2)  # asked again
        assert session.state.upstream is None
        assert (await session.send(Action("Ping"))).ok
        assert proxy.connections == 1  # no reconnect: the proxy connection stayed
        markers = [e for e in ring if isinstance(e, GapMarker)]
        assert [m.reason for m in markers] == seen.gaps  # what a reconnect leaves for resyncs
        shutdown = next(i for i, f in enumerate(seen.frames) if f.name == "Shutdown")
        assert shutdown >= 0  # the event itself stays in the stream, before its gap
    finally:
        await session.close()
        await asyncio.gather(runner, return_exceptions=True)


# 4. Other clients' responses are not events.
async def test_other_clients_responses_are_set_aside(proxy: FakeProxy) -> None:
    session, seen = make(proxy)
    await session.open()
    try:
        proxy.other_client_ping()
        proxy.upstream("Event: UserEvent", "Privilege: user,all", "UserEvent: After")
        await until(lambda: any(f.name == "UserEvent" for f in seen.frames))
        assert not [f for f in seen.frames if f.kind is FrameKind.RESPONSE]
        assert session.foreign_responses == 1
        assert session.foreign[-1].action_id == "OTHER-CLIENT-ping-9"
        assert (await session.send(Action("Ping"))).ok
    finally:
        await session.close()


# 4, continued. Another client's list: its items and its Complete carry that client's id.
async def test_other_clients_list_items_are_set_aside(proxy: FakeProxy) -> None:
    session, seen = make(proxy)
    await session.open()
    try:
        other = "ActionID: OTHER-CLIENT-csc-3"
        proxy.upstream("Event: CoreShowChannel", other, "Channel: Local/1@x-00000001;1")
        proxy.upstream("Event: CoreShowChannelsComplete", other, "EventList: Complete")
        proxy.upstream("Event: UserEvent", "Privilege: user,all", "UserEvent: After")
        await until(lambda: any(f.name == "UserEvent" for f in seen.frames))
        assert [f.name for f in seen.frames if f.name.startswith("CoreShowChannel")] == []
        assert session.foreign_responses == 2
        assert session.foreign[-1].name == "CoreShowChannelsComplete"
    finally:
        await session.close()


# 5. The Server trailer of ListCommands is no action.
async def test_list_commands_through_the_proxy(proxy: FakeProxy) -> None:
    session, _ = make(proxy)
    await session.open()
    try:
        tr = await session.send(Action("ListCommands"))
        assert tr.response is not None and tr.response.get("Server") == "127.0.0.1"
        names = [c.name for c in parse_list_commands(tr.response)]
        assert names == ["Command", "CoreSettings", "CoreShowChannels", "Ping"]
    finally:
        await session.close()


# 7. The versions are Asterisk's, the proxy's apart; the docs are cached under Asterisk's.
async def test_versions_come_from_coresettings(proxy: FakeProxy) -> None:
    session, _ = make(proxy)
    await session.open()
    try:
        await until(lambda: session.state.ami_version is not None)
        state = session.state
        assert state.proxy == "AstManProxy 1.22pre081119"
        assert (state.ami_version, state.asterisk_version) == ("11.0.0", "22.10.1")
        line = status_text(StatusFacts(state), 0.0)
        assert "AMI 11.0.0 via AstManProxy 1.22pre081119" in line
        docs = SessionDocs(lambda: session)
        assert docs._key(session) == (session.spec.address, "11.0.0")
    finally:
        await session.close()


async def test_version_unknown_when_coresettings_is_refused(proxy: FakeProxy) -> None:
    proxy.coresettings_refused = True
    session, seen = make(proxy)
    await session.open()
    try:
        await until(lambda: bool(proxy.actions("CoreSettings")))
        await until(lambda: any(s.proxy for s in seen.states) and session.ready)
        await asyncio.sleep(0.1)  # the refusal has come back by now
        assert session.state.ami_version is None
        assert all(s.ami_version != "1.22pre081119" for s in seen.states)
        line = status_text(StatusFacts(session.state), 0.0)
        assert "AMI version unknown via AstManProxy 1.22pre081119" in line
    finally:
        await session.close()


# 9. An event before the banner is kept; a peer that is no AMI is still refused.
async def test_event_before_the_banner_is_kept(proxy: FakeProxy) -> None:
    proxy.before_banner = packet("Event: UserEvent", "Privilege: user,all", "UserEvent: Race")
    session, seen = make(proxy)
    await session.open()
    try:
        assert session.ready and session.events_before_banner == 1
        assert [f.get("UserEvent") for f in seen.frames] == ["Race"]
        assert session.state.proxy == "AstManProxy 1.22pre081119"
    finally:
        await session.close()


async def test_a_web_server_is_still_no_ami() -> None:
    async def http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        await reader.read()  # until the client leaves
        writer.close()

    server = await asyncio.start_server(http, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        with pytest.raises(ConnectError, match=r"did not send an AMI banner; it sent 'HTTP/1\.1"):
            await AmiSession(ServerSpec(port=port, user="u"), timing=FAST).open()
    finally:
        server.close()
        await server.wait_closed()


# 10. A reply the proxy cut says so.
async def test_a_reply_cut_by_the_proxy_is_flagged(proxy: FakeProxy) -> None:
    session, _ = make(proxy)
    await session.open()
    try:
        cut = await session.send(Action.of("Command", Command="core show help"))
        assert cut.ok and cut.response is not None
        assert len(cut.response.output or ()) == 252 < HELP_LINES
        assert cut.truncated is not None and "possibly truncated by the proxy" in cut.truncated
        whole = await session.send(Action.of("Command", Command="core show uptime"))
        assert whole.ok and whole.truncated is None
    finally:
        await session.close()


# 11. The proxy's own shutdown says so.
async def test_proxy_shutdown_is_the_reason(proxy: FakeProxy) -> None:
    session, seen = make(proxy, reconnect=False)
    await session.open()
    runner = asyncio.create_task(session.run())
    try:
        await until(lambda: session.state.ami_version is not None)
        await proxy.shut_down()
        await asyncio.wait_for(runner, 5)
        assert seen.gaps == ["connection lost: AstManProxy shut down"]
        assert session.state.phase is Phase.FAILED
        assert session.state.reason == "AstManProxy shut down"
    finally:
        await session.close()
