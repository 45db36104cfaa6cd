"""Copying from the inspector: the selected value, the whole message, a command line; the
system clipboard first, the terminal's (OSC 52) when it fails or over SSH; secrets never."""

from __future__ import annotations

import shlex

import pytest
from textual.widgets import DataTable, TabbedContent, Tabs, TextArea

from amitui.protocol import Action, parse_assignments
from amitui.ui import clipboard
from amitui.ui.widgets.inspector import ResponseInspector
from tests.ui.inspector_support import (
    NEWCHANNEL,
    SECRET,
    SIZE,
    InspectorApp,
    channels,
    event,
    transcript,
)

# -- copying ------------------------------------------------------------------------------------


async def test_y_copies_the_selected_header_value(copied: list[str]) -> None:
    app = InspectorApp()
    async with app.run_test(size=SIZE) as pilot:
        inspector = app.query_one(ResponseInspector)
        inspector.show_event(event(NEWCHANNEL))
        await pilot.pause()
        inspector.focus()
        await pilot.pause()
        assert app.focused is inspector.query_one("#inspector-headers-table")
        await pilot.press(*["down"] * 6, "y")
        assert copied == ["1795833957.0"]
        assert app.toasts[-1] == ("Copied Uniqueid: 1795833957.0", "information")
        assert app.osc52 == []


async def test_y_never_copies_a_masked_secret(copied: list[str]) -> None:
    app = InspectorApp()
    async with app.run_test(size=SIZE) as pilot:
        inspector = app.query_one(ResponseInspector)
        inspector.show_event(event(NEWCHANNEL))
        await pilot.pause()
        inspector.query_one("#inspector-headers-table", DataTable).move_cursor(row=4)
        inspector.focus()
        await pilot.press("y")
        assert copied == [] and app.osc52 == []
        assert app.toasts[-1] == ("Secret is masked: secrets are never copied", "warning")


async def test_y_in_the_list_copies_the_selected_cell(copied: list[str]) -> None:
    app = InspectorApp()
    async with app.run_test(size=SIZE) as pilot:
        inspector = app.query_one(ResponseInspector)
        inspector.show_transcript(channels())
        await pilot.pause()
        inspector.query_one(TabbedContent).active = "inspector-list"
        inspector.query_one("#inspector-list-table").focus()
        await pilot.press("down", "right", "y")
        assert copied == ["7f3a"]
        assert app.toasts[-1][0] == "Copied BridgeId: 7f3a"


async def test_Y_and_J_copy_the_whole_message_masked(copied: list[str]) -> None:
    app = InspectorApp()
    async with app.run_test(size=SIZE) as pilot:
        inspector = app.query_one(ResponseInspector)
        inspector.show_event(event(NEWCHANNEL))
        await pilot.pause()
        inspector.focus()
        await pilot.press("Y", "J")
        raw, as_json = copied
        assert raw.startswith("Event: Newchannel\n") and "Secret: ********" in raw
        assert as_json.startswith('{"Event": "Newchannel"')
        assert '"Variable": ["A=1", "B=2"]' in as_json
        assert all(SECRET not in text for text in copied)
        assert [t for t, _ in app.toasts[-2:]] == [
            "Copied Event #123 Newchannel as raw AMI",
            "Copied Event #123 Newchannel as JSON",
        ]


async def test_A_copies_a_command_line_that_parses_back(copied: list[str]) -> None:
    action = Action.of(
        "Originate",
        [("Variable", "A=1"), ("Variable", "B=two words")],
        Channel="PJSIP/100",
        CallerID='"Ann O\'Neil" <100>',
        Secret=SECRET,
        ActionID="o1",
    )
    tr = transcript(action, "Response: Success\nActionID: o1\nMessage: Originate queued")
    app = InspectorApp()
    async with app.run_test(size=SIZE) as pilot:
        inspector = app.query_one(ResponseInspector)
        inspector.show_transcript(tr)
        await pilot.pause()
        inspector.focus()
        await pilot.press("A")
        (line,) = copied
        words = shlex.split(line)
        assert words[:3] == ["amitui", "action", "Originate"]
        assert parse_assignments(words[3:]) == [
            ("Variable", "A=1"),
            ("Variable", "B=two words"),
            ("Channel", "PJSIP/100"),
            ("CallerID", '"Ann O\'Neil" <100>'),
            ("Secret", "********"),
        ]
        assert SECRET not in line and "o1" not in line
        assert app.toasts[-1][0] == "Copied Originate as an amitui command line"


async def test_A_on_an_event_explains_instead_of_copying(copied: list[str]) -> None:
    app = InspectorApp()
    async with app.run_test(size=SIZE) as pilot:
        inspector = app.query_one(ResponseInspector)
        inspector.show_event(event(NEWCHANNEL))
        await pilot.pause()
        inspector.focus()
        await pilot.press("A")
        assert copied == []
        message, severity = app.toasts[-1]
        assert severity == "warning" and "was received, not sent" in message


async def test_osc52_fallback_when_the_system_clipboard_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(_text: str) -> None:
        raise RuntimeError("Pyperclip could not find a copy/paste mechanism")

    monkeypatch.setattr(clipboard, "system_copy", broken)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("SSH_TTY", raising=False)
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    app = InspectorApp()
    async with app.run_test(size=SIZE) as pilot:
        inspector = app.query_one(ResponseInspector)
        inspector.show_event(event(NEWCHANNEL))
        await pilot.pause()
        inspector.focus()
        await pilot.press(*["down"] * 6, "y")
        assert app.osc52 == ["1795833957.0"]
        assert app.toasts[-1][0] == ("Copied Uniqueid: 1795833957.0 (terminal clipboard, OSC 52)")


async def test_over_ssh_without_a_display_the_system_clipboard_is_not_tried() -> None:
    tried: list[str] = []
    app = InspectorApp()
    async with app.run_test(size=SIZE):
        ssh = {"SSH_TTY": "/dev/pts/3"}
        clipboard.copy_text(app, "x", "it", copier=tried.append, environ=ssh)
        assert tried == [] and app.osc52 == ["x"]
        forwarded = {"SSH_CONNECTION": "10.0.0.1 5 10.0.0.2 22", "DISPLAY": "localhost:10"}
        clipboard.copy_text(app, "y", "that", copier=tried.append, environ=forwarded)
        assert tried == ["y"] and app.osc52 == ["x"]
        assert [t for t, _ in app.toasts] == [
            "Copied it (terminal clipboard, OSC 52)",
            "Copied that",
        ]


# -- focus --------------------------------------------------------------------------------------


async def test_focusing_the_pane_lands_in_the_active_tab_and_shift_tab_leaves() -> None:
    app = InspectorApp()
    async with app.run_test(size=SIZE) as pilot:
        inspector = app.query_one(ResponseInspector)
        inspector.show_transcript(channels())
        await pilot.pause()
        inspector.query_one(TabbedContent).active = "inspector-list"
        await pilot.pause()
        await app.run_action("focus('inspector')")
        await pilot.pause()
        assert app.focused is inspector.query_one("#inspector-list-table")
        # From inside, the pane itself is out of the focus chain, so Shift+Tab moves on to
        # the tab strip instead of bouncing off the pane back into the table.
        assert inspector not in app.screen.focus_chain
        await pilot.press("shift+tab")
        assert isinstance(app.focused, Tabs)


async def test_y_in_raw_copies_the_selection(copied: list[str]) -> None:
    app = InspectorApp()
    async with app.run_test(size=SIZE) as pilot:
        inspector = app.query_one(ResponseInspector)
        inspector.show_event(event(NEWCHANNEL))
        inspector.query_one(TabbedContent).active = "inspector-raw"
        await pilot.pause()
        raw = inspector.query_one("#inspector-raw-text", TextArea)
        raw.focus()
        raw.select_line(2)
        await pilot.press("y")
        assert copied == ["Channel: PJSIP/100-00000001"]
        assert app.toasts[-1][0] == "Copied selection (27 characters)"
