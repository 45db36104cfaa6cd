"""Copy formats: a frame, an action or a whole exchange as text a user can paste elsewhere.

Pure functions, no Textual, so the inspector, the CLI and tests share them. Everything here
masks credentials: whatever a user copies may end up in a ticket or a chat, so a credential
(Login's `Secret` or `Key`, a `Password`, a GetConfig `secret=` line) never leaves through an
export (tests/store/test_formats.py proves it for each format). Raw text is masked line by
line rather than rebuilt from parsed headers, so the copy shows what really arrived
(spelling, spacing, loose lines, a malformed packet's bytes).
"""

from __future__ import annotations

import json
import shlex
from typing import Protocol

from amitui.protocol.actions import Action
from amitui.protocol.correlator import Exchange
from amitui.protocol.frames import Frame, FrameKind, mask_secret_lines, redact
from amitui.protocol.jsonform import frame_to_json


class TranscriptLike(Protocol):
    """What the exports need from `amitui.client.Transcript`.

    A protocol rather than an import, so the store layer does not depend on the client layer.
    """

    @property
    def action(self) -> Action: ...

    @property
    def exchange(self) -> Exchange: ...


def mask_text(text: str) -> str:
    """AMI text with every credential value replaced by the mask (by role, as `redact`)."""
    return mask_secret_lines(text)


def frame_as_ami(frame: Frame) -> str:
    """The frame as it came off the wire: LF line ends, secrets masked, no trailing newline."""
    if not frame.raw:
        # Frames built in code have no bytes; the headers are all there is.
        return frame.redacted_text()
    text = frame.raw.decode("utf-8", "replace").replace("\r\n", "\n").rstrip("\n")
    return mask_text(text)


def frame_as_json(frame: Frame) -> str:
    """One JSON object, as `--json` prints it (secrets masked by frame_to_json)."""
    return json.dumps(frame_to_json(frame), ensure_ascii=False)


def action_as_command_line(action: Action, program: str = "amitui") -> str:
    """A shell line that sends the same action again with `amitui action`.

    ActionID is left out (the session assigns a fresh one); secrets are masked, so the line
    has to be completed by hand before it can log in anywhere.
    """
    words = [program, "action", action.name]
    words.extend(f"{key}={value}" for key, value in redact(action.headers, action.name))
    return " ".join(shlex.quote(word) for word in words)


def exchange_frames(tr: TranscriptLike) -> list[Frame]:
    """What came back for an action: the reply as `amitui action` prints it, then follow-ups.

    The reply is `Exchange.reply_frames` (response, list items, the list's Complete event,
    late responses), the very list the CLI prints. Follow-up events such as
    OriginateResponse come after it here, since a user copying an Originate's exchange wants
    them too; the CLI leaves them out because it ends once the reply is complete, so whether a
    follow-up had arrived by then would be a race, and its output would vary run to run.
    """
    return tr.exchange.reply_frames() + tr.exchange.follow_ups


def transcript_as_ami(tr: TranscriptLike) -> str:
    """The action as sent, then everything that came back: blank-line separated AMI blocks."""
    blocks = [tr.action.redacted_text()]
    blocks.extend(frame_as_ami(frame) for frame in exchange_frames(tr))
    return "\n\n".join(blocks)


def transcript_as_json(tr: TranscriptLike) -> str:
    """NDJSON: one object per message that came back, like `amitui action --json`."""
    return "\n".join(frame_as_json(frame) for frame in exchange_frames(tr))


def describe_frame(frame: Frame) -> str:
    """The name a frame is shown under, in the stream's rows and the inspector alike.

    The event name; AstManProxy's own packets by their header (`ProxyMessage`, `Goodbye`);
    `Response Success` for a response; other kinds as `<malformed>`, `<banner>`, ... Server
    text: the caller escapes it. (What frames are counted and muted under is
    `amitui.store.ring.frame_name`, which must not collide with event names.)
    """
    if frame.kind is FrameKind.RESPONSE:
        return f"Response {frame.name}".rstrip()
    if frame.kind is FrameKind.EVENT or (frame.kind is FrameKind.UNKNOWN and frame.name):
        return frame.name or "<event>"
    return f"<{frame.kind.value}>"
