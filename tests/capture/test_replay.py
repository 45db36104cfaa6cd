"""Offline replay: the same stream a live session would give, with pause, step, speed and seek;
and the headless recorder against a scripted server (the real one: tests/integration)."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from amitui.capture.replay import OFFLINE, ReplaySession, replay_factory, replay_spec
from amitui.client import NotReady, Phase, ServerSpec, SessionState, Timing
from amitui.commands.recorder import record
from amitui.protocol import Action, Frame, FrameKind, Parser
from amitui.store.recording import RecordedPacket, RecordingWriter, open_recording
from tests.client.fakeami import FakeAmi

CALL = Path(__file__).resolve().parent.parent / "transcripts" / "asterisk22-call.bin"
SPEC = ServerSpec(host="pbx", port=5038, user="replay")


def parsed(path: Path) -> list[Frame]:
    parser = Parser()
    parser.feed(path.read_bytes())
    parser.feed_eof()
    return list(parser.frames())


def shape(frames: list[Frame]) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    return [(f.name, f.headers) for f in frames]


def packet(t: float, direction: str, text: str) -> RecordedPacket:
    crlf = text.replace("\n", "\r\n") if direction == "in" else text
    return RecordedPacket(t, direction, "pbx:5038", crlf.encode())


def ev(t: float, name: str, *more: str) -> RecordedPacket:
    return packet(t, "in", "\n".join([f"Event: {name}", *more]) + "\n")


class Player:
    """A ReplaySession running in the background, with what it delivered."""

    def __init__(self, **kw: object) -> None:
        self.frames: list[Frame] = []
        self.batches: list[list[Frame]] = []
        self.gaps: list[str] = []
        self.states: list[SessionState] = []
        self.rewinds = 0
        self._ready = asyncio.Event()
        self.session = ReplaySession(
            SPEC,
            on_events=self._events,
            on_gap=self.gaps.append,
            on_state=self._state,
            on_rewind=self._rewind,
            **kw,  # type: ignore[arg-type]
        )
        self.task: asyncio.Task[None] | None = None

    def _events(self, batch: list[Frame]) -> None:
        self.batches.append(batch)
        self.frames.extend(batch)

    def _state(self, state: SessionState) -> None:
        self.states.append(state)
        if state.phase in (Phase.READY, Phase.FAILED):
            self._ready.set()

    def _rewind(self) -> None:
        self.rewinds += 1
        self.frames.clear()

    async def start(self) -> ReplaySession:
        self.task = asyncio.create_task(self.session.run())
        async with asyncio.timeout(5):
            await self._ready.wait()
        return self.session

    async def until_finished(self) -> None:
        async with asyncio.timeout(5):
            while not self.session.finished:
                await asyncio.sleep(0)

    async def stop(self) -> None:
        await self.session.close()
        assert self.task is not None
        await self.task


@pytest.fixture
async def players() -> AsyncIterator[list[Player]]:
    made: list[Player] = []
    yield made
    for p in made:
        if p.task is not None and not p.task.done():
            await p.stop()


def player(made: list[Player], **kw: object) -> Player:
    p = Player(**kw)
    made.append(p)
    return p


async def test_raw_capture_replays_the_events_a_live_session_would_stream(
    players: list[Player],
) -> None:
    p = player(players, recording=str(CALL), speed=0)
    session = await p.start()
    await p.until_finished()
    expected = [f for f in parsed(CALL) if f.kind is FrameKind.EVENT]
    assert shape(p.frames) == shape(expected)
    assert session.state.phase is Phase.READY and session.state.ami_version == "11.0.0"
    assert session.banner is not None and session.banner.kind is FrameKind.BANNER


async def test_recorded_responses_and_list_items_stay_out_of_the_stream(
    players: list[Player],
) -> None:
    packets = [
        packet(0.0, "in", "Asterisk Call Manager/11.0.0\n"),
        packet(0.1, "out", "Action: CoreShowChannels\nActionID: a1"),
        packet(0.2, "in", "Response: Success\nActionID: a1\nEventList: start\n"),
        ev(0.3, "CoreShowChannel", "ActionID: a1", "Channel: Local/1@default-0;1"),
        ev(0.4, "CoreShowChannelsComplete", "ActionID: a1", "EventList: Complete"),
        packet(0.5, "out", "Action: Originate\nActionID: a2\nChannel: Local/1@default"),
        packet(0.6, "in", "Response: Success\nActionID: a2\nMessage: queued\n"),
        ev(0.7, "Newchannel", "Channel: Local/1@default-1;1"),
        ev(0.8, "OriginateResponse", "ActionID: a2", "Response: Success"),
        packet(0.9, "in", "Response: Success\nActionID: nobody\n"),  # stray: streamed, as live
    ]
    p = player(players, recording=packets, speed=0)
    await p.start()
    await p.until_finished()
    assert [f.name for f in p.frames] == ["Newchannel", "OriginateResponse", "Success"]
    assert p.frames[2].kind is FrameKind.RESPONSE and p.frames[2].action_id == "nobody"


async def test_send_is_refused_offline(players: list[Player]) -> None:
    session = await player(players, recording=str(CALL), speed=0).start()
    with pytest.raises(NotReady, match=OFFLINE):
        await session.send(Action("Ping"))
    assert session.ping_ms is None
    assert session.ids.next() != session.ids.next()


async def test_paused_start_steps_one_event_at_a_time(players: list[Player]) -> None:
    p = player(players, recording=str(CALL), spacing=0.5, paused=True)
    session = await p.start()
    assert p.frames == [] and session.paused
    expected = [f for f in parsed(CALL) if f.kind is FrameKind.EVENT]
    assert session.step() == 1
    assert shape(p.frames) == shape(expected[:1])
    assert session.step(3) == 3
    assert shape(p.frames) == shape(expected[:4])
    assert session.position > 0 and session.position < session.duration
    assert session.paused  # stepping never starts playback


async def test_seek_forward_then_back_restarts_from_the_beginning(
    players: list[Player],
) -> None:
    packets = [ev(float(i), f"E{i}") for i in range(10)]
    p = player(players, recording=packets, paused=True)
    session = await p.start()
    assert session.duration == 9.0
    assert session.seek(4.0) == 5
    assert [f.name for f in p.frames] == ["E0", "E1", "E2", "E3", "E4"]
    assert session.position == 4.0
    assert session.describe() == "replay 0:04 / 0:09 x1 paused"
    assert session.seek(2.0) == 3  # backwards: from the start again, up to 2 s
    assert p.rewinds == 1
    assert [f.name for f in p.frames] == ["E0", "E1", "E2"]
    assert p.gaps == ["replay restarted from the beginning to seek back to 2.0 s"]
    assert session.seek(100) == 7 and session.finished
    assert session.position == session.duration
    session.speed = 0
    session.resume()
    assert session.describe() == "replay 0:09 / 0:09 max speed at the end"


async def test_notes_become_gaps_in_place(players: list[Player]) -> None:
    packets = [
        ev(0.0, "A"),
        packet(1.0, "note", "gap: connection lost: the server closed the connection"),
        ev(2.0, "B"),
    ]
    p = player(players, recording=packets, speed=0)
    await p.start()
    await p.until_finished()
    assert [[f.name for f in b] for b in p.batches] == [["A"], ["B"]]
    assert p.gaps == ["connection lost: the server closed the connection"]


async def test_plays_at_recorded_pace_times_speed(players: list[Player]) -> None:
    packets = [ev(100.0 + i * 0.1, f"E{i}") for i in range(5)]  # 0.4 s of recording
    p = player(players, recording=packets, speed=2.0)  # 0.2 s of replay
    started = time.monotonic()
    session = await p.start()
    await p.until_finished()
    took = time.monotonic() - started
    assert [f.name for f in p.frames] == [f"E{i}" for i in range(5)]
    assert len(p.batches) >= 3  # spread out in time, not one burst
    assert 0.15 < took < 2.0
    assert session.recorded_time() == 100.4


async def test_pause_holds_and_resume_continues(players: list[Player]) -> None:
    packets = [ev(0.0, "First"), ev(1000.0, "Second")]
    p = player(players, recording=packets, speed=1.0)
    session = await p.start()
    async with asyncio.timeout(5):
        while not p.frames:
            await asyncio.sleep(0)
    session.pause()
    session.speed = 0  # as fast as possible, yet paused: nothing may arrive
    for _ in range(50):
        await asyncio.sleep(0)
    assert [f.name for f in p.frames] == ["First"] and session.position < 1.0
    session.resume()
    await p.until_finished()
    assert [f.name for f in p.frames] == ["First", "Second"]
    with pytest.raises(ValueError):
        session.speed = -1


async def test_an_unreadable_recording_fails_with_the_reason(
    players: list[Player], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.amirec"
    bad.write_text('{"amirec": 99}\n')
    session = await player(players, recording=str(bad)).start()
    assert session.state.phase is Phase.FAILED
    assert "version 99" in (session.state.reason or "")


def test_replay_spec_names_the_recorded_server(tmp_path: Path) -> None:
    path = tmp_path / "r.amirec"
    RecordingWriter(path, "10.0.0.5:5038").close()
    spec = replay_spec(path)
    assert (spec.host, spec.port, spec.read_only) == ("10.0.0.5", 5038, True)
    assert spec.name == "replay of r.amirec"
    assert replay_spec(CALL).host == "asterisk22-call.bin"
    factory = replay_factory(path, speed=0)
    assert isinstance(factory(spec, on_events=None), ReplaySession)


# -- the recorder, against a scripted server ----------------------------------------------


async def test_record_then_replay_gives_the_same_events(tmp_path: Path) -> None:
    fake = await FakeAmi().start()
    path = tmp_path / "r.amirec"
    stop = asyncio.Event()
    err = io.StringIO()
    spec = ServerSpec(port=fake.port, user="u", secret=fake.secret, auth="plain")
    timing = Timing(backoff_base=0.05, backoff_cap=0.1)
    try:
        task = asyncio.create_task(record(spec, str(path), stop=stop, timing=timing, err=err))
        async with asyncio.timeout(5):
            while not fake.writers or not fake.actions("login"):
                await asyncio.sleep(0.01)
        fake.push(b"Event: Newchannel\r\nChannel: PJSIP/100-1\r\nSecret: leak\r\n\r\n")
        fake.push(b"Event: Hangup\r\nChannel: PJSIP/100-1\r\nCause: 16\r\n\r\n")
        fake.drop_all()  # a gap: the recorder reconnects and notes it
        async with asyncio.timeout(5):
            while len(fake.actions("login")) < 2:
                await asyncio.sleep(0.01)
        fake.push(b"Event: FullyBooted\r\nStatus: Fully Booted\r\n\r\n")
        async with asyncio.timeout(5):
            while b"FullyBooted" not in path.read_bytes():
                await asyncio.sleep(0.01)
        stop.set()
        assert await task == 0
    finally:
        await fake.stop()
    data = path.read_bytes()
    assert b"leak" not in data and fake.secret.encode() not in data
    packets = list(open_recording(path))
    notes = [p.raw.decode() for p in packets if p.direction == "note"]
    assert notes[0].startswith("gap: connection lost")
    assert notes[1].startswith("gap: reconnected after")
    assert any(p.raw.startswith(b"Action: Logoff") for p in packets if p.direction == "out")
    status = err.getvalue().strip()
    assert status == f"amitui: recorded {len(packets) - 2} packets ({len(data)} bytes) to {path}"

    got: list[Frame] = []
    gaps: list[str] = []
    session = ReplaySession(
        SPEC, recording=str(path), speed=0, on_events=got.extend, on_gap=gaps.append
    )
    runner = asyncio.create_task(session.run())
    async with asyncio.timeout(5):
        while not session.finished or session.state.phase is not Phase.READY:
            await asyncio.sleep(0)
    await session.close()
    await runner
    assert [f.name for f in got] == ["Newchannel", "Hangup", "FullyBooted"]
    assert got[0].get("Secret") == "********"
    assert gaps == [n.removeprefix("gap: ") for n in notes]


async def test_record_stops_after_count_and_at_the_size_limit(tmp_path: Path) -> None:
    fake = await FakeAmi().start()
    spec = ServerSpec(port=fake.port, user="u", secret=fake.secret, auth="plain")
    try:
        for kwargs in ({"count": 2}, {"max_bytes": 900}):
            path = tmp_path / f"{next(iter(kwargs))}.amirec"
            err = io.StringIO()
            task = asyncio.create_task(record(spec, str(path), err=err, **kwargs))  # type: ignore[arg-type]
            async with asyncio.timeout(5):
                while not fake.writers or not fake.actions("login"):
                    await asyncio.sleep(0.01)
                while not task.done():
                    fake.push(b"Event: Tick\r\nPadding: " + b"x" * 100 + b"\r\n\r\n")
                    await asyncio.sleep(0.01)
            assert task.result() == 0
            fake.received.clear()
            if "max_bytes" in kwargs:
                assert "dropped at the size limit" in err.getvalue()
                assert open_recording(path).info.kind == "amirec"
    finally:
        await fake.stop()


async def test_record_reports_a_refused_login(tmp_path: Path) -> None:
    fake = await FakeAmi().start()
    err = io.StringIO()
    spec = ServerSpec(port=fake.port, user="u", secret="wrong", auth="plain")
    try:
        code = await record(spec, str(tmp_path / "r.amirec"), seconds=5, err=err)
    finally:
        await fake.stop()
    assert code == 2
    first, last = err.getvalue().strip().splitlines()
    assert first.endswith("Authentication failed")
    assert last.startswith("amitui: recorded 3 packets")  # banner, Login, its refusal: kept


async def test_record_refuses_an_unwritable_path(tmp_path: Path) -> None:
    err = io.StringIO()
    code = await record(SPEC, str(tmp_path / "no" / "such" / "dir.amirec"), err=err)
    assert code == 2 and err.getvalue().startswith("amitui: cannot record to")


# -- the console over a replay ------------------------------------------------------------


async def test_the_console_opens_offline_over_a_capture() -> None:
    from amitui.ui.app import AmiApp, Settings

    expected = [f for f in parsed(CALL) if f.kind is FrameKind.EVENT]
    app = AmiApp(replay_spec(CALL), Settings(), session_factory=replay_factory(CALL, speed=0))
    async with app.run_test(size=(120, 40)) as pilot:
        async with asyncio.timeout(10):
            while len(app.ring) < len(expected):
                await pilot.pause()
        assert shape([e.frame for e in app.ring]) == shape(expected)  # type: ignore[union-attr]
        app.request_send(Action("Ping"))
        async with asyncio.timeout(10):
            while not list(app._notifications):
                await pilot.pause()
        (note,) = list(app._notifications)
        assert note.message == OFFLINE and note.title == "Ping not sent"


async def test_live_recording_taps_a_running_session_and_lets_go(tmp_path: Path) -> None:
    from amitui.capture.live import LiveRecording
    from amitui.client import AmiSession

    fake = await FakeAmi().start()
    gaps: list[str] = []
    spec = ServerSpec(port=fake.port, user="u", secret=fake.secret, auth="plain")
    session = AmiSession(spec, on_gap=gaps.append, timing=Timing(backoff_base=0.01))
    path = tmp_path / "toggle.amirec"
    full: list[bool] = []
    try:
        await session.open()
        runner = asyncio.create_task(session.run())
        live = LiveRecording(session, path, max_entries=3, on_full=lambda: full.append(True))
        fake.push(b"Event: Newchannel\r\nChannel: PJSIP/1-1\r\n\r\n")
        fake.drop_all()
        async with asyncio.timeout(5):
            while not live.writer.full:
                fake.push(b"Event: Tick\r\n\r\n")
                await asyncio.sleep(0.01)
        summary = live.stop()
        assert session.on_wire is None and session.on_gap == gaps.append  # left alone
        assert session.tapped == 0  # untapped
        await session.close()
        await asyncio.gather(runner, return_exceptions=True)
    finally:
        await fake.stop()
    assert full == [True] and gaps and gaps[0].startswith("connection lost")
    with open_recording(path) as reader:
        packets = list(reader)
        assert reader.info.ami_version == "11.0.0"  # from the session: no banner in the file
    assert [p.direction for p in packets][:2] == ["in", "note"]
    assert packets[-1].raw.startswith(b"dropped ")
    assert summary.startswith("recorded ") and summary.endswith("dropped at the size limit")
    assert live.stop() == summary and not live.active
