"""Frames as JSON-ready dicts, for `--json` (NDJSON) output and exports.

Keys keep wire order; a repeated key becomes a list of its values in order; Command output is
always one `Output` list, whatever the server version or spelling. Secrets are masked (by role,
see `frames.redact`), a malformed packet's text too. Keys that cannot come from AMI start with an
underscore: `_lines` (lines without a colon), `_malformed` (why), `_raw` (the bytes of a
malformed packet, as text). Print or write the result with `safetext.json_line()`.

`event_json_line(frame)` is `json_line(frame_to_json(frame))`, and `events_json(frames)` the
same for a batch, for the stream (`amitui events --json`): the JSON of a plain event
(amitui.protocol.plain) with no repeated name is its own text with the punctuation changed,
C-level replaces instead of a dict and an encoder per event. Both give the same bytes as the
general path (tests/protocol/test_plain.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate, compress, count, repeat
from operator import ne
from typing import Any

from amitui.protocol.frames import Frame, FrameKind, mask_secret_lines, redact
from amitui.protocol.plain import plain_event, plain_events
from amitui.protocol.safetext import json_line


def frame_to_json(frame: Frame) -> dict[str, Any]:
    if frame.kind is FrameKind.BANNER:
        return {"Banner": frame.text, "AMIVersion": frame.version}
    if frame.kind is FrameKind.MALFORMED:
        raw = mask_secret_lines(frame.raw.decode("utf-8", "replace"))
        return {"_malformed": frame.error, "_raw": raw}
    out: dict[str, Any] = {}
    output = frame.output
    for key, value in redact(frame.headers):
        if output is not None and key.lower() == "output":
            # Modern Output headers, however spelled (frame.output holds every one of them,
            # as a case-insensitive lookup would): one `Output` list where the first was.
            if "Output" not in out:
                out["Output"] = list(output)
            continue
        if key in out:
            prior = out[key]
            if isinstance(prior, list):
                prior.append(value)
            else:
                out[key] = [prior, value]
        else:
            out[key] = value
    if output is not None and "Output" not in out:
        out["Output"] = list(output)  # the legacy Follows body: the same list, at the end
    if frame.loose:
        out["_lines"] = list(frame.loose)
    return out


def _plain_json(text: str) -> str:
    """The JSON of a plain event's text (CRLF kept) whose names are all different."""
    body = text[:-2]
    if text.count(": ") == text.count("\n"):
        # One ": " per line, and it ends the name: every one of them is a separator.
        return '{"' + body.replace("\r\n", '", "').replace(": ", '": "') + '"}'
    pairs = [line.replace(": ", '": "', 1) for line in body.split("\r\n")]
    return '{"' + '", "'.join(pairs) + '"}'


def _plain_json_repeated(text: str, names: list[str]) -> str:
    """The JSON of a plain event that repeats a name: its values as one array, in order,
    where the name first occurs (TestEvent repeats State; ChanVariable, Variable)."""
    values: dict[str, list[str]] = {}
    for name, line in zip(names, text[:-2].split("\r\n"), strict=True):
        values.setdefault(name, []).append(line[len(name) + 2 :])
    parts = [
        f'"{name}": "{vs[0]}"' if len(vs) == 1 else f'"{name}": ["' + '", "'.join(vs) + '"]'
        for name, vs in values.items()
    ]
    return "{" + ", ".join(parts) + "}"


def _any_plain_json(text: str, names: list[str]) -> str:
    if len(set(names)) != len(names):
        return _plain_json_repeated(text, names)
    return _plain_json(text)


def event_json_line(frame: Frame) -> str:
    """`json_line(frame_to_json(frame))`, byte for byte; fast for a plain event."""
    plain = plain_event(frame)
    if plain is None:
        return json_line(frame_to_json(frame))
    return _any_plain_json(*plain)


def events_json(frames: Sequence[Frame]) -> str:
    """`"\\n".join(map(event_json_line, frames))`, byte for byte, in bulk for a plain batch.

    The packets are joined with the line break between their JSON objects, and the whole
    goes through two replaces; a packet whose value holds a ": " (which the second would
    change) or that repeats a name is then made alone and put in its place.
    """
    batch = plain_events(frames)
    if batch is None:
        return "\n".join(map(event_json_line, frames))
    joined = b'"}\n{"'.join([raw[:-2] for raw in batch.raws]).decode("ascii")
    out = '{"' + joined.replace("\r\n", '", "').replace(": ", '": "') + '"}'
    redo = list(batch.repeated)
    if batch.text.count(": ") != len(batch.names):
        colons = map(bytes.count, batch.raws, repeat(b": "))
        redo += compress(count(), map(ne, batch.lines, colons))
    if not redo:
        return out
    lines = out.split("\n")
    starts = [0, *accumulate(batch.lines)]
    for k in redo:  # plain, as the batch is: its own text and names are all it takes
        names = batch.names[starts[k] : starts[k + 1]]
        lines[k] = _any_plain_json(batch.raws[k].decode("ascii"), names)
    return "\n".join(lines)
