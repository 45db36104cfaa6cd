"""The demo's voicemail answers as the sandbox Asterisk 22 did (amitui/demo/data/samples.json,
recorded by amitui/demo/record_voicemail.py), and its messages come and go."""

from __future__ import annotations

import pytest

from amitui.demo import DemoPbx, DemoServer, PbxEvent
from amitui.demo.data import Recorded, recorded
from amitui.demo.record_voicemail import QUERIES
from amitui.protocol import Action, Frame
from tests.conftest import Asterisk

from ._support import Connect, until

# The demo's boxes hold messages, the sandbox's were empty: counts differ, names must not.
_COUNTS = frozenset(
    {"UrgMessages", "NewMessages", "OldMessages", "Waiting", "NewMessageCount", "OldMessageCount"}
)


def names(headers: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> list[str]:
    return [k for k, _ in headers]


def values(headers: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    return [(k, v) for k, v in headers if k != "ActionID" and k not in _COUNTS]


@pytest.fixture(scope="module")
def rec() -> Recorded:
    return recorded()


def test_the_recorded_layouts_are_the_ones_spelled_out(rec: Recorded) -> None:
    """What the sandbox said, by name: `UrgMessages`, not the documented `UrgentMessages`."""
    count = rec.sample("response:MailboxCount")
    assert names(count) == [
        "Response", "ActionID", "Message", "Mailbox", "UrgMessages", "NewMessages", "OldMessages",
    ]  # fmt: skip
    assert names(rec.sample("response:MailboxStatus"))[2:] == ["Message", "Mailbox", "Waiting"]
    block = [
        "Channel", "ChannelState", "ChannelStateDesc", "CallerIDNum", "CallerIDName",
        "ConnectedLineNum", "ConnectedLineName", "Language", "AccountCode", "Context", "Exten",
        "Priority", "Uniqueid", "Linkedid",
    ]  # fmt: skip
    tail = ["Mailbox", "Waiting", "New", "Old"]
    assert sorted(rec.event_layouts("MessageWaiting"), key=len) == [
        ["Event", "Privilege", *tail],
        ["Event", "Privilege", *block, *tail],
    ]


async def test_queries_answer_as_recorded(
    quiet: DemoServer, connect: Connect, rec: Recorded
) -> None:
    session, _ = await connect(quiet)
    for label, name, pairs in QUERIES:
        tr = await session.send(Action.of(name, pairs))
        assert tr.response is not None, label
        real = rec.sample(f"response:{label}")
        assert names(tr.response.headers) == names(real), label
        assert values(tr.response.headers) == values(real), label


async def test_users_list_is_framed_as_recorded(
    quiet: DemoServer, connect: Connect, rec: Recorded
) -> None:
    session, _ = await connect(quiet)
    tr = await session.send(Action.of("VoicemailUsersList"))
    end = tr.exchange.list_end
    assert tr.response is not None and end is not None
    (entry,) = rec.event_layouts("VoicemailUserEntry")
    (complete,) = rec.event_layouts("VoicemailUserEntryComplete")
    assert all(names(item.headers) == entry for item in tr.items)
    assert names(end.headers) == complete
    assert end.get("ListItems") == str(len(tr.items)) == str(len(quiet.pbx.mailboxes))
    # The box both servers have: every value but its counts as the sandbox sent it.
    example = next(i for i in tr.items if i.get("VoiceMailbox") == "1234")
    assert values(example.headers) == values(rec.sample("item:VoicemailUsersList:1"))
    assert (example.get("NewMessageCount"), example.get("OldMessageCount")) == ("2", "1")


def _mine(frames: list[Frame], name: str) -> list[Frame]:
    return [f for f in frames if f.name == name]


async def test_a_call_to_300_leaves_a_message(
    quiet: DemoServer, connect: Connect, rec: Recorded
) -> None:
    """As record_voicemail.py did on the sandbox: the caller talks, hangs up, the box counts."""
    session, seen = await connect(quiet)
    await session.send(Action.of("Originate", Channel="Local/300@default", Application="Milliwatt"))
    await until(lambda: any(f.get("Application") == "VoiceMail" for f in seen))
    quiet.pbx.advance(6.0)  # past the greeting and the beep
    hung = await session.send(Action.of("Hangup", Channel="/^Local/300@default-.*;1$/"))
    assert hung.ok
    await until(lambda: bool(_mine(seen, "MessageWaiting")))
    await until(lambda: any(f.name == "Hangup" and f.get("Exten") == "300" for f in seen))
    (waiting,) = _mine(seen, "MessageWaiting")
    assert names(waiting.headers) in rec.event_layouts("MessageWaiting")
    assert (waiting.get("Mailbox"), waiting.get("Waiting"), waiting.get("New")) == (
        "1234@default", "1", "3",
    )  # fmt: skip
    recorder = waiting.get("Channel")
    assert recorder is not None and recorder.endswith(";2")
    start = next(i for i, f in enumerate(seen) if f.get("Application") == "VoiceMail")
    got = [
        (f.name, f.get("Variable") or "")
        for f in seen[start:]
        if f.get("Channel") == recorder and f.name != "TestEvent"
    ]
    real = [pair for pair in rec.sample("meta:VoiceMail-events") if pair[0] != "TestEvent"]
    assert got == real
    count = await session.send(Action.of("MailboxCount", Mailbox="1234@default"))
    assert count.response is not None and count.response.get("NewMessages") == "3"


def test_messages_come_and_go_in_the_background(rec: Recorded) -> None:
    pbx = DemoPbx(seed=11, epoch=1795833957.0)
    events: list[PbxEvent] = []
    pbx.subscribe(events.append)
    pbx.advance(900)
    waiting = [e for e in events if e.name == "MessageWaiting"]
    layouts = rec.event_layouts("MessageWaiting")
    assert all(names(e.packet()) in layouts for e in waiting)
    left = [e for e in waiting if e.get("Channel")]
    read = [e for e in waiting if not e.get("Channel")]
    assert len(left) >= 5 and len(read) >= 5
    assert all((e.get("Channel") or "").startswith("PJSIP/") for e in left)
    # The box's lamp follows its new messages: INUSE when one arrives, NOT_INUSE when read.
    lamps = [
        e for e in events if e.name == "DeviceStateChange" and "MWI:" in (e.get("Device") or "")
    ]
    assert {e.get("State") for e in lamps} == {"INUSE", "NOT_INUSE"}
    mwi = rec.event_layouts("DeviceStateChange")
    assert all(names(e.packet()) in mwi for e in lamps)
    assert pbx.sched.errors == []


async def test_a_reader_may_not_ask(quiet: DemoServer, connect: Connect) -> None:
    """MailboxCount needs write class call or reporting, as the recorded Priv says."""
    reader, _ = await connect(quiet, user="readonly", secret="readonly")
    tr = await reader.send(Action.of("MailboxCount", Mailbox="1234@default"))
    assert tr.response is not None and tr.response.get("Message") == "Permission denied"


@pytest.mark.asterisk
async def test_the_live_sandbox_still_answers_with_these_names(
    asterisk: Asterisk, quiet: DemoServer, connect: Connect
) -> None:
    """The recording against today's sandbox: if Asterisk or tests/asterisk/voicemail.conf
    change the answers, this says so before the demo drifts from them."""
    real, _ = await connect(asterisk.port, *asterisk.admin, events="off")
    demo, _ = await connect(quiet, events="off")
    for label, name, pairs in QUERIES:
        answers = [await s.send(Action.of(name, pairs)) for s in (real, demo)]
        first = [tr.response for tr in answers]
        assert first[0] is not None and first[1] is not None, label
        assert names(first[0].headers) == names(first[1].headers), label
        items = [[names(i.headers) for i in tr.items] for tr in answers]
        assert {tuple(i) for i in items[0]} == {tuple(i) for i in items[1]}, label
