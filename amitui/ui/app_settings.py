"""The console's settings: everything AmiApp needs that is not a session.

Apart from app.py so that the parts the app wires together (ui/servers.py, ui/tools.py) can
name the type without importing the app.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from amitui.config import Profile
from amitui.settings import (
    DEFAULT_CAPACITY,
    DEFAULT_MAX_BYTES,
    DEFAULT_RECORD_MAX_BYTES,
    DEFAULT_THEME,
    UiSettings,
)


@dataclass
class Settings:
    """Everything the app needs that is not the session; tests pass fixed values."""

    profile: Profile = field(default_factory=lambda: Profile(name=""))
    ring_capacity: int = DEFAULT_CAPACITY
    ring_max_bytes: int = DEFAULT_MAX_BYTES  # the ring's byte bound, beside its count bound
    theme: str = DEFAULT_THEME
    keymap: dict[str, str] = field(default_factory=dict)
    clock: Callable[[], float] = time.time
    monotonic: Callable[[], float] = time.monotonic  # for rates; snapshots freeze it
    refresh_hz: float = 20.0
    demo: bool = False
    record_max_bytes: int = DEFAULT_RECORD_MAX_BYTES
    hint: str | None = None  # said once the console is up (the demo: how to reach a real PBX)

    @classmethod
    def from_config(cls, ui: UiSettings, keys: dict[str, str], demo: bool = False) -> Settings:
        """From the config file's checked `[ui]` and `[keys]` tables."""
        return cls(
            ring_capacity=ui.ring_capacity, ring_max_bytes=ui.ring_max_bytes, theme=ui.theme,
            keymap=dict(keys), demo=demo, record_max_bytes=ui.record_max_bytes,
        )  # fmt: skip
