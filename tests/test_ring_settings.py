"""`[ui] ring_max_bytes` beside `ring_capacity`: from the config file to the console's ring."""

from __future__ import annotations

from pathlib import Path

import pytest

from amitui.client import ServerSpec
from amitui.config import ConfigError, load
from amitui.settings import DEFAULT_MAX_BYTES
from amitui.ui.app import AmiApp
from amitui.ui.launch import _settings


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_the_byte_bound_reaches_the_ring(tmp_path: Path) -> None:
    config = load(_config(tmp_path, "[ui]\nring_capacity = 5000\nring_max_bytes = 64_000_000\n"))
    settings = _settings(config)
    assert (settings.ring_capacity, settings.ring_max_bytes) == (5000, 64_000_000)
    app = AmiApp(ServerSpec(user="admin"), settings)
    assert (app.ring.capacity, app.ring.max_bytes) == (5000, 64_000_000)


def test_without_the_setting_the_default_holds(tmp_path: Path) -> None:
    settings = _settings(load(_config(tmp_path, "[ui]\nring_capacity = 5000\n")))
    assert settings.ring_max_bytes == DEFAULT_MAX_BYTES == 256 * 1024 * 1024


@pytest.mark.parametrize(
    "line",
    ['ring_max_bytes = "256 MB"', "ring_max_bytes = 0", "ring_max_bytes = -1",
     "ring_max_bytes = 1.5", "ring_max_bytes = true", 'ring_capacity = "lots"'],
)  # fmt: skip
def test_a_bad_bound_is_refused_with_its_name(tmp_path: Path, line: str) -> None:
    key = line.split()[0]
    with pytest.raises(ConfigError, match=rf"\[ui\] {key} must be a whole number above 0"):
        load(_config(tmp_path, f"[ui]\n{line}\n"))
