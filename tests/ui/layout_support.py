"""Counting the screen's layouts: each re-arranges every widget of the console (~11-25 ms in
bench/console.py), so tests hold the paths that run at every tick or key to none."""

from __future__ import annotations

from typing import Any

from textual.app import App


class Layouts:
    """Counts the screen's layouts from now on (the screen current at creation)."""

    def __init__(self, app: App[Any]) -> None:
        self.count = 0
        screen = app.screen
        lay_out = screen._refresh_layout

        def counted(*args: Any, **kwargs: Any) -> None:
            self.count += 1
            lay_out(*args, **kwargs)

        screen._refresh_layout = counted  # type: ignore[method-assign]
