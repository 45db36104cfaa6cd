"""The optional C scan (amitui/store/_callscan.c) gives exactly the pure-Python scan's answers
(amitui/store/callheaders.py scan_py): on recorded Asterisk events, on hostile ones, and on
generated headers full of what the rules turn on (ids in every role, `<null>`, Local channel
halves, empty values, names classified on first sight), in every string width. Without a C
compiler they skip (tests/speedup_support.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amitui.protocol import Parser
from amitui.store import callheaders
from amitui.store.callheaders import scan_py
from tests.hostile import POISON, events
from tests.speedup_support import built

scan_c = built("amitui.store._callscan").scan

RECORDED = Path(__file__).parents[2] / "bench" / "data" / "asterisk22-events.bin"
Headers = tuple[tuple[str, str], ...]


def same(headers: Headers) -> None:
    """Both scans, each with its own table of kinds filled as it goes (as KINDS is)."""
    answers = []
    for scan in (scan_c, scan_py):
        kinds: dict[str, tuple[int, str]] = {}

        def classify(key: str, kinds: dict[str, tuple[int, str]] = kinds) -> tuple[int, str]:
            kinds[key] = kind = callheaders._classify(key)
            return kind

        first = scan(headers, kinds, classify)
        again = scan(headers, kinds, classify)  # now every name is in the table
        assert first == again
        answers.append(first)
    assert answers[0] == answers[1]


def test_recorded_asterisk_events() -> None:
    parser = Parser(expect_banner=False)
    parser.feed(RECORDED.read_bytes())
    frames = list(parser.frames())
    assert len(frames) > 100
    for frame in frames:
        same(frame.peek_headers())
    assert any(scan_c(f.peek_headers(), {}, callheaders._classify)[4] for f in frames)  # Locals


def test_hostile_events() -> None:
    parser = Parser(expect_banner=False)
    for packet in events():
        parser.feed(packet)
    for frame in parser.frames():
        same(frame.peek_headers())
    same((("Channel", f"Local/{POISON};1"), ("Uniqueid", POISON), ("Linkedid", "<" + POISON)))


NAMES = ["Uniqueid", "DestUniqueid", "LocalOneUniqueid", "Uniqueid1", "UniqueID", "Linkedid",
         "DestLinkedid", "Channel", "DestChannel", "LocalTwoChannel", "Channel2",
         "BridgeUniqueid", "TransfererBridgeUniqueid", "Exten", "Cause", "Cause-txt",
         "CallerIDNum", "ChannelStateDesc", "Uptime", "Context", "Privilege"]  # fmt: skip
VALUES = ["", "<null>", "<unknown>", "1.2", "Local/;1", "Local/100@default-0001;1",
          "Local/100@x;2", "Local/100@x;3", "Local/x", "Local;1", "PJSIP/1000-0001",
          "é;1", "Local/\U0001f600;2", "\U0001f600", "<", "Local/abc;",
          "none", "None", "nonex", "non"]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.sampled_from(NAMES), st.text(max_size=12)),
            st.one_of(st.sampled_from(VALUES), st.text(max_size=12)),
        ),
        max_size=24,
    )
)
def test_generated_headers(headers: list[tuple[str, str]]) -> None:
    same(tuple(headers))


@pytest.mark.parametrize(
    ("headers", "kinds"),
    [
        ([("Channel", "x")], {}),  # a list, not a tuple
        ((("Channel",),), {}),  # not a pair
        ((("Channel", b"x"),), {}),  # not str
        ((("Channel", "x"),), {"Channel": (3,)}),  # a kind that is not (int, str)
        ((("Channel", "x"),), {"Channel": ("3", "")}),
    ],
)
def test_anything_else_is_refused(headers: object, kinds: dict[str, object]) -> None:
    with pytest.raises(TypeError):
        scan_c(headers, kinds, callheaders._classify)


def test_a_classifier_error_comes_through() -> None:
    def broken(key: str) -> tuple[int, str]:
        raise ValueError(key)

    with pytest.raises(ValueError, match="Odd"):
        scan_c((("Odd", "x"),), {}, broken)


def test_the_tracker_uses_the_c_scan_when_built() -> None:
    if os.environ.get("AMITUI_PURE_PYTHON"):
        assert callheaders.scan is scan_py
    else:
        assert callheaders.SPEEDUP
