"""Open the console from the command line: a real server, or the built-in demo PBX."""

from __future__ import annotations

import argparse
import gc
import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING

from amitui import exitcodes
from amitui.client import ServerSpec
from amitui.config import Config, ConfigError, Profile
from amitui.connection import (
    profile_names,
    profile_spec,
    refuse_one_server_options,
    server_spec,
)
from amitui.protocol.safetext import shown
from amitui.ui.app_settings import Settings

if TYPE_CHECKING:
    from amitui.ui.app import AmiApp

DEMO_USER, DEMO_SECRET = "demo", "demo"


def wants_demo(args: argparse.Namespace, config: Config) -> bool:
    """--demo, or nothing at all to connect to: a newcomer's first run shows something alive."""
    if getattr(args, "demo", False):
        return True
    asked = args.user or args.profile or getattr(args, "group", None) or args.host or args.port
    return not (asked or config.default_profile)


def _with(args: argparse.Namespace, **changes: object) -> argparse.Namespace:
    """A copy of the arguments with some changed: what server_spec reads for one server."""
    copy = argparse.Namespace(**vars(args))
    for key, value in changes.items():
        setattr(copy, key, value)
    return copy


def _settings(config: Config, demo: bool = False) -> Settings:
    return Settings.from_config(config.ui, config.keys, demo)


@contextmanager
def _collection_paused() -> Iterator[type[AmiApp]]:
    """The console's class, imported with garbage collection paused until the app mounts
    (then pacing.tune_collector freezes what exists and resumes it). Importing Textual and
    building the first screen make objects that all live as long as the app, and the
    collections that scanned them took ~40 ms of a ~420 ms start (bench/startup.py)."""
    gc.disable()
    try:
        from amitui.ui.app import AmiApp

        yield AmiApp
    finally:
        gc.enable()  # also when the app never mounted


# Shown in the console when it opened on the demo: the way from here to a real PBX.
CONNECT_HINT = (
    "This is the built-in demo PBX. To watch a real one: "
    "amitui --host HOST --user USER (secret from $AMITUI_SECRET or a prompt), "
    "or a profile in ~/.config/amitui/config.toml. amitui --help lists the options."
)
LOGIN_TRIES = 3


def launch(args: argparse.Namespace, config: Config) -> int:
    names = profile_names(args, config)
    if len(names) > 1:
        return launch_several(args, config, names)
    args = _with(args, profile=names[0] if names else None)
    demo = wants_demo(args, config)
    settings = _settings(config, demo)
    if demo:
        from amitui.demo import serve

        spec = ServerSpec(user=DEMO_USER, secret=DEMO_SECRET, port=0, name="demo")
        settings.hint = CONNECT_HINT
        with _collection_paused() as console:
            app = console(spec, settings, demo_starter=lambda: serve(port=0))
            code = app.run() or 0
    else:
        interactive = sys.stdin.isatty()
        spec = server_spec(args, config, interactive=interactive)
        if interactive and _secret_was_prompted(args, config):
            spec = _login_with_retries(spec)
        settings.profile = config.profile(args.profile)
        with _collection_paused() as console:
            app = console(spec, settings)
            code = app.run() or 0
    if code == 0 and not demo and not app.connected_once:
        reason = app.session.state.reason if app.session is not None else None
        print(f"amitui: never connected to {spec.address}: {shown(reason or 'no reason given')}",
              file=sys.stderr)  # fmt: skip
        return exitcodes.CONNECTION
    return code


def launch_several(args: argparse.Namespace, config: Config, names: list[str]) -> int:
    """One console over several profiles' servers: a session each, tagged with its name."""
    refuse_one_server_options(args, names)
    interactive = sys.stdin.isatty()
    servers = [_server(args, config, name, interactive) for name in names]
    settings = _settings(config)
    with _collection_paused() as console:
        app = console(servers, settings)
        code = app.run() or 0
    if code == 0 and not app.connected_once:
        for member in app.fleet:
            state = member.session.state if member.session is not None else None
            reason = shown((state.reason if state else None) or "no reason given")
            print(f"amitui: never connected to {member.label} ({member.spec.address}): {reason}",
                  file=sys.stderr)  # fmt: skip
        return exitcodes.CONNECTION
    return code


def _server(
    args: argparse.Namespace, config: Config, name: str, interactive: bool
) -> tuple[ServerSpec, Profile]:
    """One profile's spec (its secret: amitui/connection.py profile_spec); a secret typed at
    the prompt is tried before the console opens."""
    profile = config.profile(name)
    spec = profile_spec(args, config, name, interactive=interactive)
    if interactive and not profile.secret:
        spec = _login_with_retries(spec)
    return spec, profile


def _secret_was_prompted(args: argparse.Namespace, config: Config) -> bool:
    profile = config.profile(getattr(args, "profile", None))
    return not (getattr(args, "secret", None) or os.environ.get("AMITUI_SECRET") or profile.secret)


def _login_with_retries(spec: ServerSpec) -> ServerSpec:
    """A secret typed at the prompt is tried before the console opens; a wrong one is asked
    for again (up to three times), as ssh does, instead of a console that can never log in.
    A server that cannot be reached is left to the console, which keeps retrying."""
    import asyncio

    from amitui.client import LoginError

    for attempt in range(1, LOGIN_TRIES + 1):
        try:
            asyncio.run(_try_login(spec))
            return spec
        except LoginError as exc:
            print(f"amitui: {shown(str(exc))}", file=sys.stderr)
            if attempt == LOGIN_TRIES:
                raise ConfigError(f"login failed {LOGIN_TRIES} times; giving up") from None
            secret = getpass.getpass(f"AMI secret for {spec.user}@{spec.address}: ")
            spec = replace(spec, secret=secret)
        except Exception:
            return spec  # not a credentials problem: the console shows and retries it
    return spec


async def _try_login(spec: ServerSpec) -> None:
    from amitui.client import AmiSession

    session = AmiSession(spec)
    try:
        await session.open()
    finally:
        await session.close()


def launch_replay(args: argparse.Namespace, config: Config) -> int:
    """The console over a recording: same panes, filters and tracing; nothing can be sent."""
    from amitui.capture.replay import replay_factory, replay_spec
    from amitui.store.recording import RecordingError

    try:
        spec = replay_spec(args.file)
    except (RecordingError, OSError) as exc:
        print(f"amitui: {shown(str(exc))}", file=sys.stderr)  # it may quote the file
        return exitcodes.CONNECTION
    settings = _settings(config)
    settings.profile = Profile(name=spec.name, confirm=False)
    factory = replay_factory(args.file, speed=args.speed, paused=args.paused, spacing=args.spacing)
    with _collection_paused() as console:
        return console(spec, settings, session_factory=factory).run() or 0
