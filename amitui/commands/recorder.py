"""`amitui record FILE`: capture one server's AMI traffic to an `.amirec` file, headless.

Theory of operation
-------------------
`LiveRecording` (amitui/capture/live.py) listens to a session through its `add_tap` (every
packet that arrives, every action that leaves, already masked by the session, and every gap).
The session's reader must never wait on the disk, so the tap only appends to a list, and the
list is written and flushed once per turn of the event loop (`call_soon`): that is once per
socket read, the recorder's "batch". Gaps (connection lost, restored) go through the same list,
so they land in the file in order. The console's record toggle uses the same class on its
running session.

It stops at `seconds`, after `count` events, when a size bound is reached (the writer then
notes what it dropped), when `stop` is set, or on Ctrl-C, which is caught so that the file is
closed whole and the status line still printed. The first connection failing is exit 2, as
for `amitui events`; after that the session reconnects and the file shows the gap.

Tests: tests/capture/test_replay.py (fake server) and tests/integration/test_record_real.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable
from typing import TextIO

from amitui import exitcodes
from amitui.capture.live import LiveRecording
from amitui.client import AmiSession, ServerSpec, SessionError, Timing
from amitui.protocol import Frame
from amitui.protocol.safetext import shown


async def record(
    spec: ServerSpec,
    path: str,
    *,
    seconds: float | None = None,
    count: int | None = None,
    max_bytes: int | None = None,
    max_entries: int | None = None,
    timing: Timing | None = None,
    stop: asyncio.Event | None = None,
    err: TextIO | None = None,
) -> int:
    """Record until a bound, `stop` or Ctrl-C; print one status line; return the exit code."""
    out = err if err is not None else sys.stderr
    done = stop if stop is not None else asyncio.Event()
    events = 0

    def on_events(batch: list[Frame]) -> None:
        nonlocal events
        events += len(batch)
        if count is not None and events >= count:
            done.set()

    session = AmiSession(spec, timing=timing, on_events=on_events)
    try:
        live = LiveRecording(
            session, path, max_bytes=max_bytes, max_entries=max_entries, on_full=done.set
        )
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        print(shown(f"amitui: cannot record to {path}: {reason}"), file=out, flush=True)
        return exitcodes.CONNECTION
    code = exitcodes.OK
    interrupted = _catch_ctrl_c(done)
    try:
        try:
            await session.open()
        except SessionError as exc:
            print(shown(f"amitui: {exc}"), file=out, flush=True)  # it may quote the server
            return exitcodes.CONNECTION
        code = await _until_done(session, done, seconds, out)
    finally:
        interrupted()
        with contextlib.suppress(Exception):
            await session.close()  # its Logoff and Goodbye are recorded too
        print(shown(f"amitui: {live.stop()}"), file=out, flush=True)
    return code


async def _until_done(
    session: AmiSession, done: asyncio.Event, seconds: float | None, out: TextIO
) -> int:
    runner = asyncio.create_task(session.run(), name="ami-session record")
    waiter = asyncio.create_task(done.wait(), name="record until")
    try:
        await asyncio.wait({runner, waiter}, timeout=seconds, return_when="FIRST_COMPLETED")
        if runner.done() and not done.is_set():
            # run() returns on its own only when a re-login was refused.
            print(shown(f"amitui: {session.state.describe()}"), file=out, flush=True)
            return exitcodes.CONNECTION
        return exitcodes.OK
    finally:
        for task in (runner, waiter):
            task.cancel()
        await asyncio.gather(runner, waiter, return_exceptions=True)


def _catch_ctrl_c(done: asyncio.Event) -> Callable[[], None]:
    """Ctrl-C sets `done` (once; a second one interrupts as usual). Returns the undo."""
    loop = asyncio.get_running_loop()

    def first_interrupt() -> None:
        done.set()
        with contextlib.suppress(Exception):
            loop.remove_signal_handler(signal.SIGINT)

    try:
        loop.add_signal_handler(signal.SIGINT, first_interrupt)
    except (NotImplementedError, RuntimeError, ValueError):
        return lambda: None  # not the main thread, or no signals here: Ctrl-C raises instead

    def undo() -> None:
        with contextlib.suppress(Exception):
            loop.remove_signal_handler(signal.SIGINT)

    return undo


def run_record(
    spec: ServerSpec,
    path: str,
    *,
    seconds: float | None = None,
    count: int | None = None,
    max_bytes: int | None = None,
) -> int:
    """The synchronous entry point for the command line."""
    return asyncio.run(record(spec, path, seconds=seconds, count=count, max_bytes=max_bytes))
