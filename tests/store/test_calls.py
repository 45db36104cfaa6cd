"""Call tracing over recorded real calls and the joins Asterisk's headers imply."""

from __future__ import annotations

from amitui.protocol import Frame, FrameKind, Parser
from amitui.store.calls import CallTracker
from tests.ui.fakes import recorded


def events(text: str) -> list[Frame]:
    p = Parser(expect_banner=False)
    p.feed(text.strip("\n").replace("\n", "\r\n").encode() + b"\r\n\r\n")
    return list(p.frames())


def feed(tracker: CallTracker, frames: list[Frame]) -> None:
    for seq, frame in enumerate(frames, start=1):
        tracker.observe(seq, float(seq), frame)


def test_a_real_local_channel_call_is_one_call_with_both_halves() -> None:
    tracker = CallTracker()
    feed(tracker, [f for f in recorded("asterisk22-call.bin") if f.kind is FrameKind.EVENT])
    (call,) = tracker.calls()
    names = sorted(ch.name for ch in call.channels.values())
    assert names == ["Local/200@default-00000000;1", "Local/200@default-00000000;2"]
    assert not call.active  # both halves hung up
    assert call.linkedids == {"1795833957.0"}
    assert call.filter_text() == "Linkedid=1795833957.0"
    assert "UserEvent" in [f.name for f in recorded("asterisk22-call.bin")]
    assert len(call.seqs) >= 10


def test_dial_joins_caller_and_callee_with_different_linkedids() -> None:
    tracker = CallTracker()
    feed(
        tracker,
        events("""
Event: Newchannel
Channel: PJSIP/1001-00000001
Uniqueid: 10.1
Linkedid: 10.1

Event: Newchannel
Channel: PJSIP/1002-00000002
Uniqueid: 10.2
Linkedid: 10.2

Event: DialBegin
Channel: PJSIP/1001-00000001
Uniqueid: 10.1
Linkedid: 10.1
DestChannel: PJSIP/1002-00000002
DestUniqueid: 10.2
DestLinkedid: 10.2
"""),
    )
    (call,) = tracker.calls()
    assert call.linkedids == {"10.1", "10.2"}
    assert call.filter_text() == r"Linkedid~^(10\.1|10\.2)$"
    assert call.active


def test_local_halves_join_by_name_and_bridges_join_calls() -> None:
    tracker = CallTracker()
    feed(
        tracker,
        events("""
Event: Newchannel
Channel: Local/100@default-00000007;1
Uniqueid: 20.1
Linkedid: 20.1

Event: Newchannel
Channel: Local/100@default-00000007;2
Uniqueid: 20.2
Linkedid: 20.9

Event: Newchannel
Channel: PJSIP/1003-00000003
Uniqueid: 30.1
Linkedid: 30.1

Event: BridgeEnter
BridgeUniqueid: b-1
Channel: Local/100@default-00000007;2
Uniqueid: 20.2
Linkedid: 20.9

Event: BridgeEnter
BridgeUniqueid: b-1
Channel: PJSIP/1003-00000003
Uniqueid: 30.1
Linkedid: 30.1

Event: Hangup
Channel: PJSIP/1003-00000003
Uniqueid: 30.1
Linkedid: 30.1
Cause: 16
Cause-txt: Normal Clearing
"""),
    )
    (call,) = tracker.calls()
    assert call.linkedids == {"20.1", "20.9", "30.1"}
    assert len(call.channels) == 3
    assert call.seqs == [1, 2, 3, 4, 5, 6]
    assert call.active  # the Local halves are still up
    assert call.cause == "16 Normal Clearing"


def test_events_without_channels_start_no_call_and_calls_are_bounded() -> None:
    tracker = CallTracker(max_calls=3)
    assert tracker.observe(1, 1.0, events("Event: FullyBooted\nStatus: Fully Booted")[0]) is None
    for i in range(10):
        frames = events(f"Event: Hangup\nChannel: PJSIP/{i}-1\nUniqueid: {i}.0\nLinkedid: {i}.0\n"
                        "Cause: 16")  # fmt: skip
        tracker.observe(i + 2, float(i), frames[0])
    assert len(tracker.calls()) == 3
    assert tracker.evicted == 7
    assert len(tracker._parent) == 3  # evicted calls leave nothing behind
    assert [c.linkedids for c in tracker.calls()] == [{"9.0"}, {"8.0"}, {"7.0"}]
