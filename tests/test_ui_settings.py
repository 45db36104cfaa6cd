"""The config file's `[ui]` table: typed, checked at load, one line per mistake, and defaults
that are the ones the console used before they were gathered in amitui/settings.py."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from amitui.config import Config, ConfigError, load
from amitui.settings import CHECKS, UiSettings


def _load(tmp_path: Path, ui: str) -> Config:
    path = tmp_path / "config.toml"
    path.write_text(f"[ui]\n{ui}\n")
    return load(path)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('ring_capacity = "lots"', '[ui] ring_capacity must be a whole number above 0, got "lots"'),
        ("ring_capacity = 0", "[ui] ring_capacity must be a whole number above 0, got 0"),
        ("ring_capacity = 2.5", "[ui] ring_capacity must be a whole number above 0, got 2.5"),
        ("ring_max_bytes = true", "[ui] ring_max_bytes must be a whole number above 0, got true"),
        ("ring_max_bytes = -1", "[ui] ring_max_bytes must be a whole number above 0, got -1"),
        ('record_max_bytes = "1 GB"',
         '[ui] record_max_bytes must be a whole number above 0, got "1 GB"'),
        ("record_max_bytes = [1]", "[ui] record_max_bytes must be a whole number above 0, "
                                   "got an array"),
        ("theme = 3", "[ui] theme must be text (a theme's name), got 3"),
        ("theme = { name = 'x' }", "[ui] theme must be text (a theme's name), got a table"),
        ("ringcapacity = 5000", "[ui] has unknown keys: ringcapacity (known: record_max_bytes, "
                                "ring_capacity, ring_max_bytes, theme)"),
    ],
)  # fmt: skip
def test_each_mistake_is_one_line_naming_the_key(tmp_path: Path, line: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, line)
    assert str(info.value) == f"{tmp_path / 'config.toml'}: {message}"


def test_a_long_value_is_cut_in_the_message(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, f'ring_capacity = "{"9" * 500}"')
    assert str(info.value).endswith(f'got "{"9" * 40}…"')


def test_every_field_has_a_check_and_no_check_is_left_over() -> None:
    assert set(CHECKS) == {f.name for f in fields(UiSettings)}


def test_good_values_are_typed_fields(tmp_path: Path) -> None:
    config = _load(
        tmp_path,
        'theme = "amitui-light"\nring_capacity = 5000\nring_max_bytes = 64_000_000\n'
        "record_max_bytes = 1_000_000",
    )
    assert config.ui == UiSettings(
        theme="amitui-light", ring_capacity=5000, ring_max_bytes=64_000_000,
        record_max_bytes=1_000_000,
    )  # fmt: skip


def test_defaults_are_what_the_console_used_before(tmp_path: Path) -> None:
    from amitui.store.ring import EventRing
    from amitui.ui.app import Settings
    from amitui.ui.launch import _settings
    from amitui.ui.theme import DEFAULT_THEME

    ui = _load(tmp_path, "").ui
    # The values app.py, launch.py and store/ring.py each wrote out before.
    before = UiSettings("amitui-dark", 100_000, 256 * 1024 * 1024, 100_000_000)
    assert ui == UiSettings() == before
    assert DEFAULT_THEME == "amitui-dark"
    ring = EventRing()
    assert (ring.capacity, ring.max_bytes) == (before.ring_capacity, before.ring_max_bytes)
    for settings in (Settings(), _settings(load(tmp_path / "missing.toml"))):
        got = (settings.theme, settings.ring_capacity, settings.ring_max_bytes,
               settings.record_max_bytes)  # fmt: skip
        assert got == (before.theme, before.ring_capacity, before.ring_max_bytes,
                       before.record_max_bytes)  # fmt: skip


def test_the_cli_says_it_in_one_line_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[ui]\nring_capacity = "lots"\n')
    out = subprocess.run(
        [sys.executable, "-m", "amitui", "--config", str(path), "action", "Ping", "--user", "u"],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        f'amitui: {path}: [ui] ring_capacity must be a whole number above 0, got "lots"'
    ]
