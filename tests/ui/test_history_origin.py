"""The history screen names whose history it is and where each record was sent; re-sending a
record from another server asks first, naming both."""

from __future__ import annotations

import json
from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Label, Static

from amitui.config import config_dir
from amitui.protocol.safetext import shown
from amitui.store.history import ActionHistory
from amitui.store.saved import HistoryFile
from amitui.ui.screens.history import HistoryScreen, ResendElsewhere

NOW = 1795833957.25
HOSTILE = "[/]\x1b]0;owned\x07evil:5038"


def old_file(*servers: str) -> None:
    """The pre-per-server history of profile `p`: one Ping per server, oldest first."""
    path = config_dir() / "history" / "p.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        json.dumps({"id": f"old{i}", "name": "Ping", "headers": [], "sent": NOW - 100 + i,
                    "status": "Success", "latency_ms": 1.0, "server": server})
        for i, server in enumerate(servers)
    ]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", "utf-8")


class Host(App[None]):
    def __init__(self, source: HistoryFile, memory: ActionHistory) -> None:
        super().__init__()
        self.source = source
        self.memory = memory
        self.results: list[Any] = []
        self.screen_obj: HistoryScreen | None = None

    def compose(self) -> ComposeResult:
        yield Static("host")

    def open(self) -> HistoryScreen:
        screen = HistoryScreen(self.memory, now=NOW, source=self.source)
        self.screen_obj = screen
        self.push_screen(screen, self.results.append)
        return screen


def setup(*old_servers: str) -> Host:
    """As the console does it: the file of admin@pbx:5038, loaded, then one action sent now."""
    old_file(*old_servers)
    source = HistoryFile("p", server="pbx:5038", user="admin")
    memory = ActionHistory()
    source.load_into(memory)
    memory.add("now1", "CoreStatus", (), NOW)
    memory.update("now1", "Success", 1.0)
    return Host(source, memory)


def column(table: DataTable[Any], index: int) -> list[str]:
    return [str(table.get_row_at(i)[index]) for i in range(table.row_count)]


async def test_the_screen_says_whose_history_and_where_each_was_sent() -> None:
    app = setup("pbx:5038", "lab:5038", HOSTILE)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = app.open()
        await pilot.pause()
        title = str(screen.query_one("#history-title", Label).render())
        assert title == "Sent as admin@pbx:5038 (4, newest first)"
        table = screen.query_one("#history", DataTable)
        assert [str(c.label) for c in table.columns.values()][4] == "Sent to"
        assert column(table, 4) == ["admin@pbx:5038", shown(HOSTILE), "lab:5038", "pbx:5038"]
        assert column(table, 1) == ["CoreStatus", "Ping", "Ping", "Ping"]


async def test_resend_where_it_was_recorded_is_direct() -> None:
    app = setup("pbx:5038")
    async with app.run_test(size=(140, 40)) as pilot:
        app.open()
        await pilot.pause()
        await pilot.press("down", "r")  # the old record of this very server (user unknown)
        await pilot.pause()
        assert app.results == [("Ping", [])]
        assert app.screen_obj is not None and app.screen_obj.resend is True


async def test_resend_from_another_server_asks_naming_both() -> None:
    app = setup("lab:5038")
    async with app.run_test(size=(140, 40)) as pilot:
        screen = app.open()
        await pilot.pause()
        await pilot.press("down", "r")
        await pilot.pause()
        ask = app.screen
        assert isinstance(ask, ResendElsewhere) and app.results == []
        assert "recorded on lab:5038" in ask.question
        assert "connected to admin@pbx:5038" in ask.question
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is screen and app.results == []
        await pilot.press("r", "y")
        await pilot.pause()
        assert app.results == [("Ping", [])] and screen.resend is True


async def test_edit_from_another_server_needs_no_question() -> None:
    app = setup("lab:5038")
    async with app.run_test(size=(140, 40)) as pilot:
        app.open()
        await pilot.pause()
        await pilot.press("down", "enter")  # into the composer: sent later, with its checks
        await pilot.pause()
        assert app.results == [("Ping", [])]
        assert app.screen_obj is not None and app.screen_obj.resend is False


async def test_a_hostile_server_name_is_asked_about_as_text() -> None:
    app = setup(HOSTILE)
    async with app.run_test(size=(140, 40)) as pilot:
        app.open()
        await pilot.pause()
        await pilot.press("down", "r")
        await pilot.pause()
        ask = app.screen
        assert isinstance(ask, ResendElsewhere)
        shown_question = str(ask.query_one("#question", Label).render())
        assert shown(HOSTILE) in shown_question and "\x1b" not in shown_question
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == []
