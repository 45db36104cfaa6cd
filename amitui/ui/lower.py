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
from typing import TYPE_CHECKING

from textual.app import App
from textual.dom import DOMNode
from textual.widget import Widget

if TYPE_CHECKING:
    from amitui.ui.widgets.composer import ActionComposer, DocsSource
    from amitui.ui.widgets.inspector import ResponseInspector


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
        waiting, self._waiting = self._waiting, None  # ready from here, also for `mounted`
        mounted()
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


# Their modules are imported with them, after the first screen (15-24 ms of imports the first
# screen does not need, bench/startup.py); what reaches them goes through these two.


def make_lower(docs: DocsSource) -> list[Widget]:
    """The composer (with the docs client it shows) and the inspector, ready to mount."""
    from amitui.ui.widgets.composer import ActionComposer
    from amitui.ui.widgets.inspector import ResponseInspector

    return [ActionComposer(docs, id="composer"), ResponseInspector(id="inspector")]


def composer(host: DOMNode) -> ActionComposer:
    from amitui.ui.widgets.composer import ActionComposer

    return host.query_one(ActionComposer)


def inspector(host: DOMNode) -> ResponseInspector:
    from amitui.ui.widgets.inspector import ResponseInspector

    return host.query_one(ResponseInspector)
