"""One line at the bottom: connection, rates, counts, modes. Updated twice a second."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from textual.widgets import Static

from amitui.client import Phase, SessionState

_PHASE_CLASS = {
    Phase.READY: "ok",
    Phase.RECONNECTING: "warn",
    Phase.CONNECTING: "warn",
    Phase.AUTHENTICATING: "warn",
    Phase.FAILED: "bad",
    Phase.CLOSED: "bad",
}


@dataclass
class StatusFacts:
    state: SessionState
    rate: float = 0.0
    total: int = 0
    evicted: int = 0
    dropped: int = 0
    shown: int = 0
    following: bool = True
    waiting: int = 0
    read_only: bool = False
    demo: bool = False
    ping_ms: float | None = None
    extra: list[str] = field(default_factory=list)


def status_text(f: StatusFacts, now: float) -> str:
    s = f.state
    parts = [f"● {s.describe(now)}"]  # who and where are in the title bar
    if s.ami_version:
        parts.append(f"AMI {s.ami_version}")
    if f.ping_ms is not None:
        parts.append(f"ping {f.ping_ms:.0f} ms")
    parts.append(f"{f.rate:,.1f} ev/s")
    parts.append(f"{f.total:,} events")
    if f.evicted or f.dropped:
        parts.append(f"dropped {f.dropped:,} · evicted {f.evicted:,}")
    parts.append("following" if f.following else f"PAUSED +{f.waiting:,}")
    if f.read_only:
        parts.append("READ-ONLY")
    if f.demo:
        parts.append("DEMO PBX")
    parts.extend(f.extra)
    return "  │  ".join(parts)


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $foreground; padding: 0 1; }
    StatusBar.ok { color: $success; }
    StatusBar.warn { color: $warning; }
    StatusBar.bad { color: $error; }
    """

    def show(self, facts: StatusFacts) -> None:
        self.set_classes(_PHASE_CLASS.get(facts.state.phase, ""))
        self.update(status_text(facts, time.monotonic()))
