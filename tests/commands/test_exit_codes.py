"""The scripting commands' exit codes, from the outside, against the demo PBX (no root, no
Asterisk needed): 0 when the server says Success, 1 when it answers with an error, 2 when
there is no usable connection (refused, wrong secret) or no usable input; each failure with
one line on stderr. `replay --json` reads back what `record` wrote."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

AMITUI = [sys.executable, "-m", "amitui"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def demo_port() -> Iterator[int]:
    port = _free_port()
    server = subprocess.Popen(
        [*AMITUI, "demo-server", "--port", str(port), "--seed", "7"],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert server.stderr is not None
        assert f"127.0.0.1:{port}" in server.stderr.readline()
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def amitui(
    port: int, *args: str, user: str = "demo", secret: str = "demo"
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AMITUI_SECRET": secret}
    command = [*AMITUI, *args, "--user", user, "--port", str(port)]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_success_is_0(demo_port: int) -> None:
    out = amitui(demo_port, "action", "Ping")
    assert out.returncode == 0, out.stderr
    assert "Ping: Pong" in out.stdout


def test_an_error_response_is_1_with_the_servers_message(demo_port: int) -> None:
    out = amitui(demo_port, "action", "Hangup", "Channel=PJSIP/nobody-00000000")
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Response: Error" in out.stdout
    assert "No such channel" in one_line(out.stderr)


def test_permission_denied_is_1(demo_port: int) -> None:
    out = amitui(
        demo_port, "action", "Originate", "Channel=Local/100@default", "Application=Wait",
        "Data=1", user="readonly", secret="readonly",
    )  # fmt: skip
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Permission denied" in one_line(out.stderr)


def test_wrong_secret_is_2(demo_port: int) -> None:
    out = amitui(demo_port, "action", "Ping", secret="wrong")
    assert out.returncode == 2
    assert "Authentication failed" in one_line(out.stderr)
    assert out.stdout == ""


def test_nothing_listening_is_2() -> None:
    out = amitui(_free_port(), "action", "Ping")
    assert out.returncode == 2
    assert "127.0.0.1" in one_line(out.stderr)


def test_events_count_is_0(demo_port: int) -> None:
    out = amitui(demo_port, "events", "--json", "--count", "3")
    assert out.returncode == 0, out.stderr
    assert len([json.loads(line) for line in out.stdout.splitlines()]) == 3


def test_record_then_replay_json(demo_port: int, tmp_path: Path) -> None:
    path = tmp_path / "demo.amirec"
    rec = amitui(demo_port, "record", str(path), "--count", "5")
    assert rec.returncode == 0, rec.stderr
    out = subprocess.run(
        [*AMITUI, "replay", str(path), "--json"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    objs = [json.loads(line) for line in out.stdout.splitlines()]
    assert sum(1 for o in objs if "Event" in o) >= 5
    # The login went over the wire too, and its secret is masked in the file and in the replay.
    assert "demo" not in [o.get("Secret") for o in objs if o.get("Action") == "Login"]


def test_replay_of_a_missing_file_is_2(tmp_path: Path) -> None:
    missing = tmp_path / "nothing.amirec"
    out = subprocess.run(
        [*AMITUI, "replay", str(missing), "--json"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 2
    assert str(missing) in one_line(out.stderr)
    assert out.stdout == ""
