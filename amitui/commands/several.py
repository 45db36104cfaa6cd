"""`amitui action` and `amitui events` over several servers (`--profile a --profile b`,
`--group NAME`): a session per server, all at once.

Every printed message says which server it came from, the same way in both commands: AMI text
gets a last line `Server: NAME`, NDJSON a last key `"Server": "NAME"` (NAME: the profile). That
is where AstManProxy puts its own `Server:` header (the Asterisk behind it), so a message
that already has one keeps it and gets no second. A shell user picks a server's messages with
`grep`/`awk 'BEGIN{RS=""} /\\nServer: a$/'`, or `jq 'select(.Server=="a")'`.

`events` prints the servers' events merged in arrival order, one socket read of one server at a
time (never interleaved within a packet); `--count N` counts all servers together. A server
that cannot be reached at first is one stderr line naming it, and the others go on (exit 2
only when none connects); one that is lost reconnects on its own, its gaps on stderr, named.
`action` runs on every server at once and prints the replies in the order of the profiles;
the exit code is the worst of theirs (2 > 1 > 0). Each server's read-only setting and action
policy apply to it as they do with one server.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from amitui import exitcodes
from amitui.client import AmiSession, LoginError, ServerSpec, SessionError
from amitui.commands.scripting import (
    EventPrinter,
    _drop_stdout,
    _err,
    _timing,
    event_filter,
    format_frame,
    parse_action,
    reader_left,
    send_one,
    transcript_frames,
    verdict,
)
from amitui.config import Config
from amitui.protocol import Frame
from amitui.protocol.jsonform import events_json
from amitui.protocol.safetext import json_line, shown

# Exit codes from best to worst: several servers end with the worst of theirs.
_SEVERITY = (exitcodes.OK, exitcodes.ACTION_FAILED, exitcodes.CONNECTION)


def worst(codes: Sequence[int]) -> int:
    return max(codes, key=lambda code: _SEVERITY.index(code) if code in _SEVERITY else 0)


def tagged_text(frames: list[Frame], server: str) -> str:
    """Frames as AMI text (`format_frame`), each with `Server: NAME` unless it has one."""
    line = "\n" + shown(f"Server: {server}")
    return "\n\n".join(format_frame(f) + ("" if "Server" in f else line) for f in frames)


def tagged_json(frames: list[Frame], server: str) -> str:
    """Frames as NDJSON (`events_json`), each with `"Server": NAME` last unless it has one."""
    key = json_line({"Server": server})[1:-1]  # `"Server": "NAME"`, escaped as any value
    lines = events_json(frames).split("\n")  # json_line escapes newlines: one line a frame
    out = []
    for frame, text in zip(frames, lines, strict=True):
        if "Server" in frame:
            out.append(text)
        else:
            out.append(f"{text[:-1]}, {key}}}" if text != "{}" else f"{{{key}}}")
    return "\n".join(out)


class Budget:
    """What is left of `--count`, shared by the servers' printers."""

    def __init__(self, left: int | None) -> None:
        self.left = left


class ServerPrinter(EventPrinter):
    """EventPrinter for one of several servers: its messages tagged, the count shared."""

    def __init__(self, server: str, budget: Budget, *, as_json: bool, **kw: object) -> None:
        self.budget = budget
        super().__init__(as_json=as_json, count=budget.left, **kw)  # type: ignore[arg-type]
        tag = tagged_json if as_json else tagged_text
        self.format = lambda frames: tag(frames, server)
        self.server = server

    @property
    def left(self) -> int | None:
        return self.budget.left

    @left.setter
    def left(self, value: int | None) -> None:
        self.budget.left = value

    def gap(self, text: str) -> None:
        super().gap(f"{self.server}: {text}")


def _name(spec: ServerSpec) -> str:
    return spec.name or spec.address


async def _open(session: AmiSession, name: str) -> bool | None:
    """Connect and log in: True; False when it cannot be reached now (it is retried); None
    when the login is refused (it is not)."""
    try:
        await session.open()
        return True
    except SessionError as exc:
        _err(f"{name}: {exc}")
        return None if isinstance(exc, LoginError) else False


async def events_several(args: argparse.Namespace, specs: list[ServerSpec]) -> int:
    usable, flt = event_filter(args)
    if not usable:
        return exitcodes.CONNECTION
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    budget = Budget(args.count)
    if args.count is not None and args.count <= 0:
        done.set_result(None)
    printers = [
        ServerPrinter(_name(s), budget, as_json=args.json, flt=flt, done=done) for s in specs
    ]
    sessions = [
        AmiSession(s, timing=_timing(args), on_events=p.on_events, on_state=p.on_state,
                   on_gap=p.gap)
        for s, p in zip(specs, printers, strict=True)
    ]  # fmt: skip
    for printer, session in zip(printers, sessions, strict=True):
        printer.session = session
    pairs = list(zip(sessions, printers, strict=True))
    opened = await asyncio.gather(*(_open(s, p.server) for s, p in pairs))
    if not any(opened):
        for session in sessions:
            await session.close()
        return exitcodes.CONNECTION
    runners = {
        asyncio.create_task(s.run(), name=f"ami-session {p.server}"): (p.server, s)
        for s, p, ok in zip(sessions, printers, opened, strict=True)
        if ok is not None  # a refused login is not tried again
    }
    try:
        return await _until_done(done, runners, printers)
    finally:
        await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)
        for runner in runners:
            runner.cancel()
        await asyncio.gather(*runners, return_exceptions=True)


async def _until_done(
    done: asyncio.Future[None],
    runners: dict[asyncio.Task[None], tuple[str, AmiSession]],
    printers: list[ServerPrinter],
) -> int:
    """Wait for the count, the reader leaving, or every session to end (refused re-logins)."""
    running: set[asyncio.Future[None]] = set(runners)
    while not done.done() and running:
        ended, running = await asyncio.wait(running | {done}, return_when=asyncio.FIRST_COMPLETED)
        running.discard(done)
        for task in ended:
            if task in runners and not done.done():
                name, session = runners[task]
                _err(f"{name}: {session.state.describe()}")
    if not done.done():
        return exitcodes.CONNECTION  # every server refused us
    failure = next((p.failure for p in printers if p.failure is not None), None)
    if isinstance(failure, OSError):
        _drop_stdout()
        _err(f"cannot write the output: {failure.strerror or failure}")
        return exitcodes.CONNECTION
    if failure is not None:
        raise failure  # a bug: its traceback, not silence
    return reader_left() if any(p.reader_left for p in printers) else exitcodes.OK


async def action_several(args: argparse.Namespace, specs: list[ServerSpec], config: Config) -> int:
    action = parse_action(args)
    if action is None:
        return exitcodes.CONNECTION
    results = await asyncio.gather(*(send_one(args, s, config, action) for s in specs))
    codes = []
    for spec, tr in zip(specs, results, strict=True):
        name = _name(spec)
        if isinstance(tr, str):
            _err(f"{name}: {tr}")
            codes.append(exitcodes.CONNECTION)
            continue
        frames = transcript_frames(tr)
        if frames:
            tag = tagged_json if args.json else tagged_text
            sys.stdout.write(tag(frames, name) + ("\n" if args.json else "\n\n"))
        sys.stdout.flush()
        codes.append(verdict(action, tr, f"{name}: "))
    return worst(codes)


def run_several(args: argparse.Namespace, specs: list[ServerSpec], config: Config) -> int:
    try:
        if args.command == "action":
            return asyncio.run(action_several(args, specs, config))
        return asyncio.run(events_several(args, specs))
    except BrokenPipeError:
        return reader_left()
