"""Which frames of a read the session looks at one by one (amitui/client/batches.py): every
frame the correlator would route as more than a plain event, and every watched event."""

from __future__ import annotations

import random

from amitui.client.batches import notable
from amitui.protocol import PLAIN_EVENT, Action, Correlator, Frame, FrameKind, Parser

WATCHED = frozenset({"Shutdown", "FullyBooted"})


def frames_of(*packets: bytes) -> list[Frame]:
    parser = Parser(expect_banner=False)
    parser.feed(b"".join(packets))
    return parser.drain()


def event(name: str, *lines: bytes) -> bytes:
    return b"Event: " + name.encode() + b"\r\n" + b"".join(x + b"\r\n" for x in lines) + b"\r\n"


def test_plain_events_need_no_look() -> None:
    frames = frames_of(*(event("Newchannel", b"Uniqueid: 1.%d" % i) for i in range(50)))
    assert notable(frames, WATCHED) == []


def test_an_action_id_in_any_case_and_place_is_found() -> None:
    frames = frames_of(
        event("Newexten"),
        event("OriginateResponse", b"ActionID: o1"),  # as Asterisk writes it
        event("Newexten"),
        event("UserEvent", b"Privilege: user,all", b"actionid: o2"),  # names are case-blind
        event("Newexten"),
        event("DBGetResponse", b"ACTIONID:x"),
        b"Event: Cdr\r\nActionID: o3\r\n\r\n",
    )
    assert notable(frames, WATCHED) == [1, 3, 5, 6]


def test_an_action_id_header_first_is_found() -> None:
    # An event whose first header is its ActionID (kind comes from the Event header).
    frames = frames_of(event("Newexten"), b"ActionID: o1\r\nEvent: UserEvent\r\n\r\n")
    assert frames[1].kind is FrameKind.EVENT and frames[1].action_id == "o1"
    assert notable(frames, WATCHED) == [1]


def test_watched_events_and_other_kinds_are_looked_at() -> None:
    frames = frames_of(
        event("FullyBooted"),
        event("Newexten"),
        b"Response: Success\r\nPing: Pong\r\n\r\n",
        event("Shutdown"),
        event("Shutdown"),
        event("Newexten"),
    )
    hand_made = Frame(FrameKind.EVENT, (("Event", "Hangup"), ("ActionID", "x")), b"")
    assert notable([*frames, hand_made], WATCHED) == [0, 2, 3, 4, 6]


def test_every_frame_left_out_is_routed_as_a_plain_event() -> None:
    # The session appends the frames it does not look at without routing them: the
    # correlator must say PLAIN_EVENT for each, whatever actions it knows.
    rng = random.Random(13)
    correlator = Correlator()
    for aid in ("a1", "a2", "a3"):
        correlator.expect(Action("Status").with_id(aid))
    correlator.route(frames_of(b"Response: Success\r\nActionID: a3\r\n\r\n")[0])
    pieces = [
        *(b"Uniqueid: 1.1", b"ActionID: a1", b"actionId: a2", b"ActionID: a3"),
        *(b"Data: actionid", b"X-ActionID: a1", b" ActionID: a1", b"Action: Status"),
    ]
    packets = [
        event(rng.choice(["Newexten", "Status", "StatusComplete"]), *rng.sample(pieces, 2))
        for _ in range(300)
    ]
    frames = frames_of(*packets)
    picked = set(notable(frames, WATCHED))
    assert picked  # some carry ActionIDs
    for i, frame in enumerate(frames):
        if i not in picked:
            assert correlator.route(frame) is PLAIN_EVENT, packets[i]
