"""Record a real call from the real Asterisk 22, replay it offline, get the same events."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from amitui.capture.replay import ReplaySession, replay_spec
from amitui.client import AmiSession, Phase, ServerSpec
from amitui.commands.recorder import record
from amitui.protocol import Action, Frame
from amitui.store.recording import open_recording
from tests.conftest import Asterisk

pytestmark = pytest.mark.asterisk


def spec(server: Asterisk, auth: str = "auto") -> ServerSpec:
    user, secret = server.admin
    return ServerSpec(host=server.host, port=server.port, user=user, secret=secret, auth=auth)


async def until(pred: Callable[[], bool], timeout: float = 15.0) -> None:
    async with asyncio.timeout(timeout):
        while not pred():
            await asyncio.sleep(0.02)


async def replay(path: Path) -> list[Frame]:
    got: list[Frame] = []
    session = ReplaySession(replay_spec(path), recording=str(path), speed=0, on_events=got.extend)
    runner = asyncio.create_task(session.run())
    await until(lambda: session.state.phase is Phase.READY and session.finished, 10)
    await session.close()
    await runner
    return got


def of_call(frames: list[Frame], linkedid: str, action_id: str) -> list[Frame]:
    return [
        f
        for f in frames
        if linkedid in (f.get("Linkedid"), f.get("Uniqueid")) or f.action_id == action_id
    ]


def span(frames: list[Frame], first: Frame) -> list[Frame]:
    start = next(i for i, f in enumerate(frames) if f.raw == first.raw)
    end = next(i for i, f in enumerate(frames) if f.get("UserEvent") == "AmituiRecordEnd")
    return frames[start : end + 1]


async def test_a_recorded_real_call_replays_with_the_same_events(
    asterisk: Asterisk, tmp_path: Path
) -> None:
    path = tmp_path / "call.amirec"
    stop = asyncio.Event()
    err = io.StringIO()
    recorder = asyncio.create_task(
        record(spec(asterisk), str(path), seconds=60, stop=stop, err=err)
    )
    await until(lambda: path.exists() and b"Authentication accepted" in path.read_bytes())

    live: list[Frame] = []
    caller = AmiSession(spec(asterisk), on_events=live.extend)
    await caller.open()
    try:
        tr = await caller.send(
            Action.of(
                "Originate", Channel="Local/101@default", Application="Wait", Data="1",
                Async="true",
            )
        )  # fmt: skip
        assert tr.ok, tr.message
        aid = tr.action.action_id or ""
        await until(lambda: any(f.name == "OriginateResponse" and f.action_id == aid for f in live))
        origin = next(f for f in live if f.name == "OriginateResponse" and f.action_id == aid)
        linkedid = origin.get("Uniqueid") or ""
        await until(
            lambda: len([f for f in of_call(live, linkedid, aid) if f.name == "Hangup"]) >= 2
        )
        # Every session gets events in the same order, so once the recorder has this marker
        # it has everything about the call before it.
        await caller.send(Action.of("UserEvent", UserEvent="AmituiRecordEnd"))
        await until(lambda: b"AmituiRecordEnd" in path.read_bytes())
    finally:
        await caller.close()
    stop.set()
    assert await recorder == 0

    data = path.read_bytes()
    assert b"amitui-admin-secret" not in data
    with open_recording(path) as reader:
        packets = list(reader)
        assert reader.info.server == f"{asterisk.host}:{asterisk.port}"
        assert reader.info.ami_version == "11.0.0"
        assert reader.skipped == 0
    assert err.getvalue().strip() == (
        f"amitui: recorded {len(packets)} packets ({len(data)} bytes) to {path}"
    )

    replayed = await replay(path)
    expected = of_call(live, linkedid, aid)
    names = [f.name for f in expected]
    assert {"Newchannel", "Newstate", "Hangup", "OriginateResponse"} <= set(names)
    got = of_call(replayed, linkedid, aid)
    assert [(f.name, f.headers) for f in got] == [(f.name, f.headers) for f in expected]
    # Wider: the whole stream from the call's first event to the marker, whatever else the
    # shared server did meanwhile, since every session sees events in the same order.
    assert [(f.name, f.headers) for f in span(replayed, got[0])] == [
        (f.name, f.headers) for f in span(live, expected[0])
    ]
    # The recorder's own login and keepalive replies stayed out of the stream, as live.
    assert not [f for f in replayed if f.get("Message") == "Authentication accepted"]


@pytest.mark.parametrize("auth", ["auto", "plain"])
async def test_record_for_seconds_keeps_no_secret(
    asterisk: Asterisk, tmp_path: Path, auth: str
) -> None:
    path = tmp_path / "short.amirec"
    err = io.StringIO()
    assert await record(spec(asterisk, auth), str(path), seconds=1.0, err=err) == 0
    data = path.read_bytes()
    assert b"amitui-admin-secret" not in data
    outs = [p.raw.decode() for p in open_recording(path) if p.direction == "out"]
    login = next(o for o in outs if o.startswith("Action: Login"))
    assert ("Secret: ********" if auth == "plain" else "Key: ********") in login
    assert outs[-1].startswith("Action: Logoff")
    assert [f.name for f in await replay(path)][:1] == ["FullyBooted"]


async def test_record_stops_after_count_events(asterisk: Asterisk, tmp_path: Path) -> None:
    path = tmp_path / "one.amirec"
    assert await record(spec(asterisk), str(path), seconds=20, count=1, err=io.StringIO()) == 0
    replayed = await replay(path)
    assert replayed and replayed[0].name == "FullyBooted"


async def test_record_wrong_secret_is_exit_2(asterisk: Asterisk, tmp_path: Path) -> None:
    bad = ServerSpec(host=asterisk.host, port=asterisk.port, user="admin", secret="nope")
    err = io.StringIO()
    assert await record(bad, str(tmp_path / "bad.amirec"), seconds=5, err=err) == 2
    assert "Authentication failed" in err.getvalue()
