"""Each stored event's headers split once per console tick, for every reader of that tick.

The ring keeps events unparsed (a parsed event costs several times its bytes), so each reader
used to split an event again: call tracing and the catalog, then the live tables. Splitting
is most of what they cost under a flood (bench/console.py). The first reader to split an event
leaves the headers here by sequence number; the next takes them. The memo is emptied at every
tick, so it never holds more than one tick's events.
"""

from __future__ import annotations

from amitui.protocol.frames import Frame, Header

Headers = tuple[Header, ...]


class ParsedOnce:
    def __init__(self, limit: int = 5_000) -> None:
        self.limit = limit  # a bound, should a tick ever see more than the analysis budget
        self._memo: dict[int, tuple[Frame, Headers]] = {}
        self.hits = 0  # splits saved (tests and benchmarks read these two)
        self.splits = 0

    def headers(self, seq: int, frame: Frame) -> Headers:
        """`frame.peek_headers()`, split at most once per tick. The frame itself is checked, not
        only its number: after the ring is cleared (a replay seeking back) numbers repeat."""
        found = self._memo.get(seq)
        if found is not None and found[0] is frame:
            self.hits += 1
            return found[1]
        headers = frame.peek_headers()
        self.splits += 1
        if len(self._memo) < self.limit:
            self._memo[seq] = (frame, headers)
        return headers

    def split(self, seq: int, frame: Frame) -> Headers:
        """`headers()` for the tick's first reader (call tracing), which reads each event
        once and first: nothing to look up, only to split and remember."""
        headers = frame.peek_headers()
        self.splits += 1
        if len(self._memo) < self.limit:
            self._memo[seq] = (frame, headers)
        return headers

    def clear(self) -> None:
        self._memo.clear()

    def __len__(self) -> int:
        return len(self._memo)
