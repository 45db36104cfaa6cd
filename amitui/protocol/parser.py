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
* A header line needs a name: `: value` (nothing before the colon) is kept as a loose line.
* Legacy Command output (Asterisk <= 13): a packet whose first line is `Response: Follows`
  carries a raw LF-separated body that may contain blank lines, so it ends at
  `--END COMMAND--` instead. Its headers are the CRLF-terminated `Key:` lines before the body;
  in a capture saved with LF line ends (no CR anywhere, not even on `Response: Follows`) they
  are the `Privilege` and `ActionID` lines Asterisk writes there, each once.
* A legacy packet whose marker is not found within `legacy_limit` bytes (1 MiB), or before the
  input ends, has lost it: it ends at the first blank line followed by `Response: ` or
  `Event: ` (in a CRLF packet only a blank line holding a CR, which real LF-only CLI text never
  has), as a MALFORMED frame that says so, and the packets after it parse as usual.
* Each complete packet is decoded once, as UTF-8 with invalid bytes replaced and counted on
  the frame (`Frame.replaced`), never per read: a character split across reads survives.
* A packet larger than `max_frame` is not kept: a MALFORMED frame says so (its raw bytes are
  a preview, and the reason says how much) and the parser skips to the packet's end, so memory
  stays bounded whatever the peer sends.
* `feed_eof()` turns a packet cut short by a closed connection into a MALFORMED frame.
* Every outcome depends on the bytes only, never on how they were split into reads.

MALFORMED holds beyond the parser: a frame's raw bytes alone cannot show it (a cut-short
packet parsed again with a blank line added looks whole), so the reason travels with them. A
live session passes the Frame to its recorder, an `.amirec` line keeps it as `malformed`, a raw
capture's reader keeps it on `RecordedPacket.malformed`, and `store.recording.packet_frames()`
rebuilds the MALFORMED frame from it instead of parsing again. Replay (the console and
`amitui replay --json`) and export (`_malformed`, `_raw`) therefore show what the parser said.

Tests: tests/protocol/test_parser.py pins each rule; tests/protocol/test_parser_fidelity.py the
damage bounds, each whole, in chunks and byte by byte; tests/protocol/test_transcripts.py
feeds recorded Asterisk 22 transcripts whole, byte by byte and in random chunks;
tests/capture/test_replay_fidelity.py follows MALFORMED through record and replay.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import compress, repeat
from operator import add, not_

from amitui.protocol.frames import Frame, FrameKind
from amitui.protocol.lines import parse_lines as parse_lines
from amitui.protocol.packet import build_frame as build_frame
from amitui.protocol.packet import build_legacy_frame as build_legacy_frame

DEFAULT_MAX_FRAME = 8 * 1024 * 1024
# A legacy Command body this long without its marker has probably lost it (a trimmed capture):
# from then on a clear start of a new packet ends it. Real outputs of a few MB still have
# their marker found, since no clear start occurs inside real CLI text (see _NEXT_CRLF).
DEFAULT_LEGACY_LIMIT = 1024 * 1024
_PREVIEW = 4096  # how much of a skipped packet a MALFORMED frame keeps

_END = re.compile(rb"\n\r?\n")
_LEGACY_MARK = b"--END COMMAND--"
# Where a new packet clearly starts inside a legacy body that lost its marker: a blank line
# (group 1), then `Response: ` or `Event: `. A CRLF packet's blank line must hold a CR
# (`\n\r\n`): a real body is LF-only CLI text, so that never occurs inside one. A capture with
# LF line ends has lost that distinction and takes any blank line.
_NEXT_CRLF = re.compile(rb"(\n\r\n)(?:Response|Event): ")
_NEXT_LF = re.compile(rb"(\n\r?\n)(?:Response|Event): ")
# Skipping an oversized legacy packet: its end is its marker or a clear start, whichever first.
_SKIP_CRLF = re.compile(rb"--END COMMAND--|" + _NEXT_CRLF.pattern)
_SKIP_LF = re.compile(rb"--END COMMAND--|" + _NEXT_LF.pattern)
_CLOSED = "connection closed in the middle of a packet"
_NO_MARK = "legacy Command output (Response: Follows) without its --END COMMAND-- marker"
_BANNER = re.compile(rb"^[A-Za-z][A-Za-z ]*/[0-9][0-9A-Za-z.\-]*\r?$")
_FOLLOWS = b"response: follows"
_CRLF2 = b"\r\n\r\n"
_LFCRLF = b"\n\r\n"
_WINDOW = 4096  # a bulk run's least reach once a packet needed the general path
# The same ends, kept between the packets they split.
_END_SPLIT = re.compile(b"(" + _END.pattern + b")")


class Parser:
    """Turns the bytes an AMI server sends into Frames."""

    def __init__(
        self,
        *,
        max_frame: int = DEFAULT_MAX_FRAME,
        expect_banner: bool = True,
        legacy_limit: int = DEFAULT_LEGACY_LIMIT,
    ) -> None:
        if max_frame < 1024:
            raise ValueError("max_frame must be at least 1024 bytes")
        self.max_frame = max_frame
        # A marker found this far in is always trusted; kept inside max_frame with the marker.
        self._sane = max(0, min(legacy_limit, max_frame - len(_LEGACY_MARK)))
        self._buf = bytearray()
        self._pos = 0  # start of unconsumed bytes
        self._scan = 0  # where the next search for a packet end resumes
        self._banner_pending = expect_banner
        self._legacy: bool | None = None  # mode of the open packet, once its first line is seen
        self._bscan = 0  # where the search for a clear packet start in a legacy body resumes
        self._skipping: re.Pattern[bytes] | None = None  # discarding an oversized packet: its end
        self._eof = False
        self._run_bytes = 0  # what the last bulk run took
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
        for run in self._runs():
            yield from run

    def drain(self) -> list[Frame]:
        """Every frame that is complete now, in one list (what `frames()` yields)."""
        out: list[Frame] = []
        for run in self._runs():
            if out:
                out += run
            else:
                out = run
        return out

    def _runs(self) -> Iterator[list[Frame]]:
        fast = True
        window: int | None = None  # how far a run may look ahead; unbounded until an odd packet
        taken = 0  # bytes the last run took
        while True:
            judged = False  # the bulk path saw the next packet and left it to the general path
            if fast:
                # Runs of ordinary packets go in bulk; the first packet that is anything else
                # (bare LF, legacy Follows, oversized, blank lines) goes one by one below. A run
                # that yields nothing is not retried in this call. After such a packet a run
                # looks ahead twice as far as the last one took (more such packets may be
                # near), so the bytes are split O(n) times in all whatever the mix.
                run = self._take_run(window)
                judged = run is not None  # None: a packet the general path has started on
                if run:
                    self.frames_out += len(run)
                    taken = self._run_bytes
                    yield run
                elif judged:
                    fast = False
            frame = self.next_frame()
            if frame is None:
                return
            if judged:
                window = max(_WINDOW, 2 * taken)
            taken = 0
            yield [frame]

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
        if self._skipping is not None and not self._skip_oversized():
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
            self._bscan = pos
        return self._take_legacy(pos) if self._legacy else self._take_packet(pos)

    def _take_run(self, window: int | None = None) -> list[Frame] | None:
        """Every complete packet from here that is plain CRLF `Key: value` lines, in bulk: one
        search for the last packet end, one copy, one split at every packet end. Stops before
        the first packet the general path must judge, and leaves it there. None: not now (a
        banner or a packet the general path has started on comes first). With `window`, only
        packets ending within that many bytes are taken."""
        if self._banner_pending or self._skipping is not None or self._legacy is not None:
            return None
        buf = self._buf
        pos = self._pos
        # Resume where the general path stopped searching: no packet end lies before that.
        last = buf.rfind(_CRLF2, max(pos, self._scan - 2), None if window is None else pos + window)
        if last < 0:
            return []
        with memoryview(buf) as view:
            data = bytes(view[pos : last + 4])  # released at once: the buffer must stay resizable
        # The general path ends a packet at the first `\n\r?\n` from its start; a split at
        # every such end finds the same ends, one after another. A packet is plain when its end
        # is the LF-CR-LF of a CRLF CRLF: it then ends in CR here (its raw is that and the LF).
        bodies = _END.split(data)
        rest = bodies.pop()
        heads = list(map(bytes.startswith, bodies, repeat(b"Event: ")))
        n = self._plain_count(data, bodies, heads, rest)
        # Events are kept unparsed: most are stored and never looked at again; headers are
        # split the first time anything asks for them.
        if n == len(bodies) and heads.count(True) == n:
            out = Frame.events_unparsed(list(map(add, bodies, repeat(b"\n"))))
        else:
            out = [
                Frame.event_unparsed(body + b"\n") if event else build_frame(body + b"\n")
                for body, event in zip(bodies[:n], heads, strict=False)
            ]
        if n:
            # Each end taken is 3 bytes (LF CR LF).
            used = len(data) - len(rest) if n == len(bodies) else sum(map(len, bodies[:n])) + 3 * n
            self._consume(pos + used)
            self._run_bytes = used
        return out

    def _plain_count(self, data: bytes, bodies: list[bytes], heads: list[bool], rest: bytes) -> int:
        """How many of the split packets, from the first, the bulk path may take: each ends
        with CR before an LF-CR-LF, fits the cap, and unless it is an event (`heads`) does not
        start with a line end or `Response: Follows` (the general path's cases)."""
        n = len(bodies)
        limit = self.max_frame
        if (
            # The ends are 2 or 3 bytes: all 3 (LF CR LF) when the lengths add up so.
            sum(map(len, bodies)) + len(rest) + 3 * n != len(data)
            or not all(map(bytes.endswith, bodies, repeat(b"\r")))
            or (len(data) > limit and max(map(len, bodies), default=0) >= limit)
        ):
            return self._plain_prefix(data, heads)
        for k in compress(range(n), map(not_, heads)):  # the few packets that are no event
            if not _plain_start(bodies[k]):
                return k
        return n

    def _plain_prefix(self, data: bytes, heads: list[bool]) -> int:
        """`_plain_count` one packet at a time, for a run with an odd packet in it."""
        parts = _END_SPLIT.split(data)  # packet, end, packet, end, ..., rest
        for k, body in enumerate(parts[0:-1:2]):
            if (
                parts[2 * k + 1] != _LFCRLF
                or body[-1:] != b"\r"
                or len(body) >= self.max_frame
                or not (heads[k] or _plain_start(body))
            ):
                return k
        return len(heads)

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
        """A `Response: Follows` packet. The marker ends it; if none is found within the sane
        size (or before the input ends), it ends at the first clear start of a new packet and
        is MALFORMED. Every decision is made on stream positions, never on read boundaries."""
        buf = self._buf
        n = len(buf)
        mark = buf.find(_LEGACY_MARK, max(self._scan, pos))
        if mark >= 0 and mark - pos <= self._sane:
            return self._end_legacy(pos, mark)
        if mark < 0 and n - pos < self._sane + len(_LEGACY_MARK) and not self._eof:
            self._scan = max(pos, n - len(_LEGACY_MARK))  # a marker may be starting there
            return None
        # No marker within the sane size: look for where the next packet clearly starts.
        crlf = buf[buf.find(b"\n", pos) - 1] == 13
        end = mark if mark >= 0 else n
        m = (_NEXT_CRLF if crlf else _NEXT_LF).search(buf, max(self._bscan, pos), end)
        if m is not None:
            # Judged with the next packet's first word inside the cap: that much has arrived
            # whenever the cap is passed, so the outcome never depends on the reads.
            if m.end() - pos > self.max_frame:
                return self._oversized(pos, m.end(1))
            raw = bytes(buf[pos : m.start() + 1])
            self._consume(m.end(1))
            return Frame.malformed(raw, f"{_NO_MARK}; cut where the next packet starts")
        self._bscan = max(pos, end - len(_LEGACY_MARK))  # a start may be arriving there
        if mark >= 0:
            if mark + len(_LEGACY_MARK) - pos > self.max_frame:
                return self._oversized(pos, mark + len(_LEGACY_MARK))
            return self._end_legacy(pos, mark)
        if n - pos > self.max_frame:
            frame = self._too_big_frame(pos)
            self._skipping = _SKIP_CRLF if crlf else _SKIP_LF
            self._consume(max(pos, n - len(_LEGACY_MARK)))
            return frame
        if self._eof:
            return self._at_eof(pos, f"{_CLOSED} ({_NO_MARK})")
        self._scan = max(pos, n - len(_LEGACY_MARK))
        return None

    def _end_legacy(self, pos: int, mark: int) -> Frame | None:
        buf = self._buf
        after = mark + len(_LEGACY_MARK)
        # The marker is followed by CRLF and then the blank line that ends the packet.
        end = after
        line_end = 0
        for i in range(2):
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
            if i == 0:
                line_end = end
        # The marker's own line end as it came (CRLF, or LF in a capture that lost the CRs).
        raw = bytes(buf[pos:line_end]) if line_end else bytes(buf[pos:after]) + b"\r\n"
        self._consume(end)
        return build_legacy_frame(raw)

    def _too_big_frame(self, pos: int) -> Frame:
        """The MALFORMED frame for a packet over the cap starting at `pos`: its first bytes."""
        preview = bytes(self._buf[pos : pos + min(_PREVIEW, self.max_frame)])
        return Frame.malformed(preview, _too_big(self.max_frame))

    def _oversized(self, pos: int, end: int) -> Frame:
        frame = self._too_big_frame(pos)
        self._consume(end)
        return frame

    def _incomplete(self, pos: int) -> Frame | None:
        size = len(self._buf) - pos
        # Over the cap for sure only past cap + 1: the end may be starting in the last two
        # bytes ("\n\r"), which would leave a packet of exactly the cap, accepted when whole.
        if size > self.max_frame + 1:
            frame = self._too_big_frame(pos)
            self._skipping = _END
            # Keep the last two bytes: the packet's end may be starting there ("\n\r").
            self._consume(max(pos, len(self._buf) - 2))
            return frame
        if self._eof:
            return self._at_eof(pos)
        # Resume the next search just before the end, where a terminator may be starting.
        self._scan = max(pos, len(self._buf) - 2)
        return None

    def _skip_oversized(self) -> bool:
        """Drop bytes up to the end of the oversized packet; True once past it."""
        end = self._skipping
        assert end is not None
        m = end.search(self._buf, self._scan)
        if m is None:
            # Keep the bytes where the end may be starting ("\n\r", or part of a marker).
            keep = max(self._pos, len(self._buf) - (2 if end is _END else len(_LEGACY_MARK)))
            self._consume(keep)
            return False
        # A legacy packet's clear successor starts after the blank line (group 1).
        self._consume(m.end(1) if m.lastindex else m.end())
        self._skipping = None
        return True

    def _at_eof(self, pos: int, why: str = _CLOSED) -> Frame | None:
        if not self._eof or pos >= len(self._buf):
            return None
        raw = bytes(self._buf[pos:])
        self._consume(len(self._buf))
        return Frame.malformed(raw, why)


def _plain_start(body: bytes) -> bool:
    """A packet the bulk path may take by its first bytes: not a line end (blank lines between
    packets are the general path's to skip), not a legacy `Response: Follows` (R or r)."""
    first = body[0]
    return first not in (10, 13) and not (first in (82, 114) and body[:17].lower() == _FOLLOWS)


def _too_big(limit: int) -> str:
    # Said when the cap is passed, before the end arrives: the real size is not known yet, and
    # a frame must not depend on how the bytes were split into reads.
    kept = min(_PREVIEW, limit)
    return f"packet larger than {limit} bytes; skipped up to its end, only its first {kept} kept"
