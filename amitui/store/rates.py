"""Events per second of each type over the last minute, for the types screen's sparklines.

The ring already counts every event by name (`EventRing.counts`); sampling those totals once
a second and taking differences gives each type's rate without touching the reader's path.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Mapping
from itertools import pairwise

WINDOW = 60  # seconds kept
BARS = "▁▂▃▄▅▆▇█"


class RateHistory:
    def __init__(self, window: int = WINDOW) -> None:
        self.window = window
        self._samples: deque[tuple[int, Counter[str]]] = deque(maxlen=window + 1)

    def sample(self, when: float, counts: Mapping[str, int]) -> None:
        """Note the totals at `when` (wall or monotonic seconds); once a second is enough,
        more often only replaces the current second's sample."""
        second = int(when)
        snap = Counter(counts)
        if self._samples and self._samples[-1][0] == second:
            self._samples[-1] = (second, snap)
        else:
            self._samples.append((second, snap))

    def series(self, name: str) -> list[int]:
        """Events of `name` in each second sampled, oldest first (a missed second: 0)."""
        out: list[int] = []
        samples = list(self._samples)
        for (s0, c0), (s1, c1) in pairwise(samples):
            gap = max(s1 - s0, 1)
            per = max(c1[name] - c0[name], 0) / gap  # counts never go down; a clear() might
            out.extend([round(per)] * gap)
        return out[-self.window :]

    def rate(self, name: str) -> float:
        """The last second's rate of `name`."""
        series = self.series(name)
        return float(series[-1]) if series else 0.0


def sparkline(values: list[int], width: int = 20) -> str:
    """A one-line text sparkline of the last `width` values, scaled to their maximum."""
    values = values[-width:]
    if not values:
        return ""
    top = max(values)
    if top <= 0:
        return BARS[0] * len(values)
    return "".join(BARS[min(len(BARS) - 1, v * (len(BARS) - 1) // top)] if v else " "
                   for v in values)  # fmt: skip
