"""Themes from TOML files: the bundled ones (themes/ in the repository, amitui.themes when
installed) and the user's own, from the config directory's `themes/`.

A theme file holds Textual's base colours plus amitui's own role variables (`event-call`,
`event-hangup`, ...). A broken user theme never stops the app: it is skipped and reported.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from textual.theme import Theme

from amitui.config import config_dir
from amitui.settings import DEFAULT_THEME as DEFAULT_THEME  # one home for the [ui] defaults

_BASE_KEYS = [
    "primary",
    "secondary",
    "accent",
    "warning",
    "error",
    "success",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
]


@dataclass
class LoadedThemes:
    themes: list[Theme] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # one line per file that failed


def theme_from_toml(text: str, source: str) -> Theme:
    """Parse one theme file; raises ValueError with a one-line reason."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{source}: not valid TOML ({exc})") from None
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise ValueError(f"{source}: a theme needs a name")
    if not isinstance(data.get("primary"), str):
        raise ValueError(f"{source}: a theme needs a primary colour")
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ValueError(f"{source}: [variables] must be a table")
    base: dict[str, Any] = {k: str(data[k]) for k in _BASE_KEYS if k in data}
    try:
        theme = Theme(
            name=name,
            dark=bool(data.get("dark", True)),
            variables={str(k): str(v) for k, v in variables.items()},
            **base,
        )
        theme.to_color_system().generate()  # parses every colour now, not at first paint
    except Exception as exc:  # Textual raises several kinds for a bad colour
        raise ValueError(f"{source}: {exc}") from None
    return theme


def _bundled() -> list[tuple[str, str]]:
    try:
        root = resources.files("amitui.themes")
        return [(f.name, f.read_text("utf-8")) for f in root.iterdir() if f.name.endswith(".toml")]
    except (ModuleNotFoundError, FileNotFoundError):
        here = Path(__file__).resolve().parents[2] / "themes"
        return [(p.name, p.read_text("utf-8")) for p in sorted(here.glob("*.toml"))]


def load_themes(user_dir: Path | None = None) -> LoadedThemes:
    out = LoadedThemes()
    for name, text in sorted(_bundled()):
        out.themes.append(theme_from_toml(text, name))  # a broken bundled theme is a bug
    folder = user_dir if user_dir is not None else config_dir() / "themes"
    if folder.is_dir():
        for path in sorted(folder.glob("*.toml")):
            try:
                out.themes.append(theme_from_toml(path.read_text("utf-8"), str(path)))
            except (ValueError, OSError, UnicodeDecodeError) as exc:
                out.problems.append(f"theme skipped: {exc}")
    return out


def variable_defaults(themes: list[Theme]) -> dict[str, str]:
    """The default theme's role variables, so Textual's own themes still paint amitui."""
    for theme in themes:
        if theme.name == DEFAULT_THEME:
            return dict(theme.variables)
    return {}
