"""One test per rule of amitui.protocol.parser (see its module docstring)."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from amitui.protocol import Frame, FrameKind, Parser


def parse(*chunks: bytes, banner: bool = False, eof: bool = False, **kw: int) -> list[Frame]:
    """Feed each chunk in turn, collecting the frames complete after each one."""
    parser = Parser(expect_banner=banner, **kw)
    out: list[Frame] = []
    for chunk in chunks:
        parser.feed(chunk)
        out.extend(parser.frames())
    if eof:
        parser.feed_eof()
        out.extend(parser.frames())
    return out


def packet(*lines: str, end: str = "\r\n") -> bytes:
    return "".join(line + end for line in lines).encode() + end.encode()


def one(data: bytes, **kw: bool) -> Frame:
    frames = parse(data, **kw)
    assert len(frames) == 1, frames
    return frames[0]


def bytewise(data: bytes) -> Iterable[bytes]:
    return [data[i : i + 1] for i in range(len(data))]


PING = packet("Response: Success", "ActionID: p1", "Ping: Pong")
HANGUP = packet("Event: Hangup", "Privilege: call,all", "Channel: PJSIP/1001-0001", "Cause: 16")


# -- banner -----------------------------------------------------------------------------------


def test_banner_is_a_frame_with_the_ami_version() -> None:
    frames = parse(b"Asterisk Call Manager/11.0.0\r\n" + PING, banner=True)
    assert [f.kind for f in frames] == [FrameKind.BANNER, FrameKind.RESPONSE]
    assert frames[0].version == "11.0.0"
    assert frames[0].name == "Asterisk Call Manager/11.0.0"
    assert frames[1].version is None
    assert frames[1].get("Ping") == "Pong"


def test_banner_arriving_a_byte_at_a_time() -> None:
    data = b"Asterisk Call Manager/2.10.6\r\n" + PING
    assert parse(*bytewise(data), banner=True) == parse(data, banner=True)
    assert parse(*bytewise(data), banner=True)[0].version == "2.10.6"


def test_stream_starting_mid_way_without_banner_still_parses() -> None:
    frames = parse(HANGUP + PING, banner=True)
    assert [f.kind for f in frames] == [FrameKind.EVENT, FrameKind.RESPONSE]
    assert frames[0].name == "Hangup"
    # Starting inside a packet: its tail is a packet of its own, the rest is intact.
    frames = parse(b"Cause: 16\r\nUniqueid: 1.2\r\n\r\n" + PING, banner=True)
    assert [f.kind for f in frames] == [FrameKind.UNKNOWN, FrameKind.RESPONSE]
    assert frames[0].headers == (("Cause", "16"), ("Uniqueid", "1.2"))


# -- line ends and packet boundaries ----------------------------------------------------------


def test_crlf_and_bare_lf_line_ends_give_the_same_headers() -> None:
    lines = ("Event: Agents", "Agent: 1001", "CallStarted: 1700000000", "ActionID: ag")
    crlf, lf = one(packet(*lines)), one(packet(*lines, end="\n"))
    assert crlf.headers == lf.headers
    assert crlf.get("CallStarted") == "1700000000"
    # Agents mixes both inside one packet.
    mixed = one(b"Event: Agents\r\nCallStarted: 17\nLoggedInTime: 5\r\nActionID: ag\r\n\r\n")
    assert mixed.headers == (
        ("Event", "Agents"),
        ("CallStarted", "17"),
        ("LoggedInTime", "5"),
        ("ActionID", "ag"),
    )


def test_cr_and_lf_split_across_feeds_at_every_position() -> None:
    data = (
        PING + HANGUP + b"Response: Success\r\nActionID: pk\r\nMessage: Park successful\n\r\n\r\n"
    )
    whole = parse(data)
    assert [f.kind for f in whole] == [FrameKind.RESPONSE, FrameKind.EVENT, FrameKind.RESPONSE]
    assert whole[2].get("Message") == "Park successful"
    for i in range(1, len(data)):
        assert parse(data[:i], data[i:]) == whole, f"split at {i}: {data[i - 2 : i + 2]!r}"
    assert parse(*bytewise(data)) == whole


def test_extra_blank_lines_between_packets_are_ignored() -> None:
    frames = parse(b"\r\n\n" + PING + b"\r\n\r\n\n\r\n" + HANGUP + b"\r\n")
    assert [f.kind for f in frames] == [FrameKind.RESPONSE, FrameKind.EVENT]
    assert frames == parse(PING + HANGUP)


# -- header syntax ----------------------------------------------------------------------------


def test_duplicate_keys_are_all_kept_in_order() -> None:
    frame = one(
        packet("Event: Status", "Variable: A=1", "Channel: X", "Variable: B=2", "Variable: C=3")
    )
    assert frame.get_all("Variable") == ["A=1", "B=2", "C=3"]
    assert frame.get_all("variable") == ["A=1", "B=2", "C=3"]
    assert frame.get("Variable") == "A=1"
    assert [k for k, _ in frame] == ["Event", "Variable", "Channel", "Variable", "Variable"]


def test_lookup_ignores_case_but_spelling_is_kept() -> None:
    frame = one(packet("Event: Hangup", "Uniqueid: 1.1", "UniqueID: 2.2", "AccountCode: x"))
    assert frame.get("UNIQUEID") == "1.1"
    assert frame.get("accountcode") == "x"
    assert "uniqueID" in frame and "Linkedid" not in frame
    assert frame.get_all("uniqueid") == ["1.1", "2.2"]
    assert [k for k, _ in frame.headers] == ["Event", "Uniqueid", "UniqueID", "AccountCode"]


def test_split_at_the_first_colon_only() -> None:
    msg = "Invalid/unknown command: X. Use Action: ListCommands to show available commands."
    frame = one(packet("Response: Error", f"Message: {msg}", "Filter: Event: Newchannel"))
    assert frame.get("Message") == msg
    assert frame.get("Filter") == "Event: Newchannel"


def test_exactly_one_leading_space_is_dropped() -> None:
    frame = one(packet("Response: Success", "Output:   * Name       : 1001", "Output: x  "))
    assert frame.get_all("Output") == ["  * Name       : 1001", "x  "]


def test_key_value_without_space_and_empty_values() -> None:
    frame = one(packet("Event: RTCPSent", "Foo:bar", "ReportBlock:", "CallerIDName: "))
    assert frame.get("Foo") == "bar"
    assert frame.get("ReportBlock") == ""
    assert frame.get("CallerIDName") == ""
    assert "ReportBlock" in frame


def test_colonless_lines_are_kept_in_loose_and_not_fatal() -> None:
    data = packet("Response: Success", "ActionID: gc", "No categories found") + PING
    frames = parse(data)
    assert [f.kind for f in frames] == [FrameKind.RESPONSE, FrameKind.RESPONSE]
    assert frames[0].loose == ("No categories found",)
    assert frames[0].headers == (("Response", "Success"), ("ActionID", "gc"))
    assert frames[0].error is None
    assert frames[1].get("Ping") == "Pong"


def test_packet_without_any_header_is_malformed() -> None:
    frames = parse(b"<xml>\r\n</xml>\r\n\r\n" + PING)
    assert frames[0].kind is FrameKind.MALFORMED
    assert frames[0].error
    assert frames[0].headers == ()
    assert frames[0].loose == ("<xml>", "</xml>")
    assert frames[1].kind is FrameKind.RESPONSE


# -- kinds ------------------------------------------------------------------------------------


def test_kind_comes_from_the_first_header_not_from_response_anywhere() -> None:
    frame = one(
        packet(
            "Event: OriginateResponse",
            "Privilege: call,all",
            "ActionID: o1",
            "Response: Failure",
            "Reason: 0",
        )
    )
    assert frame.kind is FrameKind.EVENT
    assert frame.name == "OriginateResponse"
    assert frame.get("Response") == "Failure"
    assert frame.action_id == "o1"


def test_actionid_before_response_is_still_a_response() -> None:
    frame = one(packet("ActionID: r1", "Response: Success", "Message: ok"))
    assert frame.kind is FrameKind.RESPONSE
    assert frame.name == "Success"


def test_packet_with_neither_response_nor_event_is_unknown() -> None:
    frame = one(packet("ActionID: n1", "Nodes: 2000,2001"))
    assert frame.kind is FrameKind.UNKNOWN
    assert frame.name == ""
    assert frame.get("Nodes") == "2000,2001"


# -- Command output ---------------------------------------------------------------------------

MODERN = packet(
    "Response: Success",
    "ActionID: c1",
    "Message: Command output follows",
    "Output: ",
    "Output:   * Name       : 1001",
    "Output: Status: OK (5 ms)",
)
LEGACY = (
    b"Response: Follows\r\nPrivilege: Command\r\nActionID: c1\r\n"
    b"\n  * Name       : 1001\nStatus: OK (5 ms)\n--END COMMAND--\r\n\r\n"
)
OUTPUT = ("", "  * Name       : 1001", "Status: OK (5 ms)")


def test_modern_command_output_is_exposed_as_output() -> None:
    frame = one(MODERN)
    assert frame.output == OUTPUT
    assert frame.get("Message") == "Command output follows"
    assert one(PING).output is None


def test_legacy_output_has_the_same_shape_as_modern() -> None:
    frame = one(LEGACY)
    assert frame.kind is FrameKind.RESPONSE
    assert frame.output == one(MODERN).output
    assert frame.headers == (("Response", "Follows"), ("Privilege", "Command"), ("ActionID", "c1"))


def test_legacy_body_starting_with_blank_lines_does_not_end_the_packet() -> None:
    data = (
        b"Response: Follows\r\nPrivilege: Command\r\nActionID: c1\r\n"
        b"\n\n\n  * Name: 1001\n\n--END COMMAND--\r\n\r\n"
    )
    frames = parse(data)
    assert len(frames) == 1
    assert frames[0].output == ("", "", "", "  * Name: 1001", "")
    assert parse(*bytewise(data)) == frames


def test_legacy_marker_glued_to_the_last_line() -> None:
    frame = one(
        b"Response: Follows\r\nPrivilege: Command\r\nActionID: c2\r\n"
        b"line one\nAsterisk 11.25.3 built on 2019-01-01 12:00:00 UTC--END COMMAND--\r\n\r\n"
    )
    assert frame.output == ("line one", "Asterisk 11.25.3 built on 2019-01-01 12:00:00 UTC")


def test_legacy_empty_output() -> None:
    frame = one(
        b"Response: Follows\r\nPrivilege: Command\r\nActionID: c3\r\n--END COMMAND--\r\n\r\n"
    )
    assert frame.output == ()
    assert frame.action_id == "c3"


def test_legacy_body_lines_looking_like_headers_stay_output() -> None:
    frames = parse(
        b"Response: Follows\r\nPrivilege: Command\r\nActionID: c4\r\n"
        b"Name: foo\n  * Name       : 1001\nActionID: bogus\n--END COMMAND--\r\n\r\n" + HANGUP
    )
    assert frames[0].output == ("Name: foo", "  * Name       : 1001", "ActionID: bogus")
    assert frames[0].get("Name") is None
    assert frames[0].action_id == "c4"
    assert len(frames[0].headers) == 3
    assert frames[1].kind is FrameKind.EVENT
    assert frames[1] == one(HANGUP)


# -- encoding ---------------------------------------------------------------------------------


def test_utf8_split_across_feeds_decodes() -> None:
    data = packet("Event: Newchannel", "CallerIDName: Jürgen Müller 日本")
    cut = data.index("ü".encode()) + 1  # inside the two-byte sequence
    frame = one(data)
    assert parse(data[:cut], data[cut:]) == [frame]
    assert frame.get("CallerIDName") == "Jürgen Müller 日本"
    assert frame.replaced == 0
    assert parse(*bytewise(data)) == [frame]


def test_invalid_utf8_is_replaced_and_counted() -> None:
    frame = one(b"Event: Newchannel\r\nCallerIDName: \xc8\xe2\xe0\xed x\xff\r\n\r\n")
    assert frame.get("CallerIDName") == "\ufffd" * 4 + " x\ufffd"
    assert frame.replaced == 5
    assert frame.raw.count(b"\xc8\xe2\xe0\xed") == 1


def test_fffd_sent_validly_by_the_server_is_not_counted() -> None:
    valid = one("Event: VarSet\r\nValue: Jos\ufffd\r\n\r\n".encode())
    assert valid.get("Value") == "Jos\ufffd"
    assert valid.replaced == 0
    mixed = one(b"Event: VarSet\r\nValue: Jos\xef\xbf\xbd\r\nName: a\xffb\r\n\r\n")
    assert mixed.get("Name") == "a\ufffdb"
    assert mixed.replaced == 1


# -- size cap, end of stream, raw bytes -------------------------------------------------------


def test_oversized_packet_yields_one_malformed_frame_then_parsing_resumes() -> None:
    parser = Parser(max_frame=1024, expect_banner=False)
    parser.feed(b"Event: Huge\r\nJSON: ")
    assert list(parser.frames()) == []
    frames: list[Frame] = []
    peak = 0
    for _ in range(200):  # 100 KB of one line that never ends
        parser.feed(b"x" * 500)
        frames.extend(parser.frames())
        peak = max(peak, parser.buffered)
    assert len(frames) == 1
    assert frames[0].kind is FrameKind.MALFORMED
    assert "1024" in (frames[0].error or "")
    assert frames[0].raw.startswith(b"Event: Huge\r\nJSON: xxx")
    assert peak <= 1024 + 500
    assert parser.buffered < 16
    parser.feed(b"xxx\r\n\r\n" + PING)
    assert list(parser.frames()) == [one(PING)]
    assert parser.buffered == 0


@pytest.mark.parametrize("tail", [b"\r", b"\r\n", b"\r\n\r"])
def test_oversized_packet_whose_end_is_split_at_the_overflow(tail: bytes) -> None:
    big = b"Event: Huge\r\nJSON: " + b"x" * 1100 + b"\r\n\r\n"
    cut = big.index(b"\r\n\r\n") + len(tail)
    frames = parse(big[:cut], big[cut:], PING, HANGUP, max_frame=1024)
    assert [f.kind for f in frames] == [FrameKind.MALFORMED, FrameKind.RESPONSE, FrameKind.EVENT]
    assert frames[1] == one(PING)


def test_max_frame_below_1024_is_refused() -> None:
    with pytest.raises(ValueError):
        Parser(max_frame=1023)


def test_eof_in_the_middle_of_a_packet_is_malformed() -> None:
    frames = parse(PING + b"Response: Success\r\nActionID: p2\r\n", eof=True)
    assert [f.kind for f in frames] == [FrameKind.RESPONSE, FrameKind.MALFORMED]
    assert "closed in the middle" in (frames[1].error or "")
    assert frames[1].raw == b"Response: Success\r\nActionID: p2\r\n"
    # A cut-short legacy Command body is reported the same way.
    cut = parse(LEGACY[:-25], eof=True)
    assert [f.kind for f in cut] == [FrameKind.MALFORMED]
    # A clean end (even after blank lines) yields nothing more.
    assert parse(PING + b"\r\n", eof=True) == [one(PING)]


def test_raw_keeps_the_bytes() -> None:
    data = b"Event: Newchannel\r\nCallStarted: 5\nName: \xff\r\nNo colon here\r\n\r\n"
    frame = one(data)
    assert frame.raw == data[: -len(b"\r\n")]
    assert frame.raw.endswith(b"No colon here\r\n")
    assert one(LEGACY).raw == LEGACY[: -len(b"\r\n")]


def test_buffer_stays_small_over_many_packets() -> None:
    stream = b"".join(
        packet("Event: Newexten", f"Uniqueid: 1700000000.{i}", "Extension: 100") + b"\r\n" * (i % 3)
        for i in range(10_000)
    )
    parser = Parser(expect_banner=False)
    count = 0
    peak = 0
    for i in range(0, len(stream), 37):
        parser.feed(stream[i : i + 37])
        for frame in parser.frames():
            assert frame.get("Uniqueid") == f"1700000000.{count}"
            count += 1
        peak = max(peak, parser.buffered)
    assert count == 10_000
    assert parser.buffered == 0
    assert peak < 200
    assert len(parser._buf) <= 2 * 65536 + 37  # the dead prefix is compacted away


def test_oversized_packet_gives_the_same_frames_however_it_arrives() -> None:
    big = b"Event: Big\r\nJSON: " + b"x" * 5000 + b"\r\n\r\nEvent: After\r\nA: b\r\n\r\n"

    def parse(chunk: int) -> list[Frame]:
        p = Parser(max_frame=1024, expect_banner=False)
        out: list[Frame] = []
        for i in range(0, len(big), chunk):
            p.feed(big[i : i + chunk])
            out += list(p.frames())
        return out

    whole, small = parse(len(big)), parse(7)
    assert whole == small
    assert [f.kind for f in whole] == [FrameKind.MALFORMED, FrameKind.EVENT]
    assert whole[1].name == "After"
