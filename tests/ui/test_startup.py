"""Start-up and shut-down: what the first paint leaves for later, and the last timer tick."""

from __future__ import annotations

from amitui.client import ServerSpec
from amitui.ui.app import AmiApp, Settings
from tests.ui.fakes import FakeSession, call_events


def make_app() -> AmiApp:
    return AmiApp(ServerSpec(user="admin"), Settings(), session_factory=FakeSession)


async def test_a_refresh_tick_while_the_app_shuts_down_does_nothing() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
    # Textual stops the timers after removing the screens: the 20 Hz tick can still run with
    # new events in the ring and the panes gone (seen at the end of bench/console.py).
    app.ring.append_batch(call_events()[:3], received=0.0)
    await app._tick()
