"""The scripting commands' answers the real Asterisk 22 shapes: a failed Command's reason, and
the events our own login brings (see tests/test_scripting_cli.py for the loopback versions)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.conftest import Asterisk

pytestmark = pytest.mark.asterisk


def env(server: Asterisk) -> dict[str, str]:
    return {**os.environ, "AMITUI_SECRET": server.admin[1]}


def test_failed_command_gives_the_servers_reason(asterisk: Asterisk) -> None:
    # Asterisk 22: Response: Error, Message: Command output follows, the reason in Output.
    out = subprocess.run(
        [sys.executable, "-m", "amitui", "action", "Command", "Command=foo bar",
         "--user", "admin", "--port", str(asterisk.port)],
        capture_output=True, text=True, timeout=30, env=env(asterisk), stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert out.returncode == 1
    assert out.stderr.splitlines() == [
        "amitui: Command: Error: No such command 'foo bar' "
        "(type 'core show help foo bar' for other possible commands)"
    ]


def test_our_own_fully_booted_is_not_an_event(asterisk: Asterisk) -> None:
    # Asterisk writes FullyBooted to every session right after its login; it is ours, not
    # news. Nobody else's FullyBooted reaches this session, so nothing must be printed.
    proc = subprocess.Popen(
        [sys.executable, "-m", "amitui", "events", "--json", "--count", "1",
         "--filter", "Event=FullyBooted", "--user", "admin", "--port", str(asterisk.port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(asterisk),
    )  # fmt: skip
    try:
        time.sleep(2.0)  # logged in long before; an exit now would mean it printed ours
        assert proc.poll() is None, proc.communicate()
    finally:
        proc.kill()
        stdout, _ = proc.communicate(timeout=10)
    assert stdout == ""
