"""The `amitui` command. The console (Textual) is imported only when it is opened, so the
scripting commands start fast and work where no terminal UI could."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from amitui import __version__, exitcodes

if TYPE_CHECKING:
    _SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    _SubParsers = argparse._SubParsersAction

_EPILOG = """\
secret: taken from --secret, else $AMITUI_SECRET, else the profile, else asked for on the
terminal. Prefer $AMITUI_SECRET or a profile: other users can read command lines (ps).

exit codes (action, events, replay): 0 success; 1 the server answered with an error, or
its reply came through AstManProxy possibly cut short ("reply possibly incomplete"); 2
connection, login, timeout or usage problem; 130 interrupted. A one-line reason goes to
stderr. When the reader of the output leaves (| head -1), the command stops quietly with 0.

several servers (--profile a --profile b, or --group NAME; action and events): each message
is tagged with its server's profile name: a last line "Server: a" in AMI text, a last key
"Server": "a" in NDJSON (a message that has its own Server header, from AstManProxy, keeps
that one). events merges the servers' events as they arrive and --count counts them all;
action runs on every server at once and exits with the worst code (2 > 1 > 0). Secrets come
from the profiles (or a prompt naming the profile), never from $AMITUI_SECRET; --host,
--port, --user and --secret are refused.
"""


class _Subcommands(_SubParsers):
    """--profile given before the command name and after it adds up (`amitui -p a events -p
    b`): argparse would let the subcommand's list replace the main parser's."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        before = getattr(namespace, "profile", None)
        super().__call__(parser, namespace, values, option_string)
        after = getattr(namespace, "profile", None)
        if before and after is not before:
            namespace.profile = list(before) + list(after or [])


def _connection_options(parser: argparse.ArgumentParser, top: bool) -> None:
    """The same options on the main parser and on each subcommand. On a subcommand their
    default is SUPPRESS, so `amitui --user a action Ping` and `amitui action Ping --user a`
    both work and neither overwrites the other."""
    d: dict[str, Any] = {} if top else {"default": argparse.SUPPRESS}
    g = parser.add_argument_group("connection")
    g.add_argument("--host", help="AMI host (default 127.0.0.1)", **d)
    g.add_argument("--port", type=int, help="AMI port (default 5038, or 5039 with --tls)", **d)
    g.add_argument("--user", "-u", help="AMI user name (manager.conf section)", **d)
    g.add_argument(
        "--profile",
        "-p",
        action="append",
        metavar="NAME",
        help="a profile from the config file; repeat it for several servers",
        **d,
    )
    g.add_argument("--group", metavar="NAME", help="the profiles of a [groups] entry", **d)
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
    g.add_argument(
        "--timeout",
        type=float,
        help="seconds to wait to connect and for a response (default 10)",
        **d,
    )
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
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", action=_Subcommands)

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
    p.add_argument(
        "--count",
        "-n",
        type=int,
        help="stop after N matching events (the events of this command's own login, "
        "FullyBooted and its SuccessfulAuth, are not printed and not counted)",
    )
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # Only now: --help and --version need neither the config nor the protocol (start-up time).
    from amitui.config import ConfigError, load
    from amitui.connection import profile_names, server_spec

    try:
        if args.command == "demo-server":
            import asyncio

            from amitui.demo import main as demo_main

            return asyncio.run(demo_main(args.port, args.seed))
        if args.command == "replay" and (args.json or args.print):
            from amitui.commands.scripting import replay_file

            return replay_file(args.file, as_json=args.json)
        config = load(_config_path(args))
        if args.command in ("record", "action", "events"):
            names = profile_names(args, config)
            if len(names) > 1:
                return _several(args, config, names)
            args.profile = names[0] if names else None  # one, as given or from a group
        if args.command == "record":
            from amitui.commands.recorder import run_record

            spec = server_spec(args, config, interactive=sys.stdin.isatty())
            return run_record(
                spec, args.file, seconds=args.seconds, count=args.count, max_bytes=args.max_bytes
            )
        if args.command == "replay":
            from amitui.ui.launch import launch_replay

            return launch_replay(args, config)
        if args.command in ("action", "events"):
            from amitui.commands.scripting import run_script

            spec = server_spec(args, config, interactive=sys.stdin.isatty())
            return run_script(args, spec, config)
        from amitui.ui.launch import launch  # Textual only from here on

        return launch(args, config)
    except ConfigError as exc:
        from amitui.protocol.safetext import shown

        print(f"amitui: {shown(str(exc))}", file=sys.stderr)
        return exitcodes.CONNECTION
    except KeyboardInterrupt:
        return exitcodes.INTERRUPTED
    except BrokenPipeError:
        from amitui.commands.scripting import reader_left

        return reader_left()


def _several(args: argparse.Namespace, config: Any, names: list[str]) -> int:
    """action or events over several profiles' servers (record takes one)."""
    from amitui.commands.several import run_several
    from amitui.config import ConfigError
    from amitui.connection import profile_spec, refuse_one_server_options

    if args.command == "record":
        raise ConfigError(f"record takes one server; give one profile (got {', '.join(names)})")
    refuse_one_server_options(args, names)
    interactive = sys.stdin.isatty()
    specs = [profile_spec(args, config, name, interactive=interactive) for name in names]
    return run_several(args, specs, config)


def _config_path(args: argparse.Namespace) -> Path | None:
    value = getattr(args, "config", None)
    return Path(str(value)) if value else None
