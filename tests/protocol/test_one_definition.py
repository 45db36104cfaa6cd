"""Each concept has one definition that every layer uses: how a frame becomes AMI text, what
a frame is called on screen, which roles reach the stream, how a MALFORMED frame is built."""

from __future__ import annotations

from amitui.capture import replay
from amitui.client import Outcome, Transcript, routing
from amitui.commands.scripting import ami_text, transcript_frames
from amitui.protocol import Action, Correlator, Frame, FrameKind, Parser
from amitui.protocol.correlator import STREAMED_ROLES, Role
from amitui.protocol.frames import ami_lines, render_headers
from amitui.store.formats import describe_frame, exchange_frames


def one(text: str) -> Frame:
    parser = Parser(expect_banner=False)
    parser.feed(text.replace("\n", "\r\n").encode() + b"\r\n\r\n")
    (frame,) = parser.frames()
    return frame


def test_the_live_session_and_replay_stream_the_same_roles() -> None:
    assert vars(routing)["STREAMED_ROLES"] is STREAMED_ROLES  # the live session routes there
    assert vars(replay)["STREAMED_ROLES"] is STREAMED_ROLES
    assert {Role.EVENT, Role.FOLLOW_UP, Role.STRAY, Role.LATE} == STREAMED_ROLES


def test_malformed_frames_are_built_by_one_constructor() -> None:
    frame = Frame.malformed(b"Secret: x\r\nHal", "cut short", loose=("Hal",), replaced=1)
    assert frame.kind is FrameKind.MALFORMED and frame.error == "cut short"
    assert frame.headers == () and frame.loose == ("Hal",) and frame.replaced == 1
    assert frame == Frame(FrameKind.MALFORMED, (), frame.raw, loose=("Hal",), replaced=1,
                          error="cut short")  # fmt: skip


def test_ami_lines_writes_command_output_as_it_came_or_as_output_headers() -> None:
    headers = (("Response", "Follows"), ("Privilege", "Command"))
    legacy = ami_lines(headers, (), ("line 1", "line 2"))
    assert legacy == ["Response: Follows", "Privilege: Command", "line 1", "line 2",
                      "--END COMMAND--"]  # fmt: skip
    assert render_headers(headers, (), ("line 1", "line 2")) == "\n".join(legacy)
    cli = ami_lines(headers, ("loose",), ("line 1",), output_as_headers=True)
    assert cli == ["Response: Follows", "Privilege: Command", "Output: line 1", "loose"]
    modern = (("Response", "Success"), ("Output", "a"), ("ActionID", "c1"))
    assert ami_lines(modern, (), ("a",)) == ["Response: Success", "Output: a", "ActionID: c1"]
    assert ami_lines(modern, (), ("a",), output_as_headers=True) == [
        "Response: Success", "ActionID: c1", "Output: a",
    ]  # fmt: skip


def test_the_cli_text_and_the_display_text_share_the_renderer() -> None:
    frame = one("Event: X\nSecret: s3cret\nNote: hi")
    assert frame.redacted_lines() == ["Event: X", "Secret: ********", "Note: hi"]
    assert ami_text(frame) == frame.redacted_text() == "Event: X\nSecret: ********\nNote: hi"


def test_the_cli_prints_the_inspectors_exchange_without_its_follow_ups() -> None:
    correlator = Correlator()
    ex = correlator.expect(Action.of("Originate", Channel="Local/1@x", ActionID="o1"))
    correlator.route(one("Response: Success\nActionID: o1\nMessage: Originate queued"))
    correlator.route(one("Response: Error\nActionID: o1"))
    correlator.route(one("Event: OriginateResponse\nActionID: o1\nResponse: Success"))
    tr = Transcript(ex.action, ex, sent_wall=0.0, sent=0.0, outcome=Outcome.ANSWERED)
    assert transcript_frames(tr) == ex.reply_frames() == [ex.response, *ex.late]
    assert exchange_frames(tr) == [*transcript_frames(tr), *ex.follow_ups]
    assert len(ex.follow_ups) == 1


def test_a_frame_is_shown_under_one_name() -> None:
    assert describe_frame(one("Event: Newchannel\nChannel: x")) == "Newchannel"
    assert describe_frame(one("Response: Success\nActionID: 1")) == "Response Success"
    assert describe_frame(one("ProxyMessage: Proxy Shutting Down")) == "ProxyMessage"
    assert describe_frame(one("Foo: bar")) == "<unknown>"
    assert describe_frame(Frame.malformed(b"x", "cut")) == "<malformed>"
    banner = Frame(FrameKind.BANNER, (), b"Asterisk Call Manager/11.0.0\r\n")
    assert describe_frame(banner) == "<banner>"
