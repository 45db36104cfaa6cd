"""The config file: profiles, secrets kept private, and what wins over what."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from amitui.commands.cli import build_parser
from amitui.config import ConfigError, load
from amitui.connection import server_spec

PROFILE = """
default_profile = "lab"

[profiles.lab]
host = "10.0.0.5"
port = 5038
user = "amitui"
secret = "s3cret-value"
read_only = true
color = "darkred"
"""


def write(tmp_path: Path, text: str, mode: int) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    os.chmod(path, mode)
    return path


def test_secret_in_a_file_others_can_read_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = write(tmp_path, PROFILE, 0o644)
    with pytest.raises(ConfigError) as info:
        load(path)
    assert str(info.value) == (
        f"{path} holds a secret but other users can read it (mode 644); fix with: chmod 600 {path}"
    )


def test_private_file_loads_and_profile_fills_the_spec(tmp_path: Path) -> None:
    config = load(write(tmp_path, PROFILE, 0o600))
    args = build_parser().parse_args(["action", "Ping"])
    spec = server_spec(args, config, interactive=False)
    assert (spec.host, spec.port, spec.user, spec.read_only) == ("10.0.0.5", 5038, "amitui", True)
    assert spec.secret == "s3cret-value"
    assert "s3cret-value" not in repr(spec)


def test_command_line_and_environment_win_over_the_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = load(write(tmp_path, PROFILE, 0o600))
    monkeypatch.setenv("AMITUI_SECRET", "from-env")
    args = build_parser().parse_args(["action", "Ping", "--host", "127.0.0.1", "--user", "bob"])
    spec = server_spec(args, config, interactive=False)
    assert (spec.host, spec.user, spec.secret) == ("127.0.0.1", "bob", "from-env")
    top = build_parser().parse_args(["--port", "6000", "action", "Ping"])
    assert server_spec(top, config, interactive=False).port == 6000


def test_without_a_secret_file_permissions_do_not_matter(tmp_path: Path) -> None:
    path = write(tmp_path, '[profiles.a]\nhost = "h"\nuser = "u"\n', 0o644)
    assert load(path).profile("a").host == "h"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[profiles.a]\nhots = "x"\n', "unknown keys: hots"),
        ('[profiles.a]\nport = "x"\n', "port must be a number"),
        ('[profiles.a]\nauth = "kerberos"\n', "auth must be auto, md5 or plain"),
        ('default_profile = "b"\n[profiles.a]\n', "default_profile 'b' is not a profile"),
        ("not toml at all [", "is not valid TOML"),
    ],
)
def test_bad_config_says_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load(write(tmp_path, text, 0o600))


def test_unknown_profile_lists_the_known_ones(tmp_path: Path) -> None:
    config = load(write(tmp_path, PROFILE, 0o600))
    with pytest.raises(ConfigError, match=r"no profile 'prod' .* \(profiles: lab\)"):
        config.profile("prod")


def test_cli_reports_a_bad_config_in_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, PROFILE, 0o644)
    out = subprocess.run(
        [sys.executable, "-m", "amitui", "--config", str(path), "action", "Ping"],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert out.returncode == 2
    assert out.stderr.strip().endswith(f"chmod 600 {path}")
    assert "Traceback" not in out.stderr and "s3cret" not in out.stderr


def test_help_discourages_secret_on_the_command_line() -> None:
    text = build_parser().format_help()
    assert "discouraged" in text and "AMITUI_SECRET" in text
