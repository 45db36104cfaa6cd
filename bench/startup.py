#!/usr/bin/env python3
"""Start-up: how long `amitui --help`, `amitui action Ping` and the console take to appear.

* `python -m amitui --help` and `python -m amitui action Ping` (against bench/floodserver.py
  answering actions on loopback) are timed as whole processes, median of `--runs`, next to
  `python -c pass`, the interpreter's own floor. Each is run once more with `-X importtime`
  to list what it imported: neither may import Textual (or Rich).
* First paint, two ways. In a pseudo-terminal (120x40), `python -m amitui` is started against
  the same server and timed until its title, which the first screen update draws, appears in
  the terminal output: process start to something on screen, as a user sees it. And in this
  process, headless: from `AmiApp(...)` to the first screen update, without the imports.

    .venv/bin/python bench/startup.py [--runs 10]
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Sequence

from floodserver import running

ROWS, COLS = 40, 120


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["AMITUI_SECRET"] = "bench"
    # Neither the developer's config nor their themes: the same start for everyone.
    env["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="amitui-bench-")
    env.pop("AMITUI_CONFIG", None)
    # Bytecode as an installed copy has it: else every module edited since its .pyc was last
    # written is compiled again at each start (~70 ms of the console's after a day's edits).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def timed(cmd: Sequence[str], runs: int, env: dict[str, str]) -> tuple[float, int]:
    """Median wall seconds of `runs` runs, and the last exit code."""
    times: list[float] = []
    code = 0
    for _ in range(runs):
        start = time.perf_counter()
        code = subprocess.run(cmd, env=env, capture_output=True, check=False).returncode
        times.append(time.perf_counter() - start)
    return statistics.median(times), code


def imported(cmd: Sequence[str], env: dict[str, str]) -> tuple[int, list[str]]:
    """How many modules `cmd` imports, and which top-level UI packages among them."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", *cmd[1:]], env=env, capture_output=True, text=True
    ).stderr
    names = [
        line.rsplit("|", 1)[-1].strip()
        for line in out.splitlines()
        if line.startswith("import time:") and "|" in line and "imported package" not in line
    ]
    ui = sorted({n.strip().split(".")[0] for n in names} & {"textual", "rich"})
    return len(names), ui


def first_paint_in_terminal(port: int, env: dict[str, str], timeout: float = 20.0) -> float:
    """Seconds from starting the console in a 120x40 pseudo-terminal until its title shows."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    cmd = [sys.executable, "-m", "amitui", "--port", str(port), "--user", "bench"]
    term_env = {**env, "TERM": "xterm-256color", "COLUMNS": str(COLS), "LINES": str(ROWS)}
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdin=slave, stdout=slave, stderr=slave, env=term_env, start_new_session=True
    )
    os.close(slave)
    seen = bytearray()
    title = f"bench@127.0.0.1:{port}".encode()
    painted = float("nan")
    try:
        deadline = start + timeout
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    break  # the child closed the terminal
                if title in seen:
                    painted = time.perf_counter() - start
                    break
        os.write(master, b"\x11")  # ctrl+q: quit the way a user does
        # Keep reading while it quits: a terminal nobody reads blocks the writer.
        while proc.poll() is None and time.perf_counter() < deadline + 5:
            if select.select([master], [], [], 0.05)[0]:
                try:
                    os.read(master, 65536)
                except OSError:
                    break
        if proc.poll() is None:
            proc.kill()
        proc.wait(5)
    finally:
        os.close(master)
    return painted


async def first_paint_headless(port: int) -> tuple[float, float]:
    """Seconds from importing the UI, and from AmiApp(...), to the first screen update."""
    began_import = time.perf_counter()
    from amitui.client import Phase, ServerSpec
    from amitui.ui.app import AmiApp, Settings

    imported_at = time.perf_counter()
    app = AmiApp(ServerSpec(port=port, user="bench", secret="bench"), Settings())
    painted: asyncio.Future[float] = asyncio.get_running_loop().create_future()
    display = app._display

    def first_display(screen: object, renderable: object) -> None:
        display(screen, renderable)  # type: ignore[arg-type]
        if renderable is not None and not painted.done():
            painted.set_result(time.perf_counter())

    app._display = first_display  # type: ignore[method-assign]
    try:
        async with app.run_test(headless=True, size=(COLS, ROWS)):
            await asyncio.wait_for(painted, 20)
            # Leave once logged in, as a person would: not in the middle of the login.
            while app.session is None or app.session.state.phase is not Phase.READY:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.2)
    except Exception as exc:
        if not painted.done():
            raise
        # The figure is taken; an error while the app shuts down is reported, not hidden.
        print(f"note: the app raised {type(exc).__name__} while shutting down: {exc}")
    at = painted.result()
    return at - began_import, at - imported_at


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="amitui start-up times.")
    parser.add_argument("--runs", type=int, default=10, help="runs per command (median)")
    args = parser.parse_args(argv)
    runs = max(1, args.runs)
    env = child_env()
    py = sys.executable
    ok = True
    with running() as port:
        ping = [py, "-m", "amitui", "action", "Ping", "--port", str(port), "--user", "bench"]
        commands = {
            "python -c pass (floor)": [py, "-c", "pass"],
            "amitui --help": [py, "-m", "amitui", "--help"],
            "amitui action Ping": ping,
        }
        print(f"start-up: median of {runs} runs each, {sys.executable}")
        for name, cmd in commands.items():
            seconds, code = timed(cmd, runs, env)
            line = f"{name:<24}: {seconds * 1000:7.0f} ms  exit {code}"
            if name != "python -c pass (floor)":
                count, ui = imported(cmd, env)
                line += f"  {count} modules imported, Textual/Rich: {', '.join(ui) or 'none'}"
                ok &= not ui and code == 0
            print(line)
        # One start varies by tens of ms on a shared machine: the median of `runs` starts.
        paints = [first_paint_in_terminal(port, env) for _ in range(runs)]
        terminal = statistics.median(paints)
        print(
            f"{'console first paint':<24}: {terminal * 1000:7.0f} ms  (pty {COLS}x{ROWS}: process "
            f"start until the title is on screen; median of {runs}, "
            f"{min(paints) * 1000:.0f}-{max(paints) * 1000:.0f} ms)"
        )
        from_import, from_app = asyncio.run(first_paint_headless(port))
        print(
            f"{'  headless, in-process':<24}: {from_import * 1000:7.0f} ms from importing the UI, "
            f"{from_app * 1000:.0f} ms from AmiApp() to the first screen update"
        )
        ok &= terminal == terminal  # NaN: the title never appeared
    print(f"start-up checks: {'passed' if ok else 'FAILED'} (no Textual in scripting commands)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
