"""Parser fidelity where input is damaged or odd: a legacy Command body that lost its marker,
legacy output saved with LF line ends, empty header names, the size cap's reason. Every case is
fed whole, in random chunks and byte by byte, and must give the same frames each way."""

from __future__ import annotations

import random

from amitui.protocol import Frame, FrameKind, Parser, frame_to_json
from amitui.protocol.parser import DEFAULT_LEGACY_LIMIT, DEFAULT_MAX_FRAME


def feed(
    data: bytes,
    sizes: list[int] | None = None,
    *,
    eof: bool = True,
    max_frame: int = DEFAULT_MAX_FRAME,
    legacy_limit: int = DEFAULT_LEGACY_LIMIT,
) -> list[Frame]:
    parser = Parser(expect_banner=False, max_frame=max_frame, legacy_limit=legacy_limit)
    out: list[Frame] = []
    if sizes is None:
        parser.feed(data)
        out.extend(parser.frames())
    else:
        pos = i = 0
        while pos < len(data):
            size = sizes[i % len(sizes)]
            parser.feed(data[pos : pos + size])
            out.extend(parser.frames())
            pos, i = pos + size, i + 1
    if eof:
        parser.feed_eof()
        out.extend(parser.frames())
    return out


def every_way(
    data: bytes,
    *,
    eof: bool = True,
    max_frame: int = DEFAULT_MAX_FRAME,
    legacy_limit: int = DEFAULT_LEGACY_LIMIT,
) -> list[Frame]:
    """The frames of `data`, after checking that no way of splitting it changes them."""

    def way(sizes: list[int] | None) -> list[Frame]:
        return feed(data, sizes, eof=eof, max_frame=max_frame, legacy_limit=legacy_limit)

    whole = way(None)
    assert way([1]) == whole, "byte by byte"
    for seed in (1, 7, 42):
        rng = random.Random(seed)
        sizes = [rng.choice((2, 3, 5, rng.randint(1, 80), rng.randint(1, 4096))) for _ in range(50)]
        assert way(sizes) == whole, f"chunks, seed {seed}"
    return whole


def events(n: int) -> bytes:
    return b"".join(
        b"Event: Newexten\r\nPrivilege: dialplan,all\r\nUniqueid: 1700000000.%d\r\n\r\n" % i
        for i in range(n)
    )


PING = b"Response: Success\r\nActionID: p\r\nPing: Pong\r\n\r\n"
TRIMMED = b"Response: Follows\r\nPrivilege: Command\r\nActionID: cmd-1\r\n\r\n"


# -- a legacy Command body without its --END COMMAND-- marker -----------------------------------


def test_a_trimmed_follows_packet_does_not_swallow_the_capture() -> None:
    # The reported capture: a Follows packet cut before its body, then 37 more packets.
    frames = every_way(TRIMMED + events(36) + PING)
    assert len(frames) == 38
    bad = frames[0]
    assert bad.kind is FrameKind.MALFORMED
    assert "--END COMMAND--" in (bad.error or "")
    assert "next packet" in (bad.error or "")
    assert bad.raw == TRIMMED[:-2]
    assert [f.kind for f in frames[1:]] == [FrameKind.EVENT] * 36 + [FrameKind.RESPONSE]
    assert frames[1].get("Uniqueid") == "1700000000.0"
    assert frames[-1].get("Ping") == "Pong"


def test_a_markerless_body_is_cut_once_past_the_sane_size_before_input_ends() -> None:
    # A live stream does not end: past `legacy_limit` bytes without a marker, the first clear
    # packet start ends the body, and the packets after it arrive as they come.
    data = TRIMMED[:-2] + b"some output\n\r\n" + events(40) + PING
    frames = every_way(data, eof=False, legacy_limit=600)
    assert frames[0].kind is FrameKind.MALFORMED
    assert frames[0].raw == TRIMMED[:-2] + b"some output\n"
    assert len(frames) == 42 and frames[-1].get("Ping") == "Pong"
    # Below the sane size, nothing is decided without the end of input: the marker may come.
    assert feed(TRIMMED + events(3), eof=False, legacy_limit=600) == []


def test_a_marker_within_the_sane_size_still_wins() -> None:
    # Real output may hold blank lines and lines that look like packets: the marker rule stays.
    body = b"\n\nEvent: Newchannel\nResponse: Success\n\nEvent: x\n"
    data = b"Response: Follows\r\nPrivilege: Command\r\nActionID: c\r\n" + body
    data += b"--END COMMAND--\r\n\r\n" + PING
    frames = every_way(data, legacy_limit=1 << 20)
    assert [f.kind for f in frames] == [FrameKind.RESPONSE, FrameKind.RESPONSE]
    assert frames[0].output == ("", "", "Event: Newchannel", "Response: Success", "", "Event: x")


def test_a_late_marker_does_not_pull_packets_into_a_command_body() -> None:
    # A trimmed Follows, packets, then a whole Follows packet with its marker past the limit:
    # the packets are not swallowed into the first one's output.
    later = (
        b"Response: Follows\r\nPrivilege: Command\r\nActionID: c2\r\nok\n--END COMMAND--\r\n\r\n"
    )
    frames = every_way(TRIMMED + events(30) + later, legacy_limit=1024)
    assert frames[0].kind is FrameKind.MALFORMED
    assert [f.kind for f in frames[1:31]] == [FrameKind.EVENT] * 30
    assert frames[31].action_id == "c2" and frames[31].output == ("ok",)
    assert len(frames) == 32


def test_a_markerless_body_with_no_packet_after_it_is_cut_short_at_the_end() -> None:
    data = b"Response: Follows\r\nPrivilege: Command\r\nActionID: c\r\nline one\nline two\n"
    (frame,) = every_way(data)
    assert frame.kind is FrameKind.MALFORMED
    assert "closed in the middle" in (frame.error or "")
    assert "--END COMMAND--" in (frame.error or "")
    assert frame.raw == data


def test_an_oversized_markerless_body_is_skipped_to_the_next_packet() -> None:
    data = TRIMMED[:-2] + b"x" * 3000 + b"\n" + b"\r\n" + events(2) + PING
    frames = every_way(data, max_frame=1024)
    assert [f.kind for f in frames] == [FrameKind.MALFORMED] + [FrameKind.EVENT] * 2 + [
        FrameKind.RESPONSE
    ]
    assert "larger than 1024" in (frames[0].error or "")
    # And past the cap with its marker after it: skipped up to the marker, as when whole.
    marked = TRIMMED[:-2] + b"y\n" * 1500 + b"--END COMMAND--\r\n\r\n" + PING
    frames = every_way(marked, max_frame=1024)
    assert [f.kind for f in frames] == [FrameKind.MALFORMED, FrameKind.RESPONSE]


# -- legacy output saved with LF line ends ------------------------------------------------------

LF_FOLLOWS = (
    b"Response: Follows\nPrivilege: Command\nActionID: x\n"
    b"  * Name       : 1001\nStatus: OK (5 ms)\n\nActionID: bogus\n--END COMMAND--\n\n"
)


def test_legacy_follows_with_lf_line_ends_keeps_its_headers() -> None:
    (frame,) = every_way(LF_FOLLOWS)
    assert frame.kind is FrameKind.RESPONSE
    assert frame.headers == (("Response", "Follows"), ("Privilege", "Command"), ("ActionID", "x"))
    assert frame.output == ("  * Name       : 1001", "Status: OK (5 ms)", "", "ActionID: bogus")
    assert frame.raw == LF_FOLLOWS[:-1]  # the bytes that came, no CR added
    assert frame_to_json(frame) == {
        "Response": "Follows",
        "Privilege": "Command",
        "ActionID": "x",
        "Output": ["  * Name       : 1001", "Status: OK (5 ms)", "", "ActionID: bogus"],
    }


def test_lf_legacy_variants() -> None:
    no_id = b"Response: Follows\nPrivilege: Command\nName: foo\n--END COMMAND--\n\n"
    starts_blank = b"Response: Follows\nPrivilege: Command\nActionID: b\n\n\nx\n--END COMMAND--\n\n"
    glued = b"Response: Follows\nPrivilege: Command\nActionID: g\nlast line--END COMMAND--\n\n"
    empty = b"Response: Follows\nPrivilege: Command\nActionID: e\n--END COMMAND--\n\n"
    frames = every_way(no_id + starts_blank + glued + empty + b"Event: After\nA: b\n\n")
    assert [f.action_id for f in frames] == [None, "b", "g", "e", None]
    assert frames[0].output == ("Name: foo",) and frames[0].get("Privilege") == "Command"
    assert frames[1].output == ("", "", "x")
    assert frames[2].output == ("last line",)
    assert frames[3].output == ()
    assert frames[4].name == "After" and frames[4].get("A") == "b"


def test_crlf_legacy_body_lines_still_never_become_headers() -> None:
    # The real shape: CRLF headers, LF-only body whose first line looks like a header.
    data = b"Response: Follows\r\nPrivilege: Command\r\nActionID: c\r\n"
    data += b"Privilege: x\n--END COMMAND--\r\n\r\n"
    (frame,) = every_way(data)
    assert frame.headers == (("Response", "Follows"), ("Privilege", "Command"), ("ActionID", "c"))
    assert frame.output == ("Privilege: x",)


# -- header names -------------------------------------------------------------------------------


def test_an_empty_header_name_is_a_loose_line() -> None:
    data = b"Event: X\r\n: value\r\n:bare\r\nA: b\r\n\r\n"
    (frame,) = every_way(data)
    assert frame.headers == (("Event", "X"), ("A", "b"))
    assert frame.loose == (": value", ":bare")
    assert frame.get("") is None
    assert frame_to_json(frame) == {"Event": "X", "A": "b", "_lines": [": value", ":bare"]}
    (only,) = every_way(b": value\r\n\r\n")
    assert only.kind is FrameKind.MALFORMED and only.loose == (": value",)
    # Unparsed events split the same way when first read.
    (lazy,) = feed(b"Event: Y\r\n: v\r\n\r\n", eof=False)
    assert lazy.headers == (("Event", "Y"),) and lazy.loose == (": v",)


def test_an_empty_name_ends_the_headers_of_a_legacy_packet() -> None:
    data = b"Response: Follows\r\nPrivilege: Command\r\n: odd\r\nbody\n--END COMMAND--\r\n\r\n"
    (frame,) = every_way(data)
    assert frame.headers == (("Response", "Follows"), ("Privilege", "Command"))
    assert frame.output == (": odd", "body")


# -- what the size cap says ---------------------------------------------------------------------


def test_the_size_cap_says_only_a_preview_is_kept() -> None:
    big = b"Event: Big\r\nJSON: " + b"x" * 9000 + b"\r\n\r\n" + PING
    frames = every_way(big, max_frame=2048)
    assert [f.kind for f in frames] == [FrameKind.MALFORMED, FrameKind.RESPONSE]
    assert frames[0].error == (
        "packet larger than 2048 bytes; skipped up to its end, only its first 2048 kept"
    )
    assert len(frames[0].raw) == 2048


def test_a_packet_of_exactly_the_cap_is_kept_however_it_arrives() -> None:
    # Its end ("\n\r\n") may arrive split right at the cap: that is no reason to refuse it.
    head = b"Event: Edge\r\nJSON: "
    for size in (1024, 1023):
        packet = head + b"x" * (size - len(head) - 2) + b"\r\n"
        assert len(packet) == size
        frames = every_way(packet + b"\r\n" + PING, max_frame=1024)
        assert [f.kind for f in frames] == [FrameKind.EVENT, FrameKind.RESPONSE]
        assert frames[0].raw == packet
    over = head + b"x" * (1025 - len(head) - 2) + b"\r\n\r\n" + PING
    assert [f.kind for f in every_way(over, max_frame=1024)] == [
        FrameKind.MALFORMED,
        FrameKind.RESPONSE,
    ]
