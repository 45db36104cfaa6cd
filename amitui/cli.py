"""The `amitui` command. The console (Textual) is imported only when it is opened, so the
scripting commands start fast and work where no terminal UI could."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from amitui import __version__
from amitui.config import Config, ConfigError, Profile, load
from amitui.protocol.safetext import shown

if TYPE_CHECKING:
    from amitui.client import ServerSpec

EXIT_OK, EXIT_ERROR_RESPONSE, EXIT_CONNECTION = 0, 1, 2

_EPILOG = """\
secret: taken from --secret, else $AMITUI_SECRET, else the profile, else asked for on the
terminal. Prefer $AMITUI_SECRET or a profile: other users can read command lines (ps).

exit codes (action, events): 0 success; 1 the server answered with an error;
2 connection, login, timeout or usage problem. A one-line reason goes to stderr.
"""


def _connection_options(parser: argparse.ArgumentParser, top: bool) -> None:
    """The same options on the main parser and on each subcommand. On a subcommand their
    default is SUPPRESS, so `amitui --user a action Ping` and `amitui action Ping --user a`
    both work and neither overwrites the other."""
    d: dict[str, Any] = {} if top else {"default": argparse.SUPPRESS}
    g = parser.add_argument_group("connection")
    g.add_argument("--host", help="AMI host (default 127.0.0.1)", **d)
    g.add_argument("--port", type=int, help="AMI port (default 5038, or 5039 with --tls)", **d)
    g.add_argument("--user", "-u", help="AMI user name (manager.conf section)", **d)
    g.add_argument("--profile", "-p", help="a profile from the config file", **d)
    g.add_argument(
        "--config", help="config file (default: $XDG_CONFIG_HOME/amitui/config.toml)", **d
    )
    g.add_argument(
        "--secret", help="the secret (discouraged: visible to other users; use $AMITUI_SECRET)", **d
    )
    g.add_argument("--tls", action="store_true", help="connect with TLS", **d)
    g.add_argument("--tls-ca", help="CA file to verify the server's certificate", **d)
    g.add_argument("--tls-fingerprint", help="pin the server certificate's SHA-256", **d)
    g.add_argument(
        "--tls-insecure", action="store_true", help="accept any certificate (lab only)", **d
    )
    g.add_argument(
        "--auth", choices=("auto", "md5", "plain"), help="login method (default auto)", **d
    )
    g.add_argument("--timeout", type=float, help="seconds to wait for a response (default 10)", **d)
    g.add_argument(
        "--read-only", action="store_true", help="refuse actions that change the PBX", **d
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="amitui",
        description="A terminal console for the Asterisk Manager Interface (AMI). "
        "With no command, opens the console.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"amitui {__version__}")
    parser.add_argument(
        "--demo", action="store_true", help="open the console on a built-in demo PBX"
    )
    _connection_options(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "action",
        help="send one action and print the response",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("name", help="action name, e.g. Ping, Originate, Command")
    p.add_argument(
        "headers",
        nargs="*",
        metavar="Key=Value",
        help="headers; repeat a key to send it several times (Variable=a=1 Variable=b=2)",
    )
    p.add_argument("--json", action="store_true", help="print NDJSON: one object per message")
    _connection_options(p, top=False)

    p = sub.add_parser(
        "events",
        help="print the live event stream",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--count", "-n", type=int, help="stop after N matching events")
    p.add_argument(
        "--filter",
        "-f",
        metavar="EXPR",
        help="e.g. 'Event=Hangup Cause!=16', 'Channel~^PJSIP/', free text",
    )
    p.add_argument(
        "--events",
        metavar="MASK",
        default="on",
        help="Login event mask: on, or classes like call,system (default on)",
    )
    p.add_argument("--json", action="store_true", help="print NDJSON: one object per event")
    _connection_options(p, top=False)

    p = sub.add_parser("demo-server", help="run the built-in demo PBX, to try the other commands")
    p.add_argument("--port", type=int, default=5038, help="port on 127.0.0.1 (0 picks a free one)")
    p.add_argument("--seed", type=int, help="random seed: the same calls on every run")

    p = sub.add_parser(
        "record", help="record a server's AMI traffic to an .amirec file (headless)",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    p.add_argument("file", help="where to write; secrets are masked in it")
    p.add_argument("--seconds", type=float, help="stop after S seconds")
    p.add_argument("--count", "-n", type=int, help="stop after N events")
    p.add_argument("--max-bytes", type=int, help="stop when the file reaches B bytes")
    _connection_options(p, top=False)

    p = sub.add_parser(
        "replay", help="open the console over a recording or a raw capture (no server)"
    )
    p.add_argument("file", help="an .amirec recording, or raw bytes from nc host 5038 | tee FILE")
    p.add_argument("--json", action="store_true", help="print NDJSON, one object per packet")
    p.add_argument("--print", action="store_true", help="print the packets as AMI text")
    p.add_argument("--speed", type=float, default=1.0, help="x times real time; 0: at once")
    p.add_argument("--paused", action="store_true", help="start paused (p plays, . steps)")
    p.add_argument("--spacing", type=float, default=0.0,
                   help="seconds between packets of a raw capture (it has no times)")  # fmt: skip
    return parser


def _pick(args: argparse.Namespace, name: str) -> Any:
    return getattr(args, name, None)


def server_spec(args: argparse.Namespace, config: Config, *, interactive: bool) -> ServerSpec:
    """Connection settings from the command line, then the profile, then defaults."""
    from amitui.client import ServerSpec, TlsOptions

    profile: Profile = config.profile(_pick(args, "profile"))
    tls = bool(_pick(args, "tls") or profile.tls)
    host = _pick(args, "host") or profile.host or "127.0.0.1"
    port = _pick(args, "port") or profile.port or (5039 if tls else 5038)
    user = _pick(args, "user") or profile.user
    if not user:
        raise ConfigError("no AMI user: give --user NAME or a --profile with a user")
    secret = _pick(args, "secret") or os.environ.get("AMITUI_SECRET") or profile.secret
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
            insecure=bool(_pick(args, "tls_insecure") or profile.tls_insecure),
            cafile=_pick(args, "tls_ca") or profile.tls_ca,
            fingerprint=_pick(args, "tls_fingerprint") or profile.tls_fingerprint,
        ),
        auth=str(_pick(args, "auth") or profile.auth),
        events=str(_pick(args, "events") or profile.events),
        read_only=bool(_pick(args, "read_only") or profile.read_only),
        name=profile.name,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "demo-server":
            import asyncio

            from amitui.demo import main as demo_main

            return asyncio.run(demo_main(args.port, args.seed))
        if args.command == "replay" and (args.json or args.print):
            from amitui.scripting import replay_file

            return replay_file(args.file, as_json=args.json)
        config = load(_config_path(args))
        if args.command == "record":
            from amitui.recorder import run_record

            spec = server_spec(args, config, interactive=sys.stdin.isatty())
            return run_record(
                spec, args.file, seconds=args.seconds, count=args.count, max_bytes=args.max_bytes
            )
        if args.command == "replay":
            from amitui.ui.launch import launch_replay

            return launch_replay(args, config)
        if args.command in ("action", "events"):
            from amitui.scripting import run_script

            spec = server_spec(args, config, interactive=sys.stdin.isatty())
            return run_script(args, spec, config)
        from amitui.ui.launch import launch  # Textual only from here on

        return launch(args, config)
    except ConfigError as exc:
        print(f"amitui: {shown(str(exc))}", file=sys.stderr)
        return EXIT_CONNECTION
    except KeyboardInterrupt:
        return 130


def _config_path(args: argparse.Namespace) -> Path | None:
    value = _pick(args, "config")
    return Path(str(value)) if value else None
