"""The display-safety rule: no character from outside acts on a terminal."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from amitui.protocol.safetext import is_safe, json_line, shown

ATTACKS = [
    "\x1b]52;c;aGVsbG8=\x07",  # OSC 52: write the clipboard
    "\x1b]0;owned\x07",  # OSC 0: window title
    "\x1b[2J",
    "\x1b[?1049l",
    "\x9b2J",  # C1 CSI
    "\x9d0;t\x9c",  # C1 OSC ... ST
    "abc\u202edcba",  # bidi override
    "\x7f",
]


def test_every_attack_is_shown_visibly() -> None:
    for attack in ATTACKS:
        out = shown(attack)
        assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in out), repr(out)
        assert "\u202e" not in out
    assert shown("\x1b[2J") == "\\x1b[2J"
    assert shown("a\u202eb") == "a\\u202eb"
    assert shown("\x9b") == "\\x9b"


def test_plain_text_and_tab_pass_unchanged() -> None:
    text = "PJSIP/100-0000001\té 中 ☎"
    assert shown(text) is text
    assert is_safe(text)


def test_multiline_keeps_line_ends_only() -> None:
    assert shown("a\r\nb\nc", multiline=True) == "a\nb\nc"
    assert shown("a\rb\x1b\n", multiline=True) == "a\\x0db\\x1b\n"
    assert shown("a\nb") == "a\\x0ab"


def test_json_line_is_exact_and_safe() -> None:
    value = "x\x1b]52;c;Zm9v\x07\x85\u202e\x7fé"
    line = json_line({"CallerIDName": value})
    assert json.loads(line) == {"CallerIDName": value}
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in line)
    assert "\u202e" not in line
    assert "é" in line


@given(st.text())
def test_shown_never_leaves_a_control(text: str) -> None:
    out = shown(text)
    assert is_safe(out)
    assert "\t" not in out or "\t" in text


@given(st.dictionaries(st.text(), st.text()))
def test_json_line_round_trips(obj: dict[str, str]) -> None:
    line = json_line(obj)
    assert json.loads(line) == obj
    assert is_safe(line)
