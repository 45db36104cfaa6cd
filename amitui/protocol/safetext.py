"""The one display-safety rule for text from outside (server, recordings, captures, history).

A caller chooses what ends up in AMI values (CallerIDName, SIP headers copied into variables,
UserEvent bodies), so any such text may carry terminal escapes: OSC 52 writes the clipboard,
OSC 0 the window title, CSI sequences wreck the screen, C1 controls are ESC in one byte on
some terminals, and bidi overrides make text read differently from what it is. Before outside
text reaches a terminal, a title, a notification, a table cell or a file meant for people,
it goes through `shown()`: every such character becomes a visible escape (`\\x1b`, `\\u202e`)
and is never emitted. TAB is kept. Markup is a separate matter: the UI never parses outside
text as markup (it builds `Text` objects, never markup strings).

For machines, `json_line()` keeps values exact but writes the same characters as JSON `\\u`
escapes, so `--json` output is lossless and still safe on a terminal.

Tests: tests/protocol/test_safetext.py.
"""

from __future__ import annotations

import json
import re
from typing import Any

# C0 controls except TAB (and LF, CR: handled by the caller's choice of `multiline`), DEL,
# C1 controls, the bidi embeddings/overrides/isolates and marks, and the Unicode line and
# paragraph separators (a line break to many terminals and viewers).
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[\x00-\x08\x0a-\x1f\x7f-\x9f{_BIDI}\u2028\u2029]")
_UNSAFE_KEEP_LF = re.compile(f"\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}\u2028\u2029]")
_CRLF = re.compile("\r\n")
# In JSON text: json.dumps already escapes C0; these are what it would write raw.
_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{_BIDI}\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: str, *, multiline: bool = False) -> str:
    """`text` with every control, C1 and bidi character written as a visible escape.

    With `multiline`, LF line ends are kept (and CRLF becomes LF); a lone CR is escaped.
    Text with nothing to escape is returned as it is, so the common case costs one search.
    """
    if multiline:
        if _UNSAFE_KEEP_LF.search(text) is None:
            return _CRLF.sub("\n", text) if "\r" in text else text
        return _UNSAFE_KEEP_LF.sub(_escape, _CRLF.sub("\n", text))
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(_escape, text)


def is_safe(text: str) -> bool:
    """True when `shown(text)` would change nothing."""
    return _UNSAFE.search(text) is None


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match[0]):04x}"


def json_line(obj: Any) -> str:
    """`obj` as one line of JSON: exact values, with no character a terminal would act on.

    Non-ASCII text stays readable (é, 中); only DEL, C1, bidi and line separators are written
    as `\\u` escapes, which JSON readers turn back into the same characters.
    """
    text = json.dumps(obj, ensure_ascii=False)
    if _JSON_UNSAFE.search(text) is None:
        return text
    return _JSON_UNSAFE.sub(_json_escape, text)
