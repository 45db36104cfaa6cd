"""The scripting commands, as a shell user runs them, against the real Asterisk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, Asterisk

pytestmark = pytest.mark.asterisk


def amitui(
    server: Asterisk, *args: str, secret: str | None = None, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "AMITUI_SECRET"}
    env["AMITUI_SECRET"] = secret if secret is not None else server.admin[1]
    return subprocess.run(
        [sys.executable, "-m", "amitui", *args, "--port", str(server.port)],
        capture_output=True, text=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def test_action_ping_prints_pong_and_exits_0(asterisk: Asterisk) -> None:
    out = amitui(asterisk, "action", "Ping", "--user", "admin")
    assert out.returncode == 0, out.stderr
    assert "Response: Success" in out.stdout and "Ping: Pong" in out.stdout
    assert out.stderr == ""


def test_error_response_exits_1_with_one_line_reason(asterisk: Asterisk) -> None:
    out = amitui(asterisk, "action", "NoSuchThing", "--user", "admin")
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        "amitui: NoSuchThing: Error: Invalid/unknown command: NoSuchThing. "
        "Use Action: ListCommands to show available commands."
    ]


def test_permission_denied_for_read_only_user(asterisk: Asterisk) -> None:
    out = amitui(
        asterisk, "action", "Originate", "Channel=Local/100@default", "Application=Wait",
        "Data=1", "--user", "reader", secret=asterisk.reader[1],
    )  # fmt: skip
    assert out.returncode == 1
    assert "Permission denied" in out.stderr


def test_login_failure_and_refused_connection_exit_2(asterisk: Asterisk) -> None:
    out = amitui(asterisk, "action", "Ping", "--user", "admin", secret="wrong")
    assert out.returncode == 2
    assert out.stderr.strip() == (
        f"amitui: login failed for 'admin' at 127.0.0.1:{asterisk.port}: Authentication failed"
    )
    assert "Traceback" not in out.stderr


def test_no_secret_without_terminal_exits_2(asterisk: Asterisk) -> None:
    out = amitui(asterisk, "action", "Ping", "--user", "admin", secret="")
    assert out.returncode == 2
    assert "no secret" in out.stderr


def test_command_json_output_is_an_array(asterisk: Asterisk) -> None:
    out = amitui(
        asterisk, "action", "Command", "Command=core show version", "--user", "admin", "--json"
    )
    assert out.returncode == 0, out.stderr
    (obj,) = [json.loads(line) for line in out.stdout.splitlines()]
    assert list(obj)[:2] == ["Response", "ActionID"]
    assert isinstance(obj["Output"], list) and obj["Output"][0].startswith("Asterisk 22.")


def test_list_action_prints_response_items_and_complete(asterisk: Asterisk) -> None:
    out = amitui(asterisk, "action", "CoreShowChannels", "--user", "admin", "--json")
    assert out.returncode == 0, out.stderr
    objs = [json.loads(line) for line in out.stdout.splitlines()]
    assert objs[0]["EventList"] == "start"
    assert objs[-1]["Event"] == "CoreShowChannelsComplete"
    assert int(objs[-1]["ListItems"]) == len(objs) - 2


def test_events_filter_and_count(asterisk: Asterisk) -> None:
    env = {**os.environ, "AMITUI_SECRET": asterisk.admin[1]}
    cmd = [
        sys.executable, "-m", "amitui", "events", "--user", "admin",
        "--port", str(asterisk.port), "--json", "--count", "2",
        "--filter", "Event=Newchannel Exten=101",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        time.sleep(1.0)  # let it log in before the call starts
        fire = amitui(
            asterisk, "action", "Originate", "Channel=Local/101@default", "Application=Wait",
            "Data=1", "Async=true", "--user", "admin",
        )  # fmt: skip
        assert fire.returncode == 0, fire.stderr
        stdout, stderr = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 0, stderr
    objs = [json.loads(line) for line in stdout.splitlines()]
    assert len(objs) == 2
    assert all(o["Event"] == "Newchannel" and o["Exten"] == "101" for o in objs)
    assert {o["Channel"][-2:] for o in objs} == {";1", ";2"}


def test_replay_prints_every_packet_of_a_capture(tmp_path: Path) -> None:
    capture = ROOT / "tests" / "transcripts" / "asterisk22-call.bin"
    out = subprocess.run(
        [sys.executable, "-m", "amitui", "replay", str(capture), "--json"],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    objs = [json.loads(line) for line in out.stdout.splitlines()]
    assert objs[0] == {"Banner": "Asterisk Call Manager/11.0.0", "AMIVersion": "11.0.0"}
    assert any(
        o.get("Event") == "OriginateResponse" and o.get("Response") == "Success" for o in objs
    )
    assert objs[-1].get("Response") == "Goodbye"
    text = subprocess.run(
        [sys.executable, "-m", "amitui", "replay", str(capture), "--print"],
        capture_output=True, text=True, timeout=30,
    ).stdout  # fmt: skip
    assert text.count("\n\n") == len(objs)
