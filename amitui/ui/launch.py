"""Open the console from the command line: a real server, or the built-in demo PBX."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from amitui.client import ServerSpec
from amitui.config import Config
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
        theme=str(ui.get("theme", DEFAULT_THEME)),
        keymap=config.keys,
        demo=demo,
        record_max_bytes=int(ui.get("record_max_bytes", 100_000_000)),
    )


def launch(args: argparse.Namespace, config: Config) -> int:
    from amitui.cli import server_spec

    demo = wants_demo(args, config)
    settings = _settings(config, demo)
    if demo:
        from amitui.demo import serve

        spec = ServerSpec(user=DEMO_USER, secret=DEMO_SECRET, port=0, name="demo")
        app = AmiApp(spec, settings, demo_starter=lambda: serve(port=0))
    else:
        spec = server_spec(args, config, interactive=sys.stdin.isatty())
        settings.profile = config.profile(args.profile)
        app = AmiApp(spec, settings)
    return app.run() or 0


def launch_replay(args: argparse.Namespace, config: Config) -> int:
    """The console over a recording: same panes, filters and tracing; nothing can be sent."""
    from amitui.client.replay import replay_factory, replay_spec
    from amitui.config import Profile
    from amitui.store.recording import RecordingError

    try:
        spec = replay_spec(args.file)
    except (RecordingError, OSError) as exc:
        print(f"amitui: {exc}", file=sys.stderr)
        return 2
    settings = _settings(config)
    settings.profile = Profile(name=spec.name, confirm=False)
    factory = replay_factory(args.file, speed=args.speed, paused=args.paused, spacing=args.spacing)
    return AmiApp(spec, settings, session_factory=factory).run() or 0
