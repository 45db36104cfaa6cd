"""What the parser produces: one immutable Frame per AMI packet.

A frame keeps its headers as an ordered tuple of (key, value) pairs, exactly as on the wire:
duplicates stay (Variable, ChanVariable, Output), spelling stays (Uniqueid vs UniqueID), and
lookups are case-insensitive because Asterisk's own are. The raw bytes are kept too, so the
inspector can always show what really arrived.
"""

from __future__ import annotations

import enum
import re
import sys
from collections.abc import Iterator

REDACTED = "********"
# Headers whose values are credentials. They never leave the process unmasked.
SECRET_KEYS = frozenset({"secret", "key"})


class FrameKind(enum.Enum):
    BANNER = "banner"
    RESPONSE = "response"
    EVENT = "event"
    UNKNOWN = "unknown"  # a packet with neither Response nor Event (third-party modules)
    MALFORMED = "malformed"  # bytes that could not be framed (over the size cap, cut short)


Header = tuple[str, str]


class Frame:
    """One packet from the server. Immutable by convention; cheap to create."""

    __slots__ = (
        "_headers", "_index", "_loose", "_name", "_replaced", "error", "kind", "output", "raw",
    )  # fmt: skip

    def __init__(
        self,
        kind: FrameKind,
        headers: tuple[Header, ...],
        raw: bytes,
        *,
        output: tuple[str, ...] | None = None,
        loose: tuple[str, ...] = (),
        replaced: int = 0,
        error: str | None = None,
    ) -> None:
        self.kind = kind
        self._headers: tuple[Header, ...] | None = headers
        self.raw = raw
        self.output = output  # Command output lines, legacy or modern format; None otherwise
        self._loose = loose  # lines that had no colon, kept in order
        self._replaced = replaced  # invalid UTF-8 sequences replaced by U+FFFD
        self.error = error  # why a MALFORMED frame is malformed
        self._index: dict[str, str] | None = None
        self._name: str | None = None

    @classmethod
    def event_unparsed(cls, raw: bytes) -> Frame:
        """An event whose raw bytes start with `Event: `; headers are parsed on first use."""
        frame = cls.__new__(cls)
        frame.kind = FrameKind.EVENT
        frame.raw = raw
        frame._headers = None
        frame.output = None
        frame._loose = ()
        frame._replaced = 0
        frame.error = None
        frame._index = None
        frame._name = None
        return frame

    def _parse(self) -> tuple[Header, ...]:
        from amitui.protocol.parser import parse_lines

        headers, loose, replaced = parse_lines(self.raw)
        self._headers = headers
        self._loose = loose
        self._replaced = replaced
        return headers

    @property
    def headers(self) -> tuple[Header, ...]:
        headers = self._headers
        return headers if headers is not None else self._parse()

    def peek_headers(self) -> tuple[Header, ...]:
        """The headers, without keeping them on a frame that was stored unparsed.

        For scans over many stored events (call tracing, the catalog, a filter): parsing each
        and keeping the result would multiply what every event in the ring costs in memory.
        """
        headers = self._headers
        if headers is not None:
            return headers
        from amitui.protocol.parser import parse_lines

        return parse_lines(self.raw)[0]

    @property
    def loose(self) -> tuple[str, ...]:
        if self._headers is None:
            self._parse()
        return self._loose

    @property
    def replaced(self) -> int:
        if self._headers is None:
            self._parse()
        return self._replaced

    def __repr__(self) -> str:
        return f"Frame({self.kind.value}, {self.name!r}, {len(self.headers)} headers)"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Frame):
            return NotImplemented
        return (
            self.kind is other.kind
            and self.headers == other.headers
            and self.raw == other.raw
            and self.output == other.output
            and self.loose == other.loose
            and self.replaced == other.replaced
            and self.error == other.error
        )

    def __hash__(self) -> int:
        return hash((self.kind, self.raw))

    def get(self, key: str, default: str | None = None) -> str | None:
        """The first value of `key`, compared case-insensitively."""
        index = self._index
        if index is None:
            index = {}
            for k, v in self.headers:
                index.setdefault(k.lower(), v)
            self._index = index
        return index.get(key.lower(), default)

    def get_all(self, key: str) -> list[str]:
        """Every value of `key`, in wire order."""
        low = key.lower()
        return [v for k, v in self.headers if k.lower() == low]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __iter__(self) -> Iterator[Header]:
        return iter(self.headers)

    @property
    def name(self) -> str:
        """The event name, the response status, or the banner text."""
        if self.kind is FrameKind.EVENT:
            name = self._name
            if name is None:
                if self._headers is None:
                    # Unparsed: the first line is `Event: NAME`, which is all this needs.
                    raw = self.raw
                    line = raw[7 : raw.index(b"\n")].rstrip(b"\r").decode("utf-8", "replace")
                    name = sys.intern(line)  # a few dozen names, kept once per stored event
                else:
                    name = self.get("Event") or ""
                self._name = name
            return name
        if self.kind is FrameKind.RESPONSE:
            return self.get("Response") or ""
        if self.kind is FrameKind.BANNER:
            return self.text
        return ""

    @property
    def action_id(self) -> str | None:
        return self.get("ActionID")

    @property
    def text(self) -> str:
        """The raw bytes as text (invalid UTF-8 replaced)."""
        return self.raw.decode("utf-8", "replace").rstrip("\r\n") if self.raw else ""

    @property
    def version(self) -> str | None:
        """For a banner: the AMI version (not the Asterisk version), e.g. '11.0.0'."""
        if self.kind is not FrameKind.BANNER:
            return None
        _, _, version = self.text.rpartition("/")
        return version.strip() or None

    def redacted_text(self) -> str:
        """The packet as AMI text, with credential values masked."""
        return render_headers(redact(self.headers), self.loose, self.output)


_SECRET_LINE = re.compile(r"^([ \t]*(?:secret|key)[ \t]*:)[^\r\n]*", re.IGNORECASE | re.MULTILINE)


def mask_secret_lines(text: str) -> str:
    """AMI text with the value of every Secret/Key line masked; line ends are kept."""
    return _SECRET_LINE.sub(lambda m: f"{m[1]} {REDACTED}", text)


def redact(headers: tuple[Header, ...] | list[Header]) -> tuple[Header, ...]:
    """The same headers with Secret and Key values replaced by a mask."""
    return tuple((k, REDACTED if k.lower() in SECRET_KEYS else v) for k, v in headers)


def render_headers(
    headers: tuple[Header, ...], loose: tuple[str, ...] = (), output: tuple[str, ...] | None = None
) -> str:
    """Headers back to AMI text (LF line ends, for display)."""
    lines = [f"{k}: {v}" for k, v in headers]
    lines.extend(loose)
    has_output_headers = any(k.lower() == "output" for k, _ in headers)
    if output is not None and not has_output_headers:
        lines.extend(output)  # legacy Follows body
        lines.append("--END COMMAND--")
    return "\n".join(lines)
