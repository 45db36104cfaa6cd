"""A stored copy of an oversized frame, cut down to a size the ring can keep.

A packet may be as large as the parser's `max_frame` (8 MiB), and the ring keeps tens of
thousands of them: a few hundred events with a 4 MB header are gigabytes. So a frame whose raw
bytes exceed `EVENT_RAW_CAP` is stored as a copy whose raw bytes fit it, and the stored entry
keeps the real size (`StoredEvent.real_size`). The frame the session delivered is never
touched: recordings, subscribers and scripts see it whole; only the ring's copy is cut.

How a frame is cut, so that what is kept still says what the event was:

* Every line is kept, and only the longest lines are shortened, to one common length chosen
  so that the total fits (short lines first take what they need; long ones share the rest).
  A 4 MB variable loses its tail; Event, Channel, Uniqueid, Linkedid and every other short
  header stay whole, so call tracing and filters still work on the stored copy.
* When there are so many lines that even that cannot fit (a huge Command output, thousands
  of ChanVariable lines), lines are cut to `_MIN_LINE` bytes and kept in wire order until
  the cap is reached; after that only the first line, the last line (a legacy output's end
  marker) and the first of each identifying header (`_IDENTIFYING`) are kept.
* A line is cut before a UTF-8 continuation byte and keeps its line end, so the copy decodes
  and parses like the original.
"""

from __future__ import annotations

from amitui.protocol.frames import Frame, FrameKind
from amitui.protocol.parser import build_frame, build_legacy_frame, parse_lines

EVENT_RAW_CAP = 64 * 1024  # raw bytes the ring keeps of one frame; larger ones are cut

_MIN_LINE = 256  # a line is never cut shorter than this, so a kept line still says something
_MIN_CAP = 16 * _MIN_LINE  # room for the lines that are always kept
_IDENTIFYING = frozenset(
    {
        b"event", b"response", b"actionid", b"channel", b"uniqueid", b"linkedid",
        b"destchannel", b"destuniqueid", b"destlinkedid", b"bridgeuniqueid",
    }
)  # fmt: skip
_FOLLOWS = b"response: follows"


def check_cap(cap: int) -> int:
    """`cap` if it leaves room for the lines always kept, else ValueError."""
    if cap < _MIN_CAP:
        raise ValueError(f"the per-event cap must be at least {_MIN_CAP} bytes")
    return cap


def trim_frame(frame: Frame, cap: int = EVENT_RAW_CAP) -> Frame:
    """`frame` itself when its raw bytes fit `cap`, else a cut copy of the same kind."""
    raw = frame.raw
    if len(raw) <= cap:
        return frame
    return _rebuild(frame, trim_raw(raw, cap))


def trim_raw(raw: bytes, cap: int) -> bytes:
    """At most `cap` bytes of `raw`, cut as the module docstring says."""
    pieces = raw.split(b"\n")
    lines = [piece + b"\n" for piece in pieces[:-1]]
    if pieces[-1]:
        lines.append(pieces[-1])  # a last line with no line end (a packet cut short)
    limit = _line_limit([len(line) for line in lines], cap)
    if limit >= _MIN_LINE:
        return b"".join([_cut_line(line, limit) for line in lines])
    lines = [_cut_line(line, _MIN_LINE) for line in lines]
    keep = _always_kept(lines)
    room = cap - sum(len(lines[i]) for i in keep)
    kept: list[bytes] = []
    full = False
    for i, line in enumerate(lines):
        if i in keep:
            kept.append(line)
        elif not full and len(line) <= room:
            kept.append(line)
            room -= len(line)
        else:
            full = True
    return b"".join(kept)


def _line_limit(lengths: list[int], cap: int) -> int:
    """The largest length L with sum(min(n, L) for n in lengths) <= cap."""
    rest = cap
    count = len(lengths)
    for i, length in enumerate(sorted(lengths)):
        share = rest // (count - i)
        if length > share:
            return share
        rest -= length
    return max(lengths, default=cap)


def _always_kept(lines: list[bytes]) -> set[int]:
    keep = {0, len(lines) - 1}
    seen: set[bytes] = set()
    for i, line in enumerate(lines):
        key = line.partition(b":")[0].strip().lower()
        if key in _IDENTIFYING and key not in seen:
            seen.add(key)
            keep.add(i)
    return keep


def _cut_line(line: bytes, limit: int) -> bytes:
    if len(line) <= limit:
        return line
    end = b"\r\n" if line.endswith(b"\r\n") else b"\n" if line.endswith(b"\n") else b""
    keep = max(0, limit - len(end))
    # Step back over continuation bytes (10xxxxxx) so no character is split in two.
    back = 0
    while keep > 0 and back < 3 and line[keep] & 0xC0 == 0x80:
        keep -= 1
        back += 1
    return line[:keep] + end


def _rebuild(frame: Frame, raw: bytes) -> Frame:
    """A frame of the same kind from the cut bytes, built the way the parser builds one."""
    if frame.kind is FrameKind.EVENT and raw.startswith(b"Event: "):
        return Frame.event_unparsed(raw)  # stored unparsed, like the parser's own events
    if frame.kind is FrameKind.MALFORMED:
        loose = parse_lines(raw)[1] if frame.loose else ()
        return Frame.malformed(raw, frame.error or "", loose=loose)
    first = raw.split(b"\n", 1)[0].rstrip(b"\r").lower()
    if frame.kind is FrameKind.RESPONSE and first == _FOLLOWS:
        return build_legacy_frame(raw)
    return build_frame(raw)
