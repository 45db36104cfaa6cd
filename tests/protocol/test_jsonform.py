"""frame_to_json: the NDJSON shape of a frame."""

from __future__ import annotations

import json

from amitui.protocol import REDACTED, Frame, FrameKind, Parser, frame_to_json


def frames(data: bytes, *, banner: bool = False, eof: bool = False) -> list[Frame]:
    parser = Parser(expect_banner=banner)
    parser.feed(data)
    if eof:
        parser.feed_eof()
    return list(parser.frames())


def one(text: str) -> Frame:
    (frame,) = frames(text.replace("\n", "\r\n").encode() + b"\r\n")
    return frame


def test_keys_keep_wire_order() -> None:
    out = frame_to_json(
        one(
            "Event: Newchannel\nPrivilege: call,all\nChannel: PJSIP/1\n"
            "Uniqueid: 1.1\nAccountCode: \n"
        )
    )
    assert list(out) == ["Event", "Privilege", "Channel", "Uniqueid", "AccountCode"]
    assert out["AccountCode"] == ""
    assert json.loads(json.dumps(out)) == out


def test_repeated_key_becomes_a_list_in_order() -> None:
    out = frame_to_json(
        one("Event: Status\nVariable: A=1\nChannel: X\nVariable: B=2\nVariable: C=3\n")
    )
    assert out["Variable"] == ["A=1", "B=2", "C=3"]
    assert list(out) == ["Event", "Variable", "Channel"]
    assert out["Channel"] == "X"


def test_differently_spelled_keys_stay_apart() -> None:
    out = frame_to_json(one("Event: Hangup\nUniqueid: 1\nUniqueID: 2\n"))
    assert out["Uniqueid"] == "1" and out["UniqueID"] == "2"


def test_single_modern_output_is_still_a_list() -> None:
    out = frame_to_json(
        one(
            "Response: Success\nActionID: c1\nMessage: Command output follows\n"
            "Output:   indented : 1\n"
        )
    )
    assert out["Output"] == ["  indented : 1"]
    assert list(out) == ["Response", "ActionID", "Message", "Output"]
    many = frame_to_json(one("Response: Success\nOutput: a\nOutput: \nOutput: b\n"))
    assert many["Output"] == ["a", "", "b"]


def test_legacy_follows_output_is_an_output_list() -> None:
    (frame,) = frames(
        b"Response: Follows\r\nPrivilege: Command\r\nActionID: c1\r\n"
        b"\n  * Name : 1001\nName: x\n--END COMMAND--\r\n\r\n"
    )
    out = frame_to_json(frame)
    assert out == {
        "Response": "Follows",
        "Privilege": "Command",
        "ActionID": "c1",
        "Output": ["", "  * Name : 1001", "Name: x"],
    }
    (empty,) = frames(b"Response: Follows\r\nPrivilege: Command\r\n--END COMMAND--\r\n\r\n")
    assert frame_to_json(empty)["Output"] == []


def test_secret_and_key_are_masked() -> None:
    frame = one("Event: Weird\nSecret: hunter2\nkey: abc123\nSecret: again\nKeys: visible\n")
    out = frame_to_json(frame)
    assert out["Secret"] == [REDACTED, REDACTED]
    assert out["key"] == REDACTED
    assert out["Keys"] == "visible"
    dumped = json.dumps(out)
    assert "hunter2" not in dumped and "abc123" not in dumped and "again" not in dumped
    assert frame.get("Secret") == "hunter2"  # the frame itself is untouched


def test_banner() -> None:
    (banner, _) = frames(b"Asterisk Call Manager/2.10.6\r\nResponse: Success\r\n\r\n", banner=True)
    assert banner.kind is FrameKind.BANNER
    assert frame_to_json(banner) == {
        "Banner": "Asterisk Call Manager/2.10.6",
        "AMIVersion": "2.10.6",
    }


def test_malformed() -> None:
    (cut,) = frames(b"Response: Success\r\nActionID: \xff", eof=True)
    out = frame_to_json(cut)
    assert set(out) == {"_malformed", "_raw"}
    assert "closed in the middle" in out["_malformed"]
    assert out["_raw"] == "Response: Success\r\nActionID: \ufffd"
    (nohead,) = frames(b"<xml/>\r\n\r\n")
    assert nohead.kind is FrameKind.MALFORMED
    assert frame_to_json(nohead)["_malformed"] == nohead.error
    json.dumps(out)


def test_colonless_lines_go_to_underscore_lines() -> None:
    out = frame_to_json(one("Response: Success\nActionID: gc\nNo categories found\nmore\n"))
    assert out["_lines"] == ["No categories found", "more"]
    assert list(out) == ["Response", "ActionID", "_lines"]
    assert "_lines" not in frame_to_json(one("Response: Success\n"))


def test_output_spelled_two_ways_is_one_output_list() -> None:
    data = b"Response: Success\r\nOutput: line one\r\noutput: line two\r\nOutput: \r\n\r\n"
    expected = {"Response": "Success", "Output": ["line one", "line two", ""]}
    (frame,) = frames(data)
    assert frame_to_json(frame) == expected
    for size in (1, 5, 17):  # however the packet arrived
        parser = Parser(expect_banner=False)
        for i in range(0, len(data), size):
            parser.feed(data[i : i + size])
        (chunked,) = parser.frames()
        assert frame_to_json(chunked) == expected
    # Where the first one was, under one spelling; other keys keep their places.
    (lower,) = frames(b"Response: Success\r\noutput: a\r\nActionID: c\r\nOUTPUT: b\r\n\r\n")
    out = frame_to_json(lower)
    assert list(out) == ["Response", "Output", "ActionID"] and out["Output"] == ["a", "b"]
    # An event is not Command output: its keys stay as they came.
    (event,) = frames(b"Event: X\r\nOutput: a\r\noutput: b\r\n\r\n")
    assert frame_to_json(event) == {"Event": "X", "Output": "a", "output": "b"}
