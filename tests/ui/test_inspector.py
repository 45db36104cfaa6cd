"""The response inspector, driven through a tiny app that composes only it.

Frames come from the real parser and transcripts from the real correlator, so what is shown is
what the session would hand over. The clipboard is substituted at `clipboard.system_copy`.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.notifications import SeverityLevel
from textual.widgets import DataTable, Static, TabbedContent, Tabs, TextArea

from amitui.client.transcript import Outcome, Transcript
from amitui.protocol import Action, Correlator, Frame, FrameKind, Parser, parse_assignments
from amitui.store.ring import GapMarker, StoredEvent
from amitui.ui import clipboard
from amitui.ui.widgets.inspector import ResponseInspector

SECRET = "hunter2-never-shown"
SIZE = (70, 20)


class InspectorApp(App[None]):
    """Records what reached the terminal clipboard and which toasts were shown."""

    def __init__(self) -> None:
        super().__init__()
        self.osc52: list[str] = []
        self.toasts: list[tuple[str, SeverityLevel]] = []

    def compose(self) -> ComposeResult:
        yield ResponseInspector(id="inspector")

    def copy_to_clipboard(self, text: str) -> None:
        self.osc52.append(text)
        super().copy_to_clipboard(text)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        self.toasts.append((message, severity))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)


@pytest.fixture
def copied(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """What the system clipboard received; a local desktop session, whatever runs the tests."""
    got: list[str] = []
    monkeypatch.setattr(clipboard, "system_copy", got.append)
    for name in ("SSH_TTY", "SSH_CONNECTION", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    yield got


# -- building subjects --------------------------------------------------------------------------


def frames(text: str) -> list[Frame]:
    """Frames from AMI text written with \\n line ends, blank lines between packets."""
    parser = Parser(expect_banner=False)
    parser.feed(text.strip("\n").replace("\n", "\r\n").encode() + b"\r\n\r\n")
    out = list(parser.frames())
    assert parser.buffered == 0
    return out


def event(text: str, seq: int = 123) -> StoredEvent:
    (frame,) = frames(text)
    return StoredEvent(seq, 1_795_833_957.25, frame, "pbx1")


def transcript(
    action: Action,
    text: str,
    outcome: Outcome = Outcome.ANSWERED,
    note: str | None = None,
) -> Transcript:
    correlator = Correlator()
    ex = correlator.expect(action)
    for frame in frames(text) if text else []:
        correlator.route(frame)
    answered = 100.012 if ex.response is not None else None
    return Transcript(
        action,
        ex,
        sent_wall=1_795_833_957.5,
        sent=100.0,
        answered=answered,
        done=100.045,
        outcome=outcome,
        note=note,
    )


NEWCHANNEL = f"""Event: Newchannel
Privilege: call,all
Channel: PJSIP/100-00000001
Variable: A=1
Secret: {SECRET}
Variable: B=2
Uniqueid: 1795833957.0"""

CHANNELS = """Response: Success
ActionID: a1
EventList: start
Message: Channels will follow

Event: CoreShowChannel
ActionID: a1
Channel: PJSIP/100-00000001
Uniqueid: 1795833957.0

Event: CoreShowChannel
ActionID: a1
Channel: PJSIP/200-00000002
BridgeId: 7f3a
Uniqueid: 1795833957.1

Event: CoreShowChannelsComplete
ActionID: a1
EventList: Complete
ListItems: {n}"""


def channels(n: int = 2) -> Transcript:
    return transcript(Action.of("CoreShowChannels", ActionID="a1"), CHANNELS.format(n=n))


# -- reading the widget -------------------------------------------------------------------------


def table_rows(inspector: ResponseInspector, table_id: str) -> list[list[str]]:
    table: DataTable[Text] = inspector.query_one(f"#{table_id}", DataTable)
    return [[cell.plain for cell in table.get_row_at(i)] for i in range(table.row_count)]


def text_of(inspector: ResponseInspector, widget_id: str) -> str:
    widget = inspector.query_one(f"#{widget_id}")
    if isinstance(widget, TextArea):
        return widget.text
    assert isinstance(widget, Static)
    return str(widget.render())


async def show(app: InspectorApp, subject: StoredEvent | Transcript | GapMarker) -> None:
    inspector = app.query_one(ResponseInspector)
    if isinstance(subject, StoredEvent):
        inspector.show_event(subject)
    elif isinstance(subject, Transcript):
        inspector.show_transcript(subject)
    else:
        inspector.show_gap(subject)


# -- Headers ------------------------------------------------------------------------------------


async def test_event_headers_in_wire_order_duplicates_kept_secret_masked() -> None:
    app = InspectorApp()
    async with app.run_test(size=SIZE) as pilot:
        inspector = app.query_one(ResponseInspector)
        inspector.show_event(event(NEWCHANNEL))
        await pilot.pause()
        assert table_rows(inspector, "inspector-headers-table") == [
            ["Event", "Newchannel"],
            ["Privilege", "call,all"],
            ["Channel", "PJSIP/100-00000001"],
            ["Variable", "A=1"],
            ["Secret", "********"],
            ["Variable", "B=2"],
            ["Uniqueid", "1795833957.0"],
        ]
        raw = text_of(inspector, "inspector-raw-text")
        assert "Secret: ********" in raw and SECRET not in raw
        assert raw.splitlines()[0] == "Event: Newchannel"
        assert inspector.border_title == "Event #123 Newchannel"
        assert inspector.subject is not None


async def test_values_are_shown_literally_not_as_markup() -> None:
    app = InspectorApp()
    async with app.run_test(size=SIZE) as pilot:
        inspector = app.query_one(ResponseInspector)
        inspector.show_event(event("Event: UserEvent\nBody: [Synopsis] [b]x[/b]\nEsc: a\x1bb"))
        await pilot.pause()
        rows = table_rows(inspector, "inspector-headers-table")
        assert rows[1] == ["Body", "[Synopsis] [b]x[/b]"]
        assert rows[2] == ["Esc", "a\\x1bb"]  # a raw ESC would restyle the terminal


async def test_transcript_shows_the_action_as_sent_then_the_response() -> None:
    app = InspectorApp()
    login = Action.of("Login", Username="admin", Secret=SECRET, ActionID="l1")
    tr = transcript(login, "Response: Success\nActionID: l1\nMessage: Authentication accepted")
    async with app.run_test(size=SIZE) as pilot:
        inspector = app.query_one(ResponseInspector)
        inspector.show_transcript(tr)
        await pilot.pause()
        rows = table_rows(inspector, "inspector-headers-table")
        assert rows[0][0] == "» sent"
        assert rows[1:5] == [
            ["Action", "Login"],
            ["ActionID", "l1"],
            ["Username", "admin"],
            ["Secret", "********"],
        ]
        assert rows[5] == ["» response", "Success after 12 ms"]
        assert rows[6:] == [
            ["Response", "Success"],
            ["ActionID", "l1"],
            ["Message", "Authentication accepted"],
        ]
        raw = text_of(inspector, "inspector-raw-text")
        assert raw.startswith("Action: Login\nActionID: l1\n") and SECRET not in raw
        assert inspector.border_title == "Login → Success 12 ms"


async def test_command_output_is_lines_under_the_table_not_rows(copied: list[str]) -> None:
    lines = ["", "  -= Info about Manager Command 'Originate' =- ", "[Synopsis]"] * 70
    text = "Response: Success\nActionID: c1\nMessage: Command output follows\n" + "\n".join(
        f"Output: {line}" for line in lines
    )
    tr = transcript(Action.of("Command", Command="manager show command X", ActionID="c1"), text)
    app = InspectorApp()
    async with app.run_test(size=SIZE) as pilot:
        inspector = app.query_one(ResponseInspector)
        inspector.show_transcript(tr)
        await pilot.pause()
        rows = table_rows(inspector, "inspector-headers-table")
        outputs = [row for row in rows if row[0] == "Output"]
        assert outputs == [["Output", "210 lines below (Output: headers, Asterisk 14+)"]]
        output = inspector.query_one("#inspector-output", TextArea)
        assert output.display and output.text.split("\n") == lines
        # y on the Output row copies the lines themselves, not the summary.
        table = inspector.query_one("#inspector-headers-table", DataTable)
        table.move_cursor(row=rows.index(outputs[0]))
        inspector.focus()
        await pilot.press("y")
        assert copied == ["\n".join(lines)]
        assert app.toasts[-1][0] == "Copied Output: 210 lines"


async def test_malformed_frame_shows_the_error_and_the_bytes() -> None:
    parser = Parser(expect_banner=False)
    parser.feed(b"Event: Cut\r\nChannel: PJSIP/1\r\nHal")
    parser.feed_eof()
    (frame,) = parser.frames()
    assert frame.kind is FrameKind.MALFORMED
    app = InspectorApp()
    async with app.run_test(size=SIZE) as pilot:
        inspector = app.query_one(ResponseInspector)
        inspector.show_event(StoredEvent(9, 0.0, frame))
        await pilot.pause()
        notice = text_of(inspector, "inspector-notice")
        assert "Malformed packet" in notice and "connection closed" in notice
        assert text_of(inspector, "inspector-output") == "Event: Cut\nChannel: PJSIP/1\nHal"
        assert inspector.border_title == "Malformed packet #9"


async def test_gap_and_clear() -> None:
    app = InspectorApp()
    async with app.run_test(size=SIZE) as pilot:
        inspector = app.query_one(ResponseInspector)
        inspector.show_gap(GapMarker(77, 0.0, "connection lost", "pbx1"))
        await pilot.pause()
        assert inspector.border_title == "Gap #77"
        assert "missing" in text_of(inspector, "inspector-notice")
        assert ["Reason", "connection lost"] in table_rows(inspector, "inspector-headers-table")
        inspector.clear()
        await pilot.pause()
        assert inspector.subject is None and inspector.border_title == "Inspector"
        assert table_rows(inspector, "inspector-headers-table") == []


# -- List ---------------------------------------------------------------------------------------


async def test_list_table_columns_are_the_union_of_item_headers() -> None:
    app = InspectorApp()
    async with app.run_test(size=SIZE) as pilot:
        inspector = app.query_one(ResponseInspector)
        inspector.show_transcript(channels())
        await pilot.pause()
        table = inspector.query_one("#inspector-list-table", DataTable)
        labels = [column.label.plain for column in table.ordered_columns]
        assert labels == ["Event", "Channel", "Uniqueid", "BridgeId"]  # no ActionID
        assert table_rows(inspector, "inspector-list-table") == [
            ["CoreShowChannel", "PJSIP/100-00000001", "1795833957.0", ""],
            ["CoreShowChannel", "PJSIP/200-00000002", "1795833957.1", "7f3a"],
        ]
        footer = text_of(inspector, "inspector-list-footer")
        assert footer == "2 items, ListItems=2 from the Complete event"
        assert inspector.border_title == "CoreShowChannels → Success 45 ms · 2 items"


async def test_list_count_mismatch_is_a_visible_warning() -> None:
    app = InspectorApp()
    async with app.run_test(size=SIZE) as pilot:
        inspector = app.query_one(ResponseInspector)
        inspector.show_transcript(channels(n=3))
        await pilot.pause()
        footer = text_of(inspector, "inspector-list-footer")
        assert footer.startswith("⚠") and "2 items received, but ListItems=3" in footer


async def test_list_tab_is_disabled_for_events_and_reopened_for_lists() -> None:
    app = InspectorApp()
    async with app.run_test(size=SIZE) as pilot:
        inspector = app.query_one(ResponseInspector)
        tabs = inspector.query_one(TabbedContent)
        inspector.show_transcript(channels())
        await pilot.pause()
        tabs.active = "inspector-list"
        inspector.show_event(event(NEWCHANNEL))
        await pilot.pause()
        assert tabs.get_tab("inspector-list").disabled and tabs.active == "inspector-headers"
        inspector.show_transcript(channels())
        await pilot.pause()
        assert not tabs.get_tab("inspector-list").disabled


async def test_a_list_still_filling_keeps_the_cursor() -> None:
    correlator = Correlator()
    ex = correlator.expect(Action.of("CoreShowChannels", ActionID="a1"))
    parts = frames(CHANNELS.format(n=2))
    for frame in parts[:2]:
        correlator.route(frame)
    tr = Transcript(ex.action, ex, sent_wall=0.0, sent=0.0, answered=0.01)
    app = InspectorApp()
    async with app.run_test(size=SIZE) as pilot:
        inspector = app.query_one(ResponseInspector)
        inspector.show_transcript(tr)
        await pilot.pause()
        assert "still arriving" in text_of(inspector, "inspector-list-footer")
        table = inspector.query_one("#inspector-headers-table", DataTable)
        table.move_cursor(row=3)
        for frame in parts[2:]:
            correlator.route(frame)
        inspector.show_transcript(tr)  # the same transcript, now complete
        await pilot.pause()
        assert table.cursor_row == 3
        assert len(table_rows(inspector, "inspector-list-table")) == 2


# -- Timing -------------------------------------------------------------------------------------


async def test_timing_shows_latency_total_and_follow_ups() -> None:
    correlator = Correlator()
    ex = correlator.expect(Action.of("Originate", Channel="Local/1@x", ActionID="o1"))
    for frame in frames(
        "Response: Success\nActionID: o1\nMessage: Originate successfully queued\n\n"
        "Event: OriginateResponse\nActionID: o1\nResponse: Success\nReason: 4"
    ):
        correlator.route(frame)
    tr = Transcript(
        ex.action, ex, sent_wall=0.0, sent=1.0, answered=1.0123, done=1.0123,
        outcome=Outcome.ANSWERED,
    )  # fmt: skip
    app = InspectorApp()
    async with app.run_test(size=SIZE) as pilot:
        inspector = app.query_one(ResponseInspector)
        inspector.show_transcript(tr)
        await pilot.pause()
        timing = text_of(inspector, "inspector-timing")
        assert "Response   12 ms (Success)" in timing
        assert "Outcome    answered" in timing
        assert "Follow-ups 1: OriginateResponse" in timing
        assert "Late       none" in timing
        rows = table_rows(inspector, "inspector-headers-table")
        assert ["» follow-up", "OriginateResponse"] in rows and ["Reason", "4"] in rows


async def test_unknown_outcome_says_the_action_was_not_resent() -> None:
    action = Action.of("Originate", Channel="PJSIP/100", Exten="200", ActionID="o1")
    tr = transcript(action, "", Outcome.UNKNOWN, note="connection lost")
    app = InspectorApp()
    async with app.run_test(size=SIZE) as pilot:
        inspector = app.query_one(ResponseInspector)
        inspector.show_transcript(tr)
        await pilot.pause()
        timing = text_of(inspector, "inspector-timing")
        assert "the action was NOT re-sent" in timing and "Note       connection lost" in timing
        assert "NOT re-sent" in text_of(inspector, "inspector-notice")
        assert inspector.border_title == "Originate → unknown"


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
        assert copied == ["PJSIP/200-00000002"]
        assert app.toasts[-1][0] == "Copied Channel: PJSIP/200-00000002"


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
