"""Copy formats: faithful to the wire, and never a secret in any of them."""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable

import pytest

from amitui.client.transcript import Outcome, Transcript
from amitui.protocol import Action, Correlator, Frame, FrameKind, Parser, parse_assignments
from amitui.store.formats import (
    action_as_command_line,
    describe_frame,
    exchange_frames,
    frame_as_ami,
    frame_as_json,
    mask_text,
    transcript_as_ami,
    transcript_as_json,
)

SECRET = "s3cr3t-do-not-leak"


def frames(text: str) -> list[Frame]:
    """Frames from AMI text written with \\n line ends and blank lines between packets."""
    parser = Parser(expect_banner=False)
    parser.feed(text.strip("\n").replace("\n", "\r\n").encode() + b"\r\n\r\n")
    out = list(parser.frames())
    assert parser.buffered == 0
    return out


def one(text: str) -> Frame:
    (frame,) = frames(text)
    return frame


def transcript(action: Action, text: str) -> Transcript:
    correlator = Correlator()
    ex = correlator.expect(action)
    for frame in frames(text):
        correlator.route(frame)
    return Transcript(
        action, ex, sent_wall=0.0, sent=1.0, answered=1.01, done=1.02, outcome=Outcome.ANSWERED
    )


LOGIN = Action.of("Login", Username="admin", Secret=SECRET, ActionID="l1")
ORIGINATE = Action.of(
    "Originate",
    [("Variable", "A=1"), ("Variable", "B=two words")],
    Channel="PJSIP/100",
    Exten="s",
    Context="from internal",
    Priority="1",
    CallerID='"Ann O\'Neil" <100>',
    ActionID="o1",
)


def test_frame_as_ami_is_the_wire_text_with_lf_and_secrets_masked() -> None:
    frame = one(f"Event: Weird\nSecret: {SECRET}\nkey:{SECRET}\nKeyword: visible\nFoo:  two")
    text = frame_as_ami(frame)
    assert text == "Event: Weird\nSecret: ********\nkey: ********\nKeyword: visible\nFoo:  two"
    assert SECRET not in text and "\r" not in text


def test_mask_text_tolerates_blanks_around_the_key() -> None:
    assert mask_text(f" Secret :{SECRET}\nKey: {SECRET}") == " Secret : ********\nKey: ********"


def test_frame_as_ami_of_a_frame_without_bytes_renders_its_headers() -> None:
    frame = Frame(FrameKind.EVENT, (("Event", "X"), ("Secret", SECRET)), b"")
    assert frame_as_ami(frame) == "Event: X\nSecret: ********"


def test_frame_as_ami_keeps_a_malformed_packets_bytes() -> None:
    parser = Parser(expect_banner=False)
    parser.feed(f"Event: Cut\r\nSecret: {SECRET}\r\nHalf".encode())
    parser.feed_eof()
    (frame,) = parser.frames()
    assert frame.kind is FrameKind.MALFORMED
    assert frame_as_ami(frame) == "Event: Cut\nSecret: ********\nHalf"


def test_frame_as_json_masks_and_keeps_repeats() -> None:
    frame = one(f"Event: VarSet\nSecret: {SECRET}\nVariable: a\nVariable: b")
    text = frame_as_json(frame)
    assert json.loads(text) == {"Event": "VarSet", "Secret": "********", "Variable": ["a", "b"]}
    assert SECRET not in text


def test_command_line_round_trips_through_shlex_without_actionid() -> None:
    line = action_as_command_line(ORIGINATE)
    words = shlex.split(line)
    assert words[:3] == ["amitui", "action", "Originate"]
    assert Action.of(words[2], parse_assignments(words[3:])) == Action.of(
        "Originate", ORIGINATE.headers
    )
    assert "o1" not in line and "ActionID" not in line


def test_command_line_masks_secrets() -> None:
    line = action_as_command_line(LOGIN)
    assert SECRET not in line
    assert shlex.split(line)[3:] == ["Username=admin", "Secret=********"]


def test_transcript_as_ami_is_action_response_items_and_complete() -> None:
    tr = transcript(
        Action.of("CoreShowChannels", ActionID="a1"),
        "Response: Success\nActionID: a1\nEventList: start\nMessage: Channels will follow\n\n"
        "Event: CoreShowChannel\nActionID: a1\nChannel: PJSIP/100-1\n\n"
        "Event: CoreShowChannelsComplete\nActionID: a1\nEventList: Complete\nListItems: 1",
    )
    blocks = transcript_as_ami(tr).split("\n\n")
    assert blocks[0] == "Action: CoreShowChannels\nActionID: a1"
    assert blocks[1].startswith("Response: Success")
    assert blocks[2].startswith("Event: CoreShowChannel\n")
    assert blocks[3].startswith("Event: CoreShowChannelsComplete")
    assert len(blocks) == 4
    lines = transcript_as_json(tr).split("\n")
    assert [json.loads(line).get("Event") for line in lines] == [
        None,
        "CoreShowChannel",
        "CoreShowChannelsComplete",
    ]


def test_exchange_frames_end_with_late_responses_and_follow_ups() -> None:
    correlator = Correlator()
    ex = correlator.expect(Action.of("Originate", Channel="Local/1@x", ActionID="o1"))
    correlator.route(one("Response: Success\nActionID: o1\nMessage: Originate queued"))
    correlator.route(one("Response: Error\nActionID: o1"))
    correlator.route(one("Event: OriginateResponse\nActionID: o1\nResponse: Success"))
    tr = Transcript(ex.action, ex, sent_wall=0.0, sent=0.0, outcome=Outcome.ANSWERED)
    names = [describe_frame(f) for f in exchange_frames(tr)]
    assert names == ["Response Success", "Response Error", "OriginateResponse"]


@pytest.mark.parametrize(
    "render",
    [
        lambda tr: transcript_as_ami(tr),
        lambda tr: transcript_as_json(tr),
        lambda tr: action_as_command_line(tr.action),
    ],
    ids=["ami", "json", "command-line"],
)
def test_no_export_of_a_login_contains_the_secret(render: Callable[[Transcript], str]) -> None:
    tr = transcript(
        LOGIN,
        f"Response: Success\nActionID: l1\nMessage: Authentication accepted\nKey: {SECRET}",
    )
    text = render(tr)
    assert SECRET not in text and "********" in text


def test_masking_keeps_the_lines_after_a_secret_whatever_the_line_ends() -> None:
    from amitui.store.recording import mask_secrets

    for end in ("\n", "\r\n"):
        text = end.join(["Action: Login", "Secret: s3", "Username: u", " key : k"])
        want = end.join(["Action: Login", "Secret: ********", "Username: u", " key : ********"])
        assert mask_text(text) == want
        assert mask_secrets(text) == want
