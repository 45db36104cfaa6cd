#!/usr/bin/env python3
"""Does a flood of very large events stay bounded in memory? RSS on the console's ingest path.

The trust issue's finding 4: 300 events carrying a 4 MB header took the console to 3.6 GB,
because the ring was bounded by count only (100,000 events) and a packet may be 8 MiB. Now the
ring is bounded in bytes too (256 MiB by default) and keeps a cut copy of any event larger than
64 KiB. This floods such events through the real path and watches the process's memory:

* the flood server (bench/floodserver.py, its own process) sends N recorded Asterisk 22 events,
  each with one extra header of `--pad` bytes right after its `Event:` line (4 MiB by
  default), then a marker, over loopback, as fast as this process reads;
* here: AmiSession (parser, correlator) -> StoreBridge.on_events -> EventRing with the
  console's defaults, and the console's 20 Hz analysis (call tracing, the catalog) over the
  ring, so everything that holds events in the console's process holds them here;
* RSS is read from /proc/self/status: VmRSS sampled every 20 ms, and VmHWM, the kernel's own
  peak, which no sampling can miss.

It fails (exit 1) when the peak goes over `--limit` MB or an event is missing. `--unbounded`
reproduces the ring as it was (count bound only, nothing cut), for comparison.

    .venv/bin/python bench/bigevents.py                          # 300 events of 4 MiB
    .venv/bin/python bench/bigevents.py --events 8000 --pad 49152  # under the cap: byte bound
    .venv/bin/python bench/bigevents.py --events 100 --unbounded --limit 100000
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence

from floodserver import MARKER_NAME, running

from amitui.client import AmiSession, ServerSpec
from amitui.protocol import Frame
from amitui.store.ring import DEFAULT_CAPACITY, DEFAULT_MAX_BYTES, EventRing, TruncatedEvent
from amitui.store.trim import EVENT_RAW_CAP
from amitui.ui.bridge import StoreBridge

MB = 1024 * 1024
UNBOUNDED = 1 << 50


def rss_mb(field: str = "VmRSS") -> float:
    """This process's resident memory (VmRSS) or its peak so far (VmHWM), in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # kB
    raise RuntimeError(f"no {field} in /proc/self/status")


async def flood(port: int, ring: EventRing, budget: float) -> tuple[int, float, float]:
    """Read the flood into `ring` through StoreBridge; (reads, sampled peak MB, seconds)."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()
    bridge = StoreBridge(ring, f"127.0.0.1:{port}")
    reads = 0

    def on_events(batch: list[Frame]) -> None:
        nonlocal reads
        reads += 1
        bridge.on_events(batch)
        if batch[-1].name == MARKER_NAME and not done.done():
            done.set_result(None)

    peak = rss_mb()

    async def watch() -> None:  # the console's refresh timer: analysis, and a look at RSS
        nonlocal peak
        while True:
            bridge.analyse()
            peak = max(peak, rss_mb())
            await asyncio.sleep(0.02)

    session = AmiSession(
        ServerSpec(port=port, user="bench", secret="bench"), reconnect=False, on_events=on_events
    )
    watcher = asyncio.create_task(watch())
    start = time.perf_counter()
    await session.open()
    try:
        await asyncio.wait_for(done, budget)
    finally:
        seconds = time.perf_counter() - start
        await session.close(logoff=False)
        watcher.cancel()
    bridge.analyse(None)
    return reads, max(peak, rss_mb()), seconds


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="RSS under a flood of very large AMI events.")
    parser.add_argument("--events", type=int, default=300, help="events to send (300)")
    parser.add_argument("--pad", type=int, default=4 * MB, help="extra bytes per event (4 MiB)")
    parser.add_argument("--capacity", type=int, default=DEFAULT_CAPACITY)
    parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES)
    parser.add_argument("--limit", type=float, default=1024, help="peak RSS allowed, MB (1024)")
    parser.add_argument(
        "--unbounded", action="store_true", help="the old ring: no byte bound, nothing cut"
    )
    args = parser.parse_args(argv)

    if args.unbounded:
        ring = EventRing(args.capacity, max_bytes=UNBOUNDED, event_cap=UNBOUNDED)
    else:
        ring = EventRing(args.capacity, max_bytes=args.max_bytes)
    sent_mb = args.events * (args.pad + 400) / MB  # the recorded events are 363 B on average
    print(
        f"flood: {args.events:,} events, each with a {args.pad:,}-byte header "
        f"(~{sent_mb:,.0f} MB), over loopback"
    )
    cap = "none" if args.unbounded else f"{ring.event_cap:,} bytes (EVENT_RAW_CAP)"
    bound = "none" if args.unbounded else f"{ring.max_bytes:,}"
    print(f"ring: capacity {ring.capacity:,}, max_bytes {bound}, per-event cap {cap}")
    before = rss_mb()
    with running("--events", str(args.events), "--pad", str(args.pad)) as port:
        reads, sampled, seconds = asyncio.run(flood(port, ring, 60 + sent_mb / 20))
    after, hwm = rss_mb(), rss_mb("VmHWM")

    stored = [e for e in ring if hasattr(e, "frame")]
    cut = sum(isinstance(e, TruncatedEvent) for e in stored)
    received = sum(ring.counts.values())
    print(f"time: {seconds:.1f} s, {sent_mb / seconds:,.0f} MB/s, {reads:,} reads")
    print(
        f"ring: {received:,} received (events + marker), {len(ring):,} stored ({cut:,} cut to "
        f"<= {EVENT_RAW_CAP:,} bytes), {ring.evicted:,} evicted ({ring.evicted_by_size:,} by "
        f"size), {ring.stored_bytes / MB:,.1f} MB counted"
    )
    print(
        f"RSS: {before:,.0f} MB before; peak {hwm:,.0f} MB (VmHWM), "
        f"{sampled:,.0f} MB sampled; {after:,.0f} MB after"
    )
    problems = []
    if received != args.events + 1:
        problems.append(f"received {received:,}, sent {args.events + 1:,}")
    if len(ring) + ring.evicted != received:
        problems.append(f"{len(ring):,} stored + {ring.evicted:,} evicted != {received:,}")
    if hwm > args.limit:
        problems.append(f"peak RSS {hwm:,.0f} MB > {args.limit:,.0f} MB")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print(f"bounded: {'no' if problems else 'yes'} (peak RSS limit {args.limit:,.0f} MB)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
