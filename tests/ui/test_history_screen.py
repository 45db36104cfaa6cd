"""The history screen: pick a sent or saved action to edit or re-send; variables asked for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Input, Label, Static

from amitui.store.history import ActionHistory
from amitui.store.saved import Collection, SavedAction
from amitui.ui.screens.history import HistoryScreen, ValuesForm

NOW = 1795833957.25

RING = SavedAction(
    "ring-desk", "Originate", (("Channel", "PJSIP/${ext}"), ("Exten", "${dest}")), "a desk"
)
PING = SavedAction("ping", "Ping")


def history() -> ActionHistory:
    h = ActionHistory()
    h.add("a1", "Ping", (), NOW - 60)
    h.update("a1", "Success", 1.2)
    h.add("a2", "Login", (("Username", "admin"), ("Secret", "pw")), NOW - 30)
    h.update("a2", "Success", 4.0)
    h.add("a3", "Hangup", (("Channel", "PJSIP/100-0001"),), NOW)
    h.update("a3", "Error", 2.0)
    return h


def cells(table: DataTable[Any], row: int) -> list[str]:
    """A row as the text shown (names are Text cells: never parsed as markup)."""
    return [str(cell) for cell in table.get_row_at(row)]


class Host(App[None]):
    def __init__(self, **kw: Any) -> None:
        super().__init__()
        self.kw = kw
        self.results: list[Any] = []
        self.screen_obj: HistoryScreen | None = None

    def compose(self) -> ComposeResult:
        yield Static("host")

    def open(self) -> HistoryScreen:
        screen = HistoryScreen(history(), now=NOW, **self.kw)
        self.screen_obj = screen
        self.push_screen(screen, self.results.append)
        return screen


async def test_newest_first_and_enter_edits_the_selected_action() -> None:
    app = Host()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.open()
        await pilot.pause()
        table = screen.query_one("#history", DataTable)
        assert [cells(table, i)[1] for i in range(table.row_count)] == [
            "Hangup", "Login", "Ping",
        ]  # fmt: skip
        assert cells(table, 0)[2:4] == ["Error", "2.0 ms"]  # as the inspector writes it
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [("Hangup", [("Channel", "PJSIP/100-0001")])]
        assert screen.resend is False


async def test_escape_closes_with_nothing() -> None:
    app = Host()
    async with app.run_test() as pilot:
        app.open()
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]


async def test_resend_is_marked_and_refused_for_masked_values() -> None:
    app = Host()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.open()
        await pilot.pause()
        await pilot.press("down", "r")  # Login: its Secret is masked in history
        await pilot.pause()
        assert app.results == [] and app.screen is screen
        assert "masked" in list(app._notifications)[-1].message
        await pilot.press("down", "r")  # Ping
        await pilot.pause()
        assert app.results == [("Ping", [])] and screen.resend is True


async def test_saved_action_with_variables_asks_for_them() -> None:
    app = Host(saved=[RING, PING])
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.open()
        await pilot.pause()
        await pilot.press("tab")  # to the saved list
        assert screen.focused is screen.query_one("#saved", DataTable)
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ValuesForm) and form.fields == ["ext", "dest"]
        await pilot.press(*"100", "tab", *"200", "enter")
        await pilot.pause()
        assert app.results == [("Originate", [("Channel", "PJSIP/100"), ("Exten", "200")])]


async def test_a_value_that_would_inject_headers_is_refused_in_the_form() -> None:
    app = Host(saved=[RING])
    async with app.run_test(size=(120, 40)) as pilot:
        app.open()
        await pilot.pause()
        await pilot.press("tab", "enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ValuesForm)
        form.query_one("#field-0", Input).value = "100\r\nAction: Hangup"
        form.query_one("#field-1", Input).value = "200"
        form.query_one("#field-0", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is form and app.results == []
        assert "line break" in str(form.query_one("#form-error", Label).render())
        await pilot.press("escape")  # back to the lists, not out of them
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen) and app.results == []


async def test_saved_action_without_variables_is_chosen_at_once() -> None:
    app = Host(saved={"ping": PING})
    async with app.run_test(size=(120, 40)) as pilot:
        app.open()
        await pilot.pause()
        await pilot.press("tab", "r")
        await pilot.pause()
        assert app.results == [("Ping", [])]
        assert app.screen_obj is not None and app.screen_obj.resend is True


async def test_save_a_sent_action_into_the_collection(tmp_path: Path) -> None:
    coll = Collection("p", base=tmp_path)
    app = Host(collection=coll)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.open()
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ValuesForm)
        await pilot.press("enter")  # no name yet: refused, the form stays
        await pilot.pause()
        assert isinstance(app.screen, ValuesForm)
        await pilot.press(*"hang-desk", "tab", *"hang up the desk", "enter")
        await pilot.pause()
        assert app.screen is screen  # type: ignore[comparison-overlap]  # narrowed above
        saved = coll.load()["hang-desk"]
        assert saved == SavedAction(
            "hang-desk", "Hangup", (("Channel", "PJSIP/100-0001"),), "hang up the desk"
        )
        table = screen.query_one("#saved", DataTable)
        assert cells(table, 0)[:2] == ["hang-desk", "Hangup"]


async def test_the_key_hints_wrap_at_80_columns() -> None:
    """At 80x24 the hint line wraps instead of being cut at the dialog's edge."""
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.open()
        await pilot.pause()
        hint = screen.query(Label).first()
        lines = [hint.render_line(y).text for y in range(hint.size.height)]
        assert hint.size.height >= 2
        assert "esc: close" in " ".join(lines)
