"""Fixtures for the UI tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from amitui.ui import clipboard


@pytest.fixture
def copied(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """What the system clipboard received; a local desktop session, whatever runs the tests."""
    got: list[str] = []
    monkeypatch.setattr(clipboard, "system_copy", got.append)
    for name in ("SSH_TTY", "SSH_CONNECTION", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    yield got
