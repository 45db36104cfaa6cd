"""bench/bigevents.py stays runnable: a small flood of 1 MiB events through the console's ingest
path, bounded, every event accounted for. (The real run and its figures: bench/README.md.)"""

from __future__ import annotations

import re

from tests.test_bench import run


def test_bigevents_runs_and_stays_bounded() -> None:
    out = run("bigevents.py", "--events", "20", "--pad", str(1024 * 1024))
    assert re.search(r"21 received \(events \+ marker\), 21 stored \(20 cut to", out), out
    assert re.search(r"RSS: [\d,]+ MB before; peak [\d,]+ MB \(VmHWM\)", out), out
    assert "bounded: yes" in out
