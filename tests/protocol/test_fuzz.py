"""Property tests: whatever bytes arrive, the parser never raises, never loses a byte it
accepted, and keeps its memory bounded. `scripts/fuzz.py` runs the same properties for longer."""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from amitui.protocol import FrameKind, Parser

MAX_FRAME = 2048
# scripts/fuzz.py raises this for a long run outside the default test suite.
EXAMPLES = int(os.environ.get("AMITUI_FUZZ_EXAMPLES", "300"))

# Bytes biased toward what makes AMI interesting: line ends, colons, markers, banners.
PIECES = st.sampled_from(
    [b"\r\n", b"\n", b"\r", b": ", b":", b"Event: X", b"Response: Follows", b"--END COMMAND--",
     b"Asterisk Call Manager/11.0.0", b"ActionID: 1", b"\xff\xfe", b"\xc3", b"Output: "]
)  # fmt: skip
CHUNKS = st.lists(st.one_of(st.binary(max_size=64), PIECES), max_size=80)


def run(chunks: list[bytes]) -> tuple[Parser, list[object]]:
    parser = Parser(max_frame=MAX_FRAME)
    frames: list[object] = []
    for chunk in chunks:
        parser.feed(chunk)
        frames.extend(parser.frames())
        # Bounded: an incomplete packet never grows past the cap (plus one read).
        assert parser.buffered <= MAX_FRAME + len(chunk) + 2
    parser.feed_eof()
    frames.extend(parser.frames())
    return parser, frames


@settings(max_examples=EXAMPLES, deadline=None)
@given(CHUNKS)
def test_parser_never_raises_and_stays_bounded(chunks: list[bytes]) -> None:
    run(chunks)


@settings(max_examples=EXAMPLES, deadline=None)
@given(CHUNKS, st.integers(min_value=1, max_value=17))
def test_chunking_never_changes_the_frames(chunks: list[bytes], size: int) -> None:
    data = b"".join(chunks)
    _, whole = run([data])
    _, pieces = run([data[i : i + size] for i in range(0, len(data), size)])
    assert whole == pieces


@settings(max_examples=EXAMPLES, deadline=None)
@given(CHUNKS)
def test_every_frame_is_classified_and_malformed_ones_say_why(chunks: list[bytes]) -> None:
    _, frames = run(chunks)
    for frame in frames:
        kind = frame.kind  # type: ignore[attr-defined]
        assert isinstance(kind, FrameKind)
        if kind is FrameKind.MALFORMED:
            assert frame.error  # type: ignore[attr-defined]


@settings(max_examples=EXAMPLES, deadline=None)
@given(CHUNKS, st.integers(min_value=1, max_value=17), st.integers(min_value=0, max_value=300))
def test_a_markerless_command_body_is_cut_the_same_however_it_arrives(
    chunks: list[bytes], size: int, legacy_limit: int
) -> None:
    # A small sane size makes every Follows packet without a near marker go through recovery.
    data = b"Response: Follows\r\nPrivilege: Command\r\n" + b"".join(chunks)

    def frames(pieces: list[bytes]) -> list[object]:
        parser = Parser(max_frame=MAX_FRAME, legacy_limit=legacy_limit)
        out: list[object] = []
        for piece in pieces:
            parser.feed(piece)
            out.extend(parser.frames())
            assert parser.buffered <= MAX_FRAME + len(piece) + 2
        parser.feed_eof()
        out.extend(parser.frames())
        return out

    assert frames([data]) == frames([data[i : i + size] for i in range(0, len(data), size)])


# Whole packets, most of them plain, with the shapes the bulk path must leave to the general
# path: bare-LF blank lines, LF line ends, lone CRs, extra blank lines, Follows in any case,
# lowercase events, packets over the cap.
PACKETS = st.lists(
    st.one_of(
        st.sampled_from(
            [b"Event: X\r\nA: 1\r\n\r\n", b"Response: Success\r\nActionID: 1\r\n\r\n",
             b"event: y\r\nB: 2\r\n\r\n", b"Event: Z\nC: 3\n\n", b"Event: Z\r\nD: 4\n\r\n",
             b"\r\n", b"\n", b"\r", b"\r\n\r\n", b"RESPONSE: FOLLOWS\r\nx\n--END COMMAND--\r\n\r\n",
             b"Response: Follows\r\nPrivilege: Command\r\n\r\n", b"Event: W\r\n\r\n\r\n",
             b"Event: B\r\nBig: " + b"b" * MAX_FRAME + b"\r\n\r\n", b": v\r\n\r\n"]
        ),
        st.binary(max_size=24),
    ),
    max_size=40,
)  # fmt: skip


def one_by_one(data: bytes) -> list[object]:
    """The frames of `data` through the general path alone: `next_frame`, never a bulk run."""
    parser = Parser(max_frame=MAX_FRAME, expect_banner=False)
    parser.feed(data)
    parser.feed_eof()
    out: list[object] = []
    while (frame := parser.next_frame()) is not None:
        out.append(frame)
    return out


@settings(max_examples=EXAMPLES, deadline=None)
@given(PACKETS)
def test_bulk_runs_give_the_frames_of_the_general_path(packets: list[bytes]) -> None:
    data = b"".join(packets)
    parser = Parser(max_frame=MAX_FRAME, expect_banner=False)
    parser.feed(data)
    taken = parser.drain()
    parser.feed_eof()
    taken += parser.drain()
    alone = one_by_one(data)
    assert taken == alone  # kinds, headers, loose lines, errors
    assert [f.raw for f in taken] == [f.raw for f in alone]  # type: ignore[attr-defined]


def test_bulk_runs_between_many_odd_packets_give_the_general_paths_frames() -> None:
    # Past a bulk run's first reach (an odd packet bounds how far the next run looks).
    plain = b"Event: Newexten\r\nPrivilege: dialplan,all\r\nUniqueid: 1.2\r\n\r\n"
    odd = b"Event: AgentCalled\nAgent: 100\n\n"  # bare LF: the general path's
    data = b"".join(odd if i % 5 == 0 or 900 < i < 910 else plain for i in range(3000))
    parser = Parser(max_frame=MAX_FRAME, expect_banner=False)
    parser.feed(data)
    taken = parser.drain()
    assert len(taken) == 3000
    assert taken == one_by_one(data)
    assert [f.raw for f in taken] == [f.raw for f in one_by_one(data)]  # type: ignore[attr-defined]
