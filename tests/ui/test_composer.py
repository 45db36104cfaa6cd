"""The action composer pane, driven by keys and clicks against docs from a real Asterisk 22."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Button, Input, OptionList, Static, TextArea

from amitui.protocol import Action, Frame, Parser
from amitui.store.actiondocs import ActionDoc, CommandInfo, parse_action_doc, parse_list_commands
from amitui.store.sentinels import Unavailable
from amitui.ui.widgets.composer import ActionComposer
from amitui.ui.widgets.composer_form import FieldRow, FreeRow, parse_raw, render_raw
from tests.ui.hostile_support import screen_text

RECORDED = Path(__file__).resolve().parent.parent / "transcripts" / "asterisk22-basics.bin"

# `manager show command Hangup` from the same Asterisk 22 (trimmed after [Privilege]).
HANGUP = [
    "", "  -= Info about Manager Command 'Hangup' =- ", "",
    "[Synopsis]", "Hangup channel. ", "",
    "[Syntax]", "Action: Hangup", "[ActionID:] <value>", "Channel: <value>", "[Cause:] <value>", "",
    "[Arguments]", "",
    "Channel",
    "    The exact channel name to be hungup, or to use a regular expression, set",
    "    this parameter to: /regex/", "",
    "Cause", "    Numeric hangup cause.", "",
    "[Privilege]", "system,call,all", "",
]  # fmt: skip
# Filter's docs (same server) are full of brackets that must not be read as markup.
FILTER = [
    "[Synopsis]", "Dynamically add filters for the current manager session.", "",
    "[Syntax]", "Action: Filter", "[MatchCriteria:] <value>", "",
    "[Arguments]", "MatchCriteria",
    "     Syntax: [name(<event_name>)][,header(<header_name>)][,<match_method>] ",
]  # fmt: skip


def _recorded() -> dict[str, Frame]:
    parser = Parser()
    parser.feed(RECORDED.read_bytes())
    return {f.action_id: f for f in parser.frames() if f.action_id}


class RecordedDocs:
    """A DocsSource answering from the recorded real output."""

    def __init__(self) -> None:
        frames = _recorded()
        self.commands = parse_list_commands(frames["lc"])
        originate = parse_action_doc("Originate", frames["c1"].output or ())
        hangup = parse_action_doc("Hangup", HANGUP)
        filter_ = parse_action_doc("Filter", FILTER)
        assert originate is not None and hangup is not None and filter_ is not None
        self.docs = {"originate": originate, "hangup": hangup, "filter": filter_}
        self.asked: list[str] = []

    async def list_commands(self) -> list[CommandInfo] | Unavailable:
        return self.commands

    async def describe(self, name: str) -> ActionDoc | Unavailable:
        self.asked.append(name)
        none = Unavailable(f"the server has no documentation for {name}")
        return self.docs.get(name.lower(), none)


class NoDocs:
    """A user without the `command` privilege: no list, no docs."""

    async def list_commands(self) -> list[CommandInfo] | Unavailable:
        return Unavailable("ListCommands failed: Permission denied")

    async def describe(self, name: str) -> ActionDoc | Unavailable:
        return Unavailable("this user lacks the 'command' write privilege needed to read the docs")


class Host(App[None]):
    def __init__(self, docs: Any) -> None:
        super().__init__()
        self.docs = docs
        self.sent: list[Action] = []
        self.notes: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        yield ActionComposer(self.docs, id="composer")

    def on_action_composer_send_requested(self, message: ActionComposer.SendRequested) -> None:
        self.sent.append(message.action)

    def notify(self, message: str, *, severity: Any = "information", **kw: Any) -> None:
        self.notes.append((message, severity))
        super().notify(message, severity=severity, **kw)

    @property
    def composer(self) -> ActionComposer:
        return self.query_one(ActionComposer)

    async def ready(self, pilot: Any) -> None:
        await self.composer.refresh_commands().wait()
        await pilot.pause()

    async def settle(self, pilot: Any) -> None:
        await self.workers.wait_for_complete()
        await pilot.pause()

    def field(self, name: str, nth: int = 0) -> Input:
        rows = [r for r in self.query(FieldRow) if r.doc.name == name]
        return rows[nth].value_input

    async def pick(self, pilot: Any, query: str) -> None:
        self.composer.focus_picker()
        await pilot.press(*query, "enter")
        await self.settle(pilot)

    async def type_into(self, pilot: Any, widget: Input, text: str) -> None:
        widget.focus()
        await pilot.press(*text)


@pytest.fixture
def host() -> Host:
    return Host(RecordedDocs())


async def test_list_loads_and_orig_ranks_originate_first(host: Host) -> None:
    async with host.run_test(size=(50, 20)) as pilot:
        await host.ready(pilot)
        host.composer.focus_picker()
        await pilot.pause()
        matches = host.query_one("#composer-matches", OptionList)
        assert matches.option_count > 100
        await pilot.press(*"orig")
        assert matches.get_option_at_index(0).id == "Originate"
        assert matches.display and matches.highlighted == 0
        assert not host.query_one("#composer-notice").display


class HostBeside(Host):
    """The composer with something else to focus, as the console has its stream."""

    def compose(self) -> ComposeResult:
        yield from super().compose()
        yield Button("elsewhere", id="elsewhere")


async def test_the_list_closes_when_focus_leaves_the_composer() -> None:
    """A click elsewhere left the list open over the form; focus coming back opens it again."""
    app = HostBeside(RecordedDocs())
    async with app.run_test(size=(50, 24)) as pilot:
        await app.ready(pilot)
        app.composer.focus_picker()
        await pilot.press(*"orig")
        matches = app.query_one("#composer-matches", OptionList)
        assert matches.display and "Originate" in screen_text(app)
        await pilot.click("#elsewhere")
        await pilot.pause()
        assert app.focused is app.query_one("#elsewhere")
        assert not matches.display and "Originate" not in screen_text(app)
        assert "actions this AMI user may send" not in screen_text(app)  # its help line too
        await pilot.click("#composer-picker")
        await pilot.pause()
        assert matches.display and "Originate" in screen_text(app)
        assert "actions this AMI user may send" in screen_text(app)


async def test_arrow_keys_pick_from_the_list(host: Host) -> None:
    async with host.run_test(size=(50, 20)) as pilot:
        await host.ready(pilot)
        host.composer.focus_picker()
        await pilot.press(*"confbridge", "down", "enter")
        await host.settle(pilot)
        second = sorted(c.name for c in host.docs.commands if c.name.startswith("Confbridge"))[1]
        assert host.docs.asked == [second]
        assert not host.query_one("#composer-matches").display


async def test_originate_form_marks_required_and_repeatable(host: Host) -> None:
    async with host.run_test(size=(50, 20)) as pilot:
        await host.ready(pilot)
        await host.pick(pilot, "orig")
        rows = {r.doc.name: r for r in host.query(FieldRow)}
        assert list(rows)[:2] == ["Channel", "Exten"]
        assert rows["Channel"].has_class("-required")
        assert str(rows["Channel"].query_one(".composer--label", Static).content) == "*Channel"
        assert not rows["Exten"].has_class("-required")
        assert rows["Variable"].has_class("-repeatable")
        assert rows["Variable"].query(".composer--add")
        assert str(host.field("Channel").tooltip) == "Channel (required): Channel name to call."
        assert host.focused is host.field("Channel")  # first empty required field
        help_line = host.query_one("#composer-help", Static)
        assert "Channel name to call." in str(help_line.content)


async def test_bracketed_docs_show_as_text(host: Host) -> None:
    async with host.run_test(size=(50, 20)) as pilot:
        await host.ready(pilot)
        host.composer.prepare("Filter")
        await host.settle(pilot)
        host.field("MatchCriteria").focus()
        await pilot.pause()
        help_line = str(host.query_one("#composer-help", Static).render())
        assert "[name(<event_name>)]" in help_line


async def test_missing_required_field_is_named_and_nothing_posted(host: Host) -> None:
    async with host.run_test(size=(50, 20)) as pilot:
        await host.ready(pilot)
        await host.pick(pilot, "orig")
        await host.type_into(pilot, host.field("Application"), "Playback")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert host.sent == []
        message, severity = host.notes[-1]
        assert "Channel" in message and severity == "error"
        row = next(r for r in host.query(FieldRow) if r.doc.name == "Channel")
        assert row.has_class("-missing")


async def test_send_posts_headers_in_form_order_without_empty_ones(host: Host) -> None:
    async with host.run_test(size=(50, 20)) as pilot:
        await host.ready(pilot)
        await host.pick(pilot, "orig")
        await host.type_into(pilot, host.field("Data"), "demo-congrats")
        await host.type_into(pilot, host.field("Channel"), "PJSIP/1001")
        await host.type_into(pilot, host.field("Application"), "Playback")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert host.sent == [
            Action(
                "Originate",
                (("Channel", "PJSIP/1001"), ("Application", "Playback"), ("Data", "demo-congrats")),
            )
        ]


async def test_second_variable_row_sends_two_variable_headers(host: Host) -> None:
    async with host.run_test(size=(50, 20)) as pilot:
        await host.ready(pilot)
        await host.pick(pilot, "orig")
        await host.type_into(pilot, host.field("Channel"), "Local/100@default")
        await host.type_into(pilot, host.field("Variable"), "A=1")
        await pilot.press("ctrl+n", *"B=2")  # keyboard: a row right below, focused
        await pilot.click(".-repeatable .composer--add")  # mouse: the + button
        await pilot.press(*"C=3")
        await pilot.pause()
        assert host.field("Variable", 2).value == "C=3"
        await pilot.click(".-extra .composer--remove")  # the first extra row (B=2)
        await pilot.press("ctrl+s")
        await pilot.pause()
        (action,) = host.sent
        assert action.headers == (
            ("Channel", "Local/100@default"),
            ("Variable", "A=1"),
            ("Variable", "C=3"),
        )


async def test_prepare_fills_fields_and_unknown_keys_go_to_free_rows(host: Host) -> None:
    async with host.run_test(size=(50, 20)) as pilot:
        await host.ready(pilot)
        host.composer.prepare("Hangup", [("Channel", "PJSIP/1001-00000001"), ("X-Note", "hi")])
        await host.settle(pilot)
        assert host.field("Channel").value == "PJSIP/1001-00000001"
        free = [r.header for r in host.query(FreeRow)]
        assert free[0] == ("X-Note", "hi")
        assert host.focused is host.query_one("#composer-send")  # nothing left to fill
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert host.sent[0].name == "Hangup"
        assert host.sent[0].headers == (("Channel", "PJSIP/1001-00000001"), ("X-Note", "hi"))


async def test_switching_action_keeps_fields_the_new_one_documents(host: Host) -> None:
    async with host.run_test(size=(50, 20)) as pilot:
        await host.ready(pilot)
        host.composer.prepare("Originate", [("Channel", "PJSIP/1001"), ("Exten", "100")])
        await host.settle(pilot)
        host.query_one("#composer-picker", Input).value = ""
        await host.pick(pilot, "hangup")
        assert [r.header for r in host.query(FieldRow)] == [
            ("Channel", "PJSIP/1001"),
            ("Cause", ""),
        ]


async def test_docs_unavailable_shows_why_and_free_rows_still_send() -> None:
    host = Host(NoDocs())
    async with host.run_test(size=(50, 20)) as pilot:
        await host.ready(pilot)
        notice = host.query_one("#composer-notice", Static)
        assert notice.display and "Permission denied" in str(notice.content)
        await host.pick(pilot, "Ping")  # free text: there is no list to pick from
        doc_line = str(host.query_one("#composer-doc", Static).content)
        assert "lacks the 'command' write privilege" in doc_line
        assert not host.query(FieldRow)
        key = host.query_one(FreeRow).query_one(".composer--key", Input)
        assert host.focused is key
        await pilot.press(*"Foo", "tab", *"bar baz", "enter")  # Enter opens another free row
        await pilot.press(*"Empty", "ctrl+s")  # a name with no value is not sent
        await pilot.pause()
        assert host.sent == [Action("Ping", (("Foo", "bar baz"),))]


async def test_raw_mode_round_trip(host: Host) -> None:
    async with host.run_test(size=(50, 20)) as pilot:
        await host.ready(pilot)
        host.composer.prepare("Originate", [("Channel", "PJSIP/1"), ("Variable", "A=1"),
                                            ("Variable", "B=2"), ("X-Extra", "y")])  # fmt: skip
        await host.settle(pilot)
        await pilot.press("ctrl+r")
        raw = host.query_one("#composer-raw", TextArea)
        assert host.focused is raw
        assert raw.text == (
            "Action: Originate\nChannel: PJSIP/1\nVariable: A=1\nVariable: B=2\nX-Extra: y\n"
        )
        raw.move_cursor(raw.document.end)
        await pilot.press(*"Exten: 100")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert not host.composer.raw_mode
        assert host.field("Exten").value == "100"
        assert [host.field("Variable", i).value for i in (0, 1)] == ["A=1", "B=2"]
        assert ("X-Extra", "y") in [r.header for r in host.query(FreeRow)]


async def test_raw_mode_send_and_its_refusals(host: Host) -> None:
    async with host.run_test(size=(50, 20)) as pilot:
        await host.ready(pilot)
        await host.pick(pilot, "orig")
        await pilot.press("ctrl+r")
        raw = host.query_one("#composer-raw", TextArea)
        raw.text = "Action: Originate\nExten: 100\n"
        await pilot.press("ctrl+s")  # Channel is required by the docs
        raw.text = "Action: Ping\nno colon here\n"
        await pilot.press("ctrl+s")
        raw.text = "Action: Ping\nActionID: mine\nEmpty: \n"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert [m for m, _ in host.notes][:2] == [
            "fill the required field Channel",
            "line 2 ('no colon here') is not 'Name: value'",
        ]
        assert host.sent == [Action("Ping", (), "mine")]
        await pilot.press("ctrl+r")  # back to the form: Ping has no docs here, free rows
        await host.settle(pilot)
        assert not host.composer.raw_mode and not host.query(FieldRow)


async def test_line_breaks_in_a_value_are_refused_not_posted(host: Host) -> None:
    async with host.run_test(size=(50, 20)) as pilot:
        await host.ready(pilot)
        host.composer.prepare("Hangup", [("Channel", "X"), ("Foo", "a\r\nAction: Originate")])
        await host.settle(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert host.sent == []
        assert "line break" in host.notes[-1][0] and host.notes[-1][1] == "error"
        # A paste into an Input keeps its first line only (Textual), so typing cannot inject.
        value = host.query(FreeRow).first().value_input
        value.value = ""
        value.focus()
        host.post_message(events.Paste("b\r\nAction: Originate"))
        await pilot.pause()
        assert value.value == "b"


@pytest.mark.parametrize(
    ("name", "headers"),
    [("Ping", []), ("Originate", [("Channel", "PJSIP/1"), ("Variable", "A=1"), ("Data", " x ")])],
)
def test_raw_text_round_trip(name: str, headers: Sequence[tuple[str, str]]) -> None:
    assert parse_raw(render_raw(name, headers)) == (name, list(headers))


async def test_switching_to_an_undocumented_action_carries_no_values(host: Host) -> None:
    async with host.run_test(size=(50, 20)) as pilot:
        await host.ready(pilot)
        host.composer.prepare("Originate", [("Channel", "PJSIP/1001")])
        await host.settle(pilot)
        await host.pick(pilot, "NoSuchDocumentedAction")
        headers = host.composer.form.headers(strict=False)
        assert all(key != "Channel" for key, _ in headers)
        await pilot.press("ctrl+s")
        await host.settle(pilot)
        assert [(a.name, a.headers) for a in host.sent] == [("NoSuchDocumentedAction", ())]
