#!/usr/bin/env python3
"""`amitui events --json` end to end, process start included, against panoramisk and a loop.

A flood server (bench/floodserver.py, its own process) sends N recorded Asterisk 22 events
and a marker (`Event: BenchDone`) to each connection. Every contender is a whole process,
started here and timed from its start to its exit, writing one line per event to a file:

* amitui — `python -m amitui events --json --count N+1` (the marker is the last event), and
  the same without `--json` (AMI text), which has no target but must not get slower.
* panoramisk — a `Manager` with a `'*'` handler that prints `json.dumps(dict(message))` per
  event and stops at the marker. Skipped, with a note, when it is not installed.
* minimal loop — connect, log in, split on the blank line, decode, partition each line into a
  dict, `json.dumps`, `print`: the plainest Python that does the job; the baseline.

Output goes to a regular file (not a pipe read here, which would take CPU from the
contenders on a small machine), and each file is checked afterwards: N+1 lines (or blocks),
the marker last. Rounds alternate the contenders; the median is reported.

    .venv/bin/python bench/cli.py                    # 100,000 events x 3 rounds
    .venv/bin/python bench/cli.py --events 500 --rounds 1
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from floodserver import MARKER_NAME, flood_packets, packet_name, running

TARGET_VS_PANORAMISK = 2.0
TARGET_VS_MINIMAL = 0.7

MINIMAL = r"""
import json, socket, sys
sock = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
sock.sendall(b"Action: Login\r\nUsername: bench\r\nSecret: bench\r\nEvents: on\r\n\r\n")
rest = b""
while chunk := sock.recv(1 << 18):
    packets = (rest + chunk).split(b"\r\n\r\n")
    rest = packets.pop()
    for packet in packets:
        message = {}
        for line in packet.decode("utf-8", "replace").split("\r\n"):
            key, _, value = line.partition(": ")
            message[key] = value
        if "Event" in message:
            print(json.dumps(message))
"""

PANORAMISK = r"""
import asyncio, json, sys
from panoramisk import Manager

async def main():
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def on_event(manager, message):
        print(json.dumps(dict(message)))
        if message["Event"] == sys.argv[2] and not done.done():
            done.set_result(None)

    manager = Manager(host="127.0.0.1", port=int(sys.argv[1]), username="bench",
                      secret="bench", events="on", ping_delay=3600, reconnect_timeout=3600,
                      loop=loop)
    manager.register_event("*", on_event)
    manager.connect()
    await done
    manager.close()

asyncio.run(main())
"""

AMITUI_JSON = "amitui events --json"
AMITUI_TEXT = "amitui events (AMI text)"
MINIMAL_NAME = "minimal loop (dict + json.dumps)"


def panoramisk_version() -> str | None:
    try:
        from importlib.metadata import version

        import panoramisk  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        return None
    return version("panoramisk")


def amitui_records(events: int) -> int:
    """How many events `amitui events` prints of the flood and its marker. The recording
    starts as Asterisk answers a login, with FullyBooted: amitui takes it for its own login's
    and leaves it out (see `amitui events --help`), as it would on a real server."""
    first = packet_name(flood_packets(1)[0])
    return events + 1 - (first == "FullyBooted")


def commands(port: int, events: int, pano: str | None) -> dict[str, list[str]]:
    py = sys.executable
    amitui = [py, "-m", "amitui", "events", "--port", str(port), "--user", "bench"]
    count = ["--count", str(amitui_records(events))]  # the marker is the last event
    out = {
        AMITUI_JSON: [*amitui, "--json", *count],
        AMITUI_TEXT: [*amitui, *count],
        MINIMAL_NAME: [py, "-c", MINIMAL, str(port)],
    }
    if pano is not None:
        out[f"panoramisk {pano}"] = [py, "-c", PANORAMISK, str(port), MARKER_NAME]
    return out


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["AMITUI_SECRET"] = "bench"
    env["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="amitui-bench-")  # no user config
    env.pop("AMITUI_CONFIG", None)
    return env


def run_one(cmd: list[str], env: dict[str, str], out: Path, budget: float) -> float:
    with out.open("wb") as sink:
        start = time.perf_counter()
        subprocess.run(
            cmd, stdout=sink, stderr=subprocess.PIPE, env=env, timeout=budget, check=True
        )
        return time.perf_counter() - start


def check_output(name: str, out: Path, events: int) -> str | None:
    """Why the output is wrong, or None: N+1 records (events and the marker), marker last."""
    data = out.read_bytes()
    if name == AMITUI_TEXT:
        records = data.rstrip(b"\n").split(b"\n\n")
    else:
        records = data.rstrip(b"\n").split(b"\n")
    expected = amitui_records(events) if name in (AMITUI_JSON, AMITUI_TEXT) else events + 1
    if len(records) != expected:
        return f"{name}: {len(records)} records written, {expected} expected"
    if MARKER_NAME.encode() not in records[-1]:
        return f"{name}: the last record is not the marker"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="amitui events end to end, against others.")
    parser.add_argument("--events", type=int, default=100_000, help="events per run")
    parser.add_argument("--rounds", type=int, default=3, help="runs per contender (median)")
    args = parser.parse_args(argv)
    events = max(1, args.events)
    rounds = max(1, args.rounds)
    pano = panoramisk_version()
    env = child_env()
    budget = 60.0 + events / 1000
    print(f"cli: {events:,} events per run, {rounds} round(s), median of whole processes "
          f"(start to exit), {sys.executable}")  # fmt: skip
    if pano is None:
        print("panoramisk: not installed, skipped (pip install -e '.[bench]')")
    problems: list[str] = []
    with running("--events", str(events)) as port, tempfile.TemporaryDirectory() as tmp:
        cmds = commands(port, events, pano)
        times: dict[str, list[float]] = {name: [] for name in cmds}
        for _ in range(rounds):
            for name, cmd in cmds.items():
                out = Path(tmp) / "out"
                try:
                    times[name].append(run_one(cmd, env, out, budget))
                except subprocess.CalledProcessError as exc:
                    problems.append(f"{name}: exit {exc.returncode}: {exc.stderr!r:.300}")
                    continue
                problem = check_output(name, out, events)
                if problem:
                    problems.append(problem)
    medians = {name: statistics.median(ts) for name, ts in times.items() if ts}
    for name, ts in times.items():
        if ts:
            spread = ", ".join(f"{t:.2f}" for t in ts)
            print(f"{name:<34}: {medians[name]:7.2f} s   (runs: {spread})")
    if problems:
        print("output: WRONG")
        for problem in problems[:10]:
            print(f"  {problem}")
        return 1
    print(
        f"output: correct, every contender wrote {events + 1:,} records, the marker last "
        f"(amitui {amitui_records(events):,}: not its own login's FullyBooted)"
    )
    ours = medians[AMITUI_JSON]
    met = True
    # A ratio is a speed ratio: how many times faster amitui is (their seconds / ours).
    if pano is not None:
        ratio = medians[f"panoramisk {pano}"] / ours
        met &= ratio >= TARGET_VS_PANORAMISK
        print(f"{'ratio amitui / panoramisk (speed)':<34}: {ratio:7.2f}   "
              f"{_verdict(ratio, TARGET_VS_PANORAMISK)}")  # fmt: skip
    ratio = medians[MINIMAL_NAME] / ours
    met &= ratio >= TARGET_VS_MINIMAL
    print(f"{'ratio amitui / minimal (speed)':<34}: {ratio:7.2f}   "
          f"{_verdict(ratio, TARGET_VS_MINIMAL)}")  # fmt: skip
    print(f"targets: {'met' if met else 'NOT met'}")
    return 0


def _verdict(ratio: float, target: float) -> str:
    return f"(target >= {target}: {'met' if ratio >= target else 'MISSED'})"


if __name__ == "__main__":
    sys.exit(main())
