"""The optional C split (amitui/protocol/_lines.c) gives exactly the pure-Python split's answers:
on recorded Asterisk events, on hostile text, and on generated text full of the characters the
rules turn on (colon, space, CR, LF) in every string width. Without a C compiler they skip
(tests/speedup_support.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amitui.protocol import lines
from amitui.protocol.lines import decode, split_lines_py
from tests.hostile import HUGE, POISON, events
from tests.speedup_support import built

split_lines_c = built("amitui.protocol._lines").split_lines

RECORDED = Path(__file__).parents[2] / "bench" / "data" / "asterisk22-events.bin"


def same(text: str) -> None:
    assert split_lines_c(text) == split_lines_py(text)


def test_recorded_asterisk_events() -> None:
    packets = RECORDED.read_bytes().split(b"\r\n\r\n")
    assert len(packets) > 100
    for packet in packets:
        same(decode(packet + b"\r\n\r\n")[0])


def test_hostile_text() -> None:
    for packet in events():
        same(decode(packet)[0])
    same(f"Event: X\r\nName: {POISON}\r\nBig: {HUGE}\r\n")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\r\n",
        "\n\n\r\n",
        "Key: value",  # no line end at all
        "Key:value\r\n",  # no space: kept whole
        "Key:  two spaces\r\n",  # only one space goes
        ": no name\r\n",
        "no colon at all\r\n",
        "a:b: c\r\n",  # the first colon splits, even with ': ' later
        "Key: \r\n",
        "Key:\r\n",
        "Key: a\rb\r\n",  # a bare CR inside a value stays
        "Key: a\r\r\n",  # one CR goes with the LF, the other stays
        "Key: a\nOther: b\r\nThird: c\n",  # bare LF and CRLF mixed
        "Kéy: välue 🎉\r\nÜ: 中文\r\n",  # 2- and 4-byte string kinds
        "Key: v\x00al\x1b[2J\r\n",
    ],
)
def test_edge_cases(text: str) -> None:
    same(text)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab: \r\n\t\x00é🎉中")), max_size=80))
def test_generated_text(text: str) -> None:
    same(text)


def test_the_package_uses_the_speedup() -> None:
    if os.environ.get("AMITUI_PURE_PYTHON"):
        assert lines.split_lines is split_lines_py
    else:
        assert lines.split_lines is split_lines_c
        assert lines.SPEEDUP


def test_a_str_is_required() -> None:
    with pytest.raises(TypeError):
        split_lines_c(b"Key: value\r\n")


def test_header_names_are_shared_between_events_and_the_table_is_bounded() -> None:
    """The C split hands out one copy of each name (its hash is then computed once for all
    the dict lookups of the readers); a peer inventing names fills a bounded table only."""
    names_kept = built("amitui.protocol._lines").names_kept
    first = split_lines_c("Channel: PJSIP/1\r\nUniqueid: 1\r\n")[0]
    second = split_lines_c("Channel: PJSIP/2\r\nUniqueid: 2\r\n")[0]
    assert first[0][0] is second[0][0] and first[1][0] is second[1][0]
    # Found from the characters whatever the text's width: a caller's name in Chinese makes
    # the whole event's text four bytes a character.
    wide = split_lines_c("Channel: 中\r\nCallerIDName: 🎉\r\n")[0]
    assert wide[0][0] is first[0][0] and wide == (("Channel", "中"), ("CallerIDName", "🎉"))
    assert split_lines_c("Chännel: x\r\n")[0][0][0] is split_lines_c("Chännel: 🎉\r\n")[0][0][0]
    long_name = "N" * 65
    a = split_lines_c(f"{long_name}: 1\r\n")[0][0][0]
    assert a == long_name and a is not split_lines_c(f"{long_name}: 2\r\n")[0][0][0]
    invented = "".join(f"Made-Up-{i}: {i}\r\n" for i in range(5_000))
    assert split_lines_c(invented) == split_lines_py(invented)
    assert names_kept() == 4_096
    late = "Another-Name-Never-Seen: x\r\n"
    assert split_lines_c(late) == split_lines_py(late)  # past the bound: still right
    assert names_kept() == 4_096


lowered_c = built("amitui.protocol._lines").lowered


def test_lowered_gives_the_same_answers() -> None:
    """The live tables' view of an event (lowercase names, first value wins), C against Python,
    on recorded events, hostile text and names differing only in case."""
    packets = RECORDED.read_bytes().split(b"\r\n\r\n")
    texts = [decode(p + b"\r\n\r\n")[0] for p in packets]
    texts += [decode(p)[0] for p in events()]
    texts.append("Uniqueid: 1\r\nUniqueID: 2\r\nUNIQUEID: 3\r\nÄrger: ö\r\nİ: dotted\r\n")
    for text in texts:
        headers = split_lines_py(text)[0]
        assert lowered_c(headers) == lines.lowered_py(headers)
    assert lowered_c((("Uniqueid", "1"), ("UNIQUEID", "2"))) == {"uniqueid": "1"}


def test_lowered_keeps_a_bounded_table_and_refuses_what_is_not_a_header() -> None:
    kept = built("amitui.protocol._lines").lowered_kept
    invented = tuple((f"Lower-Made-Up-{i}", str(i)) for i in range(5_000))
    assert lowered_c(invented) == {f"lower-made-up-{i}": str(i) for i in range(5_000)}
    assert kept() == 4_096
    with pytest.raises(TypeError):
        lowered_c([("Key", "v"), ["Key", "v"]])
    with pytest.raises(TypeError):
        lowered_c(((1, "v"),))


@given(
    st.lists(
        st.tuples(
            st.text(alphabet="aAbB\u0130\u0131:é", min_size=1, max_size=4), st.text(max_size=3)
        ),
        max_size=12,
    )
)
def test_lowered_generated(headers: list[tuple[str, str]]) -> None:
    assert lowered_c(headers) == lines.lowered_py(headers)
