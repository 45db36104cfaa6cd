#!/usr/bin/env python3
"""A long fuzz run of the parser, outside the default test run: the same properties as
tests/protocol/test_fuzz.py with many more examples, plus a random-bytes soak that checks
memory stays flat. Stops by itself.

    .venv/bin/python scripts/fuzz.py [--examples 20000] [--soak-mb 200]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from amitui.protocol import Parser


def soak(megabytes: int) -> None:
    """Random bytes with packet-ish structure, fed in random chunks; memory must not grow."""
    rng = random.Random(1)
    parser = Parser(max_frame=64 * 1024)
    alphabet = [b"\r\n", b"\n", b": ", b"Event: Soak", b"Response: Follows", b"--END COMMAND--"]
    tracemalloc.start()
    fed = frames = 0
    peak_after_warmup = 0
    start = time.monotonic()
    while fed < megabytes * 1024 * 1024:
        if rng.random() < 0.5:
            chunk = rng.randbytes(rng.randrange(1, 4096))
        else:
            chunk = b"".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 200)))
        parser.feed(chunk)
        fed += len(chunk)
        frames += sum(1 for _ in parser.frames())
        if fed > 8 * 1024 * 1024 and not peak_after_warmup:
            tracemalloc.reset_peak()
            peak_after_warmup = 1
    _, peak = tracemalloc.get_traced_memory()
    took = time.monotonic() - start
    print(f"soak: {fed / 1e6:.0f} MB in {took:.1f} s, {frames} frames, peak {peak / 1e6:.1f} MB")
    if peak > 16 * 1024 * 1024:
        raise SystemExit(f"soak: memory grew to {peak / 1e6:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=20000)
    parser.add_argument("--soak-mb", type=int, default=200)
    args = parser.parse_args()
    os.environ["AMITUI_FUZZ_EXAMPLES"] = str(args.examples)
    from tests.protocol import test_fuzz  # reads the example count when imported

    for name in ("test_parser_never_raises_and_stays_bounded",
                 "test_chunking_never_changes_the_frames",
                 "test_every_frame_is_classified_and_malformed_ones_say_why"):  # fmt: skip
        test = getattr(test_fuzz, name)
        start = time.monotonic()
        test()
        print(f"{name}: {args.examples} examples in {time.monotonic() - start:.1f} s")
    soak(args.soak_mb)


if __name__ == "__main__":
    main()
