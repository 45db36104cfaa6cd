#!/usr/bin/env python3
"""How fast can each AMI client take a flood of real Asterisk 22 events off a socket?

One run, one machine, one moment: a flood server (bench/floodserver.py, its own process)
sends the same bytes to every contender over loopback: N recorded event packets, then a
marker. Each contender connects, logs in and reads until the marker (or EOF):

* raw socket reads — `recv_into` until EOF, nothing parsed: the ceiling for Python here.
* minimal loop — split on the blank line keeping the remainder, decode, split each line at
  ': ' into a dict. The plainest correct-enough Python parser; the baseline.
* panoramisk — the Python AMI library, used as documented: a Manager with a '*' handler
  that counts. Skipped, with a note, when it is not installed (`pip install -e '.[bench]'`).
* amitui — AmiSession (parser + correlator) delivering each read's batch to StoreBridge,
  i.e. into the EventRing the console shows: the whole ingest path, not just the parser.

The minimal loop keeping the newest 100,000 dicts (what keeping events costs by itself) is
the reference amitui's target is set against (>= 1.0x; and >= 2x panoramisk); amitui's
session into the bare ring (without what StoreBridge adds per event) has no target. Last,
each stage of amitui's path is timed alone over the same bytes, in-process (`--no-breakdown`
skips that).

The time of one contender runs from the connect to the last event handled, so it includes
the login (about a millisecond on loopback, negligible against seconds of flood). Rounds
alternate the contenders so that a noisy moment hurts them all alike; the median is reported.
After the timed part, amitui's ring is checked: every event stored in order, no gaps, counts
per name exact, each frame's raw bytes and headers equal to what the server sent.

    .venv/bin/python bench/ingest.py                 # 150,000 events x 3 rounds
    .venv/bin/python bench/ingest.py --events 2000 --rounds 1
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import socket
import statistics
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from floodserver import MARKER_NAME, flood_packets, packet_name, recorded_packets, running

from amitui.client import AmiSession, ServerSpec
from amitui.client.batches import notable
from amitui.client.session import WATCHED_EVENTS
from amitui.protocol import Action, Correlator, Frame, FrameKind, Parser
from amitui.store import EventRing, StoredEvent, untrack
from amitui.ui.bridge import StoreBridge

READ_SIZE = 1 << 18  # what AmiSession asks the socket for per read
LOGIN = b"Action: Login\r\nUsername: bench\r\nSecret: bench\r\nEvents: on\r\n\r\n"
# The round 2: against the loop that keeps what it reads, as the console must.
TARGET_VS_PANORAMISK = 2.0
TARGET_VS_KEEPING = 1.0


@dataclass
class Run:
    seconds: float
    events: int  # events the contender handled, the marker not included
    detail: str = ""
    collector: float = 0.0  # seconds of it the cyclic garbage collector ran on its own


class CollectorClock:
    """Seconds the cyclic garbage collector runs on its own (a `gc.collect()` call between
    runs is not counted): what keeping objects costs beyond creating them."""

    def __init__(self) -> None:
        self.spent = 0.0
        self.paused = False
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if self.paused:
            return
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.spent += time.perf_counter() - self._start

    def collect(self) -> None:
        self.paused = True
        try:
            gc.collect()
        finally:
            self.paused = False


COLLECTOR = CollectorClock()


Contender = Callable[[int, int], Run]


# -- the flood server ----------------------------------------------------------------------


def _connect(port: int, timeout: float) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.sendall(LOGIN)
    return sock


def _budget(events: int) -> float:
    """Seconds a contender may take before the run is called stuck (bounded, generous)."""
    return 30.0 + events / 2000


# -- contenders ----------------------------------------------------------------------------


def raw_reads(port: int, events: int) -> Run:
    buf = bytearray(1 << 18)
    total = 0
    start = time.perf_counter()
    with _connect(port, _budget(events)) as sock:
        while n := sock.recv_into(buf):
            total += n
    seconds = time.perf_counter() - start
    return Run(seconds, events, f"{total / seconds / 1e6:.0f} MB/s")


def minimal_loop(port: int, events: int, keep: deque[dict[str, str]] | None = None) -> Run:
    # Written the way anyone would: no reuse tricks, one dict per packet.
    count = 0
    rest = b""
    start = time.perf_counter()
    with _connect(port, _budget(events)) as sock:
        while chunk := sock.recv(1 << 18):
            packets = (rest + chunk).split(b"\r\n\r\n")
            rest = packets.pop()
            for packet in packets:
                message: dict[str, str] = {}
                for line in packet.decode("utf-8", "replace").split("\r\n"):
                    key, _, value = line.partition(": ")
                    message[key] = value
                if "Event" in message:
                    count += 1
                if keep is not None:
                    keep.append(message)
    seconds = time.perf_counter() - start
    return Run(seconds, count - 1)  # the marker is an event too


def minimal_loop_keeping(port: int, events: int) -> Run:
    """The minimal loop, but keeping the newest events as the console must (as many as the
    ring holds): what retention alone costs, and the reference amitui's ingest target is set
    against."""
    keep: deque[dict[str, str]] = deque(maxlen=EventRing().capacity)
    return minimal_loop(port, events, keep)


def panoramisk_available() -> str | None:
    """The installed panoramisk version, or None."""
    try:
        from importlib.metadata import version

        import panoramisk  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        return None
    return version("panoramisk")


def panoramisk_manager(port: int, events: int) -> Run:
    return asyncio.run(_panoramisk(port, events))


async def _panoramisk(port: int, events: int) -> Run:
    from panoramisk import Manager

    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()
    count = 0

    def on_event(_: Any, message: Any) -> None:
        nonlocal count
        count += 1
        if message["Event"] == MARKER_NAME and not done.done():
            done.set_result(None)

    manager = Manager(
        host="127.0.0.1", port=port, username="bench", secret="bench", events="on",
        ping_delay=3600, reconnect_timeout=3600, loop=loop,
    )  # fmt: skip
    manager.register_event("*", on_event)
    start = time.perf_counter()
    manager.connect()
    try:
        await asyncio.wait_for(done, _budget(events))
        seconds = time.perf_counter() - start
    finally:
        manager.close()
    return Run(seconds, count - 1)


class AmituiContender:
    """amitui's session into the store, as the console runs it (StoreBridge: the ring, call
    tracing, the rate meter), or into the bare ring. Keeps the last ring for the check."""

    def __init__(self, *, bridge: bool = True) -> None:
        self.bridge = bridge
        self.ring: EventRing | None = None
        self.reads = 0

    def __call__(self, port: int, events: int) -> Run:
        self.ring = None
        COLLECTOR.collect()  # the previous ring's garbage is not this run's cost
        return asyncio.run(self._run(port, events))

    async def _run(self, port: int, events: int) -> Run:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        ring = EventRing()  # the console's default capacity
        store = StoreBridge(ring, f"127.0.0.1:{port}").on_events if self.bridge else None
        reads = 0

        def on_events(batch: list[Frame]) -> None:
            nonlocal reads
            reads += 1
            if store is not None:
                store(batch)
            else:
                ring.append_batch(batch, time.time())
            # The marker is the last thing sent, so it can only be the last of its batch.
            if batch[-1].name == MARKER_NAME and not done.done():
                done.set_result(None)

        spec = ServerSpec(port=port, user="bench", secret="bench")
        session = AmiSession(spec, reconnect=False, on_events=on_events)
        start = time.perf_counter()
        await session.open()
        try:
            await asyncio.wait_for(done, _budget(events))
            seconds = time.perf_counter() - start
        finally:
            await session.close(logoff=False)
        self.ring = ring
        self.reads = reads
        stored = sum(ring.counts.values())
        return Run(seconds, stored - 1, f"{stored / max(reads, 1):.0f} events per read")


# -- checking amitui's frames --------------------------------------------------------------


def reference_headers(packet: bytes) -> tuple[tuple[str, str], ...]:
    """Headers of one recorded packet, parsed the obvious way (they are all plain CRLF)."""
    lines = packet.decode().removesuffix("\r\n\r\n").split("\r\n")
    pairs = [line.partition(": ") for line in lines]
    # Asterisk writes "Key: " for an empty value; partition keeps that as ("Key", ": ", "").
    return tuple((k, v) for k, _, v in pairs)


def check_lossless(ring: EventRing, sent: Sequence[bytes]) -> list[str]:
    """Problems with what amitui stored, compared with what the server sent (empty: none)."""
    problems: list[str] = []
    total = len(sent) + 1  # and the marker
    if sum(ring.counts.values()) != total:
        problems.append(f"counted {sum(ring.counts.values())} events, the server sent {total}")
    expected = Counter(packet_name(p) for p in sent)
    expected[MARKER_NAME] += 1
    if ring.counts != expected:
        problems.append("counts per event name differ from what was sent")
    if len(ring) + ring.evicted != total:
        problems.append(f"{len(ring)} stored + {ring.evicted} evicted != {total} sent")
    for entry in ring:
        i = entry.seq - 1  # seqs start at 1 and the ring held nothing else
        if i == len(sent):
            continue  # the marker
        if not isinstance(entry, StoredEvent):
            problems.append(f"seq {entry.seq}: a gap marker in a clean flood")
            break
        frame, packet = entry.frame, sent[i]
        if frame.kind is not FrameKind.EVENT or frame.replaced or frame.raw != packet[:-2]:
            problems.append(f"seq {entry.seq}: frame differs from the packet sent")
            break
        if frame.headers != reference_headers(packet):
            problems.append(f"seq {entry.seq}: headers differ from the packet sent")
            break
    return problems


# -- where amitui's time goes ---------------------------------------------------------------


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def breakdown(sent: Sequence[bytes]) -> list[tuple[str, float]]:
    """Seconds per stage of amitui's ingest path over the same bytes, in this process and
    without a socket: what each layer costs, free of profiler overhead. Every stage keeps its
    output alive, as the real path does (the ring holds the frames)."""
    data = b"".join(sent)
    chunks = [data[i : i + READ_SIZE] for i in range(0, len(data), READ_SIZE)]
    batches: list[list[Frame]] = []

    def parse() -> None:
        parser = Parser(expect_banner=False)
        for chunk in chunks:
            parser.feed(chunk)
            batches.append(parser.drain())

    # A correlator as a session leaves it after login: two answered actions remembered.
    correlator = Correlator()
    for aid in ("amitui-1", "amitui-2"):
        correlator.expect(Action("Ping").with_id(aid))
        reply = Parser(expect_banner=False)
        reply.feed(f"Response: Success\r\nActionID: {aid}\r\n\r\n".encode())
        for frame in reply.frames():
            correlator.route(frame)

    def route() -> None:
        # What the session does per read: find the frames that are more than plain events
        # (one search over the read), and route those alone.
        for batch in batches:
            for i in notable(batch, WATCHED_EVENTS):
                correlator.route(batch[i])

    def ring_only() -> None:
        ring = EventRing()
        for batch in batches:
            ring.append_batch(batch, time.time(), "bench")

    def bridge() -> None:
        store = StoreBridge(EventRing(), "bench")
        for batch in batches:
            store.on_events(batch)

    stages = [
        ("Parser.feed + drain()", parse),
        ("AmiSession: notable frames, routed", route),
        ("EventRing.append_batch", ring_only),
        ("StoreBridge.on_events (app path)", bridge),
    ]
    out = []
    for name, fn in stages:
        gc.collect()
        out.append((name, _timed(fn)))
    return out


# -- the run -------------------------------------------------------------------------------


def rate(run: Run) -> float:
    return run.events / run.seconds


AMITUI = "amitui session -> store"
MINIMAL = "minimal split-and-decode loop"
RAW = "raw socket reads (ceiling)"
KEEPING = "minimal loop, keeping the newest 100k"
BARE = "amitui session -> ring only"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="AMI ingest throughput over loopback.")
    parser.add_argument("--events", type=int, default=150_000, help="events per contender run")
    parser.add_argument("--rounds", type=int, default=3, help="runs per contender (median)")
    parser.add_argument(
        "--no-breakdown", action="store_true", help="skip timing amitui's stages one by one"
    )
    args = parser.parse_args(argv)
    events: int = max(1, args.events)
    packets = recorded_packets()
    sent = flood_packets(events, packets)
    avg = sum(map(len, sent)) / len(sent)
    amitui = AmituiContender()
    bare = AmituiContender(bridge=False)
    contenders: list[tuple[str, Contender]] = [
        (RAW, raw_reads),
        (MINIMAL, minimal_loop),
        (KEEPING, minimal_loop_keeping),
    ]
    pano = panoramisk_available()
    if pano is not None:
        contenders.append((f"panoramisk {pano}", panoramisk_manager))
    contenders.append((AMITUI, amitui))
    contenders.append((BARE, bare))

    print(
        f"ingest: {events:,} events per run (the {len(packets)} recorded Asterisk 22 packets "
        f"repeated as new calls, {avg:.0f} B each on average), {args.rounds} round(s), "
        "median shown"
    )
    kept = "untracked (amitui/store/_untrack.c)" if untrack.SPEEDUP else "tracked (pure Python)"
    print(f"stored events: {kept}; AMITUI_PURE_PYTHON=1 runs pure Python")
    if pano is None:
        print("panoramisk: not installed, skipped (pip install -e '.[bench]')")
    results: dict[str, list[Run]] = {name: [] for name, _ in contenders}
    gc.callbacks.append(COLLECTOR)
    problems: list[str] = []
    with running("--events", str(events)) as port:
        for _ in range(max(1, args.rounds)):
            for name, contender in contenders:
                COLLECTOR.collect()
                spent = COLLECTOR.spent
                run = contender(port, events)
                run.collector = COLLECTOR.spent - spent
                if run.events != events:
                    problems.append(f"{name}: handled {run.events} events, sent {events}")
                results[name].append(run)
                for checked in (amitui, bare):
                    if contender is checked and checked.ring is not None:
                        problems += check_lossless(checked.ring, sent)
                        checked.ring = None

    medians: dict[str, float] = {}
    for name, runs in results.items():
        medians[name] = statistics.median(rate(r) for r in runs)
        best = max(runs, key=rate)
        spread = ", ".join(f"{rate(r):,.0f}" for r in runs)
        extra = f"  [{best.detail}]" if best.detail else ""
        print(f"{name:<37}: {medians[name]:>10,.0f} events/s   (runs: {spread}){extra}")

    ours = medians[AMITUI]
    met = True
    if pano is not None:
        ratio = ours / medians[f"panoramisk {pano}"]
        met &= ratio >= TARGET_VS_PANORAMISK
        print(f"{'ratio amitui / panoramisk':<37}: {ratio:>10.2f}   "
              f"{_verdict(ratio, TARGET_VS_PANORAMISK)}")  # fmt: skip
    print(f"{'ratio amitui / minimal loop':<37}: {ours / medians[MINIMAL]:>10.2f}   (no target)")
    print(f"{'ratio amitui / raw reads':<37}: {ours / medians[RAW]:>10.4f}   (no target)")
    ratio = ours / medians[KEEPING]
    met &= ratio >= TARGET_VS_KEEPING
    print(f"{'ratio amitui / minimal keeping':<37}: {ratio:>10.2f}   "
          f"{_verdict(ratio, TARGET_VS_KEEPING)}")  # fmt: skip

    if not args.no_breakdown:
        print("where amitui's time goes (same bytes, in-process, no socket), us per event:")
        stages = breakdown(sent)
        for name, seconds in stages:
            print(f"  {name:<37}: {seconds / events * 1e6:>8.2f}")
        per_event = 1e6 / ours
        # Stages are timed one after another, each with its own share of collector work, so
        # their sum is close to, not equal to, the per-event time of the real runs.
        parse, route, ring, store = (seconds / events * 1e6 for _, seconds in stages)
        print(f"  {'  of which beyond the ring':<37}: {store - ring:>8.2f}"
              "   (call tracing, catalog, rate: all per event)")  # fmt: skip
        print(f"  {'sum of the stages':<37}: {parse + route + store:>8.2f}"
              "   (parse + notable + StoreBridge)")  # fmt: skip
        print(f"  {'amitui in the flood runs':<37}: {per_event:>8.2f}"
              "   (with the socket and asyncio; GC falls where it falls)")  # fmt: skip
        print(f"  {'minimal loop in the flood runs':<37}: {1e6 / medians[MINIMAL]:>8.2f}")
        for name, label in ((AMITUI, "amitui"), (KEEPING, "the keeping loop")):
            spent = statistics.median(r.collector / r.events * 1e6 for r in results[name])
            print(f"  {'  garbage collector in ' + label:<37}: {spent:>8.2f}"
                  "   (flood runs, median)")  # fmt: skip

    ring_note = f"ring capacity {EventRing().capacity:,}, older entries evicted and counted"
    if problems:
        print("lossless: NO")
        for problem in problems[:10]:
            print(f"  {problem}")
        return 1
    print(
        f"lossless: yes, each amitui run stored all {events + 1:,} frames in order "
        f"(events + marker), byte-exact, headers exact ({ring_note})"
    )
    print(f"targets: {'met' if met else 'NOT met'}")
    return 0


def _verdict(ratio: float, target: float) -> str:
    return f"(target >= {target}: {'met' if ratio >= target else 'MISSED'})"


if __name__ == "__main__":
    sys.exit(main())
