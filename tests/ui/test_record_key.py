"""The record key on a session that cannot be recorded: a replay (it has no tap on a wire)."""

from __future__ import annotations

from pathlib import Path

import pytest

from amitui.capture.replay import replay_factory, replay_spec
from amitui.config import Profile
from amitui.ui.app import Settings
from tests.hostile import events, hostile_recording
from tests.ui.hostile_support import SIZE, make, notes, until


async def test_recording_a_replay_is_refused_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = hostile_recording(tmp_path / "in.amirec")
    monkeypatch.chdir(tmp_path)
    spec = replay_spec(path)
    settings = Settings(profile=Profile(name=spec.name, confirm=False))
    app = make(spec, settings, session_factory=replay_factory(path, speed=0))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(app.ring) >= len(events()), "the replay")
        await pilot.press("R")
        await pilot.pause()
        assert app.recordings == []
        assert any(n.message == "Recording needs a live session" for n in notes(app))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.amirec"]
