"""Snapshots of a console over two servers, from fixed transcripts, clock, size and theme:
the server column in each profile's colour, the status bar naming each server (degraded at
80 columns), and the composer saying where actions go.

Regenerate after an intended UI change with `pytest tests/ui/test_snapshots_several.py
--snapshot-update`, then look at the report before committing.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from amitui.client import ServerSpec
from amitui.config import Profile
from amitui.protocol import Action
from amitui.ui.app import AmiApp, Settings
from tests.ui.fakes import FIXED_TIME, FakeSession, call_events
from tests.ui.test_snapshots import _utc, settle  # noqa: F401 (_utc: an autouse fixture)


def two_servers(*, b_read_only: bool = True) -> AmiApp:
    """pbx-a sends the recorded call; pbx-b the same call's first events, same ids."""
    frames = call_events()

    def factory(spec: ServerSpec, **kw: Any) -> FakeSession:
        return FakeSession(spec, preload=frames if spec.name == "pbx-a" else frames[:9], **kw)

    servers = [
        (ServerSpec(host="10.0.0.1", user="admin", name="pbx-a"),
         Profile(name="pbx-a", color="darkorange")),
        (ServerSpec(host="10.0.0.2", user="admin", name="pbx-b", read_only=b_read_only),
         Profile(name="pbx-b", color="#5fafff", read_only=b_read_only)),
    ]  # fmt: skip
    settings = Settings(clock=lambda: FIXED_TIME, monotonic=lambda: 1000.0)
    return AmiApp(servers, settings, session_factory=factory)


def test_two_servers_at_160x45(snap_compare: object) -> None:
    assert snap_compare(two_servers(), terminal_size=(160, 45), run_before=settle)  # type: ignore[operator]


def test_two_servers_at_80x24(snap_compare: object) -> None:
    assert snap_compare(two_servers(), terminal_size=(80, 24), run_before=settle)  # type: ignore[operator]


def test_two_servers_originate_confirmation_names_the_server(snap_compare: object) -> None:
    async def confirm(pilot: Pilot[int]) -> None:
        await settle(pilot)
        await pilot.press("a", "ctrl+t", "escape")  # the composer's key: actions to pbx-b
        app = pilot.app
        assert isinstance(app, AmiApp)
        app.request_send(Action.of("Originate", Channel="Local/100@default", Application="Wait"))
        await settle(pilot)

    app = two_servers(b_read_only=False)
    assert snap_compare(app, terminal_size=(100, 30), run_before=confirm)  # type: ignore[operator]
