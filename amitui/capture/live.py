"""Record a running session into an `.amirec` file: the console's record toggle and
`amitui record` share this tap.

Wire callbacks only queue; the queue is written and flushed once per turn of the event loop
(`call_soon`), that is once per socket read, so the session's reader never waits on the disk.
Gaps go through the same queue, so they land in the file in order.

Tests: tests/capture/test_replay.py, tests/capture/test_replay_fidelity.py.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from amitui.client import ServerSpec, SessionState
from amitui.client.spec import GapCallback, WireCallback
from amitui.protocol import Frame
from amitui.store.recording import RecordingWriter, Wire


@runtime_checkable
class Tappable(Protocol):
    """What LiveRecording needs of a session: AmiSession has it, a replay has not."""

    spec: ServerSpec
    state: SessionState

    def add_tap(
        self, *, wire: WireCallback | None = None, gap: GapCallback | None = None
    ) -> Callable[[], None]: ...


class LiveRecording:
    """Record a session into an `.amirec` file from now until `stop()`.

    Wire callbacks only queue; the queue is written and flushed once per loop turn
    (`call_soon`), i.e. once per socket read, so the session's reader never waits on the disk.
    Gaps go through the same queue, so they land in the file in order. It listens through the
    session's `add_tap`, so the session's own `on_wire`/`on_gap` are left alone (the console's
    gap markers still appear).
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
        self._untap = session.add_tap(wire=self._wire, gap=self._gap)

    @property
    def active(self) -> bool:
        return not self.writer.closed

    def stop(self) -> str:
        """Detach, write what is queued, close; returns the one-line summary."""
        if self.active:
            self._untap()
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

    def _gap(self, text: str) -> None:
        self._add("note", f"gap: {text}")

    def _add(self, direction: str, data: Wire) -> None:
        if self.writer.closed:
            return
        if not self._pending:
            self._first = time.time()  # when the read arrived, not when it was written
            self._loop.call_soon(self.flush)
        self._pending.append((direction, data))
