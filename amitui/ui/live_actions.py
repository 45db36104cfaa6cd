"""The live view's part of the app: the timer that keeps LiveSync going and the `l` key.

A mixin of AmiApp, like tools.py. The live state exists from the first tick on (not only
while the screen is open), so the tables are current when the screen opens and the composer
can complete channel, endpoint and queue names from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from amitui.ui.app import AmiApp
    from amitui.ui.livesync import LiveSync


class LiveActions:
    _live: LiveSync | None = None

    def _app_for_live(self) -> AmiApp:
        return self  # type: ignore[return-value]

    @property
    def live(self) -> LiveSync:
        if self._live is None:
            # Imported at the first tick (0.5 s), after the first paint.
            from amitui.ui.livesync import LiveSync

            app = self._app_for_live()
            self._live = LiveSync(app.ring, lambda: app.session, app.settings.clock)
        return self._live

    def live_tick(self) -> None:
        """Twice a second: feed the tables, sample the rates, resync what needs it."""
        app = self._app_for_live()
        live = self.live
        live.tick()
        if live.start():
            app.run_worker(
                live.sync(), group="live", name="live resync", exit_on_error=False,
                description="list actions for the live view",
            )  # fmt: skip

    def action_live(self) -> None:
        from amitui.ui.screens.live import LiveScreen  # when opened: not on the first paint

        app = self._app_for_live()
        self.live.tick()
        app.push_screen(LiveScreen(self.live, app.request_send, app.action_prepare))
