"""What a newcomer runs: the wheel carries themes and demo data; the commands start."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT


def test_wheel_contains_themes_and_demo_data(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("amitui-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"amitui/themes/amitui-dark.toml", "amitui/themes/amitui-light.toml"} <= names
    assert "amitui/demo/data/listcommands.txt" in names
    assert "amitui/py.typed" in names
    assert not any(n.startswith("tests/") for n in names)


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["action", "--help"]])
def test_command_starts(args: list[str]) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "amitui", *args], capture_output=True, text=True, timeout=30
    )
    assert out.returncode == 0, out.stderr
    assert "amitui" in out.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_demo_server_drives_action_and_events() -> None:
    port = _free_port()
    env = {**os.environ, "AMITUI_SECRET": "demo"}
    server = subprocess.Popen(
        [sys.executable, "-m", "amitui", "demo-server", "--port", str(port), "--seed", "3"],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert server.stderr is not None
        banner = server.stderr.readline()
        assert f"127.0.0.1:{port}" in banner
        base = [sys.executable, "-m", "amitui"]
        conn = ["--user", "demo", "--port", str(port)]
        ping = subprocess.run([*base, "action", "Ping", *conn], capture_output=True, text=True,
                              env=env, timeout=30)  # fmt: skip
        assert ping.returncode == 0 and "Ping: Pong" in ping.stdout, ping.stderr
        start = time.monotonic()
        events = subprocess.run(
            [*base, "events", "--json", "--count", "5", "--filter", "Event=Newchannel", *conn],
            capture_output=True, text=True, env=env, timeout=60,
        )  # fmt: skip
        assert events.returncode == 0, events.stderr
        objs = [json.loads(line) for line in events.stdout.splitlines()]
        assert len(objs) == 5 and all(o["Event"] == "Newchannel" for o in objs)
        assert time.monotonic() - start < 60
        origin = subprocess.run(
            [*base, "action", "Originate", "Channel=Local/100@default", "Application=Wait",
             "Data=1", *conn], capture_output=True, text=True, env=env, timeout=30,
        )  # fmt: skip
        assert origin.returncode == 0, origin.stderr
        bad = subprocess.run([*base, "action", "Ping", *conn], capture_output=True, text=True,
                             env={**env, "AMITUI_SECRET": "wrong"}, timeout=30)  # fmt: skip
        assert bad.returncode == 2 and "Authentication failed" in bad.stderr
    finally:
        server.terminate()
        server.wait(timeout=10)
