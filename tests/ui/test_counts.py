"""The pane title and the status bar count the same events, and keep counting under a modal
screen and while paused with a filter."""

from __future__ import annotations

import re

from amitui.ui.widgets.statusbar import StatusBar
from amitui.ui.widgets.stream_pane import StreamPane
from tests.ui.fakes import FakeSession, call_events
from tests.ui.test_snapshots import make_app, settle


def _counts(app: object) -> tuple[str, str]:
    base = app.screen_stack[0]  # type: ignore[attr-defined]
    title = str(base.query_one(StreamPane).border_title)
    status = str(base.query_one(StatusBar).render())
    return title, status


def _status_total(status: str) -> int:
    found = re.search(r"([\d,]+) events", status)
    assert found, status
    return int(found[1].replace(",", ""))


async def test_counts_agree_and_move_under_a_modal() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        first = len(app.ring)
        await pilot.press("t")  # a modal screen over the console
        await settle(pilot)
        assert isinstance(app.session, FakeSession)
        app.session.push(call_events())
        await pilot.pause(0.6)  # the status bar refreshes twice a second
        title, status = _counts(app)
        assert len(app.ring) == 2 * first
        assert title.startswith(f"Events {2 * first:,}")
        assert _status_total(status) == 2 * first


async def test_counts_move_while_paused_with_a_filter() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"Event=Hangup", "enter", "up")
        await settle(pilot)
        hangups = sum(1 for f in call_events() if f.name == "Hangup")
        total = len(app.ring)
        assert isinstance(app.session, FakeSession)
        app.session.push(call_events())
        await pilot.pause(0.6)
        title, status = _counts(app)
        assert title.startswith(f"Events {2 * hangups:,} of {2 * total:,}")
        assert _status_total(status) == 2 * total
        assert f"PAUSED +{hangups}" in status
