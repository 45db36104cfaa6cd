"""Action docs parsed from real Asterisk 22 output (recorded) and hand-written older formats."""

from __future__ import annotations

from pathlib import Path

import pytest

from amitui.protocol import Frame, Parser
from amitui.store.actiondocs import (
    ActionDoc,
    CommandInfo,
    fuzzy_score,
    parse_action_doc,
    parse_list_commands,
    rank,
)
from tests.store._support import parse

RECORDED = Path(__file__).resolve().parent.parent / "transcripts" / "asterisk22-basics.bin"


def _recorded(action_id: str) -> Frame:
    parser = Parser()
    parser.feed(RECORDED.read_bytes())
    return next(f for f in parser.frames() if f.action_id == action_id)


@pytest.fixture(scope="module")
def originate() -> ActionDoc:
    output = _recorded("c1").output
    assert output is not None
    doc = parse_action_doc("Originate", output)
    assert doc is not None
    return doc


@pytest.fixture(scope="module")
def commands() -> list[CommandInfo]:
    return parse_list_commands(_recorded("lc"))


# --- ListCommands ---------------------------------------------------------------------------


def test_list_commands_from_real_asterisk(commands: list[CommandInfo]) -> None:
    assert len(commands) > 100
    names = [c.name for c in commands]
    assert names == sorted(names, key=str.lower)
    assert not {"Response", "ActionID"} & set(names)
    orig = next(c for c in commands if c.name == "Originate")
    assert orig == CommandInfo("Originate", "Originate a call.", ("originate", "all"))


def test_list_commands_no_privilege_and_odd_values() -> None:
    (frame,) = parse(
        "Response: Success\nActionID: 7\n"
        "Ping: Keepalive command.  (Priv: <none>)\n"
        "zeta: lower case name.  (Priv: system)\n"
        "Weird: no privilege part at all\n\n"
    )
    assert parse_list_commands(frame) == [
        CommandInfo("Ping", "Keepalive command.", ()),
        CommandInfo("Weird", "no privilege part at all", ()),
        CommandInfo("zeta", "lower case name.", ("system",)),
    ]


def test_list_commands_error_response_is_empty() -> None:
    (frame,) = parse("Response: Error\nActionID: 1\nMessage: Permission denied\n\n")
    assert parse_list_commands(frame) == []


# --- manager show command: Asterisk 22 --------------------------------------------------------


def test_originate_fields(originate: ActionDoc) -> None:
    assert originate.synopsis == "Originate a call."
    assert originate.description.startswith("Generates an outgoing call to a <Extension>")
    names = [f.name for f in originate.fields]
    assert names[:3] == ["Channel", "Exten", "Context"]
    assert "ActionID" not in names and "Action" not in names
    channel = originate.field("channel")
    assert channel is not None
    assert channel.required and not channel.repeatable
    assert channel.description == "Channel name to call."
    exten = originate.field("Exten")
    assert exten is not None and not exten.required
    variable = originate.field("Variable")
    assert variable is not None and variable.repeatable and not variable.required
    assert [f.name for f in originate.fields if f.required] == ["Channel"]
    assert originate.see_also == ("OriginateResponse",)
    assert originate.privileges == ("originate", "all")


def test_wrapped_description_is_rejoined(originate: ActionDoc) -> None:
    pre = originate.field("PreDialGoSub")
    assert pre is not None
    assert pre.description == (
        "PreDialGoSub Context,Extension,Priority to set options/headers needed "
        "before start the outgoing extension"
    )


def test_no_such_command_is_none() -> None:
    assert parse_action_doc("Nope", [""]) is None  # what Asterisk 22 prints
    output = _recorded("c3").output
    assert output is not None
    assert parse_action_doc("no such cli command", output) is None


def test_response_events_are_not_fields() -> None:
    # PJSIPShowEndpoint documents its list events after [List Responses], with their own
    # [Syntax] and [Arguments]; those must not become fields of the action.
    output = [
        "", "  -= Info about Manager Command 'PJSIPShowEndpoint' =- ", "",
        "[Synopsis]", "Detail listing of an endpoint and its objects. ", "",
        "[Syntax]", "Action: PJSIPShowEndpoint", "[ActionID:] <value>", "Endpoint: <value>", "",
        "[Arguments]", "", "Endpoint", "    The endpoint to list.", "",
        "[Privilege]", "system,all", "", "[See Also]", "Not available", "",
        "[List Responses]", "Event: EndpointDetail", "",
        "  -= Info about Manager Event 'EndpointDetail' =- ", "",
        "[Syntax]", "Event: EndpointDetail", "ObjectType: <value>", "",
        "[Arguments]", "", "ObjectType", "    The object's type. This will always be 'endpoint'.",
        "[End List Responses]",
    ]  # fmt: skip
    doc = parse_action_doc("PJSIPShowEndpoint", output)
    assert doc is not None
    assert [(f.name, f.required, f.description) for f in doc.fields] == [
        ("Endpoint", True, "The endpoint to list.")
    ]
    assert doc.see_also == ()


def test_value_lists_keep_their_lines() -> None:
    output = [
        "[Syntax]", "Action: X", "[Mode:] <value>", "", "[Arguments]", "",
        "Mode", "    One of:", "    on", "    off", "",
        "Missing", "    A documented argument the syntax does not list.",
    ]  # fmt: skip
    doc = parse_action_doc("X", output)
    assert doc is not None
    assert [(f.name, f.description) for f in doc.fields] == [("Mode", "One of:\non\noff")]


# --- Older formats (Asterisk 11-13) ----------------------------------------------------------

ASTERISK_11 = [
    "\x1b[1;35m[Syntax]\x1b[0m",
    "Action: Originate",
    "[ActionID:] <value>",
    "Channel: <value>",
    "[Exten:] <value>",
    "[Variable:] <value>",
    "",
    "\x1b[1;35m[Synopsis]\x1b[0m",
    "Originate a call.",
    "",
    "\x1b[1;35m[Description]\x1b[0m",
    "Generates an outgoing call to a <Extension>/<Context>/<Priority> or",
    "<Application>/<Data>",
    "",
    "\x1b[1;35m[Arguments]\x1b[0m",
    "ActionID",
    "    ActionID for this transaction. Will be returned.",
    "Channel",
    "    Channel name to call.",
    "Exten",
    "    Extension to use (requires 'Context' and 'Priority')",
    "",
    "\x1b[1;35m[See Also]\x1b[0m",
    "Not available",
    "",
]


def test_asterisk_11_coloured_titles_and_order() -> None:
    doc = parse_action_doc("Originate", ASTERISK_11)
    assert doc is not None
    assert doc.synopsis == "Originate a call."
    assert [(f.name, f.required) for f in doc.fields] == [
        ("Channel", True),
        ("Exten", False),
        ("Variable", False),
    ]
    channel = doc.field("Channel")
    assert channel is not None and channel.description == "Channel name to call."
    # No argument text for Variable here: taken as Originate's repeatable Variable.
    variable = doc.field("Variable")
    assert variable is not None and variable.repeatable
    assert doc.see_also == ()


def test_missing_sections_are_tolerated() -> None:
    doc = parse_action_doc("Ping", ["[Syntax]", "Action: Ping", "[ActionID:] <value>", ""])
    assert doc == ActionDoc("Ping", "", "", ())


def test_old_style_docs_without_syntax_are_none() -> None:
    # Modules without XML docs print a plain block that has no [Syntax].
    lines = ["Action: MyAction", "Synopsis: Does things", "Privilege: system,all", ""]
    assert parse_action_doc("MyAction", lines) is None


@pytest.mark.parametrize(
    ("name", "field_text", "action_text", "expected"),
    [
        ("Variable", "Channel variable to set, multiple Variable: headers are allowed.", "", True),
        ("Variable", "Variable name, function or expression.", "", False),  # Getvar
        ("Variable", "Appends variables.", "via multiple 'Variable: name=value' sequences.", True),
        ("ChargedItem", "It is possible to have multiple ChargedItem entries", "", True),
        ("Channel", "Channel name to call.", "", False),
    ],
)
def test_repeatable(name: str, field_text: str, action_text: str, expected: bool) -> None:
    output = [
        "[Description]", action_text, "", "[Syntax]", "Action: X", f"[{name}:] <value>", "",
        "[Arguments]", name, f"    {field_text}",
    ]  # fmt: skip
    doc = parse_action_doc("X", output)
    assert doc is not None
    assert doc.fields[0].repeatable is expected


# --- fuzzy ranking ---------------------------------------------------------------------------


def test_orig_ranks_originate_first(commands: list[CommandInfo]) -> None:
    assert rank("orig", commands)[0].name == "Originate"
    assert rank("ORIG", commands)[0].name == "Originate"


def test_exact_beats_prefix_beats_substring_beats_subsequence() -> None:
    infos = [
        CommandInfo("SetAutoUs", "Other.", ()),  # subsequence s-t-a-t-u-s
        CommandInfo("QueueStatus", "Show queue status.", ()),  # substring
        CommandInfo("Status", "List channel status.", ()),  # exact
        CommandInfo("StatusFoo", "Other.", ()),  # prefix
        CommandInfo("Ping", "Status of nothing.", ()),  # synopsis only
        CommandInfo("Hangup", "Hangup channel.", ()),  # no match
    ]
    assert [i.name for i in rank("status", infos)] == [
        "Status", "StatusFoo", "QueueStatus", "SetAutoUs", "Ping",
    ]  # fmt: skip


def test_word_starts_win_subsequences() -> None:
    infos = [
        CommandInfo("PJSIPShowEndpoint", "Detail listing of an endpoint.", ()),
        CommandInfo("PresenceStateList", "List the current known presence states.", ()),
    ]
    assert rank("pjse", infos)[0].name == "PJSIPShowEndpoint"


def test_synopsis_match_is_weaker_than_name() -> None:
    hangup = CommandInfo("Hangup", "Hangup channel.", ())
    status = CommandInfo("Status", "List channel status.", ())
    chan = CommandInfo("CoreShowChannels", "List currently active channels.", ())
    ranked = [i.name for i in rank("channel", [hangup, status, chan])]
    assert ranked[0] == "CoreShowChannels"
    assert set(ranked[1:]) == {"Hangup", "Status"}
    assert fuzzy_score("list status", status) is not None
    assert fuzzy_score("zzz", hangup) is None


def test_empty_query_keeps_everything_in_name_order(commands: list[CommandInfo]) -> None:
    assert rank("", commands) == commands
    assert rank("   ", commands) == commands
