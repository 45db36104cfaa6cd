"""Putting the configured theme in place: before the first paint, and checked once mounted.

Apart from app.py, which only calls these; ui/theme.py loads the themes themselves.
"""

from __future__ import annotations

from typing import Any

from textual.app import App

from amitui.settings import DEFAULT_THEME
from amitui.ui import safe


def set_early_theme(app: App[Any], name: str) -> None:
    """The configured theme, before the stylesheet is first built. Set in on_mount, its
    watcher parsed and applied all of the CSS a second time, a quarter of the time to the
    first paint (bench/startup.py). This is what the watcher does, less that refresh; a
    missing theme is left to on_mount, which says so (`pick_theme`)."""
    theme = app.get_theme(name)
    if theme is None:
        return
    app.set_reactive(App.theme, name)
    app.stylesheet.set_variables(app.get_css_variables())  # built in App.__init__
    app.set_class(True, f"-theme-{name}", update=False)
    app.set_class(theme.dark, "-dark-mode", update=False)
    app.set_class(not theme.dark, "-light-mode", update=False)
    app._refresh_truecolor_filter(app.ansi_theme)


def pick_theme(app: App[Any], name: str) -> str:
    """`name` when the app has it, else the default (and a toast saying so)."""
    if name in app.available_themes:
        return name
    safe.notify(app, f"theme {name!r} not found; using {DEFAULT_THEME}", severity="warning")
    return DEFAULT_THEME
