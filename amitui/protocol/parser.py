"""Incremental AMI parser: bytes in, Frames out. No I/O, no clock.

Theory of operation
-------------------
`feed(data)` only appends to a bytearray; `next_frame()` returns the next complete Frame or
None when more bytes are needed. Packet boundaries have nothing to do with read boundaries
(Asterisk before 13.29 wrote one header per write), so nothing is decided per read.

* The first line of a connection may be the banner (`Asterisk Call Manager/11.0.0`), which has
  no blank line after it. It is recognised by shape, not by position alone, so a capture that
  starts mid-stream still parses.
* A packet is a run of lines ended by an empty line. Lines end with LF, and an optional CR
  before it is dropped: stock Asterisk sends bare LF in a few places (Agents' CallStarted,
  `Message: ...\\n` acks). Empty lines between packets are ignored.
* The end is searched for with one regex over the buffer, resuming where the last search
  stopped (`_scan`), so a packet that arrives a byte at a time is never rescanned from the start.
* Legacy Command output (Asterisk <= 13): a packet whose first line is `Response: Follows`
  carries a raw LF-separated body that may contain blank lines, so it ends at
  `--END COMMAND--` instead. Its headers are the CRLF-terminated `Key:` lines before the body.
* Each complete packet is decoded once, as UTF-8 with invalid bytes replaced and counted on
  the frame (`Frame.replaced`), never per read: a character split across reads survives.
* An incomplete packet larger than `max_frame` is not kept: a MALFORMED frame says so and the
  parser skips to the next packet end, so memory stays bounded whatever the peer sends.
* `feed_eof()` turns a packet cut short by a closed connection into a MALFORMED frame.

Tests: tests/protocol/test_parser.py pins each rule; tests/protocol/test_transcripts.py
feeds recorded Asterisk 22 transcripts whole, byte by byte and in random chunks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from amitui.protocol.frames import Frame, FrameKind, Header

DEFAULT_MAX_FRAME = 8 * 1024 * 1024
_PREVIEW = 4096  # how much of a skipped packet a MALFORMED frame keeps

_END = re.compile(rb"\n\r?\n")
_LEGACY_MARK = b"--END COMMAND--"
_BANNER = re.compile(rb"^[A-Za-z][A-Za-z ]*/[0-9][0-9A-Za-z.\-]*\r?$")
_FOLLOWS = b"response: follows"
_CRLF2 = b"\r\n\r\n"
_KINDS = {"response": FrameKind.RESPONSE, "event": FrameKind.EVENT}


class Parser:
    """Turns the bytes an AMI server sends into Frames."""

    def __init__(self, *, max_frame: int = DEFAULT_MAX_FRAME, expect_banner: bool = True) -> None:
        if max_frame < 1024:
            raise ValueError("max_frame must be at least 1024 bytes")
        self.max_frame = max_frame
        self._buf = bytearray()
        self._pos = 0  # start of unconsumed bytes
        self._scan = 0  # where the next search for a packet end resumes
        self._banner_pending = expect_banner
        self._legacy: bool | None = None  # mode of the open packet, once its first line is seen
        self._skipping = False  # discarding an oversized packet up to its end
        self._eof = False
        self.bytes_in = 0
        self.frames_out = 0

    # -- the three verbs -------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        """Add bytes read from the connection."""
        if data:
            self._buf += data
            self.bytes_in += len(data)

    def feed_eof(self) -> None:
        """The connection closed: whatever remains can only be a cut-short packet."""
        self._eof = True

    def next_frame(self) -> Frame | None:
        """The next complete frame, or None when more bytes are needed."""
        frame = self._next()
        if frame is not None:
            self.frames_out += 1
        return frame

    def frames(self) -> Iterator[Frame]:
        """Every frame that is complete now."""
        fast = True
        while True:
            if fast:
                # Runs of ordinary packets go in bulk; the first packet that is anything else
                # (bare LF, legacy Follows, oversized, blank lines) goes one by one below. A run
                # that yields nothing is not retried in this call, so bytes are scanned O(n).
                run = self._take_run()
                if run:
                    self.frames_out += len(run)
                    yield from run
                elif run is not None:
                    fast = False
            frame = self.next_frame()
            if frame is None:
                return
            yield frame

    @property
    def buffered(self) -> int:
        """Bytes held for a packet that is not complete yet."""
        return len(self._buf) - self._pos

    # -- internals -------------------------------------------------------------------------

    def _consume(self, end: int) -> None:
        self._pos = end
        self._scan = end
        self._legacy = None
        # Compact once the dead prefix is large, not on every packet (that would be O(n^2)).
        if self._pos > 65536 and self._pos * 2 > len(self._buf):
            del self._buf[: self._pos]
            self._scan -= self._pos
            self._pos = 0

    def _next(self) -> Frame | None:
        buf = self._buf
        if self._skipping and not self._skip_oversized():
            return None
        if self._banner_pending:
            banner = self._take_banner()
            if banner is not None or self._banner_pending:
                return banner
        # Empty lines between packets carry nothing.
        pos = self._pos
        n = len(buf)
        while pos < n and buf[pos] in (10, 13):
            pos += 1
        if pos != self._pos:
            self._consume(pos)
        if pos >= n:
            return self._at_eof(pos)
        if self._legacy is None:
            first_end = buf.find(b"\n", pos)
            if first_end < 0:
                return self._incomplete(pos)
            first = bytes(buf[pos:first_end]).rstrip(b"\r").lower()
            self._legacy = first == _FOLLOWS
        return self._take_legacy(pos) if self._legacy else self._take_packet(pos)

    def _take_run(self) -> list[Frame] | None:
        """Every complete packet from here that is plain CRLF `Key: value` lines, in bulk: one
        search for the last packet end, one copy, then one `find` per packet. Stops before the
        first packet the general path must judge, and leaves it there. None: not now (a banner
        or a packet the general path has started on comes first)."""
        if self._banner_pending or self._skipping or self._legacy is not None:
            return None
        buf = self._buf
        pos = self._pos
        # Resume where the general path stopped searching: no packet end lies before that.
        last = buf.rfind(_CRLF2, max(pos, self._scan - 2))
        if last < 0:
            return []
        with memoryview(buf) as view:
            data = bytes(view[pos : last + 4])  # released at once: the buffer must stay resizable
        out: list[Frame] = []
        event_unparsed = Frame.event_unparsed
        find = data.find
        limit = self.max_frame
        i = 0
        n = len(data)
        while i < n:
            end = find(_CRLF2, i)
            if end < 0:
                break  # only part of an end ("\r\n\r\n\r\n" overlaps): not a packet
            raw = data[i : end + 2]
            if (
                end + 2 - i > limit
                or raw[0] in (10, 13)
                or b"\n\n" in raw
                or b"\n\r\n" in raw
                or (raw[0] in (82, 114) and raw[:17].lower() == _FOLLOWS)  # R, r
            ):
                break
            # Events are kept unparsed: most are stored and never looked at again; headers are
            # split the first time anything asks for them.
            out.append(event_unparsed(raw) if raw[:7] == b"Event: " else build_frame(raw))
            i = end + 4
        if i:
            self._consume(pos + i)
        return out

    def _take_banner(self) -> Frame | None:
        buf = self._buf
        nl = buf.find(b"\n", self._pos)
        if nl < 0:
            if len(buf) - self._pos > 256 or self._eof:
                self._banner_pending = False  # too long or cut short: not a banner
            return None
        self._banner_pending = False
        line = bytes(buf[self._pos : nl])
        if not _BANNER.match(line):
            return None
        self._consume(nl + 1)
        return Frame(FrameKind.BANNER, (), line.rstrip(b"\r") + b"\r\n")

    def _take_packet(self, pos: int) -> Frame | None:
        m = _END.search(self._buf, max(self._scan, pos))
        if m is None:
            return self._incomplete(pos)
        if m.start() + 1 - pos > self.max_frame:
            # Complete but over the cap: refused the same way as when it arrives in pieces,
            # so the outcome never depends on how the bytes were split into reads.
            return self._oversized(pos, m.end())
        raw = bytes(self._buf[pos : m.start() + 1])
        self._consume(m.end())
        return build_frame(raw)

    def _take_legacy(self, pos: int) -> Frame | None:
        buf = self._buf
        mark = buf.find(_LEGACY_MARK, max(self._scan, pos))
        if mark < 0:
            return self._incomplete(pos, keep=len(_LEGACY_MARK))
        after = mark + len(_LEGACY_MARK)
        if after - pos > self.max_frame:
            return self._oversized(pos, after)
        # The marker is followed by CRLF and then the blank line that ends the packet.
        end = after
        for _ in range(2):
            if end < len(buf) and buf[end] == 13:
                end += 1
            if end >= len(buf):
                if self._eof:
                    break
                self._scan = mark  # wait for the line ends; find the marker again then
                return None
            if buf[end] != 10:
                break
            end += 1
        raw = bytes(buf[pos:after]) + b"\r\n"
        self._consume(end)
        return build_legacy_frame(raw)

    def _oversized(self, pos: int, end: int) -> Frame:
        preview = bytes(self._buf[pos : pos + min(_PREVIEW, self.max_frame)])
        self._consume(end)
        return Frame(
            FrameKind.MALFORMED,
            (),
            preview,
            error=_too_big(self.max_frame),
        )

    def _incomplete(self, pos: int, keep: int = 2) -> Frame | None:
        size = len(self._buf) - pos
        if size > self.max_frame:
            preview = bytes(self._buf[pos : pos + min(_PREVIEW, self.max_frame)])
            self._skipping = True
            # Keep the last two bytes: the packet's end may be starting there ("\n\r").
            self._consume(max(pos, len(self._buf) - 2))
            return Frame(
                FrameKind.MALFORMED,
                (),
                preview,
                error=_too_big(self.max_frame),
            )
        if self._eof:
            return self._at_eof(pos)
        # Resume the next search just before the end, where a terminator may be starting.
        self._scan = max(pos, len(self._buf) - keep)
        return None

    def _skip_oversized(self) -> bool:
        """Drop bytes up to the end of the oversized packet; True once past it."""
        m = _END.search(self._buf, self._scan)
        if m is None:
            keep = max(self._pos, len(self._buf) - 2)
            self._consume(keep)
            return False
        self._consume(m.end())
        self._skipping = False
        return True

    def _at_eof(self, pos: int) -> Frame | None:
        if not self._eof or pos >= len(self._buf):
            return None
        raw = bytes(self._buf[pos:])
        self._consume(len(self._buf))
        return Frame(
            FrameKind.MALFORMED,
            (),
            raw,
            error="connection closed in the middle of a packet",
        )


def _too_big(limit: int) -> str:
    return f"packet larger than {limit} bytes; skipped up to its end"


def _decode(raw: bytes) -> tuple[str, int]:
    try:
        return raw.decode("utf-8"), 0
    except UnicodeDecodeError:
        text = raw.decode("utf-8", "replace")
        # Count only the replacements made here, not U+FFFD the server already sent.
        return text, text.count("\ufffd") - raw.count(b"\xef\xbf\xbd")


def _kind(headers: list[Header]) -> FrameKind:
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


def _split_lines(text: str) -> tuple[list[Header], list[str]]:
    # Asterisk ends every line with CRLF: split on that directly unless a bare LF is present.
    if text.count("\n") == text.count("\r\n"):
        lines = text.split("\r\n")
    else:
        lines = text.replace("\r\n", "\n").split("\n")
    headers: list[Header] = []
    loose: list[str] = []
    append = headers.append
    for line in lines:
        # The common shape first: "Key: value" with no colon in the key, split once.
        key, sep, value = line.partition(": ")
        if sep and ":" not in key:
            append((key, value))
            continue
        key, sep, value = line.partition(":")
        if not sep:
            if line:
                loose.append(line)
            continue
        # Exactly one space goes; more is content (indented CLI output).
        append((key, value[1:] if value[:1] == " " else value))
    return headers, loose


def parse_lines(raw: bytes) -> tuple[tuple[Header, ...], tuple[str, ...], int]:
    """Headers, loose lines and replacement count of a plain (non-legacy) packet."""
    text, replaced = _decode(raw)
    headers, loose = _split_lines(text)
    return tuple(headers), tuple(loose), replaced


def build_frame(raw: bytes) -> Frame:
    """Parse one complete packet (without its terminating empty line)."""
    text, replaced = _decode(raw)
    headers, loose = _split_lines(text)
    if not headers:
        return Frame(
            FrameKind.MALFORMED,
            (),
            raw,
            loose=tuple(loose),
            replaced=replaced,
            error="no 'Key: value' lines in this packet",
        )
    kind = _kind(headers)
    output = None
    if kind is FrameKind.RESPONSE:
        values = [v for k, v in headers if k.lower() == "output"]
        if values:
            output = tuple(values)
    return Frame(kind, tuple(headers), raw, output=output, loose=tuple(loose), replaced=replaced)


def build_legacy_frame(raw: bytes) -> Frame:
    """Parse a `Response: Follows` packet: CRLF headers, then a raw body up to the marker."""
    text, replaced = _decode(raw)
    headers: list[Header] = []
    lines = text.split("\n")
    body_start = len(lines)
    for i, line in enumerate(lines):
        key, sep, value = line.partition(":")
        # A header line ends in CR; the body is LF-only CLI text.
        if not line.endswith("\r") or not sep or "--END COMMAND--" in line:
            body_start = i
            break
        value = value[:-1]
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
