"""`.amirec` recordings: one AMI connection as JSON lines, and reading them (or a raw capture).

Format, version 1
-----------------
The first line is a header, then one object per line::

    {"amirec": 1, "server": "host:port", "started": 1795833957.2, "ami_version": "11.0.0",
     "tool": "amitui 0.1.0"}
    {"t": 1795833957.31, "dir": "in", "server": "host:port", "raw": "Event: Newchannel\\r\\n..."}

* `dir` "in": one packet as the parser cut it (`Frame.raw`), decoded as UTF-8 with invalid bytes
  replaced. Line ends are kept, so replaying feeds the parser what the server sent. A packet
  the parser found MALFORMED also has `"malformed": "<why>"`: its bytes may be a cut-short
  packet or the preview of an oversized one, which parsed again would pass for a whole packet,
  so a reader rebuilds the MALFORMED frame from the reason instead (`packet_frames`).
* `dir` "out": an action as sent, already masked by the session (`Action.redacted_text()`).
* `dir` "note": not traffic: a gap (connection lost or restored) and, last, how many packets a
  size bound dropped. Readers pass unknown `dir` values through, so the format can grow.

Secrets: every line is masked again here, "in" lines included. A server never sends a `Secret`
or `Key`, but a UserEvent can carry any header name a dialplan writer chose, and a recording is
the file most likely to be attached to a ticket.

Crash safety: lines are written whole and flushed per call (per read batch in the recorder),
so a crash loses at most the line being written. The reader skips lines that do not parse,
counting them (`skipped`, `first_skipped`: a line number), so a file cut short by a crash still
replays up to its last whole line. Lines are read at most `max_line` bytes at a time: a longer
one is skipped and counted the same way, so a hostile file cannot make the reader hold it.

Bounds: `max_bytes` (file size) and `max_entries` (lines after the header). What does not fit
is dropped and counted, and `close()` writes the count as a final note. That note is the one
line allowed past `max_bytes`, so the file always says that it is incomplete.

`open_recording` also reads a raw capture (`nc host 5038 | tee FILE`): any file whose first
byte is not `{`. The parser cuts it into packets; times are synthesized (`spacing` apart).
Tests: tests/store/test_recording.py.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

from amitui import __version__
from amitui.protocol.frames import Frame, FrameKind, mask_secret_lines
from amitui.protocol.parser import DEFAULT_MAX_FRAME, Parser

FORMAT_VERSION = 1
TOOL = f"amitui {__version__}"
DIRECTIONS = ("in", "out", "note")
_CHUNK = 1 << 20  # raw captures are parsed a chunk at a time, never read whole
# The longest .amirec line read: a packet at the parser's cap, with room for JSON escapes.
MAX_LINE = 4 * DEFAULT_MAX_FRAME
_MAX_HEADER = 64 * 1024  # a header line is a few hundred bytes

# What can be recorded: bytes or text, or a parsed Frame (which keeps why it is MALFORMED).
Wire = bytes | str | Frame


# A credential line as the parser would split it (key up to the first colon), case-insensitive.
# Blanks around the key are tolerated: masking more than needed is the safe side. The line's
# own CR is kept so the masked packet still has the server's line ends.
def mask_secrets(text: str) -> str:
    """AMI text with the value of every Secret/Key line replaced by the mask."""
    return mask_secret_lines(text)


@dataclass(frozen=True, slots=True)
class RecordedPacket:
    """One line of a recording: when, which way, which server, and the (masked) bytes."""

    t: float  # epoch seconds; synthesized for raw captures
    direction: str  # "in", "out" or "note"
    server: str
    raw: bytes
    malformed: str | None = None  # why the parser refused this packet; None for a good one


@dataclass(frozen=True, slots=True)
class RecordingInfo:
    """What the header says (or, for a raw capture, what could be guessed)."""

    kind: str  # "amirec" or "raw"
    server: str
    started: float | None = None
    ami_version: str | None = None
    tool: str | None = None


class RecordingError(Exception):
    """The file cannot be read as a recording; the message says why."""


# -- writing ---------------------------------------------------------------------------------


class _Closing:
    """`with` closes: the writer flushes its final note, the reader its file."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class RecordingWriter(_Closing):
    """Appends packets to an `.amirec` file, bounded, masked, flushed per call."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        server: str,
        *,
        ami_version: str | None = None,
        max_bytes: int | None = None,
        max_entries: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if max_bytes is not None and max_bytes < 1:
            raise ValueError("max_bytes must be positive")
        if max_entries is not None and max_entries < 1:
            raise ValueError("max_entries must be positive")
        self.path = Path(path)
        self.server = server
        self.ami_version = ami_version
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self.clock = clock
        self.started = clock()
        self.packets = 0  # "in" and "out" lines written
        self.entries = 0  # every line after the header
        self.bytes = 0  # bytes in the file
        self.dropped = 0
        self.closed = False
        # 0600: a recording shows who called whom; it is nobody else's business.
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._file: IO[bytes] = os.fdopen(fd, "wb")
        self._header_written = False

    @property
    def full(self) -> bool:
        """A bound was reached: something was dropped, so the recording has a hole."""
        return self.dropped > 0

    def write(self, direction: str, data: Wire, t: float | None = None) -> bool:
        """Record one packet; False when it was dropped by a bound."""
        return self.write_batch([(direction, data)], t) == 1

    def note(self, text: str, t: float | None = None) -> bool:
        """Record a fact that is not traffic (a gap in the connection)."""
        return self.write("note", text, t)

    def write_batch(self, items: Iterable[tuple[str, Wire]], t: float | None = None) -> int:
        """Record packets that arrived together, with one flush; returns how many fit. A
        MALFORMED Frame is written with its reason, so that replay shows it as such."""
        if self.closed:
            raise ValueError("the recording is closed")
        when = self.clock() if t is None else t
        out: list[bytes] = []
        size = self.bytes
        written = 0
        for direction, data in items:
            if direction not in DIRECTIONS:
                raise ValueError(f"direction must be one of {DIRECTIONS}, not {direction!r}")
            entry: dict[str, Any] = {"t": when, "dir": direction, "server": self.server}
            if isinstance(data, Frame):
                if data.kind is FrameKind.MALFORMED:
                    entry["malformed"] = data.error or "malformed"
                data = data.raw
            text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
            if not self._header_written and not out:
                header = self._header(direction, text)
                out.append(header)
                size += len(header)
            entry["raw"] = text
            line = _line(entry)
            if not self._fits(size, len(line), written):
                self.dropped += 1
                continue
            out.append(line)
            size += len(line)
            written += 1
            if direction != "note":
                self.packets += 1
        if out:
            self._emit(out)
            self._header_written = True
        self.entries += written
        return written

    def close(self) -> None:
        """Write the header if nothing else was, and the count of dropped packets; close."""
        if self.closed:
            return
        out: list[bytes] = []
        if not self._header_written:
            out.append(self._header("note", ""))
        if self.dropped:
            bounds = (("max_bytes", self.max_bytes), ("max_entries", self.max_entries))
            limits = ", ".join(f"{name}={value}" for name, value in bounds if value is not None)
            text = f"dropped {self.dropped} packets: the recording reached its limit ({limits})"
            note = {"t": self.clock(), "dir": "note", "server": self.server, "raw": text}
            out.append(_line(note))
        try:
            if out:
                self._emit(out)
        finally:
            self.closed = True
            self._file.close()

    def _fits(self, size: int, extra: int, written: int) -> bool:
        if self.max_entries is not None and self.entries + written >= self.max_entries:
            return False
        return self.max_bytes is None or size + extra <= self.max_bytes

    def _header(self, first_direction: str, first_text: str) -> bytes:
        # Written with the first line, so a recorder that starts before the banner still
        # gets the AMI version from it.
        if self.ami_version is None and first_direction == "in":
            self.ami_version = _banner_version(first_text.encode())
        return _line(
            {
                "amirec": FORMAT_VERSION,
                "server": self.server,
                "started": self.started,
                "ami_version": self.ami_version,
                "tool": TOOL,
            }
        )

    def _emit(self, lines: list[bytes]) -> None:
        data = b"".join(lines)
        self._file.write(data)
        self._file.flush()
        self.bytes += len(data)


def _line(obj: dict[str, Any]) -> bytes:
    for key in ("raw", "malformed"):
        if key in obj:
            obj[key] = mask_secrets(obj[key])
    # json escapes CR and LF inside strings, so one object is always exactly one line.
    return json.dumps(obj, ensure_ascii=False).encode("utf-8", "replace") + b"\n"


def _banner_version(data: bytes) -> str | None:
    parser = Parser()
    parser.feed(data.split(b"\n", 1)[0] + b"\n")
    frame = parser.next_frame()
    return frame.version if frame is not None and frame.kind is FrameKind.BANNER else None


# -- reading ---------------------------------------------------------------------------------


class RecordingReader(_Closing, Iterator[RecordedPacket]):
    """The packets of a recording, in file order, read lazily. Closes the file at the end."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        spacing: float = 0.0,
        server: str = "",
        max_line: int = MAX_LINE,
    ):
        self.path = Path(path)
        self.max_line = max_line
        self.skipped = 0  # lines that did not parse (e.g. the last one, cut short by a crash)
        self.first_skipped: int | None = None  # the line number (from 1) of the first of them
        self._lineno = 0
        try:
            self._file: IO[bytes] = open(self.path, "rb")  # noqa: SIM115 (closed by close())
        except OSError as exc:
            raise RecordingError(f"cannot read {self.path}: {exc.strerror or exc}") from None
        try:
            head = self._file.peek(512)[:512] if hasattr(self._file, "peek") else b""
            if head.lstrip()[:1] == b"{":
                self.info = self._read_header()
                self._packets: Iterator[RecordedPacket] = self._amirec()
            else:
                self.info = RecordingInfo("raw", server, ami_version=_banner_version(head))
                self._packets = self._raw(spacing)
        except BaseException:
            self._file.close()
            raise

    def __next__(self) -> RecordedPacket:
        try:
            return next(self._packets)
        except StopIteration:
            self.close()
            raise

    def close(self) -> None:
        self._file.close()

    def _read_header(self) -> RecordingInfo:
        line = self._readline(_MAX_HEADER)
        try:
            header = json.loads(line) if line is not None else None
        except ValueError:
            header = None
        if not isinstance(header, dict) or "amirec" not in header:
            raise RecordingError(
                f"{self.path} starts with '{{' but its first line is not an .amirec header"
            )
        version = header["amirec"]
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise RecordingError(
                f"{self.path} is .amirec version {version!r}; this amitui reads version "
                f"{FORMAT_VERSION} (upgrade amitui)"
            )
        started = header.get("started")
        ami = header.get("ami_version")
        tool = header.get("tool")
        return RecordingInfo(
            "amirec",
            str(header.get("server") or ""),
            float(started) if isinstance(started, int | float) else None,
            str(ami) if ami is not None else None,
            str(tool) if tool is not None else None,
        )

    def skipped_text(self) -> str | None:
        """`3 unreadable lines skipped (first: line 7)`, or None when every line was read."""
        return skipped_text(self.skipped, self.first_skipped)

    def _readline(self, limit: int) -> bytes | None:
        """The next line (split on LF only, as written), or None for one longer than
        `limit`, which is read past in bounded pieces and never held; b"" at the end."""
        self._lineno += 1
        line = self._file.readline(limit + 1)
        if len(line) <= limit or line.endswith(b"\n"):
            return line
        while line and not line.endswith(b"\n"):
            line = self._file.readline(_CHUNK)
        return None

    def _skip(self) -> None:
        self.skipped += 1
        if self.first_skipped is None:
            self.first_skipped = self._lineno

    def _amirec(self) -> Iterator[RecordedPacket]:
        while (line := self._readline(self.max_line)) != b"":
            if line is None:
                self._skip()
                continue
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                raw, why = obj["raw"], obj.get("malformed")
                if not isinstance(raw, str) or not isinstance(why, str | None):
                    raise TypeError("raw and malformed are text")
                packet = RecordedPacket(
                    float(obj["t"]),
                    str(obj["dir"]),
                    str(obj.get("server") or self.info.server),
                    # Masked again: the file may not have been written by this code.
                    mask_secrets(raw).encode("utf-8", "replace"),
                    mask_secrets(why) if why is not None else None,
                )
            except (ValueError, TypeError, KeyError):
                self._skip()
                continue
            yield packet

    def _raw(self, spacing: float) -> Iterator[RecordedPacket]:
        parser = Parser()
        server = self.info.server
        n = 0
        while True:
            chunk = self._file.read(_CHUNK)
            if chunk:
                parser.feed(chunk)
            else:
                parser.feed_eof()
            for frame in parser.frames():
                why = frame.error if frame.kind is FrameKind.MALFORMED else None
                yield RecordedPacket(n * spacing, "in", server, frame.raw, why)
                n += 1
            if not chunk:
                return


def skipped_text(skipped: int, first: int | None) -> str | None:
    """What a reader says about the lines it could not read, for stderr and the status bar."""
    if not skipped:
        return None
    return f"{skipped} unreadable line{'s' if skipped > 1 else ''} skipped (first: line {first})"


def packet_frames(raw: bytes, malformed: str | None = None) -> list[Frame]:
    """The frames of one recorded "in" packet (normally exactly one), cut by the real parser.

    A packet is stored without the blank line that ended it; one is added back here. A banner
    is recognised by its shape, so a fresh parser per packet reads banners and packets alike.
    A packet recorded as MALFORMED (`RecordedPacket.malformed`) stays so, with its reason: its
    bytes are never parsed again, since with a blank line added they could pass for a whole
    packet (one cut short, or the preview of an oversized one)."""
    if malformed is not None:
        return [Frame.malformed(raw, malformed)]
    parser = Parser()
    parser.feed(raw if raw.endswith(b"\n") else raw + b"\r\n")
    parser.feed(b"\r\n")
    parser.feed_eof()
    return list(parser.frames())


def open_recording(
    path: str | os.PathLike[str],
    *,
    spacing: float = 0.0,
    server: str = "",
    max_line: int = MAX_LINE,
) -> RecordingReader:
    """Read an `.amirec` file or a raw capture. Raises RecordingError when it cannot be read.

    For a raw capture, packet `i` gets the time `i * spacing` (all 0.0 by default) and the
    given `server` name, since the bytes say neither.
    """
    return RecordingReader(path, spacing=spacing, server=server, max_line=max_line)
