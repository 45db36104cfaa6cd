"""SteadyTable and SteadyTextArea: new content without a layout of the whole screen.

Each test counts the screen's layouts while the widget's content changes, and reads what is
drawn: the rows and the scrollbar must still be right without the layout.
"""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.containers import Vertical

from amitui.ui.widgets.steady import SteadyTable, SteadyTextArea
from tests.ui.hostile_support import screen_text
from tests.ui.layout_support import Layouts


class Host(App[None]):
    CSS = """
    #fixed { height: 8; }
    #grows { height: auto; }
    SteadyTextArea { height: 6; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield SteadyTable[str](id="fixed", show_header=False)
            yield SteadyTable[str](id="grows", show_header=False)
            yield SteadyTextArea(id="text", read_only=True, soft_wrap=False)


async def fill(pilot: Any, table: SteadyTable[str], rows: int, tag: str) -> None:
    """New rows, and the screen updated for them."""
    table.clear(columns=True)
    table.add_column("n")
    table.add_rows([f"{tag} row {i}"] for i in range(rows))
    await pilot.pause()


async def test_other_rows_in_a_fixed_box_are_drawn_without_a_layout() -> None:
    app = Host()
    async with app.run_test(size=(60, 30)) as pilot:
        table = app.query_one("#fixed", SteadyTable)
        await fill(pilot, table, 3, "first")
        layouts = Layouts(app)
        await fill(pilot, table, 5, "second")
        assert layouts.count == 0
        assert table.virtual_size.height == 5 and table.region.height == 8
        text = screen_text(app)
        assert "second row 4" in text and "first row" not in text


async def test_a_scrollbar_still_comes_and_goes_with_the_rows() -> None:
    app = Host()
    async with app.run_test(size=(60, 30)) as pilot:
        table = app.query_one("#fixed", SteadyTable)
        await fill(pilot, table, 3, "few")
        assert not table.show_vertical_scrollbar
        await fill(pilot, table, 40, "many")
        assert table.show_vertical_scrollbar
        assert table.vertical_scrollbar.window_virtual_size == 40
        assert table.vertical_scrollbar.region.height == 8
        await fill(pilot, table, 2, "few again")
        assert not table.show_vertical_scrollbar


async def test_an_auto_height_table_still_grows_and_shrinks_with_its_rows() -> None:
    app = Host()
    async with app.run_test(size=(60, 30)) as pilot:
        table = app.query_one("#grows", SteadyTable)
        await fill(pilot, table, 2, "a")
        assert table.region.height == 2
        await fill(pilot, table, 6, "b")
        assert table.region.height == 6
        assert "b row 5" in screen_text(app)
        await fill(pilot, table, 1, "c")
        assert table.region.height == 1


async def test_new_text_in_a_fixed_box_is_drawn_without_a_layout() -> None:
    app = Host()
    async with app.run_test(size=(60, 30)) as pilot:
        area = app.query_one(SteadyTextArea)
        area.load_text("one\ntwo")
        await pilot.pause()
        layouts = Layouts(app)
        area.load_text("three\nfour\nfive")
        await pilot.pause()
        assert layouts.count == 0
        assert area.virtual_size.height == 3
        assert "five" in screen_text(app)
