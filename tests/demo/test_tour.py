"""docs/tour.md runs as written, against `amitui demo-server`.

Its ```console blocks hold `$ command` lines, each followed by the output the tour shows; its
```ami blocks are raw AMI exchanges (what telnet shows). Every command runs, in order, in bash
against one demo PBX started the way the tour starts it, with the tour's port 5038 replaced
by the one the server took. A command must exit 0, and its output must contain the shown
lines in order: `...` skips, digits may differ (times, counts, ids) except on a line that is
only a number (the one-line script's voicemail count: the tour's call must have left its
message), and an `amitui-…` ActionID (new each time) only has to be there. An ami block is
sent over a plain socket, and each packet the server answers with must have the shown headers.
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

TOUR = Path(__file__).resolve().parents[2] / "docs" / "tour.md"
DOC_PORT = "5038"
_FENCE = re.compile(r"^```(\w*)\s*$")
_HEADER = re.compile(r"^(?P<key>[A-Za-z][\w()-]*):(?: (?P<value>.*))?$")


@dataclass
class Block:
    kind: str  # console or ami
    line: int  # where it starts in the tour, for messages
    lines: list[str] = field(default_factory=list)


@dataclass
class Step:
    command: str
    line: int
    shown: list[str] = field(default_factory=list)


def tour_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    current: Block | None = None
    for number, line in enumerate(text.splitlines(), 1):
        m = _FENCE.match(line)
        if m and current is None:
            current = Block(m[1], number + 1)
        elif m:
            assert current is not None
            if current.kind in ("console", "ami"):
                blocks.append(current)
            current = None
        elif current is not None:
            current.lines.append(line)
    return blocks


def console_steps(block: Block) -> list[Step]:
    steps: list[Step] = []
    for offset, line in enumerate(block.lines):
        if line.startswith("$ "):
            steps.append(Step(line[2:], block.line + offset))
        elif steps:
            steps[-1].shown.append(line)
        else:
            raise AssertionError(f"tour.md:{block.line + offset}: output before any command")
    return steps


def _digits(text: str) -> str:
    return re.sub(r"\d+", "0", text)


def line_matches(want: str, got: str) -> bool:
    w, g = _HEADER.match(want), _HEADER.match(got)
    if w is not None and g is not None and w["key"] == g["key"]:
        value = w["value"] or ""
        if w["key"] == "ActionID" and value.startswith("amitui-"):
            return True
        return _digits(value) == _digits(g["value"] or "")
    if want.strip().isdigit():
        return want.strip() == got.strip()
    return _digits(want) == _digits(got)


def missing_line(shown: list[str], output: str) -> str | None:
    """The first shown line the output lacks (in order), or None."""
    lines = [line for line in output.splitlines() if line.strip()]
    at = 0
    for want in shown:
        if not want.strip() or want.strip() == "...":
            continue
        while at < len(lines) and not line_matches(want, lines[at]):
            at += 1
        if at == len(lines):
            return want
        at += 1
    return None


def packets(lines: list[str]) -> Iterator[list[str]]:
    packet: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            packet.append(line)
        elif packet:
            yield packet
            packet = []


# -- the demo PBX and the shell -----------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_port() -> Iterator[int]:
    """`amitui demo-server`, on a port the OS picks (read from the line it prints)."""
    server = subprocess.Popen(
        [sys.executable, "-m", "amitui", "demo-server", "--port", "0", "--seed", "1"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        banner = server.stderr.readline()
        m = re.search(r"127\.0\.0\.1:(\d+)", banner)
        assert m is not None, banner
        yield int(m[1])
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def shell_env(tmp_path: Path) -> dict[str, str]:
    """`amitui` on PATH is this checkout's, and no user config or secret leaks in."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "amitui"
    wrapper.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m amitui "$@"\n')
    wrapper.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMITUI_")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[name] = str(tmp_path / name.lower())
    return env


def run_step(step: Step, port: int, env: dict[str, str]) -> None:
    where = f"tour.md:{step.line}: {step.command}"
    export = re.fullmatch(r"export (\w+)=(\S*)", step.command)
    if export is not None:
        env[export[1]] = export[2]
        return
    command = step.command.replace(f"--port {DOC_PORT}", f"--port {port}")
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        env=env,
        cwd=TOUR.parents[1],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, f"{where}\nexit {done.returncode}\n{done.stderr}"
    lost = missing_line(step.shown, done.stdout)
    assert lost is None, f"{where}\nshown but not printed: {lost!r}\n--- printed:\n{done.stdout}"


def run_exchange(block: Block, port: int) -> None:
    """Send the client's packets of an ami block; each server packet shown must come next."""
    where = f"tour.md:{block.line}"
    banner, *rest = block.lines
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        reader = sock.makefile("rb")
        assert reader.readline().decode().rstrip("\r\n") == banner, where
        for packet in packets(rest):
            if packet[0].startswith("Action:"):
                sock.sendall("".join(f"{line}\r\n" for line in packet).encode() + b"\r\n")
                continue
            got: list[str] = []
            while line := reader.readline().decode().rstrip("\r\n"):
                got.append(line)
            assert [_HEADER.match(g) and g.partition(":")[0] for g in got] == [
                p.partition(":")[0] for p in packet
            ], f"{where}: {packet} / {got}"
            assert all(line_matches(p, g) for p, g in zip(packet, got, strict=True)), (
                f"{where}: {packet} / {got}"
            )


# -- the tests -----------------------------------------------------------------------------------


def test_the_tour_covers_the_chapter() -> None:
    text = TOUR.read_text()
    blocks = tour_blocks(text)
    steps = [s for b in blocks if b.kind == "console" for s in console_steps(b)]
    commands = [s.command for s in steps]
    assert "amitui demo-server --port 5038" in text
    for needed in (
        "action Ping",
        "ActionID=",
        "Events EventMask=off",
        "action ListCommands",
        "manager show command",
        "action Command",
        "action Originate",
        "action Hangup",
        "MailboxCount Mailbox=1234@default --json",
    ):
        assert any(needed in c for c in commands), needed
    # Every amitui command reaches the test's server: none may rely on a default port.
    for command in commands:
        if command.startswith("amitui "):
            assert f"--port {DOC_PORT}" in command, command
    assert sum(b.kind == "ami" for b in blocks) == 2
    assert all(s.shown for s in steps if s.command.startswith("amitui "))


def test_every_tour_command_runs_against_the_demo(
    demo_port: int, shell_env: dict[str, str]
) -> None:
    ran = 0
    for block in tour_blocks(TOUR.read_text()):
        if block.kind == "ami":
            run_exchange(block, demo_port)
            continue
        for step in console_steps(block):
            run_step(step, demo_port, shell_env)
            ran += 1
    assert ran >= 12


def test_the_output_check_is_not_a_rubber_stamp() -> None:
    printed = "Response: Success\nActionID: amitui-1a2b3c-3\nPing: Pong\nTimestamp: 17.5\n"
    shown = ["Response: Success", "ActionID: amitui-ffffff-3", "Ping: Pong", "Timestamp: 1.2"]
    assert missing_line(shown, printed) is None
    assert missing_line(["Response: Error"], printed) == "Response: Error"
    assert missing_line(["Ping: Pong", "Response: Success"], printed) == "Response: Success"
    assert missing_line(["ActionID: tour-1"], printed) == "ActionID: tour-1"
    assert missing_line(["3"], "3\n") is None and missing_line(["3"], "2\n") == "3"
