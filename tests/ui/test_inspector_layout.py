"""How the inspector lays out what it shows: the name column's width, the tab keys, and the
List tab of a channel list (columns that tell channels apart first, no repeated Event)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable, TabbedContent

from amitui.client import ServerSpec
from amitui.config import Profile
from amitui.protocol import Action
from amitui.ui.app import AmiApp, Settings
from amitui.ui.widgets import inspector_tables as tables
from amitui.ui.widgets.inspector import ResponseInspector
from tests.ui.fakes import FakeSession
from tests.ui.hostile_support import screen_text
from tests.ui.inspector_support import (
    NEWCHANNEL,
    SIZE,
    InspectorApp,
    channels,
    event,
    table_rows,
    text_of,
    transcript,
)
from tests.ui.layout_support import Layouts

# Two items of a real Asterisk 22 CoreShowChannels reply (a Local channel running Wait).
_ITEM = """Event: CoreShowChannel
ActionID: c1
Channel: Local/100@default-00000002;{half}
ChannelState: 6
ChannelStateDesc: Up
CallerIDNum: <unknown>
CallerIDName: <unknown>
ConnectedLineNum: <unknown>
ConnectedLineName: <unknown>
Language: en
AccountCode:{empty}
Context: default
Exten: 100
Priority: {half}
Uniqueid: 1796110682.{uid}
Linkedid: 1796110682.4
Application: Wait
ApplicationData: {data}
Duration: 00:00:03
BridgeId:{empty}
"""
CORE_SHOW_CHANNELS = "\n".join(
    [
        "Response: Success\nActionID: c1\nEventList: start\nMessage: Channels will follow\n",
        _ITEM.format(half=1, uid=4, data="4", empty=" "),
        _ITEM.format(half=2, uid=5, data="30", empty=" "),
        "Event: CoreShowChannelsComplete\nActionID: c1\nEventList: Complete\nListItems: 2",
    ]
)


def core_show_channels() -> object:
    return transcript(Action.of("CoreShowChannels", ActionID="c1"), CORE_SHOW_CHANNELS)


def headers_table(inspector: ResponseInspector) -> DataTable[Text]:
    return inspector.query_one("#inspector-headers-table", DataTable)


def shown_lines(table: DataTable[Text]) -> list[str]:
    return [table.render_line(y).text for y in range(table.size.height)]


def console() -> AmiApp:
    settings = Settings(profile=Profile(name="t"))
    return AmiApp(ServerSpec(user="admin"), settings, session_factory=FakeSession)


# -- the name column ----------------------------------------------------------------------------


def test_name_column_is_the_longest_name_capped_at_a_third() -> None:
    rows = [tables.HeaderRow("Event", "x"), tables.HeaderRow("ChannelStateDesc", "Up")]
    assert tables.key_width(rows, 120) == len("ChannelStateDesc")
    long = [tables.HeaderRow("PJSIPShowRegistrationInboundContactStatuses", "…")]
    assert tables.key_width(long, 60) == 20
    assert tables.key_width(long, 20) == tables.KEY_MIN_CAP  # never squeezed to nothing


async def test_at_80_columns_the_name_column_shrinks_back_after_listcommands() -> None:
    """The issue: after ListCommands every later message kept a 45-character name column."""
    app = console()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.session is not None
        inspector = app.query_one(ResponseInspector)
        inspector.show_transcript(await app.session.send(Action("ListCommands")))
        await pilot.pause()
        table = headers_table(inspector)
        width = inspector.content_size.width
        assert table.ordered_columns[0].width <= width // 3
        assert any("ListCommands at" in line for line in shown_lines(table))
        # The values stay on screen; a long name is cut with an ellipsis instead.
        keys = [row[0] for row in table_rows(inspector, "inspector-headers-table")]
        table.move_cursor(row=keys.index("PJSIPShowRegistrationInboundContactStatuses"))
        await pilot.pause()
        cut = [line for line in shown_lines(table) if "PJSIPShowReg" in line]
        assert cut and "…  Lists ContactStatuses" in cut[0]
        await pilot.press("up")  # the newest event: ChannelsHungupListComplete, short names
        await pilot.pause()
        assert table.ordered_columns[0].width == len("EventList")
        lines = shown_lines(table)
        assert any(line.startswith(" Event      ChannelsHungupListComplete") for line in lines)


async def test_the_cap_follows_the_width_of_the_pane() -> None:
    app = InspectorApp()
    async with app.run_test(size=(120, 20)) as pilot:
        inspector = app.query_one(ResponseInspector)
        wide = transcript(
            Action.of("Ping", ActionID="p1"),
            "Response: Success\nActionID: p1\nAVeryLongHeaderNameFromModule: 1",
        )
        inspector.show_transcript(wide)
        await pilot.pause()
        table = headers_table(inspector)
        assert table.ordered_columns[0].width == len("AVeryLongHeaderNameFromModule")
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        assert table.ordered_columns[0].width == inspector.content_size.width // 3


# -- tabs ---------------------------------------------------------------------------------------


async def test_a_list_reply_opens_on_its_list_tab_and_the_number_keys_switch_tabs() -> None:
    app = InspectorApp()
    async with app.run_test(size=SIZE) as pilot:
        inspector = app.query_one(ResponseInspector)
        tabs = inspector.query_one(TabbedContent)
        await pilot.pause()
        inspector.show_transcript(channels())
        await pilot.pause()
        assert tabs.active == "inspector-list"
        inspector.focus()
        await pilot.pause()
        assert app.focused is inspector.query_one("#inspector-list-table")
        for key, tab, target in (
            ("2", "inspector-raw", "#inspector-raw-text"),
            ("4", "inspector-timing-pane", "#inspector-timing-scroll"),
            ("1", "inspector-headers", "#inspector-headers-table"),
            ("3", "inspector-list", "#inspector-list-table"),
        ):
            await pilot.press(key)
            await pilot.pause()
            assert tabs.active == tab and app.focused is inspector.query_one(target), key
        await pilot.press("1")
        inspector.show_transcript(inspector.subject)  # type: ignore[arg-type]  # a refill
        await pilot.pause()
        assert tabs.active == "inspector-headers"  # the user's choice stays
        inspector.show_event(event(NEWCHANNEL))  # no list: 3 explains instead of switching
        await pilot.pause()
        await pilot.press("3")
        assert tabs.active == "inspector-headers"
        assert app.toasts[-1] == ("No list here: only a list action's reply has one", "warning")


async def test_an_event_after_a_list_keeps_the_focus_in_the_pane() -> None:
    app = InspectorApp()
    async with app.run_test(size=SIZE) as pilot:
        inspector = app.query_one(ResponseInspector)
        await pilot.pause()
        inspector.show_transcript(channels())
        inspector.focus()
        await pilot.pause()
        inspector.show_event(event(NEWCHANNEL))
        await pilot.pause()
        assert app.focused is inspector.query_one("#inspector-headers-table")


async def test_tab_keys_are_in_the_footer_as_one_group_and_in_the_key_panel() -> None:
    app = console()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        shown = {b.description for _, b, enabled, _ in app.screen.active_bindings.values()}
        assert {"Headers tab", "Raw tab", "List tab", "Timing tab"} <= shown
        groups = {
            b.group.description
            for _, b, _, _ in app.screen.active_bindings.values()
            if b.group is not None and b.show
        }
        assert "Tabs" in groups


# -- the List tab of CoreShowChannels -----------------------------------------------------------


async def test_core_show_channels_shows_its_useful_columns_first_without_repeats() -> None:
    app = InspectorApp()
    async with app.run_test(size=(100, 20)) as pilot:
        inspector = app.query_one(ResponseInspector)
        inspector.show_transcript(core_show_channels())  # type: ignore[arg-type]
        await pilot.pause()
        table = inspector.query_one("#inspector-list-table", DataTable)
        labels = [column.label.plain for column in table.ordered_columns]
        assert labels[:8] == [
            "Channel", "ChannelStateDesc", "CallerIDNum", "Exten", "Context", "Application",
            "Duration", "BridgeId",
        ]  # fmt: skip
        assert not {"Event", "ActionID", "Privilege"} & set(labels)
        assert set(labels[8:]) >= {"ChannelState", "Uniqueid", "Linkedid", "ApplicationData"}
        first = table_rows(inspector, "inspector-list-table")[0]
        assert first[:7] == [
            "Local/100@default-00000002;1", "Up", "<unknown>", "100", "default", "Wait",
            "00:00:03",
        ]  # fmt: skip


def test_event_and_privilege_stay_when_the_items_differ() -> None:
    mixed = transcript(
        Action.of("PJSIPShowEndpoint", ActionID="e1"),
        """Response: Success
ActionID: e1
EventList: start

Event: EndpointDetail
ActionID: e1
ObjectName: 100

Event: AorDetail
ActionID: e1
ObjectName: 100

Event: EndpointDetailComplete
ActionID: e1
EventList: Complete
ListItems: 2""",
    )
    assert tables.list_columns(mixed.items) == ["Event", "ObjectName"]


# -- the tabs behind Headers: filled when opened ------------------------------------------------

_OTHER = "Event: Hangup\nPrivilege: call,all\nChannel: PJSIP/{n}-00000009\nUniqueid: 17958.{n}"


async def test_moving_from_event_to_event_lays_out_nothing() -> None:
    """Each arrow key in the stream shows another event here. Filling the hidden tabs and
    updating what did not change laid out the whole screen, several times a key."""
    app = InspectorApp()
    async with app.run_test(size=SIZE) as pilot:
        inspector = app.query_one(ResponseInspector)
        inspector.show_event(event(_OTHER.format(n=1), seq=1))
        await pilot.pause()
        layouts = Layouts(app)
        for n in range(2, 6):
            inspector.show_event(event(_OTHER.format(n=n), seq=n))
            await pilot.pause()
        assert layouts.count == 0
        assert ["Channel", "PJSIP/5-00000009"] in table_rows(inspector, "inspector-headers-table")


async def test_a_tab_opened_later_shows_what_is_selected_then() -> None:
    app = InspectorApp()
    async with app.run_test(size=SIZE) as pilot:
        inspector = app.query_one(ResponseInspector)
        tabs = inspector.query_one(TabbedContent)
        for n in range(1, 4):  # three rows passed by with only Headers open
            inspector.show_event(event(_OTHER.format(n=n), seq=n))
            await pilot.pause()
        inspector.focus()
        await pilot.press("2")
        assert tabs.active == "inspector-raw"
        assert "Channel: PJSIP/3-00000009" in text_of(inspector, "inspector-raw-text")
        await pilot.pause()
        assert "Channel: PJSIP/3-00000009" in screen_text(app)  # drawn, not only held
        await pilot.press("1")
        inspector.show_event(event(_OTHER.format(n=4), seq=4))
        await pilot.pause()
        await pilot.click("#--content-tab-inspector-timing-pane")  # the mouse, not a key
        await pilot.pause()
        assert tabs.active == "inspector-timing-pane"
        assert "#4" in text_of(inspector, "inspector-timing")
        await pilot.click("#--content-tab-inspector-raw")
        await pilot.pause()
        assert "Channel: PJSIP/4-00000009" in text_of(inspector, "inspector-raw-text")


async def test_a_list_refilled_behind_another_tab_keeps_its_cursor_when_opened() -> None:
    app = InspectorApp()
    async with app.run_test(size=SIZE) as pilot:
        inspector = app.query_one(ResponseInspector)
        tabs = inspector.query_one(TabbedContent)
        reply = channels()
        inspector.show_transcript(reply)
        await pilot.pause()
        table = inspector.query_one("#inspector-list-table", DataTable)
        table.move_cursor(row=1, column=2)
        inspector.focus()
        await pilot.press("1")
        inspector.show_transcript(reply)  # the same reply, refilled (more items came)
        await pilot.pause()
        await pilot.press("3")
        assert tabs.active == "inspector-list"
        assert table.cursor_coordinate == (1, 2)
