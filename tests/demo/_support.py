"""Helpers shared by the demo PBX tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from amitui.client import AmiSession
from amitui.protocol import Frame

Connect = Callable[..., Awaitable[tuple[AmiSession, list[Frame]]]]


async def until(check: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait until check() is true; fail the test after `timeout` seconds."""
    end = time.monotonic() + timeout
    while not check():
        if time.monotonic() > end:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)
