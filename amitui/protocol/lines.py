"""A packet's bytes to header pairs: decoding and splitting lines, nothing else.

The bottom of the protocol package (of it, only speedups.py, which imports nothing), so that
`Frame` can parse an event stored unparsed on first use and the packet builder (packet.py) can
use the same rules, with no import going round in a loop. Rules pinned by
tests/protocol/test_parser.py:

* Decoded once per packet, as UTF-8 with invalid bytes replaced and counted.
* Split at the first colon only; exactly one space after it is dropped. A line with no colon,
  or no name before it (`: value`), is a loose line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from amitui.protocol.speedups import speedup

Header = tuple[str, str]


def decode(raw: bytes) -> tuple[str, int]:
    try:
        return raw.decode("utf-8"), 0
    except UnicodeDecodeError:
        text = raw.decode("utf-8", "replace")
        # Count only the replacements made here, not U+FFFD the server already sent.
        return text, text.count("\ufffd") - raw.count(b"\xef\xbf\xbd")


def split_lines_py(text: str) -> tuple[tuple[Header, ...], tuple[str, ...]]:
    # Asterisk ends every line with CRLF: split on that directly unless a bare LF is present.
    if text.count("\n") == text.count("\r\n"):
        lines = text.split("\r\n")
    else:
        lines = text.replace("\r\n", "\n").split("\n")
    headers: list[Header] = []
    loose: list[str] = []
    append = headers.append
    for line in lines:
        # The common shape first: "Key: value" with no colon in the key, split once.
        key, sep, value = line.partition(": ")
        if sep and ":" not in key and key:
            append((key, value))
            continue
        key, sep, value = line.partition(":")
        if not sep or not key:
            if line:
                loose.append(line)  # no colon, or no name before it (": value")
            continue
        # Exactly one space goes; more is content (indented CLI output).
        append((key, value[1:] if value[:1] == " " else value))
    return tuple(headers), tuple(loose)


_LOWER: dict[str, str] = {}  # header name -> its lowercase, one copy of each
LOWER_MAX = 4_096  # a peer inventing names fills this much, then names are lowered each time


def lowered_py(headers: Iterable[Header]) -> dict[str, str]:
    """Headers by lowercase name, the first value of each (how the live tables read events).

    Lowercase names come from a table: lowering each name of each event was a fifth of this
    under a flood, and one copy of a name carries its hash for the lookups that follow."""
    out: dict[str, str] = {}
    lower = _LOWER
    for key, value in headers:
        low = lower.get(key)
        if low is None:
            low = key.lower()
            if len(lower) < LOWER_MAX:
                lower[key] = low
        if low not in out:
            out[low] = value
    return out


def _load_c() -> Callable[[str], tuple[tuple[Header, ...], tuple[str, ...]]]:
    """The C version of `split_lines` (amitui/protocol/_lines.c); the two give the same
    answers (tests/protocol/test_lines_speedup.py)."""
    from amitui.protocol._lines import split_lines as fast

    return fast


def _load_c_lowered() -> Callable[[Iterable[Header]], dict[str, str]]:
    from amitui.protocol._lines import lowered as fast

    return fast


split_lines = speedup(_load_c) or split_lines_py
lowered = speedup(_load_c_lowered) or lowered_py
SPEEDUP = split_lines is not split_lines_py  # the benchmarks print which one ran


def parse_lines(raw: bytes) -> tuple[tuple[Header, ...], tuple[str, ...], int]:
    """Headers, loose lines and replacement count of a plain (non-legacy) packet."""
    text, replaced = decode(raw)
    headers, loose = split_lines(text)
    return headers, loose, replaced
