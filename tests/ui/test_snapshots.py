"""Snapshots of the console's main states, from a fixed transcript, clock, size and theme.

Regenerate after an intended UI change with `pytest tests/ui/test_snapshots.py
--snapshot-update`, then look at the report before committing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
from textual.pilot import Pilot

from amitui.client import ServerSpec
from amitui.config import Profile
from amitui.protocol import Action
from amitui.ui.app import AmiApp, Settings
from amitui.ui.widgets.composer import ActionComposer
from amitui.ui.widgets.composer_form import FieldRow
from amitui.ui.widgets.inspector import ResponseInspector
from tests.ui.fakes import FIXED_TIME, FakeSession
from tests.ui.test_inspector_layout import core_show_channels

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def _utc() -> Iterator[None]:
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


def make_app(**profile: object) -> AmiApp:
    settings = Settings(
        profile=Profile(name="lab", **profile),  # type: ignore[arg-type]
        clock=lambda: FIXED_TIME,
        monotonic=lambda: 1000.0,
    )
    return AmiApp(ServerSpec(user="admin", port=5038), settings, session_factory=FakeSession)


async def settle(pilot: Pilot[int]) -> None:
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def test_live_stream(snap_compare: object) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=settle)  # type: ignore[operator]


def test_selected_event_in_inspector(snap_compare: object) -> None:
    async def select(pilot: Pilot[int]) -> None:
        await settle(pilot)
        await pilot.press("up", "up", "up", "up", "up")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=select)  # type: ignore[operator]


def test_filtered_and_paused(snap_compare: object) -> None:
    async def filtered(pilot: Pilot[int]) -> None:
        await settle(pilot)
        await pilot.press("slash", *"Event~^(Hangup|Newchannel)$", "enter")
        await pilot.press("up")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=filtered)  # type: ignore[operator]


def test_originate_form_and_confirmation(snap_compare: object) -> None:
    async def confirm(pilot: Pilot[int]) -> None:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        app = pilot.app
        for row in app.query_one(ActionComposer).form.rows():
            if isinstance(row, FieldRow) and row.doc.name == "Channel":
                row.value_input.value = "Local/100@default"
            if isinstance(row, FieldRow) and row.doc.name == "Application":
                row.value_input.value = "Wait"
        await pilot.press("ctrl+s")
        await settle(pilot)

    app = make_app(color="darkred")
    assert snap_compare(app, terminal_size=SIZE, run_before=confirm)  # type: ignore[operator]


def test_inspector_at_80_columns_after_a_wide_message_then_a_narrow_one(
    snap_compare: object,
) -> None:
    """The name column fits the narrow message, not ListCommands' 45-character names."""

    async def wide_then_narrow(pilot: Pilot[int]) -> None:
        await settle(pilot)
        app = pilot.app
        assert isinstance(app, AmiApp) and app.session is not None
        listing = await app.session.send(Action("ListCommands"))
        app.query_one(ResponseInspector).show_transcript(listing)
        await settle(pilot)
        await pilot.press("up")  # the newest event
        await settle(pilot)

    app = make_app()
    assert snap_compare(app, terminal_size=(80, 24), run_before=wide_then_narrow)  # type: ignore[operator]


def test_composer_in_raw_mode(snap_compare: object) -> None:
    async def raw(pilot: Pilot[int]) -> None:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        for row in pilot.app.query_one(ActionComposer).form.rows():
            if isinstance(row, FieldRow) and row.doc.name == "Channel":
                row.value_input.value = "Local/100@default"
        await pilot.press("ctrl+r")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=raw)  # type: ignore[operator]


def test_channel_list_opens_on_its_list_tab(snap_compare: object) -> None:
    """CoreShowChannels: useful columns first, no Event column; the tab keys in the footer."""

    async def listed(pilot: Pilot[int]) -> None:
        await settle(pilot)
        inspector = pilot.app.query_one(ResponseInspector)
        inspector.show_transcript(core_show_channels())  # type: ignore[arg-type]
        await pilot.press("i")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=listed)  # type: ignore[operator]
