"""The "Why don't I see events?" screen through AstManProxy (finding 8 of "Several PBXs at
once"): a real session through the fake proxy (tests/client/fakeproxy.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from textual.app import App
from textual.widgets import Static

from amitui.client import AmiSession, ServerSpec, Timing
from amitui.store.catalog import EventCatalog
from amitui.store.docs import SessionDocs
from amitui.store.eventclasses import Verdict
from amitui.ui.screens.why import WhyNoEvents
from tests.client.fakeproxy import FakeProxy
from tests.store._support import event


class Host(App[None]):
    def __init__(self, screen: WhyNoEvents) -> None:
        super().__init__()
        self.why = screen

    def on_mount(self) -> None:
        self.push_screen(self.why)


@pytest.fixture
async def session() -> AsyncIterator[tuple[AmiSession, FakeProxy]]:
    proxy = await FakeProxy(banner_delay=0.02).start()
    spec = ServerSpec(port=proxy.port, user="u", secret="s3cret", events="call")
    live = AmiSession(spec, timing=Timing(action_timeout=2))
    await live.open()
    yield live, proxy
    await live.close()
    await proxy.stop()


async def test_why_says_the_proxy_user_and_mask_rule(session: tuple[AmiSession, Any]) -> None:
    live, proxy = session
    catalog = EventCatalog()
    catalog.observe_batch(
        [event("Newchannel", ("Privilege", "call,all"), ("Server", "127.0.0.1"))], 1.0
    )
    screen = WhyNoEvents(SessionDocs(lambda: live), catalog, live.spec)
    app = Host(screen)
    async with app.run_test(size=(140, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        commands = [f.get("Command") for f in proxy.actions("Command")]
        assert not [c for c in commands if c and c.startswith("manager show user")]
        facts = str(screen.query_one("#why-facts", Static).render())
        assert "Connected through AstManProxy 1.22pre081119" in facts
        assert "proxy's own manager user" in facts
        assert "Events: call is not applied by the proxy" in facts
        assert "→" not in facts  # no verdict from a mask nobody applies
        found = {e.event: e.verdict for e in screen.explanations}
        assert found["Newexten"] is not Verdict.MASKED  # `Events: call` would have said so
