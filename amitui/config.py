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

from amitui.settings import SettingError, UiSettings, parse_ui

PROFILE_KEYS = frozenset(
    {
        "host", "port", "user", "secret", "tls", "tls_insecure", "tls_ca", "tls_fingerprint",
        "auth", "events", "read_only", "color", "confirm", "confirm_actions", "safe_actions",
    }
)  # fmt: skip


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
    ui: UiSettings = field(default_factory=UiSettings)  # [ui], checked by settings.py
    keys: dict[str, str] = field(default_factory=dict)
    # [groups]: a name for several profiles opened in one console (`--group NAME`)
    groups: dict[str, list[str]] = field(default_factory=dict)

    def group(self, name: str) -> list[str]:
        """The profiles of a named group, in the order the file lists them."""
        try:
            return list(self.groups[name])
        except KeyError:
            known = ", ".join(sorted(self.groups)) or "none"
            where = self.path or "the config file"
            raise ConfigError(f"no group {name!r} in {where} (groups: {known})") from None

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


def state_dir() -> Path:
    """Where history and other state live, apart from the settings: $XDG_STATE_HOME/amitui,
    by default ~/.local/state/amitui. The XDG spec says a relative path there is ignored."""
    base = os.environ.get("XDG_STATE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".local", "state")
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


def _groups(raw: Any, profiles: dict[str, Profile], path: Path) -> dict[str, list[str]]:
    """`[groups]`: each a list of profile names; a name that is no profile is one clear line."""
    if not isinstance(raw, dict):
        raise ConfigError(f'{path}: [groups] must be a table of lists, e.g. core = ["a", "b"]')
    groups: dict[str, list[str]] = {}
    for name, members in raw.items():
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            raise ConfigError(f"{path}: [groups] {name} must be a list of profile names")
        if not members:
            raise ConfigError(f"{path}: [groups] {name} names no profile")
        unknown = [m for m in members if m not in profiles]
        if unknown:
            known = ", ".join(sorted(profiles)) or "none"
            raise ConfigError(
                f"{path}: [groups] {name} names unknown profiles: {', '.join(unknown)} "
                f"(profiles: {known})"
            )
        groups[str(name)] = list(dict.fromkeys(members))  # a name twice is one server
    return groups


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
    try:
        settings = parse_ui(ui)
    except SettingError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return Config(
        path=path,
        profiles=profiles,
        default_profile=default,
        ui=settings,
        keys={str(k): str(v) for k, v in keys.items()},
        groups=_groups(data.get("groups", {}), profiles, path),
    )
