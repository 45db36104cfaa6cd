"""A small scriptable AMI server for fault tests: it stalls, drops and sends garbage on
command, which the real Asterisk cannot be asked to do. Behaviour that does not need a fault is
tested against the real server (tests/integration)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Self

from amitui.client import Timing
from amitui.protocol import Frame, Parser

BANNER = b"Asterisk Call Manager/11.0.0\r\n"
# Timing for sessions against the loopback fakes: faults show within a second.
FAST = Timing(
    connect_timeout=2, action_timeout=2, ping_interval=0.2, pong_deadline=0.3,
    backoff_base=0.05, backoff_cap=0.2,
)  # fmt: skip


@dataclass
class LoopbackAmi:
    """What every loopback test server shares: a free port on 127.0.0.1, the frames received,
    and clients cut off at once on stop. Subclasses answer in `_serve`."""

    received: list[Frame] = field(default_factory=list)
    writers: list[asyncio.StreamWriter] = field(default_factory=list)
    server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    async def start(self) -> Self:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def stop(self) -> None:
        self.drop_all()
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    def drop_all(self) -> None:
        for w in self.writers:
            w.transport.abort()
        self.writers.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError


@dataclass
class FakeAmi(LoopbackAmi):
    secret: str = "s3cret"
    answer_pings: bool = True
    banner: bytes = BANNER
    connections: int = 0

    def push(self, data: bytes) -> None:
        """Send bytes to every connected client."""
        for w in self.writers:
            w.write(data)

    def actions(self, name: str) -> list[Frame]:
        return [f for f in self.received if (f.get("Action") or "").lower() == name.lower()]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.append(writer)
        writer.write(self.banner)
        parser = Parser(expect_banner=False)
        try:
            while data := await reader.read(65536):
                parser.feed(data)
                for frame in parser.frames():
                    self.received.append(frame)
                    reply = self._reply(frame)
                    if reply:
                        writer.write(reply)
        except ConnectionError:
            pass
        finally:
            if writer in self.writers:
                self.writers.remove(writer)
            writer.close()

    def _reply(self, frame: Frame) -> bytes | None:
        action = (frame.get("Action") or "").lower()
        aid = frame.get("ActionID")
        head = f"ActionID: {aid}\r\n" if aid else ""
        if action == "challenge":
            return f"Response: Error\r\n{head}Message: Must specify AuthType\r\n\r\n".encode()
        if action == "login":
            if frame.get("Secret") == self.secret:
                return (
                    f"Response: Success\r\n{head}Message: Authentication accepted\r\n\r\n".encode()
                )
            return f"Response: Error\r\n{head}Message: Authentication failed\r\n\r\n".encode()
        if action == "ping":
            if not self.answer_pings:
                return None
            return f"Response: Success\r\n{head}Ping: Pong\r\nTimestamp: 1.0\r\n\r\n".encode()
        if action == "hold":  # answered by the test, or never
            return None
        if action == "logoff":
            return f"Response: Goodbye\r\n{head}Message: Thanks for all the fish.\r\n\r\n".encode()
        return f"Response: Success\r\n{head}\r\n".encode()
