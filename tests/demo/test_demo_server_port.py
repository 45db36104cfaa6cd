"""`amitui demo-server --port N` on a port it cannot take: one line saying so, exit 2."""

from __future__ import annotations

import errno
import socket
import subprocess
import sys

import pytest

from amitui.commands.cli import main
from amitui.demo.server import listen_failure


def test_a_port_in_use_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["demo-server", "--port", str(port)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"port {port} on 127.0.0.1 is already in use" in err
    assert "--port 0" in err


def test_the_whole_process_prints_no_traceback() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "amitui", "demo-server", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert done.returncode == 2
    assert done.stderr.startswith("amitui: port ") and done.stderr.count("\n") == 1


def test_other_listen_failures_say_why() -> None:
    text = listen_failure(80, OSError(errno.EACCES, "Permission denied"))
    assert (
        text == "cannot listen on 127.0.0.1:80: Permission denied; try another port with --port N"
    )
