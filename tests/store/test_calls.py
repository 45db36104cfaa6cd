"""Call tracing over recorded real calls and the joins Asterisk's headers imply."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amitui.protocol import Frame, FrameKind, Parser
from amitui.store.calls import RESTARTED, SHUTDOWN, CallTracker
from amitui.store.filter import parse_filter
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
    assert call.filter_text() == (
        "*Linkedid*=1795833957.0 | *Uniqueid*~^(1795833957[.]0|1795833957[.]1)$"
    )
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
    assert call.filter_text() == "*Linkedid*~^(10[.]1|10[.]2)$ | *Uniqueid*~^(10[.]1|10[.]2)$"
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


def test_a_global_variables_varset_names_no_channel_and_starts_no_call() -> None:
    """Asterisk writes `Channel: none` and `Uniqueid: none` in the VarSet of a global variable
    (main/manager_channels.c); after a restart it made a call of one channel named `none`."""
    tracker = CallTracker()
    varset = events("Event: VarSet\nPrivilege: dialplan,all\nChannel: none\nUniqueid: none\n"
                    "Variable: TRUNK\nValue: PJSIP/provider")[0]  # fmt: skip
    assert tracker.observe(1, 1.0, varset) is None
    assert tracker.calls() == [] and tracker.call_of(varset) is None
    assert tracker.channel("none", None) is None


def _channel_event(name: str, uid: str, when: float, tracker: CallTracker, seq: int) -> None:
    text = f"Event: {name}\nChannel: PJSIP/{uid}-1\nUniqueid: {uid}\nLinkedid: {uid}\nCause: 16"
    tracker.observe(seq, when, events(text)[0])


def test_the_oldest_ended_call_goes_first_past_any_number_of_calls_still_up() -> None:
    tracker = CallTracker(max_calls=4)
    _channel_event("Newchannel", "1.1", 1.0, tracker, 1)  # up, the oldest
    _channel_event("Newchannel", "2.1", 2.0, tracker, 2)  # ends at 4.0
    _channel_event("Newchannel", "3.1", 3.0, tracker, 3)  # ends at 5.0
    _channel_event("Hangup", "2.1", 4.0, tracker, 4)
    _channel_event("Hangup", "3.1", 5.0, tracker, 5)
    _channel_event("Newchannel", "4.1", 6.0, tracker, 6)  # up
    _channel_event("Newchannel", "5.1", 7.0, tracker, 7)  # a fifth: one must go
    assert sorted(min(c.uniqueids) for c in tracker.calls()) == ["1.1", "3.1", "4.1", "5.1"]
    # A new channel joins call 3.1 (its Linkedid): the call is up again.
    joined = "Event: Newchannel\nChannel: PJSIP/x-2\nUniqueid: 3.2\nLinkedid: 3.1"
    tracker.observe(8, 8.0, events(joined)[0])
    _channel_event("Newchannel", "6.1", 9.0, tracker, 9)  # nothing ended left: the oldest
    assert sorted(min(c.uniqueids) for c in tracker.calls()) == ["3.1", "4.1", "5.1", "6.1"]
    assert tracker.evicted == 2


def test_calls_ended_by_a_restart_are_evicted_before_calls_still_up() -> None:
    tracker = CallTracker(max_calls=3)
    _channel_event("Newchannel", "1.1", 1.0, tracker, 1)
    _channel_event("Newchannel", "2.1", 2.0, tracker, 2)
    # Asterisk restarted 5 s ago: calls silent since before then died with it.
    tracker.observe(3, 10.0, events("Event: FullyBooted\nUptime: 5")[0])
    _channel_event("Newchannel", "3.1", 11.0, tracker, 4)
    _channel_event("Newchannel", "4.1", 12.0, tracker, 5)
    assert sorted(min(c.uniqueids) for c in tracker.calls()) == ["2.1", "3.1", "4.1"]


# -- Asterisk restarts: channel numbers start again at -00000000 -------------------------------

FIRST_RUN = b"1795833957."


def real_call(epoch: str = "1795833957", *, hangups: bool = True) -> list[Frame]:
    """The recorded real call; with another epoch, the same call as the next run of Asterisk
    makes it: the same channel names, Uniqueids `<epoch>.0` and `<epoch>.1` again."""
    frames = [f for f in recorded("asterisk22-call.bin") if f.kind is FrameKind.EVENT]
    frames = [f for f in frames if f.name not in ("FullyBooted", "SuccessfulAuth")]
    if not hangups:
        frames = frames[: next(i for i, f in enumerate(frames) if f.name == "HangupRequest")]
    p = Parser(expect_banner=False)
    p.feed(b"".join(f.raw.replace(FIRST_RUN, f"{epoch}.".encode()) + b"\r\n" for f in frames))
    return list(p.frames())


SHUTDOWN_EVENT = "Event: Shutdown\nPrivilege: system,all\nShutdown: Cleanly\nRestart: True"


def fully_booted(uptime: int) -> Frame:
    return events(f"Event: FullyBooted\nPrivilege: system,all\nUptime: {uptime}\n"
                  f"LastReload: {uptime}\nStatus: Fully Booted")[0]  # fmt: skip


def play(tracker: CallTracker, items: Sequence[Frame | str], start: int = 1) -> list[int]:
    """Feed frames (and "gap" for a gap in the stream); seq and time advance by 1 each.
    Returns the seqs fed, gaps included, as the ring would number them."""
    seqs = []
    for seq, item in enumerate(items, start=start):
        if item == "gap":
            tracker.mark_gap()
        else:
            assert isinstance(item, Frame)
            tracker.observe(seq, float(seq), item)
        seqs.append(seq)
    return seqs


RESTARTS: dict[str, list[Frame | str]] = {
    # What a console sees across `core restart`: Shutdown, the connection lost and back,
    # FullyBooted after the new login.
    "shutdown, gap, FullyBooted": [events(SHUTDOWN_EVENT)[0], "gap", "gap", fully_booted(3)],
    "FullyBooted only": [fully_booted(3)],
    "a gap only": ["gap"],
    "no marker at all": [],  # names reused after their hangup, the Uniqueid counter at 0
}


@pytest.mark.parametrize("between", list(RESTARTS), ids=list(RESTARTS))
def test_a_call_after_a_restart_is_not_joined_to_the_call_before(between: str) -> None:
    tracker = CallTracker()
    before, after = real_call(), real_call("1795834100")
    old = play(tracker, [*before, *RESTARTS[between]])
    new = play(tracker, list(after), start=len(old) + 1)
    first, second = sorted(tracker.calls(), key=lambda c: c.start)
    assert first.uniqueids == {"1795833957.0", "1795833957.1"}
    assert second.uniqueids == {"1795834100.0", "1795834100.1"}
    assert set(second.seqs) <= set(new) and set(first.seqs) <= set(old)
    assert len(first.channels) == len(second.channels) == 2
    assert not first.active and not second.active
    assert second.duration == first.duration  # the same call, not both runs together
    # `f` on the new call follows it alone.
    flt = parse_filter(second.filter_text())
    assert not [f for f in before if flt.matches(f)]


def test_a_call_up_when_asterisk_restarts_ends_there_and_stays_apart() -> None:
    tracker = CallTracker()
    # One second per event here: the server started 1 s before its FullyBooted, after the
    # call's last event.
    old = play(tracker, [*real_call(hangups=False), "gap", "gap", fully_booted(1)])
    play(tracker, real_call("1795834100"), start=len(old) + 1)
    first, second = sorted(tracker.calls(), key=lambda c: c.start)
    assert not first.active and first.cause == RESTARTED  # no Hangup will ever come
    assert "1795834100.0" not in first.uniqueids and len(second.channels) == 2


def test_a_shutdown_ends_the_calls_that_were_up() -> None:
    tracker = CallTracker()
    play(tracker, [*real_call(hangups=False), events(SHUTDOWN_EVENT)[0]])
    (call,) = tracker.calls()
    assert not call.active and call.cause == SHUTDOWN


def test_a_counter_back_at_zero_ends_the_calls_of_the_run_before() -> None:
    tracker = CallTracker()
    old = play(tracker, real_call(hangups=False))
    play(tracker, real_call("1795834100"), start=len(old) + 1)
    first, second = sorted(tracker.calls(), key=lambda c: c.start)
    assert first.cause == RESTARTED and second.uniqueids == {"1795834100.0", "1795834100.1"}


def test_a_reconnect_without_restart_keeps_a_live_call_whole() -> None:
    """FullyBooted comes with every login; with a long Uptime the server did not restart,
    and a call's events after the gap still join it through their ids."""
    tracker = CallTracker()
    frames = real_call()
    cut = next(i for i, f in enumerate(frames) if f.name == "HangupRequest")
    play(tracker, [*frames[:cut], "gap", "gap", fully_booted(86_400), *frames[cut:]])
    (call,) = tracker.calls()
    assert len(call.channels) == 2 and not call.active
    assert call.cause == "0 Unknown"  # its own Hangup, not a restart


def test_follow_filter_matches_exactly_the_events_of_the_call() -> None:
    tracker = CallTracker()
    frames = [f for f in recorded("asterisk22-call.bin") if f.kind is FrameKind.EVENT]
    feed(tracker, frames)
    (call,) = tracker.calls()
    flt = parse_filter(call.filter_text())
    followed = [seq for seq, f in enumerate(frames, start=1) if flt.matches(f)]
    assert followed == call.seqs
    names = {frames[seq - 1].name for seq in call.seqs}
    # Joined by DestUniqueid, LocalOne/LocalTwo, and OriginateResponse by its Uniqueid:
    assert {"DialBegin", "DialEnd", "LocalBridge", "OriginateResponse"} <= names
    # A name with no id cannot say which run of Asterisk it belongs to: not traced.
    assert "TestEvent" not in names


def test_channel_lookup_by_uniqueid_or_name() -> None:
    tracker = CallTracker()
    feed(tracker, real_call(hangups=False))
    ch = tracker.channel("1795833957.1", None)
    assert ch is not None and ch.name.endswith(";2") and ch.cause is None
    feed(tracker, real_call())
    ch = tracker.channel(None, "Local/200@default-00000000;1")
    assert ch is not None and ch.cause == "0"
    assert tracker.channel("1.99", None) is None and tracker.channel(None, "PJSIP/x") is None


_IDS = [f"1795833957.{n}" for n in range(6)]
_EVENT = st.builds(
    lambda event, uid, linked, local, bridge: (event, uid, linked, local, bridge),
    st.sampled_from(["Newchannel", "Newstate", "Hangup", "BridgeEnter", "VarSet"]),
    st.sampled_from([*_IDS, ""]),  # "": an event that names only its call (Linkedid)
    st.sampled_from(_IDS),
    st.sampled_from(["", "Local/1@x-00000001;1", "Local/1@x-00000001;2", "PJSIP/9-1"]),
    st.sampled_from(["", "b1", "b2"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_EVENT | st.just(("FullyBooted", "", "", "", "")), max_size=40))
def test_the_ended_calls_are_exactly_those_with_no_channel_up(
    script: list[tuple[str, str, str, str, str]],
) -> None:
    """`observe` asks a call whether it is up only when that can have changed (a Hangup, a
    call with no channel yet, a call known to have ended); every other path keeps the list of
    ended calls (eviction's first victims) true by itself: merges, restarts, evictions."""
    tracker = CallTracker(max_calls=3)
    for seq, (event, uid, linked, local, bridge) in enumerate(script, start=1):
        lines = [f"Event: {event}"]
        if event == "FullyBooted":
            lines.append("Uptime: 0")
        else:
            lines += [f"Channel: {local or 'PJSIP/1-0000001'}", f"Linkedid: {linked}"]
            if uid:
                lines.append(f"Uniqueid: {uid}")
            if bridge and event == "BridgeEnter":
                lines.append(f"BridgeUniqueid: {bridge}")
        (frame,) = events("\n".join(lines))
        tracker.observe(seq, float(seq), frame)
        ended = {key for key, call in tracker._calls.items() if not call.active}
        assert set(tracker._ended) == ended, seq


def test_an_ended_call_joined_under_a_new_key_stays_ended() -> None:
    """A bridge of an ended call named by an event of a call not seen before (no Uniqueid,
    a new Linkedid): the two are one call now, known by the new key, and still ended."""
    tracker = CallTracker()
    feed(tracker, events("""
Event: Newchannel
Channel: PJSIP/1-00000001
Uniqueid: 1795833957.1
Linkedid: 1795833957.1

Event: BridgeEnter
Channel: PJSIP/1-00000001
Uniqueid: 1795833957.1
Linkedid: 1795833957.1
BridgeUniqueid: b1

Event: Hangup
Channel: PJSIP/1-00000001
Uniqueid: 1795833957.1
Linkedid: 1795833957.1

Event: BridgeLeave
Linkedid: 1795833957.9
BridgeUniqueid: b1
"""))
    (call,) = tracker.calls()
    assert not call.active and call.linkedids == {"1795833957.1", "1795833957.9"}
    assert list(tracker._ended) == [call.key]
