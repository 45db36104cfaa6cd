"""The scripting commands as a shell user meets them: the server's own reason for a failed
Command, a connect that times out, a closed pipe, `events --count` and our own login's events,
prompt output of a lone event, the usage line and the exit codes.

Loopback servers only; the real Asterisk's Command failure is in tests/integration.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from amitui import exitcodes
from amitui.commands.cli import build_parser, main
from amitui.protocol import Frame
from tests.hostileami import Answer, HostileAmi, default_reply, packet

ROOT = Path(__file__).resolve().parent.parent
RECORDED = ROOT / "bench" / "data" / "asterisk22-events.bin"


def run(port: int, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([*args, "--user", "u", "--secret", "s", "--port", str(port)])
    out, err = capsys.readouterr()
    return code, out, err


def amitui(port: int, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "AMITUI_SECRET": "s"}
    return subprocess.Popen(
        [sys.executable, "-m", "amitui", *args, "--user", "u", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env,
    )  # fmt: skip


# -- 1. a failed Command says why, in the server's words -----------------------------------


def failed_command(frame: Frame) -> Answer:
    # What Asterisk 22 answers for an unknown CLI command (see tests/integration).
    if (frame.get("Action") or "").lower() == "command":
        return packet(
            "Response: Error",
            f"ActionID: {frame.get('ActionID')}",
            "Message: Command output follows",
            "Output: No such command 'foo bar' (type 'core show help foo bar' for other "
            "possible commands)",
        )
    return default_reply(frame)


def test_failed_command_reason_is_the_output(capsys: pytest.CaptureFixture[str]) -> None:
    with HostileAmi(failed_command) as server:
        code, out, err = run(server.port, capsys, "action", "Command", "Command=foo bar")
    assert code == exitcodes.ACTION_FAILED
    assert err.splitlines() == [
        "amitui: Command: Error: No such command 'foo bar' (type 'core show help foo bar' "
        "for other possible commands)"
    ]
    assert "Output: No such command 'foo bar'" in out  # the response itself, as before


def test_an_error_without_output_keeps_its_message(capsys: pytest.CaptureFixture[str]) -> None:
    def refuse(frame: Frame) -> Answer:
        if (frame.get("Action") or "").lower() == "ping":
            return packet("Response: Error", f"ActionID: {frame.get('ActionID')}", "Message: No")
        return default_reply(frame)

    with HostileAmi(refuse) as server:
        code, _, err = run(server.port, capsys, "action", "Ping")
    assert (code, err) == (exitcodes.ACTION_FAILED, "amitui: Ping: Error: No\n")


# -- 2. a connect that times out ----------------------------------------------------------


@pytest.fixture
def unanswered_port() -> Iterator[int]:
    """A port whose listen backlog is full: the kernel drops further SYNs, so a connect hangs
    as it would toward a blackholed address (loopback only)."""
    server = socket.create_server(("127.0.0.1", 0), backlog=0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    try:
        yield port
    finally:
        for filler in fillers:
            filler.close()
        server.close()


def test_connect_timeout_is_one_plain_line(
    unanswered_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    # --timeout bounds the connect too (it used to wait a fixed 10 s whatever was asked).
    code, out, err = run(unanswered_port, capsys, "action", "Ping", "--timeout", "0.5")
    assert code == exitcodes.CONNECTION
    assert out == ""
    assert err == f"amitui: timed out connecting to 127.0.0.1:{unanswered_port} after 0.5 s\n"


# -- 3. a closed pipe is quiet --------------------------------------------------------------


def read_one_line_then_close(proc: subprocess.Popen[bytes]) -> tuple[bytes, int, bytes]:
    """What `| head -1` does: read a line, close the pipe, and the writer is left alone."""
    assert proc.stdout is not None and proc.stderr is not None
    line = proc.stdout.readline()
    proc.stdout.close()
    code = proc.wait(timeout=60)
    return line, code, proc.stderr.read()


def test_replay_into_a_closed_pipe_is_quiet(tmp_path: Path) -> None:
    capture = tmp_path / "big.bin"  # far more than a pipe holds
    capture.write_bytes(b"Asterisk Call Manager/11.0.0\r\n" + RECORDED.read_bytes() * 40)
    proc = subprocess.Popen(
        [sys.executable, "-m", "amitui", "replay", str(capture), "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    line, code, err = read_one_line_then_close(proc)
    assert json.loads(line)["Banner"] == "Asterisk Call Manager/11.0.0"
    assert (code, err) == (exitcodes.OK, b"")


def test_events_into_a_closed_pipe_is_quiet() -> None:
    with HostileAmi(after_login=RECORDED.read_bytes() * 40) as server:
        line, code, err = read_one_line_then_close(amitui(server.port, "events", "--json"))
    assert json.loads(line)["Event"]
    assert (code, err) == (exitcodes.OK, b"")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_an_output_that_cannot_be_written_is_one_line() -> None:
    # Printing happens in the session's callback, which would note an error and go on: the
    # command must stop and say why instead of losing the stream in silence.
    event = packet("Event: Newchannel", "Channel: PJSIP/1")
    with HostileAmi(after_login=event) as server, open("/dev/full", "wb") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "amitui", "events", "--json", "--user", "u",
             "--port", str(server.port)],
            stdout=full, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=60,
            env={**os.environ, "AMITUI_SECRET": "s"},
        )  # fmt: skip
    assert proc.returncode == exitcodes.CONNECTION
    assert proc.stderr.decode() == "amitui: cannot write the output: No space left on device\n"


# -- 4. a lone event is printed at once -----------------------------------------------------


def test_a_lone_event_is_printed_without_waiting_for_more() -> None:
    # Output is buffered per socket read; a read with one event must still reach the pipe
    # while the command keeps running (the server sends nothing more).
    lone = packet("Event: Newchannel", "Privilege: call,all", "Channel: PJSIP/100-00000001")
    with HostileAmi(after_login=lone) as server:
        proc = amitui(server.port, "events", "--json")
        try:
            assert proc.stdout is not None
            # A guard against hanging forever, not a measurement: 30 s is plenty.
            ready, _, _ = select.select([proc.stdout], [], [], 30)
            assert ready, "the event was not printed while the command kept running"
            assert json.loads(proc.stdout.readline())["Channel"] == "PJSIP/100-00000001"
            assert proc.poll() is None
        finally:
            proc.kill()
            proc.wait(10)


# -- 5. --count and our own login's events --------------------------------------------------


class LoginEventsAmi(HostileAmi):
    """Answers like Asterisk 22 does a login: the response, then FullyBooted, then our own
    SuccessfulAuth (RemoteAddress: our socket), then whatever `events(n)` gives for the n-th
    connection. The first connection is closed after its events, to see a reconnection."""

    def __init__(self, events: Callable[[int], list[bytes]]) -> None:
        super().__init__()
        self.events = events

    def login_accepted(self, peer: tuple[str, int], n: int) -> tuple[bytes, bool]:
        return login_events(peer) + b"".join(self.events(n)), n == 0  # then the client reconnects


def auth_event(peer: tuple[str, int]) -> bytes:
    return packet(
        "Event: SuccessfulAuth", "Privilege: security,all", "Service: AMI", "AccountID: u",
        "SessionID: 0x7f", "LocalAddress: IPV4/TCP/127.0.0.1/5038",
        f"RemoteAddress: IPV4/TCP/{peer[0]}/{peer[1]}", "UsingPassword: 0",
    )  # fmt: skip


def login_events(peer: tuple[str, int]) -> bytes:
    booted = packet("Event: FullyBooted", "Privilege: system,all", "Status: Fully Booted")
    return booted + auth_event(peer)


def call(n: int, k: int) -> bytes:
    return packet("Event: Newchannel", "Privilege: call,all", f"Channel: PJSIP/{n}-{k}")


@pytest.mark.parametrize("as_json", [True, False])
def test_count_leaves_out_our_own_login_events(
    capsys: pytest.CaptureFixture[str], as_json: bool
) -> None:
    # Another client's login (another port) is news and is counted; ours is not.
    other = auth_event(("127.0.0.1", 1))

    def events(n: int) -> list[bytes]:
        return [other, call(n, 1), call(n, 2)] if n == 0 else [call(n, 3)]

    with LoginEventsAmi(events) as server:
        flags = ["--json"] if as_json else []
        code, out, err = run(server.port, capsys, "events", "--count", "4", *flags)
    assert code == exitcodes.OK
    if as_json:
        objs = [json.loads(line) for line in out.splitlines()]
        seen = [(o["Event"], o.get("Channel") or o.get("RemoteAddress")) for o in objs]
    else:
        blocks = [dict(ln.split(": ", 1) for ln in b.splitlines()) for b in out.split("\n\n")]
        seen = [(b["Event"], b.get("Channel") or b.get("RemoteAddress")) for b in blocks if b]
    assert seen == [
        ("SuccessfulAuth", "IPV4/TCP/127.0.0.1/1"),
        ("Newchannel", "PJSIP/0-1"),
        ("Newchannel", "PJSIP/0-2"),
        ("Newchannel", "PJSIP/1-3"),  # after the reconnection, whose login events are ours too
    ]
    assert "reconnected" in err


def subcommand(name: str) -> argparse.ArgumentParser:
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices[name]  # type: ignore[no-any-return]
    raise AssertionError("no subcommands")


def test_help_says_our_login_events_are_not_counted() -> None:
    sub = subcommand("events")
    assert "own login" in " ".join(sub.format_help().split())


# -- 6. the usage line and the exit codes ---------------------------------------------------


def test_usage_shows_headers_as_optional() -> None:
    usage = " ".join(subcommand("action").format_usage().split())
    assert usage.endswith("name [Key=Value ...]")


def test_exit_codes_are_defined_once_and_documented() -> None:
    assert (exitcodes.OK, exitcodes.ACTION_FAILED, exitcodes.CONNECTION) == (0, 1, 2)
    help_text = " ".join(build_parser().format_help().split())
    assert f"{exitcodes.OK} success; {exitcodes.ACTION_FAILED} the server answered" in help_text
    assert f"{exitcodes.CONNECTION} connection, login, timeout or usage problem" in help_text
    assert "| head -1" in help_text
