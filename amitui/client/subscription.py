"""A bounded queue of event batches for consumers that iterate (the `events` command).

The session offers each batch without waiting; when the consumer is behind and the queue is
full, the batch is dropped and counted, because the socket reader must never block.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from amitui.protocol import Frame


class Subscription:
    def __init__(self, maxsize: int) -> None:
        self._queue: asyncio.Queue[list[Frame]] = asyncio.Queue(maxsize)
        self.dropped = 0

    def offer(self, batch: list[Frame]) -> None:
        try:
            self._queue.put_nowait(batch)
        except asyncio.QueueFull:
            self.dropped += len(batch)

    async def get(self) -> list[Frame]:
        return await self._queue.get()

    async def __aiter__(self) -> AsyncIterator[Frame]:
        while True:
            for frame in await self._queue.get():
                yield frame
