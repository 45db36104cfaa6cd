"""The machine's speed while a benchmark runs, from a process of its own.

This machine's speed drifts by a third within an hour, and within a run too: a figure timed
before a run (console.py's `reference_ms`) can miss a slow minute in the middle of it. So a
small process times the same fixed work once a second for as long as the run lasts, on the
CPU clock (its waits for a core are not counted), and reports the times at the end. It costs
about half a percent of one core. Run `python bench/probe.py` to try it: Ctrl+C stops it.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from amitui.protocol.lines import split_lines_py

RECORDED = Path(__file__).resolve().parent / "data" / "asterisk22-events.bin"
PASSES = 10  # per sample; console.py's reference work is 100 of the same passes


def work_ms(packets: list[bytes], passes: int = PASSES) -> float:
    """The CPU time of `passes` passes of decoding and splitting the recorded events, in ms,
    scaled to 100 passes (the unit of console.py's reference_ms). One pass first, untimed:
    after a second asleep the caches are cold, which says nothing about the machine."""
    for packet in packets:
        split_lines_py(packet.decode("utf-8", "replace"))
    start = time.process_time()
    for _ in range(passes):
        for packet in packets:
            split_lines_py(packet.decode("utf-8", "replace"))
    return (time.process_time() - start) * 1000 * 100 / passes


def sample_forever() -> None:
    packets = RECORDED.read_bytes().split(b"\r\n\r\n")
    stop = False

    def ask_stop(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, ask_stop)
    signal.signal(signal.SIGINT, ask_stop)
    print("ready", flush=True)
    while not stop:
        print(f"{work_ms(packets):.2f}", flush=True)
        time.sleep(1.0)


class Speeds:
    """What the probe measured: one time per second, in ms (the unit of reference_ms)."""

    def __init__(self) -> None:
        self.samples: list[float] = []

    def summary(self) -> str:
        if not self.samples:
            return "no samples"
        s = sorted(self.samples)
        # The mean, not only the median: a run's CPU time adds up its slow seconds too.
        return (f"mean {statistics.fmean(s):.1f} ms, median {statistics.median(s):.1f} ms, "
                f"from {s[0]:.1f} to {s[-1]:.1f} ms over {len(s)} samples")  # fmt: skip


@contextmanager
def probing() -> Iterator[Speeds]:
    """Run the probe alongside the body; its samples are in the yielded Speeds afterwards."""
    speeds = Speeds()
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve())], stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )  # fmt: skip
    assert proc.stdout is not None
    proc.stdout.readline()  # "ready": the work is loaded
    try:
        yield speeds
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
        speeds.samples = [float(line) for line in out.split()]


if __name__ == "__main__":
    sample_forever()
