"""Fixtures for the demo PBX tests: a server on 127.0.0.1, sessions that close themselves."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from amitui.client import AmiSession, ServerSpec, Timing
from amitui.demo import DemoPbx, DemoServer
from amitui.protocol import Frame
from tests.demo._support import Connect


@pytest.fixture
async def quiet() -> AsyncIterator[DemoServer]:
    """A demo PBX without background calls: only what the test does happens."""
    server = DemoServer(DemoPbx(seed=1, rate=0.0))
    await server.start()
    yield server
    await server.close()


@pytest.fixture
async def connect() -> AsyncIterator[Connect]:
    """connect(server or port, user=, secret=, auth=, events=) -> (session, events seen)."""
    sessions: list[AmiSession] = []

    async def _connect(
        server: DemoServer | int,
        user: str = "demo",
        secret: str = "demo",
        auth: str = "plain",
        events: str = "on",
    ) -> tuple[AmiSession, list[Frame]]:
        seen: list[Frame] = []
        port = server if isinstance(server, int) else server.port
        spec = ServerSpec(
            host="127.0.0.1", port=port, user=user, secret=secret, auth=auth, events=events
        )
        session = AmiSession(
            spec,
            reconnect=False,
            on_events=seen.extend,
            timing=Timing(connect_timeout=5, action_timeout=5),
        )
        sessions.append(session)
        await session.open()
        return session, seen

    yield _connect
    for session in sessions:
        await session.close(logoff=False)
