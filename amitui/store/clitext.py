"""Reading Asterisk's CLI help text, the part action docs (`manager show command`) and event docs
(`manager show event`) print alike: section titles such as `[Syntax]` on their own line, maybe
ANSI-coloured (Asterisk 11), descriptions hard-wrapped near 80 columns, and an `[Arguments]`
section with a name at column 0 and its description indented below.

Used by actiondocs.py and eventclasses.py; tests/store/test_actiondocs.py and
tests/store/test_catalog.py pin these rules on recorded Asterisk 22 output.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
SECTION_TITLE = re.compile(r"^\[(?P<title>[A-Za-z][A-Za-z ]*)\]\s*$")
NOT_AVAILABLE = "Not available"  # what the docs print for an empty section
_WRAPPED = 60  # a doc line at least this long was probably wrapped by Asterisk


def unwrap(lines: Iterable[str]) -> str:
    """Asterisk hard-wraps docs near 80 columns; rejoin wrapped lines, keep real line breaks.

    A line continues the previous one only if it is not indented deeper and the previous line was
    long (it was wrapped); short lines are intentional breaks (value lists like `Down`, `Ring`).
    """
    out: list[str] = []
    prev_len, prev_indent = 0, -1
    for line in lines:
        if not line.strip():
            if out and out[-1]:
                out.append("")
            prev_len, prev_indent = 0, -1
            continue
        indent = len(line) - len(line.lstrip())
        if out and out[-1] and indent <= prev_indent and prev_len >= _WRAPPED:
            out[-1] = f"{out[-1]} {line.strip()}"
        else:
            out.append(line.strip())
        prev_len, prev_indent = len(line), indent
    text = "\n".join(out).strip()
    return "" if text == NOT_AVAILABLE else text


def argument_docs(lines: Sequence[str]) -> dict[str, str]:
    """`[Arguments]`: lowercased field name -> description."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines:
        if line and not line[0].isspace():
            current = found.setdefault(line.strip().lower(), [])
        elif current is not None:
            current.append(line)
    return {name: unwrap(body) for name, body in found.items()}
