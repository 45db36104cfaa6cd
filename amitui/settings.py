"""The config file's `[ui]` table: typed, checked when the file is loaded, defaults here.

Every key is optional; an absent one takes the default declared here, the one place each is
written: the ring, the app and the config file all take them from this module. A key it does
not know, or a value of the wrong type or range, is refused with one line that names the key
and says what it expected, as config.py refuses a profile's unknown keys: a typo must not
silently leave a setting at its default.

Headless and at the bottom of the layers (it imports nothing of amitui): config.py reads the
table with it and store/ring.py takes its bounds from it. Tests: tests/test_ui_settings.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any

DEFAULT_THEME = "amitui-dark"
# The event ring's bounds: events, and the bytes they are counted as (store/ring.py).
DEFAULT_CAPACITY = 100_000
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
# A recording started from the console stops (and says so) at this size.
DEFAULT_RECORD_MAX_BYTES = 100_000_000


@dataclass(frozen=True, slots=True)
class UiSettings:
    """The `[ui]` table, with the default of each key."""

    theme: str = DEFAULT_THEME
    """Colour theme: amitui-dark, amitui-light, or the name of a user theme (themes/ dir)."""
    ring_capacity: int = DEFAULT_CAPACITY
    """Events kept in memory; beyond it the oldest are evicted and counted."""
    ring_max_bytes: int = DEFAULT_MAX_BYTES
    """Bytes the kept events may take, beside their count; the oldest go first."""
    record_max_bytes: int = DEFAULT_RECORD_MAX_BYTES
    """Size at which a recording started from the console stops."""


class SettingError(ValueError):
    """A `[ui]` value cannot be used; the message is one line naming the key."""


def _whole_above_0(value: object) -> bool:
    # TOML's true is a Python bool, which is an int: refused, it is not a count.
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _text(value: object) -> bool:
    return isinstance(value, str)


# What each key expects, in words for the error, and the test of a value. One entry per field
# of UiSettings (tests/test_ui_settings.py checks that they stay in step).
CHECKS: dict[str, tuple[str, Callable[[object], bool]]] = {
    "theme": ("text (a theme's name)", _text),
    "ring_capacity": ("a whole number above 0", _whole_above_0),
    "ring_max_bytes": ("a whole number above 0", _whole_above_0),
    "record_max_bytes": ("a whole number above 0", _whole_above_0),
}


def _as_toml(value: object) -> str:
    """A value as the user wrote it in TOML, short enough for a one-line error."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value if len(value) <= 40 else value[:40] + "…", ensure_ascii=False)
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return str(value)


def parse_ui(table: Mapping[str, object]) -> UiSettings:
    """The `[ui]` table as UiSettings; raises SettingError for an unknown key or a bad value."""
    known = [f.name for f in fields(UiSettings)]
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise SettingError(
            f"[ui] has unknown keys: {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    for key, value in table.items():
        expected, check = CHECKS[key]
        if not check(value):
            raise SettingError(f"[ui] {key} must be {expected}, got {_as_toml(value)}")
    checked: dict[str, Any] = dict(table)  # every key and type checked above
    return UiSettings(**checked)
