"""`[groups]` in the config file: a name for several profiles opened in one console."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from amitui.config import ConfigError, load

PROFILES = """
[profiles.a]
host = "10.0.0.1"
user = "amitui"

[profiles.b]
host = "10.0.0.2"
user = "amitui"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    os.chmod(path, 0o600)
    return path


def test_a_group_lists_its_profiles_in_order_each_once(tmp_path: Path) -> None:
    config = load(write(tmp_path, PROFILES + '[groups]\ncore = ["b", "a", "b"]\n'))
    assert config.groups == {"core": ["b", "a"]}
    assert config.group("core") == ["b", "a"]


def test_no_groups_is_an_empty_table(tmp_path: Path) -> None:
    assert load(write(tmp_path, PROFILES)).groups == {}


def test_an_unknown_profile_in_a_group_is_one_clear_line(tmp_path: Path) -> None:
    path = write(tmp_path, PROFILES + '[groups]\ncore = ["a", "prod", "c"]\n')
    with pytest.raises(ConfigError) as info:
        load(path)
    message = str(info.value)
    assert message == (f"{path}: [groups] core names unknown profiles: prod, c (profiles: a, b)")
    assert "\n" not in message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('groups = "a"\n', r"\[groups\] must be a table of lists"),
        ('[groups]\ncore = "a"\n', r"\[groups\] core must be a list of profile names"),
        ("[groups]\ncore = [1, 2]\n", r"\[groups\] core must be a list of profile names"),
        ("[groups]\ncore = []\n", r"\[groups\] core names no profile"),
    ],
)
def test_a_bad_group_says_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    # A top-level `groups = ...` must come before the tables in TOML.
    body = text + PROFILES if not text.startswith("[") else PROFILES + text
    with pytest.raises(ConfigError, match=message):
        load(write(tmp_path, body))


def test_an_unknown_group_lists_the_known_ones(tmp_path: Path) -> None:
    config = load(write(tmp_path, PROFILES + '[groups]\ncore = ["a", "b"]\n'))
    with pytest.raises(ConfigError, match=r"no group 'edge' .* \(groups: core\)"):
        config.group("edge")
