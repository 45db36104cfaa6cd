"""Snapshots of the stream pane's interaction states: the filter bar open (with text, with an
error) and a selected row, at the default size and at 80x24."""

from __future__ import annotations

from textual.pilot import Pilot

from tests.ui.test_snapshots import _utc, make_app, settle

__all__ = ["_utc"]  # the fixture, re-exported so pytest applies it here too


async def _open_filter_with_text(pilot: Pilot[int]) -> None:
    await settle(pilot)
    await pilot.press("slash", *"Event=Hangup")
    await settle(pilot)


async def _filter_error(pilot: Pilot[int]) -> None:
    await settle(pilot)
    await pilot.press("slash", *"Channel~(", "enter")
    await settle(pilot)


async def _select_row(pilot: Pilot[int]) -> None:
    await settle(pilot)
    await pilot.press("up", "up", "up")
    await settle(pilot)


def test_filter_bar_open_with_text(snap_compare: object) -> None:
    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=_open_filter_with_text)  # type: ignore[operator]


def test_filter_bar_with_an_error(snap_compare: object) -> None:
    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=_filter_error)  # type: ignore[operator]


def test_selected_row_at_80x24(snap_compare: object) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_select_row)  # type: ignore[operator]
