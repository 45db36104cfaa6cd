"""`.amirec` files: what is written, what is masked, bounds, crash safety, and reading back
both recordings and raw captures."""

from __future__ import annotations

import itertools
import json
import stat
from pathlib import Path

import pytest

from amitui.protocol import Action, Frame, FrameKind, Parser
from amitui.store.recording import (
    RecordedPacket,
    RecordingError,
    RecordingWriter,
    mask_secrets,
    open_recording,
    packet_frames,
)

TRANSCRIPTS = Path(__file__).resolve().parent.parent / "transcripts"
BANNER = b"Asterisk Call Manager/11.0.0\r\n"
EVENT = b"Event: FullyBooted\r\nPrivilege: system,all\r\nStatus: Fully Booted\r\n"
SECRET = "hunter2-must-not-leak"


def clock() -> object:
    ticks = itertools.count(1000)
    return lambda: float(next(ticks))


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_bytes().splitlines()]


def test_header_then_one_object_per_packet(tmp_path: Path) -> None:
    path = tmp_path / "r.amirec"
    with RecordingWriter(path, "pbx:5038", clock=clock()) as w:  # type: ignore[arg-type]
        w.write("in", BANNER)
        w.write("out", Action.of("Ping", ActionID="a1").redacted_text())
        w.write("in", EVENT)
    header, *rest = lines(path)
    assert header == {
        "amirec": 1,
        "server": "pbx:5038",
        "started": 1000.0,
        "ami_version": "11.0.0",  # taken from the banner, which came after the writer started
        "tool": header["tool"],
    }
    assert str(header["tool"]).startswith("amitui ")
    assert [(x["t"], x["dir"], x["server"]) for x in rest] == [
        (1001.0, "in", "pbx:5038"),
        (1002.0, "out", "pbx:5038"),
        (1003.0, "in", "pbx:5038"),
    ]
    assert rest[2]["raw"] == EVENT.decode()  # CRLF kept: replay feeds the parser the same bytes
    assert w.packets == 3 and w.bytes == path.stat().st_size


def test_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "r.amirec"
    RecordingWriter(path, "pbx:5038").close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    header, *rest = lines(path)
    assert header["amirec"] == 1 and rest == []  # an empty recording is still a valid one


def test_secret_and_key_are_masked_in_every_direction(tmp_path: Path) -> None:
    path = tmp_path / "r.amirec"
    with RecordingWriter(path, "pbx:5038") as w:
        # A UserEvent may carry any header name the dialplan writer chose.
        w.write("in", f"Event: UserEvent\r\nUserEvent: x\r\nSecret: {SECRET}\r\n".encode())
        w.write("in", f"Event: UserEvent\r\nkey :{SECRET}\r\nKeyless: kept\r\n".encode())
        w.write("out", f"Action: Login\nUsername: admin\nSecret: {SECRET}")
    data = path.read_bytes()
    assert SECRET.encode() not in data
    raws = [x["raw"] for x in lines(path)[1:]]
    assert raws[0] == "Event: UserEvent\r\nUserEvent: x\r\nSecret: ********\r\n"
    assert raws[1] == "Event: UserEvent\r\nkey : ********\r\nKeyless: kept\r\n"
    assert raws[2] == "Action: Login\nUsername: admin\nSecret: ********"


def test_mask_keeps_line_ends_and_other_headers() -> None:
    text = "Response: Success\r\nKey: abc\r\nMonkey: def\r\n"
    assert mask_secrets(text) == "Response: Success\r\nKey: ********\r\nMonkey: def\r\n"


def test_invalid_utf8_is_replaced_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "r.amirec"
    with RecordingWriter(path, "pbx:5038") as w:
        w.write("in", b"Event: X\r\nName: caf\xe9\r\n")
    (packet,) = list(open_recording(path))
    assert packet.raw == "Event: X\r\nName: caf\ufffd\r\n".encode()


def test_max_entries_drops_and_counts_with_a_final_note(tmp_path: Path) -> None:
    path = tmp_path / "r.amirec"
    w = RecordingWriter(path, "pbx:5038", max_entries=2)
    assert w.write("in", BANNER) and w.write("in", EVENT)
    assert not w.write("in", EVENT) and not w.write("out", "Action: Ping")
    assert w.full and w.dropped == 2 and w.packets == 2
    w.close()
    *_, last = lines(path)
    assert last["dir"] == "note"
    assert last["raw"] == "dropped 2 packets: the recording reached its limit (max_entries=2)"


def test_max_bytes_bounds_the_file_except_for_the_final_note(tmp_path: Path) -> None:
    path = tmp_path / "r.amirec"
    limit = 700
    w = RecordingWriter(path, "pbx:5038", max_bytes=limit)
    written = sum(w.write("in", EVENT) for _ in range(20))
    assert 0 < written < 20 and w.dropped == 20 - written
    assert w.bytes <= limit and path.stat().st_size == w.bytes
    w.close()
    *_, last = lines(path)
    assert last["raw"] == f"dropped {20 - written} packets: the recording reached its limit " + (
        f"(max_bytes={limit})"
    )


def test_a_batch_is_one_flush_and_counts_what_fit(tmp_path: Path) -> None:
    path = tmp_path / "r.amirec"
    w = RecordingWriter(path, "pbx:5038", max_entries=3)
    assert w.write_batch([("in", BANNER), ("in", EVENT), ("in", EVENT), ("in", EVENT)], 5.0) == 3
    # Flushed: visible to another reader before close (what a crash would leave behind).
    assert len(path.read_bytes().splitlines()) == 4
    w.close()


def test_bad_direction_and_bounds_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        RecordingWriter(tmp_path / "a", "x", max_bytes=0)
    with RecordingWriter(tmp_path / "b", "x") as w, pytest.raises(ValueError):
        w.write("sideways", b"x")


def test_reading_back_a_recording(tmp_path: Path) -> None:
    path = tmp_path / "r.amirec"
    with RecordingWriter(path, "pbx:5038", clock=clock()) as w:  # type: ignore[arg-type]
        w.write("in", BANNER)
        w.write("out", "Action: Ping\nActionID: a1")
        w.note("gap: connection lost: the server closed the connection")
    with open_recording(path) as reader:
        packets = list(reader)
        assert reader.info.kind == "amirec"
        assert reader.info.server == "pbx:5038"
        assert reader.info.ami_version == "11.0.0"
    assert packets == [
        RecordedPacket(1001.0, "in", "pbx:5038", BANNER),
        RecordedPacket(1002.0, "out", "pbx:5038", b"Action: Ping\nActionID: a1"),
        RecordedPacket(
            1003.0, "note", "pbx:5038", b"gap: connection lost: the server closed the connection"
        ),
    ]


def test_a_crash_mid_line_loses_only_that_line(tmp_path: Path) -> None:
    path = tmp_path / "r.amirec"
    with RecordingWriter(path, "pbx:5038") as w:
        w.write("in", BANNER)
        w.write("in", EVENT)
    data = path.read_bytes()
    path.write_bytes(data[:-25])  # the process died while writing the last line
    reader = open_recording(path)
    assert [p.raw for p in reader] == [BANNER]
    assert reader.skipped == 1


def test_a_newer_format_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "r.amirec"
    path.write_text('{"amirec": 2, "server": "x"}\n')
    with pytest.raises(RecordingError, match="version 2"):
        open_recording(path)
    path.write_text("{not json\n")
    with pytest.raises(RecordingError, match=r"not an \.amirec header"):
        open_recording(path)
    with pytest.raises(RecordingError, match="cannot read"):
        open_recording(tmp_path / "missing")


def test_raw_capture_is_cut_by_the_parser() -> None:
    path = TRANSCRIPTS / "asterisk22-call.bin"
    parser = Parser()
    parser.feed(path.read_bytes())
    parser.feed_eof()
    expected = [f.raw for f in parser.frames()]
    with open_recording(path, server="capture") as reader:
        packets = list(reader)
        assert reader.info.kind == "raw"
        assert reader.info.ami_version == "11.0.0"
    assert [p.raw for p in packets] == expected
    assert {(p.t, p.direction, p.server) for p in packets} == {(0.0, "in", "capture")}
    assert packets[0].raw == BANNER


def test_raw_capture_times_can_be_spread_evenly() -> None:
    path = TRANSCRIPTS / "asterisk22-call.bin"
    times = [p.t for p in open_recording(path, spacing=0.5)]
    assert times[:3] == [0.0, 0.5, 1.0]
    assert times[-1] == 0.5 * (len(times) - 1)


def test_raw_capture_read_in_chunks_matches_reading_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import amitui.store.recording as recording

    path = TRANSCRIPTS / "asterisk22-basics.bin"
    whole = [p.raw for p in open_recording(path)]
    monkeypatch.setattr(recording, "_CHUNK", 7)  # packets cross every chunk boundary
    assert [p.raw for p in open_recording(path)] == whole
    kinds = {FrameKind.BANNER, FrameKind.RESPONSE, FrameKind.EVENT}
    parser = Parser()
    parser.feed(b"".join(w + b"\r\n" for w in whole))
    assert {f.kind for f in parser.frames()} <= kinds


def test_each_recorded_packet_parses_back_to_the_same_frame() -> None:
    for name in ("asterisk22-basics.bin", "quirks-legacy-follows.bin", "quirks-bare-lf.bin"):
        parser = Parser()
        parser.feed((TRANSCRIPTS / name).read_bytes())
        parser.feed_eof()
        for frame in parser.frames():
            assert packet_frames(frame.raw) == [frame], name


# -- MALFORMED packets and unreadable lines ---------------------------------------------------


def frames_of(data: bytes, **kw: int) -> list[Frame]:
    parser = Parser(expect_banner=False, **kw)
    parser.feed(data)
    parser.feed_eof()
    return list(parser.frames())


def test_a_malformed_frame_is_recorded_with_its_reason(tmp_path: Path) -> None:
    big = b"Event: Huge\r\nJSON: " + b"x" * 5000 + b"\r\n\r\n"
    oversized, cut = frames_of(big + b"Event: X\r\n", max_frame=1024)
    assert oversized.kind is cut.kind is FrameKind.MALFORMED
    path = tmp_path / "r.amirec"
    with RecordingWriter(path, "pbx:5038") as w:
        w.write_batch([("in", oversized), ("in", cut), ("in", frames_of(EVENT + b"\r\n")[0])])
    written = lines(path)[1:]
    assert written[0]["malformed"] == oversized.error and "1024" in str(oversized.error)
    assert written[1]["malformed"] == "connection closed in the middle of a packet"
    assert "malformed" not in written[2]  # a good packet's line is as before
    packets = list(open_recording(path))
    assert [p.malformed for p in packets] == [oversized.error, cut.error, None]
    # Read back, each is the frame the parser made, not its bytes parsed again.
    assert [f for p in packets for f in packet_frames(p.raw, p.malformed)] == [
        oversized,
        cut,
        frames_of(EVENT + b"\r\n")[0],
    ]


def test_bytes_alone_would_replay_as_whole_packets() -> None:
    # Why the reason must travel with the bytes: parsed again, both look complete.
    for raw in (
        b"Event: X\r\n",
        frames_of(b"Event: H\r\nJ: " + b"x" * 5000, max_frame=1024)[0].raw,
    ):
        assert packet_frames(raw)[0].kind is FrameKind.EVENT
        assert packet_frames(raw, "why")[0].kind is FrameKind.MALFORMED


@pytest.mark.parametrize(
    "capture",
    [
        b"Event: X\r\n",
        b"Event: MusicOnHoldStop\r\nPrivilege: call,all\r\nChannel: PJSIP/1\r\n"
        b"ChannelStateDesc: Up",
    ],
)
def test_a_raw_capture_cut_mid_packet_reads_back_malformed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capture: bytes
) -> None:
    import amitui.store.recording as recording

    path = tmp_path / "cap.bin"
    path.write_bytes(EVENT + b"\r\n" + capture)
    for chunk in (1 << 20, 7, 1):
        monkeypatch.setattr(recording, "_CHUNK", chunk)
        first, last = list(open_recording(path))
        assert first.malformed is None
        assert last.raw == capture
        assert last.malformed == "connection closed in the middle of a packet", chunk
        (frame,) = packet_frames(last.raw, last.malformed)
        assert frame.kind is FrameKind.MALFORMED


def test_unreadable_lines_are_counted_with_the_first_line_number(tmp_path: Path) -> None:
    path = tmp_path / "r.amirec"
    with RecordingWriter(path, "pbx:5038") as w:
        w.write("in", BANNER)
        w.write("in", EVENT)
    header, banner, event = path.read_bytes().splitlines(keepends=True)
    bad = [b"{not json\n", b'{"t": 1, "dir": "in", "raw": {"a": 1}}\n', b'"just a string"\n']
    path.write_bytes(header + banner + bad[0] + b"\n" + bad[1] + event + bad[2])
    reader = open_recording(path)
    assert [p.raw for p in reader] == [BANNER, EVENT]
    assert (reader.skipped, reader.first_skipped) == (3, 3)  # line 3: the header is line 1
    assert reader.skipped_text() == "3 unreadable lines skipped (first: line 3)"
    path.write_bytes(header + banner)
    reader = open_recording(path)
    list(reader)
    assert reader.skipped_text() is None


def test_an_overlong_line_is_skipped_without_being_held(tmp_path: Path) -> None:
    import tracemalloc

    path = tmp_path / "r.amirec"
    with RecordingWriter(path, "pbx:5038") as w:
        w.write("in", BANNER)
    header, banner = path.read_bytes().splitlines(keepends=True)
    huge = b'{"t": 1, "dir": "in", "raw": "' + b"x" * (24 << 20) + b'"}\n'
    path.write_bytes(header + banner + huge + banner)
    tracemalloc.start()
    try:
        reader = open_recording(path, max_line=1 << 20)
        packets = list(reader)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [p.raw for p in packets] == [BANNER, BANNER]
    assert (reader.skipped, reader.first_skipped) == (1, 3)
    assert peak < 4 << 20  # the 24 MB line was never held
    # Under the default cap the same line is read (a big packet is not unreadable).
    assert len(list(open_recording(path))) == 3


def test_an_overlong_header_line_is_not_a_header(tmp_path: Path) -> None:
    path = tmp_path / "r.amirec"
    path.write_bytes(b'{"amirec": 1, "server": "' + b"x" * (1 << 20) + b'"}\n')
    with pytest.raises(RecordingError, match=r"not an \.amirec header"):
        open_recording(path)
