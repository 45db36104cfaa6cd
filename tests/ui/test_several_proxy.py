"""One AstManProxy connection carrying two Asterisk servers, split by each packet's `Server:`
header into the same per-server view as two direct connections: a server column, `Server=`
filtering, calls kept apart, and actions routed to one Asterisk by their own `Server:`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from amitui.client import Phase, ServerSpec
from amitui.config import Profile
from amitui.protocol import Action
from amitui.store import StoredEvent
from amitui.ui.app import AmiApp, Settings
from amitui.ui.fleet import Target
from amitui.ui.screens.confirm import ConfirmSend
from amitui.ui.widgets.composer import ActionComposer
from amitui.ui.widgets.stream import EventStream
from amitui.ui.widgets.stream_pane import StreamPane
from tests.client.fakeproxy import FakeProxy, packet
from tests.ui.fakes import FIXED_TIME
from tests.ui.hostile_support import screen_text
from tests.ui.several_support import events, until


@pytest.fixture
async def proxy() -> AsyncIterator[FakeProxy]:
    server = await FakeProxy(banner_delay=0.02).start()
    yield server
    await server.stop()


def from_upstream(proxy: FakeProxy, server: str, name: str, uniqueid: str) -> None:
    """An event of the Asterisk `server` behind the proxy, as the proxy forwards it."""
    data = packet(
        f"Event: {name}", "Privilege: call,all", "Channel: PJSIP/100-00000001",
        f"Uniqueid: {uniqueid}", f"Linkedid: {uniqueid}", f"Server: {server}",
    )  # fmt: skip
    for writer in proxy.logged_in:
        writer.write(data)


def console(proxy: FakeProxy) -> AmiApp:
    spec = ServerSpec(port=proxy.port, user="u", secret="s3cret", name="px")
    settings = Settings(profile=Profile(name="px", color="green"), clock=lambda: FIXED_TIME)
    return AmiApp(spec, settings)


def ready(app: AmiApp) -> bool:
    session = app.session
    return session is not None and session.state.phase is Phase.READY and bool(session.state.proxy)


async def test_one_proxy_splits_into_its_servers(proxy: FakeProxy) -> None:
    app = console(proxy)
    async with app.run_test(size=(160, 45)) as pilot:
        await until(pilot, lambda: ready(app), "logged in through the proxy")
        stream = app.query_one(EventStream)
        assert stream._origin is None  # one server so far: no column
        from_upstream(proxy, "east", "Newchannel", "1700000000.1")
        from_upstream(proxy, "west", "Newchannel", "1700000000.1")
        from_upstream(proxy, "west", "Hangup", "1700000000.1")
        await until(pilot, lambda: len(events(app)) == 3, "three events")
        await until(pilot, lambda: stream._origin is not None, "the server column")
        await pilot.pause(0.1)
        assert [t.upstream for t in app.fleet.targets()] == ["east", "west"]
        text = screen_text(app)
        assert " east " in text and " west " in text
        # Calls: the same ids on two Asterisk servers are two calls.
        calls = app.bridge.call_book().calls()
        assert sorted(c.server for c in calls) == ["east", "west"]
        # `Server=west` is the packets' own header.
        assert app.query_one(StreamPane).apply_filter("Server=west")
        await pilot.pause()
        rows = [app.ring.get(seq) for seq in stream.rows]
        assert [e.frame.name for e in rows if isinstance(e, StoredEvent)] == [
            "Newchannel", "Hangup",
        ]  # fmt: skip


async def test_an_action_reaches_one_asterisk_by_its_server_header(proxy: FakeProxy) -> None:
    app = console(proxy)
    async with app.run_test(size=(160, 45)) as pilot:
        await until(pilot, lambda: ready(app), "logged in through the proxy")
        from_upstream(proxy, "east", "Newchannel", "1700000000.1")
        from_upstream(proxy, "west", "Newchannel", "1700000000.2")
        await until(pilot, lambda: len(app.fleet.targets()) == 2, "both Asterisk servers known")
        # Actions go to one Asterisk: the first one known, until the user picks another.
        assert app.fleet.target == Target("px", "east")
        composer = app.query_one(ActionComposer)
        assert "Compose on east via px" in str(composer.border_title)
        await pilot.press("a", "ctrl+t", "escape")
        assert app.fleet.target == Target("px", "west")
        # The composer's action list is asked of that Asterisk too.
        def listed() -> list[str | None]:
            return [a.get("Server") for a in proxy.actions("ListCommands")]

        await until(pilot, lambda: "west" in listed(), "west's ListCommands")
        app.request_send(Action.of("Originate", Channel="Local/100@default", Exten="100"))
        await pilot.pause()
        assert isinstance(app.screen, ConfirmSend)
        assert "Originate on west via px can change the PBX" in screen_text(app)
        await pilot.press("y")
        await until(pilot, lambda: bool(proxy.actions("Originate")), "the Originate")
        (sent,) = proxy.actions("Originate")
        assert sent.get("Server") == "west"
