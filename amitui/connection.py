"""From command-line options and a profile to the connection settings of one server.

Shared by the scripting commands and the console's launcher, below both: the options win over
the profile, the profile over the defaults, and the secret never comes from anywhere else than
--secret, $AMITUI_SECRET, the profile or a prompt on the terminal.
"""

from __future__ import annotations

import argparse
import getpass
import os
from typing import Any

from amitui.client import ServerSpec, TlsOptions
from amitui.config import Config, ConfigError, Profile

# Options that name one server: with several profiles each profile says its own.
ONE_SERVER_OPTIONS = (("--host", "host"), ("--port", "port"), ("--user", "user"),
                      ("--secret", "secret"))  # fmt: skip


def pick(args: argparse.Namespace, name: str) -> Any:
    return getattr(args, name, None)


def profile_names(args: argparse.Namespace, config: Config) -> list[str]:
    """The profiles asked for: `--profile` (given once, or repeated: a list) and then the
    profiles of `--group`, each once, in that order."""
    raw = pick(args, "profile")
    names = [raw] if isinstance(raw, str) else list(raw or [])
    group = pick(args, "group")
    if group:
        names += config.group(group)
    return list(dict.fromkeys(names))


def refuse_one_server_options(args: argparse.Namespace, names: list[str]) -> None:
    """--host, --port, --user and --secret cannot apply to several servers at once."""
    clash = [option for option, key in ONE_SERVER_OPTIONS if pick(args, key)]
    if clash:
        raise ConfigError(
            f"{', '.join(clash)} name one server; with several profiles "
            f"({', '.join(names)}) set them in each profile"
        )


def profile_spec(
    args: argparse.Namespace, config: Config, name: str, *, interactive: bool
) -> ServerSpec:
    """One of several profiles' spec. Its secret is the profile's, or typed at a prompt naming
    it: $AMITUI_SECRET is one secret, and says nothing of which server it was meant for."""
    profile = config.profile(name)
    secret = profile.secret
    if not secret:
        if not interactive:
            raise ConfigError(
                f"profile {name} has no secret: put one in the profile, or run in a terminal "
                "($AMITUI_SECRET is only used with one server)"
            )
        where = f"{profile.user or '?'}@{profile.host or '127.0.0.1'}"
        secret = getpass.getpass(f"AMI secret for profile {name} ({where}): ")
    one = argparse.Namespace(**vars(args))
    one.profile, one.secret = name, secret
    try:
        return server_spec(one, config, interactive=False)
    except ConfigError as exc:
        raise ConfigError(f"profile {name}: {exc}") from None


def server_spec(args: argparse.Namespace, config: Config, *, interactive: bool) -> ServerSpec:
    """Connection settings from the command line, then the profile, then defaults."""
    named = pick(args, "profile")
    if isinstance(named, list):  # `--profile` repeated: here, given once (or not at all)
        if len(named) > 1:
            raise ConfigError(f"one server expected, got profiles {', '.join(named)}")
        named = named[0] if named else None
    profile: Profile = config.profile(named)
    tls = bool(pick(args, "tls") or profile.tls)
    host = pick(args, "host") or profile.host or "127.0.0.1"
    port = pick(args, "port") or profile.port or (5039 if tls else 5038)
    user = pick(args, "user") or profile.user
    if not user:
        raise ConfigError("no AMI user: give --user NAME or a --profile with a user")
    secret = pick(args, "secret") or os.environ.get("AMITUI_SECRET") or profile.secret
    if not secret:
        if not interactive:
            raise ConfigError("no secret: set AMITUI_SECRET, use a profile, or run in a terminal")
        secret = getpass.getpass(f"AMI secret for {user}@{host}:{port}: ")
    return ServerSpec(
        host=str(host),
        port=int(str(port)),
        user=str(user),
        secret=str(secret),
        tls=TlsOptions(
            enabled=tls,
            insecure=bool(pick(args, "tls_insecure") or profile.tls_insecure),
            cafile=pick(args, "tls_ca") or profile.tls_ca,
            fingerprint=pick(args, "tls_fingerprint") or profile.tls_fingerprint,
        ),
        auth=str(pick(args, "auth") or profile.auth),
        events=str(pick(args, "events") or profile.events),
        read_only=bool(pick(args, "read_only") or profile.read_only),
        name=profile.name,
    )
