"""The console end to end against the real Asterisk: what issue #3's user does by hand."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from amitui.client import Phase, ServerSpec
from amitui.store import StoredEvent
from amitui.ui.app import AmiApp, Settings
from amitui.ui.screens.confirm import ConfirmSend
from amitui.ui.widgets.composer import ActionComposer
from amitui.ui.widgets.composer_form import FieldRow
from amitui.ui.widgets.inspector import ResponseInspector
from amitui.ui.widgets.stream import EventStream
from tests.conftest import Asterisk

pytestmark = pytest.mark.asterisk


def logged_in(app: AmiApp) -> bool:
    return app.session is not None and app.session.state.phase is Phase.READY


async def until(
    pilot: Pilot[int], pred: Callable[[], bool], what: str, timeout: float = 15
) -> None:
    waited = 0.0
    while not pred():
        if waited > timeout:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)
        waited += 0.05


def fill(app: AmiApp, name: str, value: str) -> None:
    for row in app.query_one(ActionComposer).form.rows():
        if isinstance(row, FieldRow) and row.doc.name == name:
            row.value_input.value = value
            return
    raise AssertionError(f"no documented field {name}")


def documented(app: AmiApp, name: str) -> bool:
    rows = app.query_one(ActionComposer).form.rows()
    return any(isinstance(r, FieldRow) and r.doc.name == name for r in rows)


def stream_events(app: AmiApp, name: str) -> list[StoredEvent]:
    return [e for e in app.ring if isinstance(e, StoredEvent) and e.frame.name == name]


async def test_originate_from_the_form_then_hang_up_the_selected_channel(
    asterisk: Asterisk,
) -> None:
    user, secret = asterisk.admin
    app = AmiApp(ServerSpec(host=asterisk.host, port=asterisk.port, user=user, secret=secret))
    async with app.run_test(size=(140, 45)) as pilot:
        await until(pilot, lambda: logged_in(app), "login")
        # 1. filter the stream to new channels of extension 100
        await pilot.press("slash", *"Event=Newchannel Exten=100", "enter")
        # 2. choose Originate from the server's own action list
        await pilot.press("a", *"Originate", "enter")
        await until(pilot, lambda: documented(app, "Channel"), "Originate's docs from the server")
        fill(app, "Channel", "Local/100@default")
        fill(app, "Application", "Wait")
        fill(app, "Data", "20")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmSend), "the confirmation")
        confirm = app.screen
        assert isinstance(confirm, ConfirmSend)
        assert "Channel: Local/100@default" in str(confirm.action.redacted_text())
        await pilot.press("y")
        inspector = app.query_one(ResponseInspector)
        await until(pilot, lambda: "Originate → Success" in str(inspector.border_title), "response")
        # 3. the call appears in the filtered stream
        stream = app.query_one(EventStream)
        await until(pilot, lambda: len(stream.rows) >= 2, "Newchannel rows")
        # 4. select it and hang it up from the stream
        stream.focus()
        await pilot.press("up")
        entry = stream.selected_entry()
        assert isinstance(entry, StoredEvent) and entry.frame.name == "Newchannel"
        channel = entry.frame.get("Channel") or ""
        assert channel.startswith("Local/100@default-")
        await pilot.press("h")
        await until(pilot, lambda: documented(app, "Channel"), "Hangup's docs")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmSend), "the confirmation")
        await pilot.press("y")
        await until(
            pilot, lambda: "Hangup → Success" in str(inspector.border_title), "Hangup response"
        )
        await until(
            pilot,
            lambda: any(e.frame.get("Channel") == channel for e in stream_events(app, "Hangup")),
            "the Hangup event",
        )
        sent = [r.name for r in app.history]
        assert sent[:2] == ["Hangup", "Originate"]  # newest first; both answered
        assert all(r.status == "Success" for r in list(app.history)[:2])


async def test_read_only_console_refuses_originate_without_sending(asterisk: Asterisk) -> None:
    user, secret = asterisk.admin
    spec = ServerSpec(
        host=asterisk.host, port=asterisk.port, user=user, secret=secret, read_only=True
    )
    app = AmiApp(spec, Settings())
    async with app.run_test(size=(140, 45)) as pilot:
        await until(pilot, lambda: logged_in(app), "login")
        await pilot.press("a", *"Originate", "enter")
        await until(pilot, lambda: documented(app, "Channel"), "Originate's docs")
        fill(app, "Channel", "Local/100@default")
        fill(app, "Application", "Wait")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmSend)
        assert any("read-only" in n.message for n in app._notifications)
        assert not list(app.history)
