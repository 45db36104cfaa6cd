"""The event catalog at 80x24 shows every column of the list and samples cut to fit; at 160
columns the list and the detail stay side by side."""

from __future__ import annotations

from typing import Any

from amitui.store.catalog import EventCatalog
from amitui.ui.screens.catalog import CatalogScreen
from tests.store._support import event
from tests.ui.fakes import FIXED_TIME, call_events
from tests.ui.test_catalog_screen import Host, catalog_host

LONG = "x" * 30 + "-end-of-a-very-long-value-" + "y" * 60


def catalog() -> EventCatalog:
    """The recorded call, and an undocumented type with long values seen most often, so it is
    the first row and its headers are the detail shown."""
    found = EventCatalog()
    found.observe_batch(call_events(), FIXED_TIME)
    odd = event("Longvalues", ("Detail", LONG), ("Short", "1"))
    found.observe_batch([odd] * 5, FIXED_TIME)
    return found


def lines(app: Host) -> list[str]:
    """The terminal's lines as drawn."""
    return ["".join(s.text for s in strip) for strip in app.screen._compositor.render_strips()]


def line_with(shown: list[str], *parts: str) -> str:
    found = [line for line in shown if all(p in line for p in parts)]
    assert found, f"no line shows {parts}:\n" + "\n".join(shown)
    return found[0]


async def opened(pilot: Any, app: Host) -> CatalogScreen:
    await app.settle(pilot)
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, CatalogScreen)
    return screen


def samples_cell(shown: list[str]) -> str:
    """The Detail header's samples as drawn: from the value's start to the frame's edge."""
    row = line_with(shown, "Detail", "xxxx")
    return row[row.index("xxxx") :].rstrip(" █▐▌▊▋▆▄▂")


async def test_at_80x24_every_column_of_the_list_and_the_samples_fit() -> None:
    app, _ = catalog_host(catalog())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot, app)
        assert screen.has_class("-narrow")
        shown = lines(app)
        assert all(len(line) == 80 for line in shown)
        line_with(shown, "Event", "Count", "Last seen", "Mark")
        row = line_with(shown, "Longvalues")
        assert "Longvalues" in row and " 5 " in row and "undocumented" in row
        line_with(shown, "ChannelsHungupListComplete", " 1 ", "undocumented")
        line_with(shown, "Header", "Seen", "Docs", "Mark", "Samples")
        line_with(shown, "Detail", "5/5", "no", "new")
        cut = samples_cell(shown)
        assert cut.endswith("…") and LONG.startswith(cut[:-1]) and len(cut) >= 12


async def test_at_160_columns_side_by_side_with_more_of_the_samples() -> None:
    app, _ = catalog_host(catalog())
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await opened(pilot, app)
        assert screen.has_class("-wide")
        shown = lines(app)
        # The list's header and the selected type's doc share a line: side by side.
        line_with(shown, "Event", "Count", "Last seen", "Mark", "Longvalues")
        line_with(shown, "Longvalues", " 5 ", "undocumented", "seen 5 times")
        line_with(shown, "Header", "Seen", "Docs", "Mark", "Samples")
        wide = samples_cell(shown)
        assert wide.endswith("…") and LONG.startswith(wide[:-1])
        await pilot.resize_terminal(80, 24)  # the samples are cut again for the new room
        await app.settle(pilot)
        await pilot.pause()
        assert screen.has_class("-narrow")
        narrow = samples_cell(lines(app))
        assert narrow.endswith("…") and len(narrow) < len(wide)
        line_with(lines(app), "Longvalues", " 5 ", "undocumented")
