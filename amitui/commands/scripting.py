"""The scripting commands: `amitui action`, `amitui events`, `amitui replay`.

Output is AMI text (one block per message, a blank line between) or, with --json, NDJSON. Data
goes to stdout and reasons to stderr, so pipes and `$?` work as a shell user expects.

Whatever the server sent is hostile: AMI text and every stderr line go through `shown()`
(control, C1 and bidi characters as visible escapes), NDJSON through `json_line()` (exact
values, those characters as `\\u` escapes). Tests: tests/test_scripting_hostile.py.

Output is written to a buffered stdout and flushed once per batch of events (one socket read),
not once per event: a flood costs a write per read, and an event that arrives alone is still
printed at once. When the reader of our output leaves (`amitui events | head -1`), the command
ends quietly with exit code 0 (see `reader_left`). Exit codes: amitui/exitcodes.py.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from dataclasses import replace
from typing import TYPE_CHECKING

from amitui import exitcodes
from amitui.client import (
    ActionPolicy,
    AmiSession,
    Outcome,
    Phase,
    ServerSpec,
    SessionError,
    SessionState,
    Timing,
    Transcript,
)
from amitui.config import Config
from amitui.protocol import Action, Frame, LocalProtocolError, parse_assignments
from amitui.protocol.frames import mask_secret_lines
from amitui.protocol.jsonform import event_json_line, events_json
from amitui.protocol.plain import plain_event, plain_events
from amitui.protocol.safetext import shown

if TYPE_CHECKING:
    from amitui.store.filter import EventFilter


def _err(text: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()  # what was printed before the reason comes before it
    with contextlib.suppress(OSError):
        print(f"amitui: {shown(text)}", file=sys.stderr, flush=True)


def reader_left() -> int:
    """The reader of our output went away (`| head -1`): not an error, and not worth a word.

    As Python's documentation advises for SIGPIPE, stdout is pointed at /dev/null, so that
    the interpreter's own flush at exit does not fail a second time (a traceback on stderr and
    exit code 120). Exit code 0: the reader had what it wanted (`set -o pipefail` stays quiet).
    """
    _drop_stdout()
    return exitcodes.OK


def _drop_stdout() -> None:
    """Point stdout at /dev/null: what is still buffered for it can never be written."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def format_frame(frame: Frame) -> str:
    """A frame as AMI text, secrets masked, every line through `shown()`; Command output as
    `Output:` lines whatever the server version sent."""
    plain = plain_event(frame)
    if plain is not None:
        return plain[0][:-2].replace("\r\n", "\n")  # a plain event: its lines, as they are
    return ami_text(frame)


def ami_text(frame: Frame) -> str:
    """`format_frame` the general way, for any frame (the plain-event shortcut aside)."""
    if frame.error is not None:
        raw = mask_secret_lines(frame.raw.decode("utf-8", "replace").rstrip())
        return shown(f"# malformed: {frame.error}\n{raw}", multiline=True)
    lines = frame.redacted_lines(output_as_headers=True)
    return "\n".join(shown(line) for line in lines) or shown(frame.text)


def events_text(frames: list[Frame]) -> str:
    """`"\\n\\n".join(map(format_frame, frames))`, in bulk for a batch of plain events."""
    batch = plain_events(frames)
    if batch is None:
        return "\n\n".join(map(format_frame, frames))
    return b"\r\n".join(batch.raws).decode("ascii").replace("\r\n", "\n")[:-1]


def emit(frame: Frame, as_json: bool) -> None:
    """One message to stdout (buffered: the caller flushes)."""
    sys.stdout.write(event_json_line(frame) + "\n" if as_json else format_frame(frame) + "\n\n")


def transcript_frames(tr: Transcript) -> list[Frame]:
    """What `amitui action` prints: the reply, without follow-ups (see `exchange_frames` in
    amitui/store/formats.py, the inspector's copy, for why)."""
    return tr.exchange.reply_frames()


def _policy(config: Config, spec: ServerSpec) -> ActionPolicy:
    profile = config.profile(spec.name or None) if spec.name else None
    if profile is None:
        return ActionPolicy()
    return ActionPolicy(profile.confirm_actions, profile.safe_actions)


def _timing(args: argparse.Namespace) -> Timing:
    # --timeout bounds the connect and the banner as well as the answer: a blackholed address
    # must not hold a script for a fixed 10 s whatever it asked for.
    seconds = getattr(args, "timeout", None) or 10.0
    return Timing(connect_timeout=seconds, action_timeout=seconds)


def failure_reason(tr: Transcript) -> str:
    """Why the server refused, in its own words. A failed Command says only `Command output
    follows` in Message (Asterisk 22); its reason is in the Output lines."""
    response = tr.response
    if response is not None and response.output:
        lines = [line.strip() for line in response.output if line.strip()]
        if lines:
            return "; ".join(lines)
    return tr.message


def parse_action(args: argparse.Namespace) -> Action | None:
    """The action from the command line, or None after saying why it is not one."""
    try:
        return Action.of(args.name, parse_assignments(args.headers))
    except LocalProtocolError as exc:
        _err(str(exc))
        return None


async def send_one(
    args: argparse.Namespace, spec: ServerSpec, config: Config, action: Action
) -> Transcript | str:
    """Log in to one server, send `action`, log off: its transcript, or why it failed."""
    # One action needs no event stream: ask for none, so only the reply comes back.
    session = AmiSession(
        replace(spec, events="off"),
        timing=_timing(args),
        reconnect=False,
        policy=_policy(config, spec),
    )
    try:
        await session.open()
        return await session.send(action)
    except (SessionError, LocalProtocolError) as exc:
        return str(exc)
    finally:
        await session.close()


def verdict(action: Action, tr: Transcript, who: str = "") -> int:
    """The exit code of a transcript, its reason (if any) on stderr, `who` before it."""
    if tr.outcome in (Outcome.TIMEOUT, Outcome.UNKNOWN, Outcome.INCOMPLETE):
        _err(f"{who}{action.name}: {tr.note}")
        return exitcodes.CONNECTION
    if not tr.ok:
        _err(f"{who}{action.name}: {tr.status}: {failure_reason(tr)}")
        return exitcodes.ACTION_FAILED
    if tr.truncated:
        # Through AstManProxy: a long reply may have been cut, and its end looks like any end.
        _err(f"{who}{action.name}: reply possibly incomplete: {tr.truncated}")
        return exitcodes.ACTION_FAILED
    return exitcodes.OK


async def _action(args: argparse.Namespace, spec: ServerSpec, config: Config) -> int:
    action = parse_action(args)
    if action is None:
        return exitcodes.CONNECTION
    tr = await send_one(args, spec, config, action)
    if isinstance(tr, str):
        _err(tr)
        return exitcodes.CONNECTION
    for frame in transcript_frames(tr):
        emit(frame, args.json)
    sys.stdout.flush()
    return verdict(action, tr)


# Security events Asterisk raises for a login; ours carry our socket as RemoteAddress.
_AUTH_EVENTS = frozenset({"SuccessfulAuth", "ChallengeSent"})


def _is_address(value: str | None, address: tuple[str, int] | None) -> bool:
    """Whether an Asterisk address (`IPV4/TCP/127.0.0.1/44312`) is `address`."""
    if not value or address is None:
        return False
    parts = value.strip().rsplit("/", 2)
    if len(parts) != 3:
        return False
    host = parts[1].strip("[]").removeprefix("::ffff:")
    return host == address[0].removeprefix("::ffff:") and parts[2] == str(address[1])


class EventPrinter:
    """`amitui events`: the session calls `on_events` once per socket read with that read's
    events, in order, and this prints them as they come, one write and one flush per read.

    Our own login's events are neither printed nor counted: they tell about this command,
    not about the PBX. Asterisk writes `FullyBooted` to a session right after its login
    response, so it is ours when it is the first event after a login; `SuccessfulAuth` (and
    `ChallengeSent`) are ours when their RemoteAddress is our socket. `on_state` marks each
    login, reconnections included, before any of its events can arrive.
    """

    def __init__(
        self,
        *,
        as_json: bool,
        flt: EventFilter | None,
        count: int | None,
        done: asyncio.Future[None],
    ) -> None:
        self.format = events_json if as_json else events_text
        self.sep = "\n" if as_json else "\n\n"
        self.matches = flt.matches if flt else None
        self.left = count  # events still to print; None: no end
        self.done = done  # set when `count` are printed or the reader of our output left
        self.reader_left = False
        self.failure: Exception | None = None  # why printing stopped, if it failed
        self.session: AmiSession | None = None
        self._first = False  # the next event is the first after a login
        self._local: tuple[str, int] | None = None

    def on_state(self, state: SessionState) -> None:
        if state.phase is Phase.AUTHENTICATING and self.session is not None:
            self._first = True
            self._local = self.session.local_address

    def _ours(self, frame: Frame) -> bool:
        """Whether an authentication event is about our own socket."""
        return _is_address(frame.get("RemoteAddress"), self._local)

    def _select(self, batch: list[Frame]) -> list[Frame]:
        """The events of `batch` to print: not our login's, through the filter, up to the count."""
        if self._first and batch:
            self._first = False
            if batch[0].name == "FullyBooted":
                batch = batch[1:]
        names = [frame.name for frame in batch]
        if not _AUTH_EVENTS.isdisjoint(names):
            pairs = zip(batch, names, strict=True)
            batch = [f for f, name in pairs if name not in _AUTH_EVENTS or not self._ours(f)]
        if self.matches is not None:
            batch = list(filter(self.matches, batch))
        if self.left is not None:
            batch = batch[: self.left]
            self.left -= len(batch)
        return batch

    def on_events(self, batch: list[Frame]) -> None:
        if self.done.done():
            return
        # Whatever goes wrong here ends the command: the session would only note it and go on.
        try:
            frames = self._select(batch)
            if frames:
                sys.stdout.write(self.format(frames) + self.sep)
                sys.stdout.flush()  # once per read: a lone event is not kept waiting
            if self.left is None or self.left > 0:
                return
        except BrokenPipeError:
            self.reader_left = True
        except Exception as exc:
            self.failure = exc
        self.done.set_result(None)

    def gap(self, text: str) -> None:
        if not self.done.done():  # after the last event, how the connection ends is no news
            _err(text)


def event_filter(args: argparse.Namespace) -> tuple[bool, EventFilter | None]:
    """(usable, --filter parsed or None); not usable after saying why it is no filter."""
    if not args.filter:
        return True, None
    from amitui.store.filter import FilterError, parse_filter

    try:
        return True, parse_filter(args.filter)
    except FilterError as exc:
        _err(f"--filter: {exc}")
        return False, None


async def _events(args: argparse.Namespace, spec: ServerSpec) -> int:
    usable, flt = event_filter(args)
    if not usable:
        return exitcodes.CONNECTION
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    printer = EventPrinter(as_json=args.json, flt=flt, count=args.count, done=done)
    session = AmiSession(
        spec,
        timing=_timing(args),
        on_events=printer.on_events,
        on_state=printer.on_state,
        on_gap=printer.gap,
    )
    printer.session = session
    if args.count is not None and args.count <= 0:
        done.set_result(None)
    try:
        await session.open()
    except SessionError as exc:
        _err(str(exc))
        return exitcodes.CONNECTION
    runner = asyncio.create_task(session.run(), name="ami-session")
    try:
        await asyncio.wait({done, runner}, return_when=asyncio.FIRST_COMPLETED)
        if not done.done():
            _err(session.state.describe())
            return exitcodes.CONNECTION
        if isinstance(printer.failure, OSError):
            _drop_stdout()
            _err(f"cannot write the output: {printer.failure.strerror or printer.failure}")
            return exitcodes.CONNECTION
        if printer.failure is not None:
            raise printer.failure  # a bug: its traceback, not silence
    finally:
        await session.close()
        runner.cancel()
        with contextlib.suppress(BaseException):
            await runner
    return reader_left() if printer.reader_left else exitcodes.OK


def run_script(args: argparse.Namespace, spec: ServerSpec, config: Config) -> int:
    try:
        if args.command == "action":
            return asyncio.run(_action(args, spec, config))
        return asyncio.run(_events(args, spec))
    except BrokenPipeError:
        return reader_left()


def replay_file(path: str, *, as_json: bool) -> int:
    """Print every packet the server sent in a recording or raw capture, with no server."""
    from amitui.store.recording import RecordingError, open_recording, packet_frames

    try:
        with open_recording(path) as reader:
            for packet in reader:
                if packet.direction == "in":
                    for frame in packet_frames(packet.raw, packet.malformed):
                        emit(frame, as_json)
        sys.stdout.flush()
        skipped = reader.skipped_text()
        if skipped:
            _err(f"{path}: {skipped}")
    except BrokenPipeError:  # before OSError, which it is: the reader left, nothing failed
        return reader_left()
    except RecordingError as exc:
        _err(str(exc))
        return exitcodes.CONNECTION
    except OSError as exc:
        _err(f"cannot read {path}: {exc.strerror or exc}")
        return exitcodes.CONNECTION
    return exitcodes.OK
