"""Replay is honest about damage: what the parser found MALFORMED stays MALFORMED through
recording and replay (`amitui replay FILE --json`, the console's ReplaySession), and lines of a
recording that cannot be read are reported, not passed over in silence."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from amitui.capture.live import LiveRecording
from amitui.capture.replay import ReplaySession
from amitui.client import AmiSession, Phase, ServerSpec, Timing
from amitui.commands.cli import main
from amitui.protocol import Frame, FrameKind, Parser
from amitui.store.recording import RecordingWriter
from tests.client.fakeami import FakeAmi

BANNER = b"Asterisk Call Manager/11.0.0\r\n"
GOOD = b"Event: FullyBooted\r\nPrivilege: system,all\r\nStatus: Fully Booted\r\n\r\n"
CLOSED = "connection closed in the middle of a packet"
CUT_SHORT = [
    b"Event: X\r\n",  # no blank line after it
    b"Event: MusicOnHoldStop\r\nPrivilege: call,all\r\nChannel: PJSIP/1001-00000001\r\n"
    b"ChannelStateDesc: Up",  # cut in the middle of a line
]
SPEC = ServerSpec(host="pbx", port=5038, user="replay")


def replay_json(
    path: Path, capsys: pytest.CaptureFixture[str], chunk: int | None = None
) -> tuple[list[dict[str, Any]], str]:
    """What `amitui replay FILE --json` prints: one object per line, and stderr."""
    if chunk is not None:
        import amitui.store.recording as recording

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(recording, "_CHUNK", chunk)  # a raw capture read in pieces this big
            assert main(["replay", str(path), "--json"]) == 0
    else:
        assert main(["replay", str(path), "--json"]) == 0
    out, err = capsys.readouterr()
    return [json.loads(line) for line in out.splitlines()], err


def every_chunking(path: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    whole, err = replay_json(path, capsys)
    assert not err
    for chunk in (1, 7, 64):
        assert replay_json(path, capsys, chunk)[0] == whole, f"read {chunk} bytes at a time"
    return whole


# -- a raw capture, through `amitui replay --json` --------------------------------------------


@pytest.mark.parametrize("cut", CUT_SHORT, ids=["no-blank-line", "mid-line"])
def test_a_packet_cut_off_at_the_end_replays_as_malformed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cut: bytes
) -> None:
    path = tmp_path / "cap.bin"
    for data in (cut, BANNER + GOOD + cut, GOOD + b"\r\n\r\n" + cut):
        path.write_bytes(data)
        *rest, last = every_chunking(path, capsys)
        assert last == {"_malformed": CLOSED, "_raw": cut.decode()}
        assert all("_malformed" not in x for x in rest)


def test_legacy_follows_with_lf_line_ends_keeps_its_headers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cap.bin"
    body = b"Name: 1001\n  * Secret : <Set>\n\nStatus: OK (5 ms)\n"
    path.write_bytes(
        b"Response: Follows\nPrivilege: Command\nActionID: x\n" + body + b"--END COMMAND--\n\n"
    )
    (out,) = every_chunking(path, capsys)
    assert out == {
        "Response": "Follows",
        "Privilege": "Command",
        "ActionID": "x",
        "Output": ["Name: 1001", "  * Secret : <Set>", "", "Status: OK (5 ms)"],
    }
    # The real CRLF shape (headers CRLF, body LF) is unchanged, in the same file as LF ones.
    real = Path(__file__).resolve().parent.parent / "transcripts" / "quirks-legacy-follows.bin"
    path.write_bytes(
        real.read_bytes() + b"Response: Follows\nPrivilege: Command\n--END COMMAND--\n\n"
    )
    mixed = every_chunking(path, capsys)
    peer = next(x for x in mixed if x.get("ActionID") == "c1")
    assert peer["Output"][2] == "  * Name       : 1001" and "Status" not in peer
    assert mixed[-1] == {"Response": "Follows", "Privilege": "Command", "Output": []}


def test_a_follows_packet_without_its_marker_does_not_swallow_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trimmed = b"Response: Follows\r\nPrivilege: Command\r\nActionID: 17000-1\r\n\r\n"
    events = b"".join(b"Event: Newexten\r\nUniqueid: 1.%d\r\n\r\n" % i for i in range(36))
    path = tmp_path / "cap.bin"
    path.write_bytes(trimmed + events + b"Response: Success\r\nPing: Pong\r\n\r\n")
    out = every_chunking(path, capsys)
    assert len(out) == 38
    assert "--END COMMAND--" in out[0]["_malformed"] and out[0]["_raw"] == trimmed[:-2].decode()
    assert [x.get("Uniqueid") for x in out[1:37]] == [f"1.{i}" for i in range(36)]
    assert out[-1] == {"Response": "Success", "Ping": "Pong"}


def test_output_spelled_two_ways_is_one_output_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cap.bin"
    path.write_bytes(
        b"Response: Success\r\nMessage: Command output follows\r\n"
        b"Output: line one\r\noutput: line two\r\nOutput: \r\n\r\n"
    )
    (out,) = every_chunking(path, capsys)
    assert out == {
        "Response": "Success",
        "Message": "Command output follows",
        "Output": ["line one", "line two", ""],
    }


def test_an_empty_header_name_is_a_loose_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cap.bin"
    path.write_bytes(b"Event: UserEvent\r\n: value\r\nUserEvent: x\r\n\r\n")
    (out,) = every_chunking(path, capsys)
    assert out == {"Event": "UserEvent", "UserEvent": "x", "_lines": [": value"]}


# -- a recording, through `amitui replay --json` ---------------------------------------------


def parsed(data: bytes, max_frame: int) -> list[Frame]:
    parser = Parser(max_frame=max_frame)
    parser.feed(data)
    parser.feed_eof()
    return list(parser.frames())


def test_recorded_malformed_packets_replay_malformed_with_their_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = b"Event: Huge\r\nJSON: " + b"x" * 9000 + b"\r\n\r\n"
    frames = parsed(BANNER + GOOD + big + GOOD + CUT_SHORT[1], max_frame=2048)
    path = tmp_path / "r.amirec"
    with RecordingWriter(path, "pbx:5038") as w:
        w.write_batch([("in", f) for f in frames])
    out, err = replay_json(path, capsys)
    assert not err
    assert [next(iter(x)) for x in out] == ["Banner", "Event", "_malformed", "Event", "_malformed"]
    assert out[2]["_malformed"] == frames[2].error
    assert "larger than 2048 bytes" in out[2]["_malformed"]
    assert out[2]["_raw"] == big[:2048].decode()  # the preview, said to be one
    assert out[4] == {"_malformed": CLOSED, "_raw": CUT_SHORT[1].decode()}


def test_unreadable_lines_are_reported_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "r.amirec"
    with RecordingWriter(path, "pbx:5038") as w:
        w.write_batch([("in", BANNER), ("in", GOOD[:-2])])
    header, *rest = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(header + b"{broken\n" + b"".join(rest) + b'{"t": 1, "dir"')
    out, err = replay_json(path, capsys)
    assert [next(iter(x)) for x in out] == ["Banner", "Event"]
    assert err == f"amitui: {path}: 2 unreadable lines skipped (first: line 2)\n"


# -- the console's ReplaySession ------------------------------------------------------------


async def play(recording: str) -> tuple[ReplaySession, list[Frame]]:
    got: list[Frame] = []
    session = ReplaySession(SPEC, recording=recording, speed=0, on_events=got.extend)
    runner = asyncio.create_task(session.run())
    async with asyncio.timeout(5):
        while session.state.phase is not Phase.READY or not session.finished:
            await asyncio.sleep(0)
    await session.close()
    await runner
    return session, got


@pytest.mark.parametrize("cut", CUT_SHORT, ids=["no-blank-line", "mid-line"])
async def test_the_console_streams_a_cut_packet_as_malformed(tmp_path: Path, cut: bytes) -> None:
    path = tmp_path / "cap.bin"
    path.write_bytes(BANNER + GOOD + cut)
    _, got = await play(str(path))
    assert [f.kind for f in got] == [FrameKind.EVENT, FrameKind.MALFORMED]
    assert got[1].error == CLOSED and got[1].raw == cut


async def test_malformed_survives_a_live_recording_and_its_replay(tmp_path: Path) -> None:
    fake = await FakeAmi().start()
    spec = ServerSpec(port=fake.port, user="u", secret=fake.secret, auth="plain")
    seen: list[Frame] = []
    session = AmiSession(spec, on_events=seen.extend, timing=Timing(), max_frame=1024)
    session.reconnect = False
    path = tmp_path / "live.amirec"
    big = b"Event: Huge\r\nJSON: " + b"x" * 3000 + b"\r\n\r\n"
    try:
        await session.open()
        runner = asyncio.create_task(session.run())
        live = LiveRecording(session, path)
        fake.push(GOOD + big + GOOD + CUT_SHORT[1])
        async with asyncio.timeout(5):
            while len(seen) < 3:
                await asyncio.sleep(0.01)
        for w in fake.writers:
            w.close()  # a clean close: the session reads EOF inside the cut packet
        async with asyncio.timeout(5):
            while len(seen) < 4:
                await asyncio.sleep(0.01)
        live.stop()
        await session.close()
        await asyncio.gather(runner, return_exceptions=True)
    finally:
        await fake.stop()
    live_bad = [f for f in seen if f.kind is FrameKind.MALFORMED]
    assert [f.error for f in live_bad] == [live_bad[0].error, CLOSED]
    assert "larger than 1024" in (live_bad[0].error or "")
    _, got = await play(str(path))
    replayed = [f for f in got if f.kind is FrameKind.MALFORMED]
    assert replayed == live_bad  # same reason, same bytes (the preview and the cut packet)
    assert [f.name for f in got if f.kind is FrameKind.EVENT] == ["FullyBooted", "FullyBooted"]


async def test_unreadable_lines_show_in_the_status_bar(tmp_path: Path) -> None:
    from amitui.capture.replay import replay_factory, replay_spec
    from amitui.ui.app import AmiApp, Settings
    from amitui.ui.widgets.statusbar import StatusBar

    path = tmp_path / "r.amirec"
    with RecordingWriter(path, "pbx:5038") as w:
        w.write_batch([("in", BANNER), ("in", GOOD[:-2])])
    path.write_bytes(path.read_bytes() + b'{"t": 1, "dir": "in", "raw": 5}\n')
    session, got = await play(str(path))
    assert [f.name for f in got] == ["FullyBooted"]
    assert session.describe().endswith("; 1 unreadable line skipped (first: line 4)")
    app = AmiApp(replay_spec(path), Settings(), session_factory=replay_factory(path, speed=0))
    async with app.run_test(size=(200, 40)) as pilot:
        async with asyncio.timeout(10):
            # Until the event is shown too: leaving while the app's 20 Hz tick still has work
            # races its shutdown (app._tick queries panes being torn down; not this test's).
            while "unreadable" not in str(app.query_one(StatusBar).render()) or (
                not len(app.ring) or app.ticks.version != app.ring.version
            ):
                await pilot.pause()
        assert "1 unreadable line skipped (first: line 4)" in str(app.query_one(StatusBar).render())
