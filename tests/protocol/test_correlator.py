"""Correlator: which action does each frame answer? One test per list family and rule."""

from __future__ import annotations

import pytest

from amitui.protocol import Action, Correlator, Exchange, Frame, Parser, Role, Routed


def frame(text: str) -> Frame:
    """One frame from AMI text written with \\n line ends (sent as CRLF)."""
    parser = Parser(expect_banner=False)
    parser.feed(text.strip("\n").replace("\n", "\r\n").encode() + b"\r\n\r\n")
    frames = list(parser.frames())
    assert len(frames) == 1 and parser.buffered == 0
    return frames[0]


def response(aid: str | None, status: str = "Success", *more: str) -> Frame:
    lines = [f"Response: {status}", *([f"ActionID: {aid}"] if aid else []), *more]
    return frame("\n".join(lines))


def event(name: str, aid: str | None = None, *more: str) -> Frame:
    lines = [f"Event: {name}", *more, *([f"ActionID: {aid}"] if aid else [])]
    return frame("\n".join(lines))


def expect(correlator: Correlator, aid: str, name: str = "Ping") -> Exchange:
    return correlator.expect(Action(name, action_id=aid))


def test_plain_response_by_actionid() -> None:
    c = Correlator()
    first, second = expect(c, "a1"), expect(c, "a2")
    r2 = response("a2", "Success", "Ping: Pong")
    routed = c.route(r2)
    assert routed.role is Role.RESPONSE and routed.exchange is second
    assert second.response is r2 and second.done and not second.is_list
    assert first.response is None and not first.done
    assert c.pending == [first]


@pytest.mark.parametrize(
    "start, complete", [("start", "Complete"), ("Start", "Complete"), ("start", "COMPLETE")]
)
def test_eventlist_start_items_complete(start: str, complete: str) -> None:
    c = Correlator()
    ex = expect(c, "f1", "FAXSessions")
    routed = c.route(
        response("f1", "Success", f"EventList: {start}", "Message: FAXSessions will follow")
    )
    assert routed.role is Role.RESPONSE and not routed.finished
    assert ex.is_list and not ex.done and c.pending == [ex]
    items = [event("FAXSessionsEntry", "f1", f"SessionNumber: {n}") for n in (1, 2)]
    for item in items:
        assert c.route(item) == Routed(Role.LIST_ITEM, ex)
    end = frame(f"Event: FAXSessionsComplete\nActionID: f1\nEventList: {complete}\nListItems: 2")
    routed = c.route(end)
    assert routed.role is Role.LIST_END and routed.finished
    assert ex.items == items and ex.list_end is end and ex.done
    assert c.pending == []


def test_routed_finished_only_when_the_frame_completes_its_exchange() -> None:
    c = Correlator()
    expect(c, "p1")
    expect(c, "l1", "BridgeList")
    expect(c, "o1", "Originate")
    assert c.route(response("p1")).finished
    assert not c.route(response("l1", "Success", "EventList: start")).finished
    assert not c.route(event("BridgeListItem", "l1")).finished
    assert c.route(event("BridgeListComplete", "l1", "EventList: Complete")).finished
    assert not c.route(response("p1", "Error")).finished  # late
    assert c.route(response("o1")).finished
    assert not c.route(event("OriginateResponse", "o1")).finished  # follow-up
    assert not c.route(event("Hangup")).finished
    assert not c.route(response("zz")).finished  # stray
    assert not Routed(Role.RESPONSE).finished


def test_list_without_eventlist_markers_ends_on_complete_event() -> None:
    c = Correlator()
    ex = expect(c, "s1", "Status")
    routed = c.route(response("s1", "Success", "Message: Channel status will follow"))
    assert routed.role is Role.RESPONSE and ex.is_list and not routed.finished
    item = event("Status", "s1", "Privilege: Call", "Channel: SIP/1001-1", "Variable: A=1")
    assert c.route(item).role is Role.LIST_ITEM
    routed = c.route(event("StatusComplete", "s1", "Items: 1"))
    assert routed.role is Role.LIST_END and routed.finished
    assert ex.items == [item] and ex.list_end is not None


def test_response_without_list_marker_is_not_a_list() -> None:
    c = Correlator()
    ex = expect(c, "c1", "Command")
    routed = c.route(
        response("c1", "Error", "Message: Command output follows", "Output: No such command")
    )
    assert routed.finished and not ex.is_list


def test_interleaved_lists_go_to_the_right_exchange() -> None:
    c = Correlator()
    a, b = expect(c, "A", "CoreShowChannels"), expect(c, "B", "Status")
    c.route(response("A", "Success", "EventList: start", "Message: Channels will follow"))
    c.route(response("B", "Success", "Message: Channel status will follow"))
    stream = [
        event("CoreShowChannel", "A", "Channel: one"),
        event("Status", "B", "Channel: two"),
        event("CoreShowChannel", "A", "Channel: three"),
        event("Newchannel", None, "Channel: unrelated"),
        event("Status", "B", "Channel: four"),
    ]
    roles = [c.route(f).role for f in stream]
    assert roles == [Role.LIST_ITEM] * 3 + [Role.EVENT, Role.LIST_ITEM]
    assert [f.get("Channel") for f in a.items] == ["one", "three"]
    assert [f.get("Channel") for f in b.items] == ["two", "four"]
    assert c.route(event("StatusComplete", "B", "Items: 2")).exchange is b
    assert c.route(event("CoreShowChannelsComplete", "A", "EventList: Complete")).exchange is a
    assert a.done and b.done


def test_response_without_actionid_goes_to_oldest_waiting_action() -> None:
    c = Correlator()
    first, second, third = expect(c, "p1"), expect(c, "p2"), expect(c, "p3")
    c.route(response("p2"))  # p2 answered by id: no longer waiting
    bare = response(None, "Success", "Ping: Pong")
    routed = c.route(bare)
    assert routed.role is Role.RESPONSE and routed.exchange is first
    assert first.response is bare
    assert c.route(response(None)).exchange is third
    assert c.route(response(None)).role is Role.STRAY  # nobody waiting any more
    assert second.late == []


def test_fifo_skips_an_open_list_waiting_for_items() -> None:
    c = Correlator()
    lst, ping = expect(c, "l1", "Status"), expect(c, "p1")
    c.route(response("l1", "Success", "EventList: start"))
    assert c.route(response(None)).exchange is ping
    assert lst.late == [] and not lst.done


def test_late_second_response_stays_on_its_own_action() -> None:
    c = Correlator()
    jabber, nxt = expect(c, "j1", "JabberSend"), expect(c, "n1")
    assert c.route(response("j1", "Success", "Message: Message sent")).finished
    late = response("j1", "Error", "Message: Failed to send")
    routed = c.route(late)
    assert routed.role is Role.LATE and routed.exchange is jabber and not routed.finished
    assert jabber.late == [late]
    assert nxt.response is None and c.pending == [nxt]
    own = response("n1")
    assert c.route(own).exchange is nxt and nxt.response is own
    assert jabber.response is not None and jabber.response.name == "Success"


def test_second_response_while_list_is_open_is_late() -> None:
    c = Correlator()
    ex = expect(c, "m1", "CoreShowChannelMap")
    c.route(response("m1", "Success", "EventList: start"))
    error = response("m1", "Error", "Message: CoreShowChannelMap requires a channel.")
    assert c.route(error).role is Role.LATE
    assert ex.late == [error] and ex.response is not None and ex.response.name == "Success"


def test_response_with_unknown_actionid_is_stray() -> None:
    c = Correlator()
    ex = expect(c, "p1")
    routed = c.route(response("nobody"))
    assert routed.role is Role.STRAY and routed.exchange is None
    assert ex.response is None and c.pending == [ex]


def test_originate_response_after_the_answer_is_a_follow_up() -> None:
    c = Correlator()
    ex = expect(c, "o1", "Originate")
    c.route(response("o1", "Success", "Message: Originate successfully queued"))
    late_event = frame(
        "Event: OriginateResponse\nPrivilege: call,all\nActionID: o1\n"
        "Response: Failure\nChannel: PJSIP/1001\nReason: 0"
    )
    routed = c.route(late_event)
    assert routed.role is Role.FOLLOW_UP and routed.exchange is ex
    assert ex.follow_ups == [late_event] and ex.late == []
    assert not routed.finished


def test_event_with_actionid_before_the_response_is_a_follow_up() -> None:
    c = Correlator()
    ex = expect(c, "u1", "UserEvent")
    user = event("UserEvent", "u1", "UserEvent: Probe")
    assert c.route(user).role is Role.FOLLOW_UP
    assert ex.follow_ups == [user] and ex.items == [] and not ex.done
    assert c.route(response("u1")).finished


def test_events_without_or_with_unknown_actionid_are_plain_events() -> None:
    c = Correlator()
    ex = expect(c, "p1")
    assert c.route(event("Hangup", None, "Cause: 16")) == Routed(Role.EVENT)
    assert c.route(event("UserEvent", "other")).role is Role.EVENT
    banner = Parser()
    banner.feed(b"Asterisk Call Manager/11.0.0\r\n")
    assert c.route(next(banner.frames())).role is Role.EVENT
    assert c.route(frame("Nodes: 2000")).role is Role.EVENT  # unknown kind
    assert ex.follow_ups == [] and ex.response is None


def test_abandon_removes_a_pending_action() -> None:
    c = Correlator()
    ex, other = expect(c, "t1"), expect(c, "t2")
    assert c.abandon("t1") is ex
    assert ex.done and c.pending == [other]
    assert c.abandon("t1") is None
    assert c.route(response(None)).exchange is other  # FIFO no longer sees t1
    assert c.route(response("t1")).role is Role.LATE  # its real answer, too late
    assert ex.late and ex.response is None
    expect(c, "t3")
    assert [e.action_id for e in c.abandon_all()] == ["t3"] and c.pending == []


def test_expect_refuses_duplicates_and_missing_actionids() -> None:
    c = Correlator()
    expect(c, "d1")
    with pytest.raises(ValueError, match="already pending"):
        expect(c, "d1")
    with pytest.raises(ValueError, match="ActionID"):
        c.expect(Action("Ping"))
    with pytest.raises(ValueError, match="ActionID"):
        c.expect(Action("Ping", action_id=""))
    c.route(response("d1"))
    expect(c, "d1")  # answered: the id may be used again


def test_finished_actions_are_remembered_up_to_a_bound() -> None:
    c = Correlator(remember=2)
    for aid in ("r1", "r2", "r3"):
        expect(c, aid)
        c.route(response(aid))
    assert c.route(event("OriginateResponse", "r3")).role is Role.FOLLOW_UP
    assert c.route(event("OriginateResponse", "r2")).role is Role.FOLLOW_UP
    assert c.route(event("OriginateResponse", "r1")).role is Role.EVENT
    assert c.route(response("r1")).role is Role.STRAY


def test_an_exchange_counts_the_frames_routed_to_it() -> None:
    """A view that drew an exchange compares `changes` to know a follow-up or a late response
    came; plain events never touch it."""
    c = Correlator()
    ex = c.expect(Action.of("Originate", Channel="Local/1@x", ActionID="o1"))
    assert ex.changes == 0
    c.route(frame("Response: Success\nActionID: o1\n"))
    assert ex.changes == 1
    c.route(frame("Event: Newchannel\nChannel: Local/1@x-1;1\n"))
    assert ex.changes == 1
    c.route(frame("Event: OriginateResponse\nActionID: o1\nResponse: Success\n"))
    c.route(frame("Response: Success\nActionID: o1\n"))  # a late second response
    assert ex.changes == 3 and len(ex.follow_ups) == 1 and len(ex.late) == 1
