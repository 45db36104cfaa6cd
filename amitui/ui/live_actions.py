"""The live view's part of the app: the timer that keeps LiveSync going and the `l` key.

`LiveView` is made by AmiApp and handed what it uses. The live state exists from the first
tick on (not only while the screen is open), so the tables are current when the screen opens
and the composer can complete channel, endpoint and queue names from it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.app import App

from amitui.client.interface import SessionLike
from amitui.protocol import Action
from amitui.store import EventRing

if TYPE_CHECKING:
    from amitui.ui.livesync import Lead, LiveSync


class LiveView:
    """LiveSync, made at first use, fed twice a second, and the screen that shows it."""

    def __init__(
        self, host: App[Any], ring: EventRing, session: Callable[[], SessionLike | None],
        clock: Callable[[], float], request_send: Callable[[Action], None],
        prepare: Callable[[str, list[tuple[str, str]]], None],
        lead: Lead | None = None,
    ) -> None:  # fmt: skip
        self.host = host  # runs the resync workers and shows the screen
        self.ring = ring
        self.session = session  # asked each time: the session actions go to
        self.clock = clock
        self.request_send = request_send
        self.prepare = prepare
        self._live: LiveSync | None = None
        self._lead = lead  # call tracing, which the tables follow (ui/livesync.py)

    @property
    def live(self) -> LiveSync:
        if self._live is None:
            # Imported at the first tick (0.5 s), after the first paint.
            from amitui.ui.livesync import LiveSync

            self._live = LiveSync(self.ring, self.session, self.clock, lead=self._lead)
        return self._live

    def tick(self) -> None:
        """Twice a second: feed the tables, sample the rates, resync what needs it."""
        live = self.live
        live.tick()
        if live.start():
            self.host.run_worker(
                live.sync(), group="live", name="live resync", exit_on_error=False,
                description="list actions for the live view",
            )  # fmt: skip

    def open(self) -> None:
        from amitui.ui.screens.live import LiveScreen  # when opened: not on the first paint

        self.live.tick()
        self.host.push_screen(LiveScreen(self.live, self.request_send, self.prepare))
