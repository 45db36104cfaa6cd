"""`amitui record FILE`: capture one server's AMI traffic to an `.amirec` file, headless.

Theory of operation
-------------------
`LiveRecording` taps a session's `on_wire` (every packet that arrives, every action that
leaves, already masked by the session) and `on_gap`. The session's reader must never wait on
the disk, so the tap only appends to a list, and the list is written and flushed once per turn
of the event loop (`call_soon`): that is once per socket read, the recorder's "batch". Gaps
(connection lost, restored) go through the same list, so they land in the file in order. The
console's record toggle uses the same class on its running session.

It stops at `seconds`, after `count` events, when a size bound is reached (the writer then
notes what it dropped), when `stop` is set, or on Ctrl-C, which is caught so that the file is
closed whole and the status line still printed. The first connection failing is exit 2, as
for `amitui events`; after that the session reconnects and the file shows the gap.

Tests: tests/client/test_replay.py (fake server) and tests/integration/test_record_real.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Callable
from typing import Protocol, TextIO

from amitui.client import AmiSession, ServerSpec, SessionError, SessionState, Timing
from amitui.client.session import GapCallback, WireCallback
from amitui.protocol import Frame
from amitui.protocol.safetext import shown
from amitui.store.recording import RecordingWriter, Wire

EXIT_OK, EXIT_CONNECTION = 0, 2


class Tappable(Protocol):
    """What LiveRecording needs of a session: AmiSession has it (and reads its callbacks at
    call time, so they can be swapped while it runs)."""

    spec: ServerSpec
    state: SessionState
    on_wire: WireCallback | None
    on_gap: GapCallback | None


class LiveRecording:
    """Record a session into an `.amirec` file from now until `stop()`.

    Wire callbacks only queue; the queue is written and flushed once per loop turn
    (`call_soon`), i.e. once per socket read, so the session's reader never waits on the disk.
    Gaps go through the same queue, so they land in the file in order. The session's own
    `on_wire`/`on_gap` keep being called (the console's gap markers still appear).
    `on_full` is called once when a bound first drops a packet. Raises OSError or ValueError
    (a bad bound) when the file cannot be created."""

    def __init__(
        self,
        session: Tappable,
        path: str | os.PathLike[str],
        *,
        max_bytes: int | None = None,
        max_entries: int | None = None,
        on_full: Callable[[], None] | None = None,
    ) -> None:
        self.path = str(path)
        self.writer = RecordingWriter(
            path,
            session.spec.address,
            ami_version=session.state.ami_version,
            max_bytes=max_bytes,
            max_entries=max_entries,
        )
        self.on_full = on_full
        self._session = session
        self._pending: list[tuple[str, Wire]] = []
        self._first: float | None = None
        self._loop = asyncio.get_running_loop()
        # getattr: a test double may not have every callback; it gets them set here.
        self._prior_wire: WireCallback | None = getattr(session, "on_wire", None)
        self._prior_gap: GapCallback | None = getattr(session, "on_gap", None)
        session.on_wire, session.on_gap = self._wire, self._gap

    @property
    def active(self) -> bool:
        return not self.writer.closed

    def stop(self) -> str:
        """Detach, write what is queued, close; returns the one-line summary."""
        if self.active:
            if self._session.on_wire == self._wire:
                self._session.on_wire = self._prior_wire
            if self._session.on_gap == self._gap:
                self._session.on_gap = self._prior_gap
            self.flush()
            self.writer.close()
        w = self.writer
        extra = f"; {w.dropped} dropped at the size limit" if w.dropped else ""
        return f"recorded {w.packets} packets ({w.bytes} bytes) to {self.path}{extra}"

    def flush(self) -> None:
        if not self._pending or self.writer.closed:
            return
        items, self._pending = self._pending, []
        was_full = self.writer.full
        self.writer.write_batch(items, self._first)
        if self.writer.full and not was_full and self.on_full is not None:
            self.on_full()

    def _wire(self, direction: str, data: bytes | Frame) -> None:
        self._add(direction, data)
        if self._prior_wire is not None:
            self._prior_wire(direction, data)

    def _gap(self, text: str) -> None:
        self._add("note", f"gap: {text}")
        if self._prior_gap is not None:
            self._prior_gap(text)

    def _add(self, direction: str, data: Wire) -> None:
        if self.writer.closed:
            return
        if not self._pending:
            self._first = time.time()  # when the read arrived, not when it was written
            self._loop.call_soon(self.flush)
        self._pending.append((direction, data))


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
        return EXIT_CONNECTION
    code = EXIT_OK
    interrupted = _catch_ctrl_c(done)
    try:
        try:
            await session.open()
        except SessionError as exc:
            print(shown(f"amitui: {exc}"), file=out, flush=True)  # it may quote the server
            return EXIT_CONNECTION
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
            return EXIT_CONNECTION
        return EXIT_OK
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
