"""One line at the bottom: connection, rates, counts, modes. Updated twice a second."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from rich.cells import cell_len
from textual.widgets import Static

from amitui.client import Phase, SessionState
from amitui.ui import safe

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
    evicted_by_size: int = 0  # of `evicted`, those the ring's byte bound pushed out
    dropped: int = 0
    shown: int = 0
    following: bool = True
    waiting: int = 0
    read_only: bool = False
    demo: bool = False
    ping_ms: float | None = None
    extra: list[str] = field(default_factory=list)
    # Several servers: each one's state, ping and rate in one part, widest form first; the
    # narrower forms are used when even the spared line is too wide (ui/fleet.py).
    servers: tuple[str, ...] = ()


# Given up, in this order, when the line is wider than the bar: figures a glance can do
# without, so that losses (evictions) and modes (paused, read-only, recording) stay in sight.
_SPARE = ("version", "ping", "rate", "total")


def status_text(f: StatusFacts, now: float, width: int | None = None) -> str:
    """The bar's line; with `width`, parts in `_SPARE` go (and the separators narrow) until it
    fits, so an 80-column terminal still shows the evictions and the mode."""
    s = f.state
    parts = [("state", f"● {s.describe(now)}")]  # who and where are in the title bar
    if f.servers:
        parts = [("servers", f.servers[0])]
    if s.proxy:
        # The proxy's banner is not Asterisk's: its version is never shown as the AMI's.
        ami = f"AMI {s.ami_version}" if s.ami_version else "AMI version unknown"
        parts.append(("version", f"{ami} via {s.proxy}"))
    elif s.ami_version:
        parts.append(("version", f"AMI {s.ami_version}"))
    if f.ping_ms is not None:
        parts.append(("ping", f"ping {f.ping_ms:.0f} ms"))
    parts.append(("rate", f"{f.rate:,.1f} ev/s"))
    parts.append(("total", f"{f.total:,} events"))
    if f.evicted or f.dropped:
        gone = f"evicted {f.evicted:,}"
        if f.evicted_by_size:
            gone += f" ({f.evicted_by_size:,} by size)"
        parts.append(("lost", f"dropped {f.dropped:,} · {gone}" if f.dropped else gone))
    parts.append(("mode", "following" if f.following else f"PAUSED +{f.waiting:,}"))
    if f.read_only:
        parts.append(("mode", "READ-ONLY"))
    if f.demo:
        parts.append(("mode", "DEMO PBX"))
    parts.extend(("extra", x) for x in f.extra)
    line = "  │  ".join(text for _, text in parts)
    if width is None or cell_len(line) <= width:
        return line
    for spare in (None, *_SPARE):
        parts = [p for p in parts if p[0] != spare]
        line = " │ ".join(text for _, text in parts)
        if cell_len(line) <= width:
            break
    for form in f.servers[1:]:
        if cell_len(line) <= width:
            break
        parts = [(k, form if k == "servers" else text) for k, text in parts]
        line = " │ ".join(text for _, text in parts)
    return line


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $foreground; padding: 0 1; }
    StatusBar.ok { color: $success; }
    StatusBar.warn { color: $warning; }
    StatusBar.bad { color: $error; }
    """

    def show(self, facts: StatusFacts) -> None:
        state = facts.state
        # Ready, but the Asterisk behind the proxy is down: not a healthy green.
        self.set_classes("warn" if state.upstream else _PHASE_CLASS.get(state.phase, ""))
        # Content, not a markup str: the state's reason and a replay's facts are outside text.
        width = self.content_size.width or None  # 0 before the first layout: not known yet
        # Never a layout: the bar is one row across the screen whatever it says, and it changes
        # at every tick (20 a second), where each layout of the whole screen cost ~16 ms.
        self.update(safe.content(status_text(facts, time.monotonic(), width)), layout=False)
