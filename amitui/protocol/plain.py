"""Plain events: how `amitui events` prints a flood without parsing every event.

Nearly every event Asterisk sends is *plain*: its first line is `Event: NAME`; it is ASCII with
no control character, quote or backslash; its lines end with CRLF, and each is `Name: value`
with no colon in the name; no name can hold a credential (`frames.all_plain_keys`), and it is
not UpdateConfig. Such a packet parses to exactly its lines (the parser's common rule), masking
changes nothing in it, and neither `shown()` nor JSON escapes anything in it: its AMI text and
its JSON are its own bytes with the line ends and separators replaced (a repeated name's
values gathered into one array). Anything else takes the general path (`frame_to_json`,
`scripting.ami_text`).

`plain_event` judges one frame; `plain_events` a whole batch (one socket read) at once: a few
passes over the joined bytes instead of a dozen calls per event. Both answer the same.

Tests: tests/protocol/test_plain.py (against the general path, on hostile, generated and
recorded packets).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import accumulate, chain, compress, count, repeat
from operator import itemgetter
from typing import NamedTuple, cast

from amitui.protocol.frames import Frame, FrameKind, all_plain_keys

# The name of every line after a CRLF, as the parser's common rule splits it: from the line
# start up to the first ": ", with no colon in it. A line of another shape, or one after a
# lone LF, yields none. (Starting with CRLF, the search jumps from line to line instead of
# trying every position.)
_NAME = re.compile(r"\r\n([^:\r\n]+): ")
# Bytes that JSON (`"`, `\\`, C0) or the display rules (C0, DEL) would escape, and CR and LF.
_SPECIAL = bytes(range(0x00, 0x20)) + b'\x7f"\\'
_EVENT = FrameKind.EVENT
# How an UpdateConfig event's first line can start (any case; `redact` strips the name).
_MAYBE_UPDATECONFIG = (b"Event: Up", b"Event: up", b"Event: UP", b"Event: uP", b"Event:  ")
_count = bytes.count


class PlainBatch(NamedTuple):
    """A batch of plain events, as `plain_events` found it."""

    raws: list[bytes]  # each packet's bytes
    text: str  # the packets' text, one after another, CRLF line ends kept
    names: list[str]  # the name of every line, in order
    lines: list[int]  # how many lines each packet has
    repeated: list[int]  # the packets (by position) in which a name occurs twice


def _names(data: bytes) -> tuple[str, list[str]] | None:
    """The text of `data` and the names of its lines after the first, when `data` (ending
    with CRLF) is ASCII lines `Name: value` with no special byte but their CRLFs; else None.

    Each name follows a CRLF, and the last CRLF ends `data`: with N names there are at least
    N + 1 CRs and N + 1 LFs. Exactly 2(N + 1) special bytes leave room for nothing else: no
    lone CR or LF, no other control character, quote or backslash, and no line without a
    name (the parser's common rule) after the first.
    """
    if not data.isascii():
        return None
    text = data.decode("ascii")
    names = _NAME.findall(text)
    if len(data) - len(data.translate(None, _SPECIAL)) != 2 * (len(names) + 1):
        return None
    return text, names


def _update_config(event_names: Iterable[str]) -> bool:
    # `redact` treats UpdateConfig's Var-/Value- pairs apart (it reads the event name).
    return any(name.strip().lower() == "updateconfig" for name in event_names)


def plain_event(frame: Frame) -> tuple[str, list[str]] | None:
    """The packet's text (CRLF kept) and its line names when it is a plain event; else None."""
    if frame.kind is not _EVENT or frame.output is not None:
        return None
    raw = frame.raw
    if raw[:7] != b"Event: " or raw[-2:] != b"\r\n":
        return None
    found = _names(raw)
    if found is None or "Event" in found[1]:
        return None
    text, names = found
    names.insert(0, "Event")
    if not all_plain_keys(names) or _update_config([text[7 : text.index("\r")]]):
        return None
    return text, names


def plain_events(frames: Sequence[Frame]) -> PlainBatch | None:
    """The batch when every frame in it is a plain event; None when any is not (each frame is
    then judged alone). The same checks as `plain_event`, made on the joined bytes: each
    packet starts with `Event: ` and ends with CRLF, so the joined text is a run of lines and
    each packet's first line is the only one named `Event`."""
    raws = [frame.raw for frame in frames if frame.kind is _EVENT and frame.output is None]
    if not raws or len(raws) != len(frames):
        return None
    if not all(map(bytes.startswith, raws, repeat(b"Event: "))):
        return None
    if not all(map(bytes.endswith, raws, repeat(b"\r\n"))):
        return None
    data = b"".join(raws)
    found = _names(data)
    if found is None or found[1].count("Event") != len(raws) - 1:
        return None
    text, names = found
    names.insert(0, "Event")
    # Only an event whose name may be UpdateConfig (rare) needs its name read.
    maybe = any(map(bytes.startswith, raws, repeat(_MAYBE_UPDATECONFIG)))
    if maybe and _update_config(frame.name for frame in frames):
        return None
    lines = list(map(_count, raws, repeat(b"\n")))
    ends = list(accumulate(lines))
    shapes = list(map(tuple, map(names.__getitem__, map(slice, chain((0,), ends), ends))))
    verdicts = _verdicts(shapes)
    if not all(map(itemgetter(0), verdicts)):
        return None  # a name that can hold a credential
    repeated = list(compress(count(), map(itemgetter(1), verdicts)))
    return PlainBatch(raws, text, names, lines, repeated)


# What a packet's names (in order) say about it: all plain (no credential), and a name
# repeated. Events of one kind carry the same names, so nearly every packet of a flood is
# looked up here instead of judged: one tuple and one lookup instead of a set of its names.
_VERDICTS: dict[tuple[str, ...], tuple[bool, bool]] = {}
_VERDICTS_MAX = 4096


def _verdicts(shapes: list[tuple[str, ...]]) -> list[tuple[bool, bool]]:
    found = list(map(_VERDICTS.get, shapes))
    if None in found:
        return [_shape_verdict(shape) for shape in shapes]
    return cast("list[tuple[bool, bool]]", found)


def _shape_verdict(shape: tuple[str, ...]) -> tuple[bool, bool]:
    verdict = _VERDICTS.get(shape)
    if verdict is None:
        verdict = (all_plain_keys(shape), len(set(shape)) != len(shape))
        if len(_VERDICTS) >= _VERDICTS_MAX:
            _VERDICTS.clear()  # bounded; an odd stream of ever-new shapes costs a rebuild
        _VERDICTS[shape] = verdict
    return verdict
