"""How the console writes a time in milliseconds, the same in every pane."""

from __future__ import annotations


def ms(value: float) -> str:
    """`0.4 ms` under 10 ms (an answer over loopback would otherwise read `0 ms`), `12 ms`
    from there on."""
    return f"{value:.1f} ms" if value < 10 else f"{value:.0f} ms"
