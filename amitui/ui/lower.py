"""The composer and the inspector, mounted just after the console's first screen is drawn.

Building them (their styles, tabs, tables and form) delayed the first screen by 60-75 ms in a
120x40 terminal on the machine's slow stretches (bench/startup.py), so the app composes an
empty row for them and mounts them once that screen is out. Around that:

* what needs them sooner (a key for the composer, a row selected for the inspector) is held
  and done once they are there (`when_ready`);
* what happened meanwhile reaches them through `mounted` (the app's: the composer's title,
  the servers known, the action list of a server that logged in first);
* a shutdown while they are being mounted waits for the mount (`wait_mounted`): torn down
  half-built, Textual failed inside their tabs. A key that quits waits anyway, since the
  mount runs in the app's own queue; a shutdown from outside it (run_test's) did not.

Tests: tests/ui/test_startup.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.app import App
from textual.widget import Widget


class LowerPanes:
    def __init__(self, app: App[int], make: Callable[[], list[Widget]]) -> None:
        self._app = app
        self._make = make  # the widgets, made when it is time to mount them
        self._waiting: list[Callable[[], object]] | None = []  # None once mounted
        self._mounting: asyncio.Event | None = None  # set when the mount is over

    @property
    def ready(self) -> bool:
        return self._waiting is None

    async def mount(self, into: Widget, mounted: Callable[[], None]) -> None:
        """Mount them into `into`; then `mounted()`, then what waited for them."""
        if not self._app.is_running:
            return  # quit before the first screen was even drawn
        self._mounting = mounting = asyncio.Event()
        try:
            await into.mount_all(self._make())
        finally:
            mounting.set()
        mounted()
        waiting, self._waiting = self._waiting, None
        for then in waiting or ():
            then()

    def when_ready(self, then: Callable[[], object]) -> None:
        """`then()` now, or once they are mounted (a key in the first few milliseconds)."""
        if self._waiting is None:
            then()
        else:
            self._waiting.append(then)

    async def wait_mounted(self) -> None:
        """Until a mount under way is over (at once when none began)."""
        if self._mounting is not None:
            await self._mounting.wait()
