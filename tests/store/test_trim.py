"""How an oversized frame is cut for the ring: what is kept, and that it still parses alike."""

from __future__ import annotations

from amitui.protocol.frames import Frame, FrameKind
from amitui.protocol.parser import Parser
from amitui.store.trim import EVENT_RAW_CAP, trim_frame, trim_raw

CAP = 8192


def _frames(raw: bytes) -> list[Frame]:
    parser = Parser(expect_banner=False)
    parser.feed(raw + b"\r\n")
    parser.feed_eof()
    return list(parser.frames())


def test_a_frame_that_fits_is_kept_as_it_is() -> None:
    (frame,) = _frames(b"Event: Hangup\r\nChannel: PJSIP/1-1\r\n")
    assert trim_frame(frame, CAP) is frame


def test_one_long_value_is_cut_and_every_other_line_stays_whole() -> None:
    lines = [
        b"Event: VarSet", b"Privilege: dialplan,all", b"Channel: PJSIP/200-00000001",
        b"Variable: BLOB", b"Value: " + b"v" * 100_000, b"Uniqueid: 1700000000.1",
        b"Linkedid: 1700000000.0", b"Context: default",
    ]  # fmt: skip
    raw = b"\r\n".join(lines) + b"\r\n"
    cut = trim_raw(raw, CAP)
    assert len(cut) <= CAP
    kept = cut.split(b"\r\n")
    assert kept[-1] == b""  # still ends with a line end
    assert [line for i, line in enumerate(kept[:-1]) if i != 4] == [
        line for i, line in enumerate(lines) if i != 4
    ]
    assert kept[4].startswith(b"Value: vvv") and len(kept[4]) > CAP - 200


def test_two_long_values_share_what_the_short_lines_leave() -> None:
    raw = b"Event: X\r\nA: " + b"a" * 50_000 + b"\r\nB: " + b"b" * 6000 + b"\r\nC: c\r\n"
    cut = trim_raw(raw, CAP)
    a, b, c = cut.split(b"\r\n")[1:4]
    assert len(a) == len(b) and len(cut) <= CAP  # both cut to the same length
    assert c == b"C: c"
    # A long line that fits in its share is not cut: only what is over the share is.
    raw = b"Event: X\r\nA: " + b"a" * 50_000 + b"\r\nB: " + b"b" * 3000 + b"\r\n"
    assert trim_raw(raw, CAP).split(b"\r\n")[2] == b"B: " + b"b" * 3000


def test_too_many_lines_keep_the_first_ones_and_the_identifying_ones() -> None:
    body = b"".join(b"ChanVariable: V%05d=%s\r\n" % (i, b"x" * 40) for i in range(5000))
    raw = (
        b"Event: Newexten\r\nChannel: Local/200@default-00000001;1\r\n" + body
        + b"Uniqueid: 1700000000.7\r\nLinkedid: 1700000000.6\r\nAppData: last\r\n"
    )  # fmt: skip
    cut = trim_raw(raw, CAP)
    assert len(cut) <= CAP
    (frame,) = _frames(cut)
    assert frame.name == "Newexten"
    assert frame.get("Channel") == "Local/200@default-00000001;1"
    assert frame.get("Uniqueid") == "1700000000.7"
    assert frame.get("Linkedid") == "1700000000.6"
    assert frame.get("AppData") == "last"  # the last line
    kept = frame.get_all("ChanVariable")
    assert 50 < len(kept) < 5000 and kept[:2] == [f"V{i:05d}={'x' * 40}" for i in range(2)]


def test_a_cut_never_splits_a_utf8_character() -> None:
    raw = b"Event: UserEvent\r\nData: " + "é€".encode() * 20_000 + b"\r\n"
    for cap in (CAP, CAP + 1, CAP + 2, CAP + 3):
        cut = trim_raw(raw, cap)
        assert len(cut) <= cap
        cut.decode("utf-8")  # raises if a character was split
        (frame,) = _frames(cut)
        assert frame.replaced == 0


def test_the_copy_has_the_kind_and_the_parse_of_the_original() -> None:
    event = Frame.event_unparsed(b"Event: UserEvent\r\nData: " + b"d" * 100_000 + b"\r\n")
    copy = trim_frame(event, CAP)
    assert copy is not event and copy.kind is FrameKind.EVENT and copy.name == "UserEvent"
    assert len(event.raw) > 100_000  # the original is untouched

    (response,) = _frames(b"Response: Success\r\nActionID: 7\r\nOutput: %s\r\n" % (b"o" * 100_000))
    copy = trim_frame(response, CAP)
    assert copy.kind is FrameKind.RESPONSE and copy.action_id == "7"
    assert copy.output is not None and copy.output[0].startswith("ooo")

    legacy_raw = (
        b"Response: Follows\r\nPrivilege: Command\r\nActionID: 9\r\n"
        + b"".join(b"line %d of the output\n" % i for i in range(10_000))
        + b"--END COMMAND--"
    )
    (legacy,) = _frames(legacy_raw)
    assert legacy.output is not None and len(legacy.output) == 10_000
    copy = trim_frame(legacy, CAP)
    assert len(copy.raw) <= CAP
    assert copy.kind is FrameKind.RESPONSE and copy.action_id == "9"
    assert copy.output is not None and 0 < len(copy.output) < 10_000
    assert copy.output[0] == "line 0 of the output"

    malformed = Frame(FrameKind.MALFORMED, (), b"x" * 100_000, error="connection closed")
    copy = trim_frame(malformed, CAP)
    assert copy.kind is FrameKind.MALFORMED and copy.error == "connection closed"
    assert len(copy.raw) <= CAP


def test_the_default_cap_is_64_kib() -> None:
    assert EVENT_RAW_CAP == 65536
