"""The configuration file: named connection profiles, UI settings and a keymap.

Found at --config, else $AMITUI_CONFIG, else $XDG_CONFIG_HOME/amitui/config.toml (by default
~/.config/amitui/config.toml). A missing file is an empty configuration. A file that holds a
secret must be readable by its owner only: otherwise it is refused with the command that fixes
it, since anyone who can read it can originate calls or run CLI commands on the PBX.
"""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROFILE_KEYS = frozenset(
    {
        "host", "port", "user", "secret", "tls", "tls_insecure", "tls_ca", "tls_fingerprint",
        "auth", "events", "read_only", "color", "confirm", "confirm_actions", "safe_actions",
    }
)  # fmt: skip
# [ui] settings that bound memory: positive whole numbers (events; bytes).
UI_POSITIVE_INTS = ("ring_capacity", "ring_max_bytes")


class ConfigError(Exception):
    """The configuration cannot be used; the message says why and how to fix it."""


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    host: str | None = None
    port: int | None = None
    user: str | None = None
    secret: str | None = field(default=None, repr=False)
    tls: bool = False
    tls_insecure: bool = False
    tls_ca: str | None = None
    tls_fingerprint: str | None = None
    auth: str = "auto"
    events: str = "on"
    read_only: bool = False
    color: str | None = None  # title colour, e.g. "red" for production
    confirm: bool = True  # ask before state-changing actions
    confirm_actions: tuple[str, ...] = ()
    safe_actions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Config:
    path: Path | None = None
    profiles: dict[str, Profile] = field(default_factory=dict)
    default_profile: str | None = None
    ui: dict[str, Any] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)

    def profile(self, name: str | None) -> Profile:
        """The named profile, the default one, or an empty profile."""
        name = name or self.default_profile
        if name is None:
            return Profile(name="")
        try:
            return self.profiles[name]
        except KeyError:
            known = ", ".join(sorted(self.profiles)) or "none"
            where = self.path or "the config file"
            raise ConfigError(f"no profile {name!r} in {where} (profiles: {known})") from None


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "amitui"


def default_path() -> Path:
    env = os.environ.get("AMITUI_CONFIG")
    return Path(env) if env else config_dir() / "config.toml"


def _profile(name: str, raw: Any, path: Path) -> Profile:
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: [profiles.{name}] must be a table")
    unknown = set(raw) - PROFILE_KEYS
    if unknown:
        raise ConfigError(
            f"{path}: [profiles.{name}] has unknown keys: {', '.join(sorted(unknown))}"
        )
    values = dict(raw)
    for key in ("confirm_actions", "safe_actions"):
        if key in values:
            values[key] = tuple(str(v) for v in values[key])
    if "port" in values and not isinstance(values["port"], int):
        raise ConfigError(f"{path}: [profiles.{name}] port must be a number")
    if values.get("auth", "auto") not in ("auto", "md5", "plain"):
        raise ConfigError(f"{path}: [profiles.{name}] auth must be auto, md5 or plain")
    return Profile(name=name, **values)


def _check_private(path: Path) -> None:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"{path} holds a secret but other users can read it (mode {stat.S_IMODE(mode):o}); "
            f"fix with: chmod 600 {path}"
        )


def load(path: Path | None = None) -> Config:
    path = path or default_path()
    if not path.exists():
        return Config(path=path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    raw_profiles = data.get("profiles", {})
    if not isinstance(raw_profiles, dict):
        raise ConfigError(f"{path}: [profiles] must be a table of tables")
    profiles = {name: _profile(name, raw, path) for name, raw in raw_profiles.items()}
    if any(p.secret for p in profiles.values()):
        _check_private(path)
    default = data.get("default_profile")
    if default is not None and default not in profiles:
        raise ConfigError(f"{path}: default_profile {default!r} is not a profile")
    ui = data.get("ui", {})
    keys = data.get("keys", {})
    if not isinstance(ui, dict) or not isinstance(keys, dict):
        raise ConfigError(f"{path}: [ui] and [keys] must be tables")
    for key in UI_POSITIVE_INTS:
        value = ui.get(key, 1)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{path}: [ui] {key} must be a whole number above 0")
    return Config(
        path=path,
        profiles=profiles,
        default_profile=default,
        ui=ui,
        keys={str(k): str(v) for k, v in keys.items()},
    )
