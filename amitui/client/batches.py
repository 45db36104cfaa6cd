"""Which frames of one read need the session's look one by one.

Nearly every frame in a flood is a plain event: its bytes hold no ActionID, so the correlator
would route it as a plain event (amitui/protocol/correlator.py), and its name is none the
session watches. Such a frame only joins the batch. Telling the few others apart frame by
frame cost more than everything else the session does per event, so it is done once per read:
the names of all frames at once (`Frame.name`, cached on each frame for the ring's counts
later), and one search over the read's bytes for an ActionID header, mapped back to the
frames it falls in. What a frame is found to be never depends on the other frames of its read.

Tests: tests/client/test_batches.py.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate, repeat
from operator import add, attrgetter

from amitui.protocol.correlator import ACTION_ID_LOWER
from amitui.protocol.frames import Frame, FrameKind

_RAW = attrgetter("raw")
_KIND = attrgetter("kind")
_NAME = attrgetter("name")
# An ActionID header's line, its name in any case (header names are case-insensitive).
_ACTION_ID_LINE = re.compile(b"\n(?i:" + re.escape(ACTION_ID_LOWER) + b")")


def notable(frames: Sequence[Frame], watched: frozenset[str]) -> list[int]:
    """Ascending indices of the frames that are not plain events: every frame that is not an
    event or has no raw bytes (made by hand: the correlator judges it by its headers), every
    event named in `watched`, and every event whose bytes may hold an ActionID."""
    raws: list[bytes] = list(map(_RAW, frames))
    picked: set[int] = set()
    if list(map(_KIND, frames)).count(FrameKind.EVENT) == len(frames) and all(raws):
        names: list[str] = list(map(_NAME, frames))
    else:
        event = FrameKind.EVENT
        picked.update(i for i, f in enumerate(frames) if f.kind is not event or not f.raw)
        names = [f.name if f.kind is event else "" for f in frames]
    for name in watched.intersection(names):
        i = -1
        for _ in range(names.count(name)):
            i = names.index(name, i + 1)
            picked.add(i)
    # A header's name starts a line: after an LF, or at the start of a frame's bytes, which
    # the join puts after one too. No hit spans two frames: the name holds no LF.
    text = b"\n".join([b"", *raws])
    hits = [m.start() + 1 for m in _ACTION_ID_LINE.finditer(text)]
    if hits:
        # Where each frame starts in `text`: after its LF.
        starts = list(accumulate(map(add, map(len, raws), repeat(1)), initial=1))
        picked.update(bisect_right(starts, hit) - 1 for hit in hits)
    return sorted(picked)
