"""The console asks before, and read-only refuses, a `Command` that only mentions `show` or
`list` (`database put show k v`): the UI goes through the same `ActionPolicy.changes_state` as
the session, so the allow-list (tests/client/test_policy.py) holds here too."""

from __future__ import annotations

import pytest

from amitui.client import ServerSpec
from amitui.config import Profile
from amitui.protocol import Action
from amitui.ui.app import AmiApp, Settings
from amitui.ui.screens.confirm import ConfirmSend
from tests.client.test_policy import BYPASSES
from tests.ui.fakes import FakeSession


def make_app(*, read_only: bool = False) -> AmiApp:
    settings = Settings(profile=Profile(name="t", confirm=True))
    spec = ServerSpec(user="admin", read_only=read_only)
    return AmiApp(spec, settings, session_factory=FakeSession)


@pytest.mark.parametrize("text", BYPASSES)
async def test_the_console_asks_before_sending_it(text: str) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.request_send(Action.of("Command", Command=text))
        await pilot.pause()
        assert isinstance(app.screen, ConfirmSend)
        await pilot.press("n")
        await pilot.pause()
        session = app.session
        assert isinstance(session, FakeSession)
        assert not [a for a in session.sent if a.name == "Command"]


@pytest.mark.parametrize("text", BYPASSES)
async def test_a_read_only_console_refuses_it(text: str) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.request_send(Action.of("Command", Command=text))
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmSend)
        assert list(app._notifications)[-1].title == "Refused"
        session = app.session
        assert isinstance(session, FakeSession)
        assert not [a for a in session.sent if a.name == "Command"]
