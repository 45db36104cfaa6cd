"""Open the console from the command line: a real server, or the built-in demo PBX."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from typing import Any

from amitui.client import ServerSpec
from amitui.config import Config, ConfigError
from amitui.protocol.safetext import shown
from amitui.store.ring import DEFAULT_MAX_BYTES
from amitui.ui.app import AmiApp, Settings
from amitui.ui.theme import DEFAULT_THEME

DEMO_USER, DEMO_SECRET = "demo", "demo"


def wants_demo(args: argparse.Namespace, config: Config) -> bool:
    """--demo, or nothing at all to connect to: a newcomer's first run shows something alive."""
    if getattr(args, "demo", False):
        return True
    return not (args.user or args.profile or args.host or args.port or config.default_profile)


def _settings(config: Config, demo: bool = False) -> Settings:
    ui: dict[str, Any] = config.ui
    return Settings(
        ring_capacity=int(ui.get("ring_capacity", 100_000)),
        ring_max_bytes=int(ui.get("ring_max_bytes", DEFAULT_MAX_BYTES)),
        theme=str(ui.get("theme", DEFAULT_THEME)),
        keymap=config.keys,
        demo=demo,
        record_max_bytes=int(ui.get("record_max_bytes", 100_000_000)),
    )


# Shown in the console when it opened on the demo: the way from here to a real PBX.
CONNECT_HINT = (
    "This is the built-in demo PBX. To watch a real one: "
    "amitui --host HOST --user USER (secret from $AMITUI_SECRET or a prompt), "
    "or a profile in ~/.config/amitui/config.toml. amitui --help lists the options."
)
LOGIN_TRIES = 3


def launch(args: argparse.Namespace, config: Config) -> int:
    from amitui.cli import server_spec

    demo = wants_demo(args, config)
    settings = _settings(config, demo)
    if demo:
        from amitui.demo import serve

        spec = ServerSpec(user=DEMO_USER, secret=DEMO_SECRET, port=0, name="demo")
        settings.hint = CONNECT_HINT
        app = AmiApp(spec, settings, demo_starter=lambda: serve(port=0))
    else:
        interactive = sys.stdin.isatty()
        spec = server_spec(args, config, interactive=interactive)
        if interactive and _secret_was_prompted(args, config):
            spec = _login_with_retries(spec)
        settings.profile = config.profile(args.profile)
        app = AmiApp(spec, settings)
    code = app.run() or 0
    if code == 0 and not demo and not app.connected_once:
        reason = app.session.state.reason if app.session is not None else None
        print(f"amitui: never connected to {spec.address}: {shown(reason or 'no reason given')}",
              file=sys.stderr)
        return 2
    return code


def _secret_was_prompted(args: argparse.Namespace, config: Config) -> bool:
    profile = config.profile(getattr(args, "profile", None))
    return not (getattr(args, "secret", None) or os.environ.get("AMITUI_SECRET") or profile.secret)


def _login_with_retries(spec: ServerSpec) -> ServerSpec:
    """A secret typed at the prompt is tried before the console opens; a wrong one is asked
    for again (up to three times), as ssh does, instead of a console that can never log in.
    A server that cannot be reached is left to the console, which keeps retrying."""
    import asyncio
    import getpass

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
    from amitui.client.replay import replay_factory, replay_spec
    from amitui.config import Profile
    from amitui.store.recording import RecordingError

    try:
        spec = replay_spec(args.file)
    except (RecordingError, OSError) as exc:
        print(f"amitui: {shown(str(exc))}", file=sys.stderr)  # it may quote the file
        return 2
    settings = _settings(config)
    settings.profile = Profile(name=spec.name, confirm=False)
    factory = replay_factory(args.file, speed=args.speed, paused=args.paused, spacing=args.spacing)
    return AmiApp(spec, settings, session_factory=factory).run() or 0
