"""DemoServer: the demo PBX behind a real AMI socket on 127.0.0.1.

    server = await serve(port=0, seed=1)      # port 0: the OS picks a free one
    ... AmiSession(ServerSpec(port=server.port, user="demo", secret="demo")) ...
    await server.close()

The simulation clock follows the event loop's clock: a ticker task runs whatever the
scheduler has due, then sleeps until the next due moment (or until an action schedules
something sooner). Events are rendered to bytes once and offered to every session.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType

from amitui.demo.data import Recorded, recorded
from amitui.demo.pbx import DemoPbx
from amitui.demo.session import ClientSession
from amitui.demo.wire import ALL, NONE, PbxEvent, classes_of, render


@dataclass(frozen=True, slots=True)
class DemoUser:
    """A manager.conf user: secret, read classes (events), write classes (actions)."""

    secret: str
    read: frozenset[str] = ALL
    write: frozenset[str] = ALL

    @classmethod
    def of(cls, secret: str, read: str = "all", write: str = "all") -> DemoUser:
        return cls(secret, classes_of(read), classes_of(write) if write else NONE)


DEFAULT_USERS: dict[str, DemoUser] = {
    "demo": DemoUser("demo"),
    "readonly": DemoUser("readonly", write=NONE),  # sees everything, may change nothing
}


class DemoServer:
    def __init__(
        self,
        pbx: DemoPbx,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        users: Mapping[str, DemoUser] | None = None,
        login_fail_delay: float = 0.2,
        queue_limit: int = 5000,
    ) -> None:
        self.pbx = pbx
        self.rec: Recorded = recorded()
        self.host = host
        self.users = dict(DEFAULT_USERS if users is None else users)
        self.login_fail_delay = login_fail_delay  # Asterisk sleeps 1 s; tests need less
        self.queue_limit = queue_limit  # packets queued per client before it is dropped
        self.sessions: set[ClientSession] = set()
        self.dropped: list[str] = []  # why slow clients were dropped, newest last
        self._port = port
        self._server: asyncio.Server | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._origin = 0.0  # loop time at simulation time 0
        self._unsubscribe = pbx.subscribe(self._on_event)
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        return self._port

    async def start(self) -> DemoServer:
        loop = asyncio.get_running_loop()
        self._origin = loop.time() - self.pbx.now
        self._server = await asyncio.start_server(self._accept, self.host, self._port)
        self._port = self._server.sockets[0].getsockname()[1]
        self._ticker = asyncio.create_task(self._tick(), name="demo-pbx clock")
        return self

    async def close(self) -> None:
        self._unsubscribe()
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
        if self._server is not None:
            self._server.close()
        for session in list(self.sessions):
            session.drop("server shutting down")
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=2.0)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)

    async def __aenter__(self) -> DemoServer:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- clock ----------------------------------------------------------------------------

    def sync_clock(self) -> None:
        """Bring the simulation up to now (before an action looks at it)."""
        self.pbx.run_until(asyncio.get_running_loop().time() - self._origin)

    def poke(self) -> None:
        """Something was scheduled: let the ticker look again."""
        self._wake.set()

    async def _tick(self) -> None:
        while True:
            self.sync_clock()
            due = self.pbx.sched.next_due()
            # At least 10 ms: scripts step in 2 ms slices, which need not be separate wakeups.
            delay = 0.5 if due is None else min(max(due - self.pbx.now, 0.01), 0.5)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)

    # -- sessions -------------------------------------------------------------------------

    def _on_event(self, event: PbxEvent) -> None:
        data = render(event.packet())
        for session in list(self.sessions):
            session.offer(event, data)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = ClientSession(self, reader, writer)
        self.sessions.add(session)
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await session.run()
        finally:
            self.sessions.discard(session)
            if session.dropped:
                self.dropped.append(session.dropped)
                del self.dropped[:-50]
            if task is not None:
                self._tasks.discard(task)


async def serve(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    seed: int | None = None,
    rate: float = 1.0,
    users: Mapping[str, DemoUser] | None = None,
) -> DemoServer:
    """Start a demo PBX with background calls and its AMI server; close() it when done."""
    pbx = DemoPbx(seed=seed, rate=rate)
    return await DemoServer(pbx, host=host, port=port, users=users).start()


async def main(port: int, seed: int | None) -> int:
    """Run the demo PBX until cancelled (Ctrl-C in `amitui demo-server`); 2 when it cannot
    listen, with one line on stderr saying why (not a traceback)."""
    try:
        server = await serve(port=port, seed=seed)
    except OSError as exc:
        print(f"amitui: {listen_failure(port, exc)}", file=sys.stderr, flush=True)
        return 2
    print(
        f"amitui demo PBX on 127.0.0.1:{server.port} (user demo, secret demo)",
        file=sys.stderr,
        flush=True,
    )
    try:
        await asyncio.Event().wait()
    finally:
        await server.close()
    return 0


def listen_failure(port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (
            f"port {port} on 127.0.0.1 is already in use; pick another with --port N "
            "(--port 0 takes a free one)"
        )
    reason = exc.strerror or str(exc)
    return f"cannot listen on 127.0.0.1:{port}: {reason}; try another port with --port N"
