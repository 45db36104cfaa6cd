"""One console over the real Asterisk and the demo PBX at once: both stream, each tagged with
its profile's name, and an Originate confirmed on the real one reaches only it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from amitui.client import Phase, ServerSpec
from amitui.config import Profile
from amitui.demo import DemoPbx, DemoServer
from amitui.protocol import Action
from amitui.store import StoredEvent
from amitui.ui.app import AmiApp, Settings
from amitui.ui.fleet import Target
from amitui.ui.screens.confirm import ConfirmSend
from tests.conftest import Asterisk
from tests.integration.test_console_real import until
from tests.ui.hostile_support import screen_text

pytestmark = pytest.mark.asterisk


@pytest.fixture
async def demo() -> AsyncIterator[DemoServer]:
    server = await DemoServer(DemoPbx(seed=1, rate=0.0)).start()  # quiet: no calls of its own
    yield server
    await server.close()


def newchannels(app: AmiApp, server: str) -> list[StoredEvent]:
    return [
        e for e in app.ring
        if isinstance(e, StoredEvent) and e.server == server and e.frame.name == "Newchannel"
    ]  # fmt: skip


async def test_an_originate_confirmed_on_the_real_one_reaches_only_it(
    asterisk: Asterisk, demo: DemoServer
) -> None:
    user, secret = asterisk.admin
    servers = [
        (ServerSpec(host=asterisk.host, port=asterisk.port, user=user, secret=secret,
                    name="real"), Profile(name="real", color="red")),
        (ServerSpec(port=demo.port, user="demo", secret="demo", name="demo"),
         Profile(name="demo", color="blue")),
    ]  # fmt: skip
    app = AmiApp(servers, Settings())
    async with app.run_test(size=(140, 45)) as pilot:
        ready = lambda: all(  # noqa: E731
            m.session is not None and m.session.state.phase is Phase.READY for m in app.fleet
        )
        await until(pilot, ready, "both logged in")
        # Both stream: each login's own events arrive tagged with its server.
        await until(pilot, lambda: {e.server for e in app.ring} >= {"real", "demo"}, "streams")
        demo_before = len(newchannels(app, "demo"))
        app.choose_target(Target("real"))
        app.request_send(Action.of("Originate", Channel="Local/100@default",
                                   Application="Wait", Data="2"))  # fmt: skip
        await until(pilot, lambda: isinstance(app.screen, ConfirmSend), "the confirmation")
        await pilot.pause()
        assert "Originate on real can change the PBX" in screen_text(app)
        await pilot.press("y")
        await until(pilot, lambda: len(newchannels(app, "real")) >= 2, "the call's channels")
        made = newchannels(app, "real")
        assert all((e.frame.get("Channel") or "").startswith("Local/100@default") for e in made)
        await pilot.pause(0.5)
        assert len(newchannels(app, "demo")) == demo_before  # nothing reached the demo PBX
        said = [n.message for n in app._notifications]
        assert any(m.startswith("Originate on real → Success") for m in said), said
