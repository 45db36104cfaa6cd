"""One complete packet's bytes to a Frame: decoding, lines to headers, the kind, and the body
of legacy Command output. The parser (amitui.protocol.parser) decides where packets end and
calls these. Splitting lines into headers is in amitui/protocol/lines.py, which `Frame` also
uses to parse an event stored unparsed on first use.

Rules (pinned by tests/protocol/test_parser.py and test_parser_fidelity.py):

* Decoded once per packet, as UTF-8 with invalid bytes replaced and counted.
* Split at the first colon only; exactly one space after it is dropped. A line with no colon,
  or no name before it (`: value`), is a loose line.
* Response or event by the first header (OriginateResponse events carry a `Response:`).
* Legacy `Response: Follows`: headers are the CRLF-terminated `Key:` lines, the body is raw
  LF-only CLI text up to `--END COMMAND--`. A capture saved with LF line ends has lost the CRs:
  its headers are then the ones Asterisk writes there (Privilege, ActionID), each once.
"""

from __future__ import annotations

from amitui.protocol.frames import Frame, FrameKind, Header
from amitui.protocol.lines import decode, split_lines

_KINDS = {"response": FrameKind.RESPONSE, "event": FrameKind.EVENT}
# The headers Asterisk writes before a legacy body (action_command()): what tells them from
# body lines once a capture has lost the CRs that mark them.
_LEGACY_HEADERS = ("privilege", "actionid")


def _kind(headers: tuple[Header, ...]) -> FrameKind:
    """Response or event by the first header; else the first of those keys; else unknown.

    Never by looking for `Response` anywhere first: OriginateResponse events carry one.
    """
    first = headers[0][0].lower()
    if first in _KINDS:
        return _KINDS[first]
    for key, _ in headers:
        kind = _KINDS.get(key.lower())
        if kind is not None:
            return kind
    return FrameKind.UNKNOWN


def build_frame(raw: bytes) -> Frame:
    """Parse one complete packet (without its terminating empty line)."""
    text, replaced = decode(raw)
    headers, loose = split_lines(text)
    if not headers:
        why = "no 'Key: value' lines in this packet"
        return Frame.malformed(raw, why, loose=loose, replaced=replaced)
    kind = _kind(headers)
    output = None
    if kind is FrameKind.RESPONSE:
        values = [v for k, v in headers if k.lower() == "output"]
        if values:
            output = tuple(values)
    return Frame(kind, headers, raw, output=output, loose=loose, replaced=replaced)


def build_legacy_frame(raw: bytes) -> Frame:
    """Parse a `Response: Follows` packet: CRLF headers, then a raw body up to the marker.

    A header line ends in CR; the body is LF-only CLI text, whose lines may look like headers.
    When the first line has no CR either, the capture lost them all (saved with LF line ends):
    the headers are then the ones Asterisk writes there, Privilege and ActionID, each once."""
    text, replaced = decode(raw)
    headers: list[Header] = []
    lines = text.split("\n")
    crlf = lines[0].endswith("\r")
    wanted = list(_LEGACY_HEADERS)
    body_start = len(lines)
    for i, line in enumerate(lines):
        key, sep, value = line.removesuffix("\r").partition(":")
        if crlf:
            header = line.endswith("\r") and bool(sep and key)
        else:
            header = bool(sep and key) and (i == 0 or key.lower() in wanted)
            if header and i:
                wanted.remove(key.lower())
        if not header or "--END COMMAND--" in line:
            body_start = i
            break
        headers.append((key, value[1:] if value.startswith(" ") else value))
    body = "\n".join(lines[body_start:])
    body = body[: body.rfind("--END COMMAND--")]
    out = body.split("\n")
    if out and out[-1] == "":
        out.pop()  # the newline before the marker ends the last line, it is not a line
    return Frame(
        FrameKind.RESPONSE,
        tuple(headers),
        raw,
        output=tuple(line.removesuffix("\r") for line in out),
        replaced=replaced,
    )
