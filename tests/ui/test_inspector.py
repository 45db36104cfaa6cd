"""The response inspector, driven through a tiny app that composes only it.

Frames come from the real parser and transcripts from the real correlator, so what is shown is
what the session would hand over. The clipboard is substituted at `clipboard.system_copy`.
"""

from __future__ import annotations

from textual.widgets import DataTable, TabbedContent, TextArea

from amitui.client.transcript import Outcome, Transcript
from amitui.protocol import Action, Correlator, FrameKind, Parser
from amitui.store.ring import GapMarker, StoredEvent
from amitui.ui.widgets.inspector import ResponseInspector
from tests.ui.inspector_support import (
    CHANNELS,
    NEWCHANNEL,
    SECRET,
    SIZE,
    InspectorApp,
    channels,
    event,
    frames,
    table_rows,
    text_of,
    transcript,
)

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
        # No ActionID, no Event saying CoreShowChannel on every row; BridgeId is a lead column.
        assert labels == ["Channel", "BridgeId", "Uniqueid"]
        assert table_rows(inspector, "inspector-list-table") == [
            ["PJSIP/100-00000001", "", "1795833957.0"],
            ["PJSIP/200-00000002", "7f3a", "1795833957.1"],
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


async def test_a_reply_cut_by_a_proxy_says_so_above_and_in_timing() -> None:
    """AstManProxy cuts replies at 256 lines and says nothing (amitui/client/proxy.py);
    the session notes it on the transcript and the inspector must not present it as whole."""
    output = "\n".join(f"Output: line {i}" for i in range(252))
    tr = transcript(
        Action.of("Command", Command="core show help", ActionID="c1"),
        f"Response: Success\nActionID: c1\nMessage: Command output follows\n{output}",
    )
    tr.truncated = "255 lines and no Server: header: AstManProxy cut the reply"
    app = InspectorApp()
    async with app.run_test(size=SIZE) as pilot:
        inspector = app.query_one(ResponseInspector)
        inspector.show_transcript(tr)
        await pilot.pause()
        assert "Possibly incomplete: 255 lines" in text_of(inspector, "inspector-notice")
        assert "Truncated  255 lines" in text_of(inspector, "inspector-timing")
