#!/usr/bin/env python3
"""The console under a steady event flood: CPU, memory, loss and key latency, headless.

What runs is the real thing end to end: bench/floodserver.py (its own process) writes recorded
Asterisk 22 events at a fixed rate (default 20,000/s, 200 every 10 ms) to the console's own
AmiSession over loopback; the session parses them and StoreBridge files them into the ring;
the app (AmiApp, headless, 120x40) refreshes the stream at its usual 20 Hz. Meanwhile the
bench presses keys the way a terminal driver delivers them and times the screen's answer.

What each figure means:

* events sent / received / in ring / shown / evicted: sent is what the server wrote (its final
  marker says so); received is what reached the ring; shown is the rows the stream can
  display; evicted is what the bounded ring let go, which the status bar counts. No loss means
  sent == received and received == in ring + evicted, with shown == in ring (no filter).
* server late / longest write: how far the server's writes fell behind schedule, and the
  longest single write. A write blocks only when the client stops reading; Asterisk drops a
  client whose write blocks longer than its `writetimeout` (100 ms by default).
* CPU: process time over wall time while the flood runs, for the whole process (one core is
  100%); it includes the session's parsing, the store, call tracing and the UI.
* memory: peak RSS, RSS before the first event, when the ring first filled and at the end.
  After the ring is full, memory should stay flat: the ring is the bound.
* key latency: from the moment a key event is handed to the app (as the terminal driver
  thread does, `driver.send_message`) to the end of the first screen update after the key's
  action ran, i.e. when the changed screen is ready to be written to the terminal. Headless
  Textual skips turning updates into terminal bytes; the bench does that step itself (and
  throws the bytes away) so that its cost is counted. Keys alternate `up` (pause, move the
  cursor) and `end` (follow again), both of which change the screen.
* loop lag: how late a 10 ms timer in the app's event loop fires; the session's reader waits
  that long too, so it is the delay the server sees.

    .venv/bin/python bench/console.py                # 30 s at 20,000 events/s
    .venv/bin/python bench/console.py --seconds 1    # a quick check
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from floodserver import MARKER_NAME, running
from probe import probing
from textual import events

from amitui.client import Phase, ServerSpec
from amitui.protocol import lines
from amitui.store import StoredEvent, callheaders, catalog_observe, untrack
from amitui.ui.app import AmiApp, Settings
from amitui.ui.widgets.stream import EventStream

PAGE = os.sysconf("SC_PAGE_SIZE")
KEY_TIMEOUT = 2.0  # a key with no screen update by then is counted as lost
TARGET_KEY_P99_MS = 100.0


def rss() -> int:
    """Resident memory now, in bytes."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


@dataclass
class KeyProbe:
    """Times one key at a time from delivery to the first screen update after its action."""

    pressed: float | None = None
    handled: float | None = None
    done: asyncio.Event = field(default_factory=asyncio.Event)
    latencies: list[float] = field(default_factory=list)  # seconds
    to_action: list[float] = field(default_factory=list)  # delivery to the action running
    lost: int = 0
    updates: int = 0  # screen updates seen, for the paint rate

    def action_ran(self) -> None:
        if self.pressed is not None and self.handled is None:
            self.handled = time.perf_counter()

    def screen_updated(self) -> None:
        self.updates += 1
        if self.pressed is not None and self.handled is not None:
            now = time.perf_counter()
            self.latencies.append(now - self.pressed)
            self.to_action.append(self.handled - self.pressed)
            self.pressed = self.handled = None
            self.done.set()


def instrument(app: AmiApp, probe: KeyProbe) -> None:
    """Hook the app's screen output and the stream's key actions (instance attributes only)."""
    display = app._display

    def timed_display(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        if renderable is None:
            return
        render = getattr(renderable, "render_segments", None)
        if render is not None:
            render(app.console)  # what a real driver would write; headless skips it
        probe.screen_updated()

    app._display = timed_display  # type: ignore[method-assign]
    stream = app.query_one(EventStream)
    for name in ("action_cursor", "action_follow"):
        action: Callable[..., None] = getattr(stream, name)

        def wrapped(*args: Any, _action: Callable[..., None] = action) -> None:
            _action(*args)
            probe.action_ran()

        setattr(stream, name, wrapped)


async def press(app: AmiApp, probe: KeyProbe, key: str) -> None:
    probe.done.clear()
    probe.handled = None
    event = events.Key(key, None)
    event.set_sender(app)
    assert app._driver is not None
    probe.pressed = time.perf_counter()
    app._driver.send_message(event)  # exactly how the terminal driver hands a key over
    try:
        await asyncio.wait_for(probe.done.wait(), KEY_TIMEOUT)
    except TimeoutError:
        probe.lost += 1
        probe.pressed = probe.handled = None


async def loop_lag(samples: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        due = time.perf_counter() + 0.01
        await asyncio.sleep(0.01)
        samples.append(max(0.0, time.perf_counter() - due))


class GcPauses:
    """How long the collector stops everything, per generation (gc.callbacks)."""

    def __init__(self) -> None:
        self.pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
        self._began = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.pauses[info["generation"]].append(time.perf_counter() - self._began)

    def summary(self, wall: float) -> str:
        parts = []
        for gen, pauses in self.pauses.items():
            if pauses:
                parts.append(
                    f"gen{gen} {len(pauses)}x, max {max(pauses) * 1000:.0f} ms, "
                    f"total {sum(pauses) / wall:.0%} of the time"
                )
        return "; ".join(parts) or "none"


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def marker_headers(app: AmiApp) -> dict[str, str] | None:
    ring = app.ring
    for seq in range(ring.last_seq, max(ring.first_seq, ring.last_seq - 50) - 1, -1):
        entry = ring.get(seq)
        if isinstance(entry, StoredEvent) and entry.frame.name == MARKER_NAME:
            return {k: v for k, v in entry.frame.headers}
    return None


@dataclass
class Figures:
    """What one run measured, gathered while the app runs and reported after it stops."""

    capacity: int
    seconds: float = 0.0  # wall time from the first event to the server's marker
    cpu: float = 0.0  # process time over the same span
    marker: dict[str, str] | None = None  # the server's own account (Sent, MaxLateMs, ...)
    received: int = 0
    in_ring: int = 0
    shown: int = 0
    evicted: int = 0
    calls: int = 0
    untraced: int = 0  # evicted before call tracing and the catalog read them (counted)
    behind: int = 0  # not yet traced when the flood ended
    splits: int = 0  # events whose headers a tick split (store/parsed.py)
    shared: int = 0  # of which the live tables took instead of splitting again
    tracer_keys: int | None = None
    rss_start: int = 0
    rss_full: tuple[float, int] | None = None  # (seconds in, RSS) when the ring first filled
    rss_end: int = 0
    lag: list[float] = field(default_factory=list)
    pauses: GcPauses = field(default_factory=GcPauses)
    probe: KeyProbe = field(default_factory=KeyProbe)


async def drive(app: AmiApp, args: argparse.Namespace, fig: Figures) -> bool:
    """Run the flood with key presses; False if the session never came up."""
    instrument(app, fig.probe)
    deadline = time.monotonic() + 10

    def up() -> bool:
        # The first events can reach the ring in the same read as the login's answer, a
        # moment before the session's login task resumes and says READY: wait for both.
        session = app.session
        return app.ring.next_seq > 1 and session is not None and session.state.phase is Phase.READY

    while not up() and time.monotonic() < deadline:
        await asyncio.sleep(0.005)  # logging in
    session = app.session
    if session is None or session.state.phase is not Phase.READY:
        print(f"console: the session did not come up ({session and session.state})")
        return False
    rng = random.Random(1)
    fig.rss_start = rss()
    gc.callbacks.append(fig.pauses)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    stop = asyncio.Event()
    lag_task = asyncio.create_task(loop_lag(fig.lag, stop))
    keys = 0
    # Keys at 3 to 5 per second, at varying phase to the 10 ms batches and 20 Hz refresh.
    while time.perf_counter() < wall0 + args.seconds:
        await asyncio.sleep(0.2 + rng.random() * 0.1)
        await press(app, fig.probe, "up" if keys % 2 == 0 else "end")
        keys += 1
        if fig.rss_full is None and app.ring.evicted:
            fig.rss_full = (time.perf_counter() - wall0, rss())
    # The flood ends with the server's marker, which also says what the server saw.
    deadline = time.monotonic() + 10 + args.seconds
    while fig.marker is None and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        fig.marker = marker_headers(app)
    fig.seconds = time.perf_counter() - wall0
    fig.cpu = time.process_time() - cpu0
    # Still to trace when the flood ends: the CPU figure is only comparable between runs
    # whose tracing kept up (a tracer that falls behind does less work, so costs less).
    fig.behind = app.bridge.backlog
    gc.callbacks.remove(fig.pauses)
    stop.set()
    await lag_task
    await asyncio.sleep(0.2)  # one more refresh, so the stream has synced
    count(app, fig)
    return True


def count(app: AmiApp, fig: Figures) -> None:
    ring = app.ring
    marker = 1 if fig.marker else 0  # the marker is stored like any event; not counted here
    fig.received = sum(ring.counts.values()) - marker
    fig.in_ring = len(ring) - marker
    fig.shown = len(app.query_one(EventStream).rows) - marker
    fig.evicted = ring.evicted
    fig.rss_end = rss()
    fig.calls = len(app.bridge.calls.calls())
    fig.untraced = app.bridge.unanalysed
    fig.splits, fig.shared = app.bridge.parsed.splits, app.bridge.parsed.hits
    # The call tracer's union-find map: not pruned when calls are, so it shows any growth.
    parent = getattr(app.bridge.calls, "_parent", None)
    fig.tracer_keys = len(parent) if isinstance(parent, dict) else None


async def measure(port: int, args: argparse.Namespace) -> int:
    settings = Settings() if args.capacity is None else Settings(ring_capacity=args.capacity)
    app = AmiApp(ServerSpec(port=port, user="bench", secret="bench"), settings)
    fig = Figures(capacity=settings.ring_capacity)
    done = False
    try:
        async with app.run_test(headless=True, size=(120, 40)):
            done = await drive(app, args, fig)
    except Exception as exc:
        if not done:
            raise
        # The figures are complete; an error while the app shuts down is reported, not hidden.
        print(f"note: the app raised {type(exc).__name__} while shutting down: {exc}")
    if not done:
        return 1
    return report(args, fig)


def report(args: argparse.Namespace, fig: Figures) -> int:
    wall = fig.seconds
    sent = int(fig.marker["Sent"]) if fig.marker else -1
    print(
        f"console: {args.seconds:g} s at {args.rate:,.0f} events/s (batches of {args.batch}), "
        f"AmiApp headless 120x40, real AmiSession over loopback, ring capacity {fig.capacity:,}"
    )
    split = "C speed-up (amitui/protocol/_lines.c)" if lines.SPEEDUP else "pure Python"
    kept = "untracked (amitui/store/_untrack.c)" if untrack.SPEEDUP else "tracked (pure Python)"
    traced = "C (amitui/store/_callscan.c)" if callheaders.SPEEDUP else "pure Python"
    counted = "C (amitui/store/_catalog.c)" if catalog_observe.SPEEDUP else "pure Python"
    print(
        f"header split: {split}; stored events {kept}; call tracing's header scan: {traced}; "
        f"the catalog's count: {counted}; AMITUI_PURE_PYTHON=1 runs pure Python"
    )
    lossless = (
        sent == fig.received
        and fig.received == fig.in_ring + fig.evicted
        and fig.shown == fig.in_ring
    )
    print(
        f"events: sent {sent:,}, received {fig.received:,}, in ring {fig.in_ring:,}, "
        f"shown {fig.shown:,}, evicted (counted) {fig.evicted:,} -> "
        + ("no loss except counted evictions" if lossless else "LOSS or a miscount")
    )
    if fig.marker:
        m = fig.marker
        print(
            f"server: sent for {float(m['Seconds']):.2f} s, at most {m['MaxLateMs']} ms behind "
            f"schedule, longest write {m['MaxWriteMs']} ms (Asterisk's default writetimeout: "
            "100 ms)"
        )
    keys = f", its union-find keys: {fig.tracer_keys:,}" if fig.tracer_keys is not None else ""
    print(
        f"rate received: {fig.received / wall:,.0f} events/s over {wall:.1f} s; "
        f"calls kept by the call tracer: {fig.calls:,}{keys}"
    )
    print(
        f"analysis: {fig.untraced:,} events evicted before call tracing and the catalog read "
        f"them (counted; the status bar says so); {fig.behind:,} still to trace when the "
        "flood ended (keeping up, a few thousand at most)"
    )
    print(
        f"headers: {fig.splits:,} events split, {fig.shared:,} times the live tables took "
        "headers call tracing had split instead of splitting again"
    )
    print(f"cpu: {fig.cpu / wall:.0%} of one core ({fig.cpu:.1f} s over {wall:.1f} s)")
    report_memory(fig)
    lat = [x * 1000 for x in fig.probe.latencies]
    p99 = pct(lat, 99)
    ok = bool(lat) and p99 < TARGET_KEY_P99_MS and not fig.probe.lost
    print(
        f"key latency (key delivered -> screen update showing it), {len(lat)} keys: "
        f"p50 {pct(lat, 50):.1f} ms, p99 {p99:.1f} ms, max {max(lat, default=0):.1f} ms, "
        f"lost {fig.probe.lost} (target p99 < {TARGET_KEY_P99_MS:.0f} ms: "
        f"{'met' if ok else 'MISSED'})"
    )
    to_action = [x * 1000 for x in fig.probe.to_action]
    print(
        f"  of which waiting for the action to run: p50 {pct(to_action, 50):.1f} ms, "
        f"p99 {pct(to_action, 99):.1f} ms"
    )
    lag_ms = [x * 1000 for x in fig.lag]
    print(
        f"loop lag (10 ms timer): p50 {pct(lag_ms, 50):.1f} ms, p99 {pct(lag_ms, 99):.1f} ms, "
        f"max {max(lag_ms, default=0):.1f} ms; screen updates {fig.probe.updates / wall:.1f}/s"
    )
    print(f"garbage collector pauses: {fig.pauses.summary(wall)}")
    return 0 if lossless and fig.marker else 1


def report_memory(fig: Figures) -> None:
    mb = 1024 * 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    full = (
        f", {fig.rss_full[1] / mb:.0f} MB when the ring first filled (at {fig.rss_full[0]:.1f} "
        f"s), so about {(fig.rss_full[1] - fig.rss_start) / fig.capacity / 1024:.1f} KB per "
        "stored event"
        if fig.rss_full
        else " (the ring never filled)"
    )
    print(
        f"memory: peak RSS {peak / mb:.0f} MB; {fig.rss_start / mb:.0f} MB before the flood"
        f"{full}; {fig.rss_end / mb:.0f} MB at the end"
    )
    if fig.rss_full and fig.seconds - fig.rss_full[0] > 1:
        # With the ring full, memory should stay flat: anything else grows without bound.
        minutes = (fig.seconds - fig.rss_full[0]) / 60
        growth = (fig.rss_end - fig.rss_full[1]) / mb / minutes
        print(f"  growth after the ring filled: {growth:+.1f} MB per minute")


RECORDED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "asterisk22-events.bin")


def reference_ms(rounds: int = 3) -> float:
    """A fixed piece of pure-Python work, best of `rounds`, in ms: the recorded events decoded
    and split by lines.split_lines_py 100 times over. This machine's speed drifts by a third
    within an hour; the same work timed just before a run says which stretch it ran on, and
    the CPU figures move with it."""
    with open(RECORDED, "rb") as f:
        packets = f.read().split(b"\r\n\r\n")
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(100):
            for packet in packets:
                lines.split_lines_py(packet.decode("utf-8", "replace"))
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The console under a steady AMI event flood.")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long the flood lasts")
    parser.add_argument("--rate", type=float, default=20_000, help="events per second")
    parser.add_argument("--batch", type=int, default=200, help="events per server write")
    parser.add_argument(
        "--capacity", type=int, default=None, help="ring capacity (default: the app's)"
    )
    args = parser.parse_args(argv)
    # The bench must not read the developer's own config or themes.
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="amitui-bench-")
    flood = ("--rate", str(args.rate), "--seconds", str(args.seconds), "--batch", str(args.batch))
    # Before the run only: after it, the same work in this process is slower by a fifth (its
    # heap is the ring's), which says nothing about the machine.
    reference = reference_ms()
    with probing() as speeds, running(*flood) as port:
        code = asyncio.run(measure(port, args))
    print(
        f"machine: the reference work (reference_ms) took {reference:.1f} ms just before the "
        "run; the CPU figures grow with it (bench/README.md)"
    )
    print(f"  the same work during the run, once a second (bench/probe.py): {speeds.summary()}")
    return code


if __name__ == "__main__":
    sys.exit(main())
