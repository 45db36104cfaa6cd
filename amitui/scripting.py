"""The scripting commands: `amitui action`, `amitui events`, `amitui replay`.

Output is AMI text (one block per message, a blank line between) or, with --json, NDJSON. Data
goes to stdout and reasons to stderr, so pipes and `$?` work as a shell user expects.

Whatever the server sent is hostile: AMI text and every stderr line go through `shown()`
(control, C1 and bidi characters as visible escapes), NDJSON through `json_line()` (exact
values, those characters as `\\u` escapes). Tests: tests/test_scripting_hostile.py.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from dataclasses import replace

from amitui.client import (
    ActionPolicy,
    AmiSession,
    Outcome,
    ServerSpec,
    SessionError,
    Timing,
    Transcript,
)
from amitui.config import Config
from amitui.protocol import (
    Action,
    Frame,
    LocalProtocolError,
    frame_to_json,
    parse_assignments,
    redact,
)
from amitui.protocol.frames import mask_secret_lines
from amitui.protocol.safetext import json_line, shown

EXIT_OK, EXIT_ERROR_RESPONSE, EXIT_CONNECTION = 0, 1, 2


def _err(text: str) -> None:
    print(f"amitui: {shown(text)}", file=sys.stderr, flush=True)


def format_frame(frame: Frame) -> str:
    """A frame as AMI text, secrets masked, every line through `shown()`; Command output as
    `Output:` lines whatever the server version sent."""
    if frame.error is not None:
        raw = mask_secret_lines(frame.raw.decode("utf-8", "replace").rstrip())
        return shown(f"# malformed: {frame.error}\n{raw}", multiline=True)
    lines = [
        f"{k}: {v}"
        for k, v in redact(frame.headers)
        if frame.output is None or k.lower() != "output"
    ]
    if frame.output is not None:
        lines.extend(f"Output: {line}" for line in frame.output)
    lines.extend(frame.loose)
    return "\n".join(shown(line) for line in lines) or shown(frame.text)


def emit(frame: Frame, as_json: bool) -> None:
    if as_json:
        print(json_line(frame_to_json(frame)), flush=True)
    else:
        print(format_frame(frame) + "\n", flush=True)


def transcript_frames(tr: Transcript) -> list[Frame]:
    frames = [tr.response] if tr.response is not None else []
    frames += tr.items
    if tr.exchange.list_end is not None:
        frames.append(tr.exchange.list_end)
    return frames + tr.exchange.late


def _policy(config: Config, spec: ServerSpec) -> ActionPolicy:
    profile = config.profile(spec.name or None) if spec.name else None
    if profile is None:
        return ActionPolicy()
    return ActionPolicy(profile.confirm_actions, profile.safe_actions)


async def _action(args: argparse.Namespace, spec: ServerSpec, config: Config) -> int:
    try:
        action = Action.of(args.name, parse_assignments(args.headers))
    except LocalProtocolError as exc:
        _err(str(exc))
        return EXIT_CONNECTION
    timing = Timing(action_timeout=getattr(args, "timeout", None) or 10.0)
    # One action needs no event stream: ask for none, so only the reply comes back.
    session = AmiSession(
        replace(spec, events="off"), timing=timing, reconnect=False, policy=_policy(config, spec)
    )
    try:
        await session.open()
        tr = await session.send(action)
    except (SessionError, LocalProtocolError) as exc:
        _err(str(exc))
        return EXIT_CONNECTION
    finally:
        await session.close()
    for frame in transcript_frames(tr):
        emit(frame, args.json)
    if tr.outcome in (Outcome.TIMEOUT, Outcome.UNKNOWN, Outcome.INCOMPLETE):
        _err(f"{action.name}: {tr.note}")
        return EXIT_CONNECTION
    if not tr.ok:
        _err(f"{action.name}: {tr.status}: {tr.message}")
        return EXIT_ERROR_RESPONSE
    return EXIT_OK


async def _events(args: argparse.Namespace, spec: ServerSpec) -> int:
    from amitui.store.filter import FilterError, parse_filter

    try:
        flt = parse_filter(args.filter or "")
    except FilterError as exc:
        _err(f"--filter: {exc}")
        return EXIT_CONNECTION
    session = AmiSession(spec, timing=Timing(), on_gap=lambda text: _err(text))
    sub = session.subscribe(maxsize=10_000)
    try:
        await session.open()
    except SessionError as exc:
        _err(str(exc))
        return EXIT_CONNECTION
    runner = asyncio.create_task(session.run(), name="ami-session")
    shown = 0
    try:
        while args.count is None or shown < args.count:
            getter = asyncio.ensure_future(sub.get())
            await asyncio.wait({getter, runner}, return_when=asyncio.FIRST_COMPLETED)
            if not getter.done():
                getter.cancel()
                _err(session.state.describe())
                return EXIT_CONNECTION
            for frame in getter.result():
                if flt.matches(frame):
                    emit(frame, args.json)
                    shown += 1
                    if args.count is not None and shown >= args.count:
                        break
    finally:
        await session.close()
        runner.cancel()
        with contextlib.suppress(BaseException):
            await runner
        if sub.dropped:
            _err(f"{sub.dropped} events dropped: output was slower than the stream")
    return EXIT_OK


def run_script(args: argparse.Namespace, spec: ServerSpec, config: Config) -> int:
    try:
        if args.command == "action":
            return asyncio.run(_action(args, spec, config))
        return asyncio.run(_events(args, spec))
    except BrokenPipeError:
        # `amitui events | head`: the reader left; that is not an error.
        with contextlib.suppress(OSError):
            sys.stdout = None
        return EXIT_OK


def replay_file(path: str, *, as_json: bool) -> int:
    """Print every packet the server sent in a recording or raw capture, with no server."""
    from amitui.store.recording import RecordingError, open_recording, packet_frames

    try:
        with open_recording(path) as reader:
            for packet in reader:
                if packet.direction == "in":
                    for frame in packet_frames(packet.raw, packet.malformed):
                        emit(frame, as_json)
        skipped = reader.skipped_text()
        if skipped:
            _err(f"{path}: {skipped}")
    except RecordingError as exc:
        _err(str(exc))
        return EXIT_CONNECTION
    except OSError as exc:
        _err(f"cannot read {path}: {exc.strerror or exc}")
        return EXIT_CONNECTION
    except BrokenPipeError:
        return EXIT_OK
    return EXIT_OK
