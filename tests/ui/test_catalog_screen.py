"""The catalog and "why don't I see events?" screens, in a tiny host app, over a fake session that
answers `Action: Command` with what the real Asterisk 22 printed (asterisk22-event-docs.json)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import App
from textual.screen import Screen
from textual.widgets import DataTable, Static

from amitui.client import Phase, ServerSpec, SessionState
from amitui.protocol import Action, Frame
from amitui.store.catalog import EventCatalog
from amitui.store.docs import SessionDocs
from amitui.store.eventclasses import Verdict
from amitui.ui.screens.catalog import CatalogScreen, CatalogTable
from amitui.ui.screens.why import WhyNoEvents
from tests.store._support import event
from tests.ui.fakes import FIXED_TIME, TRANSCRIPTS, FakeSession, call_events, reply


@cache
def recorded() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (TRANSCRIPTS / "asterisk22-event-docs.json").read_text("utf-8")
    )
    return data


class CliSession(FakeSession):
    """Answers Command from the recording; `refuse` answers it like the real server does to a
    user without the `command` write class."""

    def __init__(self, spec: ServerSpec, refuse: bool = False) -> None:
        super().__init__(spec, preload=[])
        self.refuse = refuse
        self.state = SessionState(Phase.READY, spec.address, spec.user, ami_version="11.0.0")

    def _answer(self, action: Action) -> Frame:
        if action.name != "Command":
            return super()._answer(action)
        aid = action.action_id
        if self.refuse:
            return reply(f"Response: Error\nActionID: {aid}\nMessage: Permission denied")
        command = action.get("Command") or ""
        found = recorded().get(command)
        if found is None and command.startswith("manager show event "):
            found = {"output": [f"Could not find event '{command.split()[-1]}'"]}
        lines = "".join(f"\nOutput: {line}" for line in (found or {"output": []})["output"])
        return reply(f"Response: Success\nActionID: {aid}\nMessage: Command output follows{lines}")

    def commands(self) -> list[str]:
        return [a.get("Command") or "" for a in self.sent if a.name == "Command"]


class Host(App[None]):
    def __init__(self, make: Callable[[], Screen[None]]) -> None:
        super().__init__()
        self.make = make

    def on_mount(self) -> None:
        self.push_screen(self.make())

    async def settle(self, pilot: Any) -> None:
        await self.workers.wait_for_complete()
        await pilot.pause()


def call_catalog() -> EventCatalog:
    catalog = EventCatalog()
    catalog.observe_batch(call_events(), FIXED_TIME)
    return catalog


def cells(table: DataTable[Any], key: str) -> list[str]:
    return [c.plain if isinstance(c, Text) else str(c) for c in table.get_row(key)]


def catalog_host(
    catalog: EventCatalog, *, refuse: bool = False, export_dir: Path | None = None
) -> tuple[Host, CliSession]:
    session = CliSession(ServerSpec(user="admin", port=15038), refuse=refuse)
    docs = SessionDocs(lambda: session)
    screen = lambda: CatalogScreen(  # noqa: E731
        catalog, docs, server="127.0.0.1:15038", export_dir=export_dir, clock=lambda: FIXED_TIME
    )
    return Host(screen), session


async def test_catalog_marks_types_against_the_servers_docs() -> None:
    app, session = catalog_host(call_catalog())
    async with app.run_test(size=(160, 40)) as pilot:
        await app.settle(pilot)
        screen = app.screen
        assert isinstance(screen, CatalogScreen)
        types = screen.types
        assert cells(types, "TestEvent")[3] == "undocumented"
        assert cells(types, "Newchannel")[1:] == ["2", cells(types, "Newchannel")[2], "ok"]
        assert cells(types, "UserEvent")[3] == "ok"  # its extra headers are free-form
        first = types.coordinate_to_cell_key(types.cursor_coordinate).row_key.value
        assert first == screen.selected
        title = str(screen.query_one("#catalog-title").render())
        assert "171 events documented by the server" in title
        # TestEvent is not in `manager show events`, so it is never asked about.
        assert "manager show event TestEvent" not in session.commands()
        assert session.commands().count("manager show events") == 1


async def test_selecting_a_type_shows_its_headers_and_doc() -> None:
    app, _ = catalog_host(call_catalog())
    async with app.run_test(size=(160, 40)) as pilot:
        await app.settle(pilot)
        screen = app.screen
        assert isinstance(screen, CatalogScreen)
        screen.types.move_cursor(row=screen.types.get_row_index("Hangup"))
        await pilot.pause()
        headers = screen.headers_table
        assert cells(headers, "Cause") == ["Cause", "2/2", "yes", "", "0"]
        assert cells(headers, "Privilege")[2] == "core"
        assert cells(headers, "TechCause") == ["TechCause", "0", "yes", "never seen", ""]
        doc = str(screen.query_one("#doc", Static).render())
        assert doc.startswith("Hangup — Raised when a channel is hung up.")
        screen.types.move_cursor(row=screen.types.get_row_index("TestEvent"))
        await pilot.pause()
        assert cells(headers, "State") == ["State", "1/1 (repeats)", "no", "new", "CallIDChange"]
        await pilot.press("tab")  # into the headers table: the highlighted header's doc
        headers.move_cursor(row=headers.get_row_index("AppFile"))
        await pilot.pause()
        text = str(screen.query_one("#header-doc", Static).render())
        assert text == "AppFile: not in the server's docs for this event"


async def test_sort_keys_and_live_updates() -> None:
    catalog = call_catalog()
    app, _ = catalog_host(catalog)
    async with app.run_test(size=(160, 40)) as pilot:
        await app.settle(pilot)
        screen = app.screen
        assert isinstance(screen, CatalogScreen)
        await pilot.press("s")  # count -> name
        names = [str(r.value) for r in screen.types.rows]
        ordered = [str(screen.types.get_row_at(i)[0]) for i in range(len(names))]
        assert ordered == sorted(ordered, key=str.lower)
        await pilot.press("s", "s")  # -> last seen -> mark: the gaps first
        assert screen.sort_by == "mark"
        first = [str(screen.types.get_row_at(i)[0]) for i in range(2)]
        assert set(first) == {"TestEvent", "ChannelsHungupListComplete"}
        screen.types.move_cursor(row=screen.types.get_row_index("Newchannel"))
        await pilot.pause()
        headers = screen.headers_table
        headers.move_cursor(row=headers.get_row_index("Exten"))
        await pilot.pause()
        more = [f for f in call_events() if f.name == "Newchannel"]
        catalog.observe_batch([*more, event("Brandnew", ("Odd", "1"))], FIXED_TIME + 5)
        screen.refresh_view()  # what the 1 Hz timer does
        await app.settle(pilot)
        assert cells(screen.types, "Brandnew")[3] == "undocumented"
        assert cells(screen.types, "Newchannel")[1] == "4"
        assert cells(headers, "Channel")[1] == "4/4"
        assert headers.coordinate_to_cell_key(headers.cursor_coordinate).row_key.value == "Exten"
        doc = str(screen.query_one("#header-doc", Static).render())
        assert doc == "Exten: documented (no description in the server's docs)"


async def test_export_writes_markdown_and_json(tmp_path: Path) -> None:
    app, _ = catalog_host(call_catalog(), export_dir=tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await app.settle(pilot)
        await pilot.press("e")
        await app.settle(pilot)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert len(written) == 2 and written[0].startswith("amitui-catalog-")
    assert {Path(n).suffix for n in written} == {".md", ".json"}
    markdown = next(tmp_path.glob("*.md")).read_text("utf-8")
    assert "| TestEvent | 1 | **none** | undocumented |" in markdown
    report = json.loads(next(tmp_path.glob("*.json")).read_text("utf-8"))
    assert report["server"] == "127.0.0.1:15038"
    assert report["generated"] == "2026-11-28T02:45:57+00:00"
    assert "Cdr" in report["documented_never_seen"]


async def test_without_the_command_privilege_the_catalog_says_so() -> None:
    app, session = catalog_host(call_catalog(), refuse=True)
    async with app.run_test(size=(160, 40)) as pilot:
        await app.settle(pilot)
        screen = app.screen
        assert isinstance(screen, CatalogScreen)
        assert cells(screen.types, "Newchannel")[3] == "docs unavailable"
        assert "may not send Command" in str(screen.query_one("#catalog-title").render())
        assert len(session.commands()) <= 2  # gave up at once, not once per type


async def test_marks_take_theme_colours() -> None:
    app, _ = catalog_host(call_catalog())
    async with app.run_test(size=(160, 40)) as pilot:
        await app.settle(pilot)
        screen = app.screen
        assert isinstance(screen, CatalogScreen)
        mark = screen.types.get_row("TestEvent")[3]
        assert isinstance(mark, Text)
        gap = screen.query_one("#types", CatalogTable).get_component_rich_style(
            "catalog-table--gap", partial=True
        )
        assert mark.style == gap and gap.color is not None


def why_host(user: str, *, refuse: bool = False, events: str = "on") -> Host:
    spec = ServerSpec(user=user, port=15038, events=events)
    session = CliSession(spec, refuse=refuse)
    docs = SessionDocs(lambda: session)
    catalog = EventCatalog()
    catalog.observe_batch([f for f in call_events() if f.get("Privilege") != "dialplan,all"], 1.0)
    return Host(lambda: WhyNoEvents(docs, catalog, spec))


def verdicts(screen: WhyNoEvents) -> dict[str, Verdict]:
    return {e.event: e.verdict for e in screen.explanations}


async def test_why_shows_the_missing_read_class() -> None:
    app = why_host("reader")
    async with app.run_test(size=(140, 40)) as pilot:
        await app.settle(pilot)
        screen = app.screen
        assert isinstance(screen, WhyNoEvents)
        found = verdicts(screen)
        assert found["Newexten"] is Verdict.NO_READ_CLASS
        assert found["VarSet"] is Verdict.NO_READ_CLASS
        assert found["Newchannel"] is Verdict.RECEIVED
        assert found["BridgeEnter"] is Verdict.ALLOWED
        assert found["AgentCalled"] is Verdict.NO_READ_CLASS
        facts = str(screen.query_one("#why-facts", Static).render())
        assert "User reader reads: call, system (manager show user)" in facts
        assert "Login mask: Events: on → every class" in facts
        row = cells(screen.query_one(DataTable), "Newexten")
        assert row[:4] == ["Newexten", "dialplan", "docs", "read class missing"]


async def test_why_works_without_manager_show_user() -> None:
    app = why_host("reader", refuse=True, events="call")
    async with app.run_test(size=(140, 40)) as pilot:
        await app.settle(pilot)
        screen = app.screen
        assert isinstance(screen, WhyNoEvents)
        facts = str(screen.query_one("#why-facts", Static).render())
        assert "read classes unknown" in facts and "may not send Command" in facts
        assert "classes proven by events received: call, reporting, security, system" in facts
        found = verdicts(screen)
        assert found["Newexten"] is Verdict.MASKED  # `Events: call` leaves dialplan out
        assert found["BridgeEnter"] is Verdict.ALLOWED  # call events did arrive
        assert found["AgentCalled"] is Verdict.MASKED
        await pilot.press("escape")
        assert not isinstance(app.screen, WhyNoEvents)
