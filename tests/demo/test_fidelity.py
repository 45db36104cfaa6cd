"""The demo speaks Asterisk 22's wire format: compared with what the real server sent.

The reference is amitui/demo/data/ (written by `python -m amitui.demo.record_data` against the
sandbox Asterisk); nothing here connects to a real Asterisk.
"""

from __future__ import annotations

import asyncio
import re

import pytest

from amitui.demo import DemoPbx, DemoServer, PbxEvent
from amitui.demo.asterisk_cli import _entries, _find_best
from amitui.demo.data import Recorded, recorded
from amitui.demo.dialplan import callid_test_event, contact_status
from amitui.demo.record_data import ERRORS
from amitui.protocol import Action, Frame

from ._support import Connect, until

# Values that differ on every run; their header names and places must still match.
_VOLATILE = frozenset({"ActionID", "Challenge", "Timestamp"})
_COUNT = re.compile(r"(\d+) (active channel|active call|call)(s?)( processed)?")


def plural_ok(line: str) -> bool:
    """ESS(): `1 active channel`, `2 active channels`, `1 call processed`."""
    m = _COUNT.fullmatch(line)
    return m is not None and (m[1] == "1") == (m[3] == "")


def layout(frame: Frame) -> list[str]:
    return [k for k, _ in frame.headers]


def stable(headers: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    return [(k, "*" if k in _VOLATILE else v) for k, v in headers]


@pytest.fixture(scope="module")
def rec() -> Recorded:
    return recorded()


async def scenario(server: DemoServer, connect: Connect) -> list[Frame]:
    """Roughly what record_data.py did to the real server, done to the demo."""
    session, seen = await connect(server)
    await session.send(
        Action.of(
            "Originate",
            Channel="Local/100@default",
            Application="Dial",
            Data="Local/100@default",
            CallerID="Alice <1001>",
            Async="true",
        )
    )
    await session.send(
        Action.of(
            "Originate",
            Channel="Local/100@default",
            Context="default",
            Exten="100",
            Priority="1",
            Async="true",
        )
    )
    await until(lambda: sum(f.name == "OriginateResponse" for f in seen) == 2)
    await until(lambda: any(f.name == "BridgeEnter" for f in seen))
    callid_test_event(server.pbx, next(iter(server.pbx.channels.values())))
    replies: list[Frame] = []
    for action in (
        Action.of("CoreShowChannels"),
        Action.of("Status"),
        Action.of("UserEvent", UserEvent="DemoProbe", Note="a: colon"),
        Action.of("NoSuchAction"),
        Action.of("Hangup", Channel="/^Local/"),
    ):
        tr = await session.send(action)
        replies += [*tr.items, *([tr.exchange.list_end] if tr.exchange.list_end else [])]
    reader, _ = await connect(server, user="readonly", secret="readonly")
    await reader.send(Action.of("Originate", Channel="Local/100@default", Application="Echo"))
    with pytest.raises(Exception, match="Authentication failed"):
        await connect(server, secret="wrong")
    await until(lambda: any(f.name == "TestEvent" for f in seen))
    await until(lambda: sum(f.name == "Hangup" for f in seen) >= 6)
    return [*seen, *replies]


async def test_event_layouts_match_the_recorded_ones(
    quiet: DemoServer, connect: Connect, rec: Recorded
) -> None:
    frames = await scenario(quiet, connect)
    checked = set()
    for frame in frames:
        recorded_layouts = rec.event_layouts(frame.name)
        if recorded_layouts:
            assert layout(frame) in recorded_layouts, frame.redacted_text()
            checked.add(frame.name)
    must = {
        "CoreShowChannel",
        "CoreShowChannelsComplete",
        "Newchannel",
        "Hangup",
        "Newstate",
        "Newexten",
        "VarSet",
        "DialBegin",
        "DialEnd",
        "BridgeCreate",
        "BridgeEnter",
        "BridgeLeave",
        "BridgeDestroy",
        "HangupRequest",
        "SoftHangupRequest",
        "NewCallerid",
        "NewConnectedLine",
        "LocalBridge",
        "OriginateResponse",
        "DeviceStateChange",
        "UserEvent",
        "Status",
        "StatusComplete",
        "ChannelHungup",
        "ChannelsHungupListComplete",
        "FullyBooted",
        "SuccessfulAuth",
        "InvalidPassword",
        "RequestBadFormat",
        "RequestNotAllowed",
        "TestEvent",
    }
    assert must <= checked, sorted(must - checked)


def test_the_three_required_layouts_by_name(rec: Recorded) -> None:
    """CoreShowChannel, Newchannel and Hangup header names, in order, spelled out."""
    block = [
        "Channel",
        "ChannelState",
        "ChannelStateDesc",
        "CallerIDNum",
        "CallerIDName",
        "ConnectedLineNum",
        "ConnectedLineName",
        "Language",
        "AccountCode",
        "Context",
        "Exten",
        "Priority",
        "Uniqueid",
        "Linkedid",
    ]
    assert rec.event_layouts("Newchannel") == [["Event", "Privilege", *block]]
    assert rec.event_layouts("Hangup") == [["Event", "Privilege", *block, "Cause", "Cause-txt"]]
    assert rec.event_layouts("CoreShowChannel") == [
        ["Event", "ActionID", *block, "Application", "ApplicationData", "Duration", "BridgeId"]
    ]


def test_undocumented_pjsip_events_follow_the_documented_syntax(rec: Recorded) -> None:
    """No phones on the sandbox, so PeerStatus/ContactStatus come from the event docs."""
    pbx = DemoPbx(seed=1, rate=0.0)
    events: list[PbxEvent] = []
    pbx.subscribe(events.append)
    contact_status(pbx, pbx.phones["1001"], "Reachable")
    for event in events[:2]:
        doc = rec.event_docs[event.name.lower()]
        syntax = doc[doc.index("[Syntax]") + 2 : doc.index("[Arguments]") - 1]
        documented = [line.partition(":")[0] for line in syntax]
        names = [k for k, _ in event.headers]
        assert names == [n for n in documented if n in names]  # same order, PJSIP's subset
        assert len(names) >= 3


async def test_responses_match_the_recorded_ones(
    quiet: DemoServer, connect: Connect, rec: Recorded
) -> None:
    session, _ = await connect(quiet)
    for label, name, pairs in ERRORS:
        if label == "Login-again":
            pairs = [("Username", "demo"), ("Secret", "demo")]
        tr = await session.send(Action.of(name, pairs))
        assert tr.response is not None, label
        assert stable(tr.response.headers) == stable(rec.sample(f"response:{label}")), label


async def test_session_responses_match(quiet: DemoServer, connect: Connect, rec: Recorded) -> None:
    reader, _ = await connect(quiet, user="readonly", secret="readonly")
    listing = await reader.send(Action.of("ListCommands"))
    assert listing.response is not None
    assert stable(listing.response.headers) == stable(rec.sample("response:ListCommands-reader"))
    denied = await reader.send(Action.of("Originate", Channel="Local/100@default"))
    assert denied.response is not None
    assert stable(denied.response.headers) == stable(rec.sample("response:Originate-denied"))
    bye = await reader.send(Action.of("Logoff"))
    assert bye.response is not None
    assert stable(bye.response.headers) == stable(rec.sample("response:Logoff"))


async def test_list_and_call_responses_match(
    quiet: DemoServer, connect: Connect, rec: Recorded
) -> None:
    session, seen = await connect(quiet)
    pairs = {
        "Originate-async": Action.of(
            "Originate", Channel="Local/100@default", Application="Echo", Async="true"
        ),
        "CoreShowChannels": Action.of("CoreShowChannels"),
        "Status": Action.of("Status"),
        "UserEvent": Action.of("UserEvent", UserEvent="X"),
        "Getvar-global": Action.of("Getvar", Variable="AMITUI_UNSET"),
        "Setvar-channel": Action.of(
            "Setvar", Channel="Local/100@default-00000000;1", Variable="DEMO", Value="1"
        ),
        "Redirect": Action.of(
            "Redirect",
            Channel="Local/100@default-00000000;2",
            Context="default",
            Exten="101",
            Priority="1",
        ),
        "Hangup": Action.of("Hangup", Channel="Local/100@default-00000000;1"),
        "Hangup-regex": Action.of("Hangup", Channel="/^nothing$/"),
        "Originate-fail-sync": Action.of(
            "Originate", Channel="Local/999@nowhere", Application="Wait", Data="1"
        ),
    }
    for label, action in pairs.items():
        tr = await session.send(action)
        assert tr.response is not None
        assert stable(tr.response.headers) == stable(rec.sample(f"response:{label}")), label
        if label == "Originate-async":
            await until(lambda: any(f.name == "OriginateResponse" for f in seen))


async def test_core_show_channels_columns(
    quiet: DemoServer, connect: Connect, rec: Recorded
) -> None:
    session, _ = await connect(quiet)
    await session.send(Action.of("Originate", Channel="Local/100@default", Application="Echo"))
    await asyncio.sleep(0.05)
    for variant in ("", " verbose", " count"):
        tr = await session.send(Action.of("Command", Command=f"core show channels{variant}"))
        real = [
            v
            for k, v in rec.sample(f"response:Command-core show channels{variant}")
            if k == "Output"
        ]
        assert tr.response is not None and tr.response.output is not None
        demo = list(tr.response.output)
        assert len(demo[-3:]) == 3
        if variant != " count":
            assert demo[0] == real[0]  # the header row, column widths included
        for line, model in zip(demo[-3:], real[-3:], strict=True):
            assert plural_ok(line) and plural_ok(model), (line, model)
            assert line.split(" ")[1].rstrip("s") == model.split(" ")[1].rstrip("s")


def test_unknown_cli_commands_get_asterisks_hint(rec: Recorded) -> None:
    """The `core show help ...` hint as Asterisk 22.10 printed it for these inputs."""
    entries = _entries(rec)
    seen_on_the_real_server = {
        "no such cli command": "no such",
        "foo bar baz": "foo bar",
        "sip show peers": "sip show",
        "pjsip show foo bar": "pjsip show foo bar",
        "core show foo": "core show foo",
        "xyz": "xyz",
        "core show": "core show",
    }
    for command, hint in seen_on_the_real_server.items():
        assert _find_best(entries, command.split()) == hint, command


def test_recorded_data_is_small_and_complete(rec: Recorded) -> None:
    from amitui.demo.data import DATA

    assert sum(p.stat().st_size for p in DATA.iterdir()) < 300_000
    assert len(rec.actions) > 100 and len(rec.command_docs) == len(rec.actions)
    assert "newchannel" in rec.event_docs and not rec.documented("TestEvent")
    assert rec.sample("meta:banner") == [("Banner", "Asterisk Call Manager/11.0.0")]
