"""encode_action and friends: what the client sends, and what it refuses to send."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amitui.protocol import (
    MAX_HEADERS,
    MAX_LINE,
    REDACTED,
    Action,
    ActionIds,
    FrameKind,
    LocalProtocolError,
    Parser,
    challenge_key,
    encode_action,
    parse_assignments,
)


def decode_back(data: bytes) -> list[tuple[str, str]]:
    parser = Parser(expect_banner=False)
    parser.feed(data)
    frames = list(parser.frames())
    assert len(frames) == 1
    assert parser.buffered == 0
    headers = list(frames[0].headers)
    if not {k.lower() for k, _ in headers} & {"response", "event"}:
        assert frames[0].kind is FrameKind.UNKNOWN  # an action has neither Response nor Event
    assert frames[0].loose == ()
    assert frames[0].replaced == 0
    return headers


def test_encoding_uses_crlf_with_action_then_actionid_first() -> None:
    action = Action.of("Originate", [("Channel", "PJSIP/1001"), ("ActionID", "o1")], Exten="100")
    data = encode_action(action)
    assert data == (
        b"Action: Originate\r\nActionID: o1\r\nChannel: PJSIP/1001\r\nExten: 100\r\n\r\n"
    )
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_without_actionid_no_actionid_line() -> None:
    assert encode_action(Action("Ping")) == b"Action: Ping\r\n\r\n"


def test_repeated_headers_are_kept_in_order() -> None:
    action = Action.of(
        "Originate",
        [("Variable", "A=1"), ("Channel", "X"), ("Variable", "B=2"), ("Variable", "C=3")],
    )
    lines = encode_action(action).split(b"\r\n")
    assert [line for line in lines if line.startswith(b"Variable")] == [
        b"Variable: A=1",
        b"Variable: B=2",
        b"Variable: C=3",
    ]


@pytest.mark.parametrize("bad", ["a\rb", "a\nb", "a\r\nAction: Logoff", "\n"])
def test_line_breaks_in_a_value_are_refused(bad: str) -> None:
    with pytest.raises(LocalProtocolError, match="line break"):
        encode_action(Action.of("Setvar", Variable="X", Value=bad))


@pytest.mark.parametrize("key", ["Va\rlue", "Va\nlue"])
def test_line_breaks_in_a_key_are_refused(key: str) -> None:
    with pytest.raises(LocalProtocolError, match="line break"):
        encode_action(Action("Setvar", ((key, "1"),)))


def test_line_break_in_the_action_name_is_refused() -> None:
    with pytest.raises(LocalProtocolError, match="line break"):
        encode_action(Action("Ping\r\nAction: Logoff"))


@pytest.mark.parametrize("key", ["Bad:Key", "Channel:", ""])
def test_a_key_with_a_colon_or_empty_is_refused(key: str) -> None:
    with pytest.raises(LocalProtocolError, match="header name"):
        encode_action(Action("Setvar", ((key, "1"),)))


def test_nul_and_unencodable_text_are_refused() -> None:
    with pytest.raises(LocalProtocolError, match="NUL"):
        encode_action(Action.of("Setvar", Value="a\x00b"))
    # sys.argv carries undecodable bytes as lone surrogates (surrogateescape).
    word = b"Value=caf\xe9".decode("utf-8", "surrogateescape")
    with pytest.raises(LocalProtocolError, match="UTF-8"):
        encode_action(Action.of("Setvar", parse_assignments([word])))


def test_line_length_limit_is_exact() -> None:
    # "Value: " + value + CRLF must fit in MAX_LINE bytes.
    room = MAX_LINE - len(b"Value: \r\n")
    ok = encode_action(Action.of("Setvar", Value="v" * room))
    assert max(len(line) + 2 for line in ok.split(b"\r\n")) == MAX_LINE
    with pytest.raises(LocalProtocolError, match=f"{MAX_LINE + 1}-byte line"):
        encode_action(Action.of("Setvar", Value="v" * (room + 1)))
    # Bytes count, not characters: "é" is two bytes in UTF-8.
    with pytest.raises(LocalProtocolError):
        encode_action(Action.of("Setvar", Value="é" * (room // 2 + 1)))


def test_long_secret_is_not_shown_in_the_error() -> None:
    secret = "s3cr3t-" + "x" * 1100
    with pytest.raises(LocalProtocolError) as info:
        encode_action(Action.of("Login", Username="admin", Secret=secret))
    assert "s3cr3t" not in str(info.value)


def test_header_count_limit_is_exact() -> None:
    # Action and ActionID count towards the limit.
    fill = [("Variable", f"V{i}=1") for i in range(MAX_HEADERS - 2)]
    data = encode_action(Action("Originate", tuple(fill), "o1"))
    assert data.count(b"\r\n") == MAX_HEADERS + 1
    with pytest.raises(LocalProtocolError, match=str(MAX_HEADERS)):
        encode_action(Action("Originate", (*fill, ("Variable", "X=1")), "o1"))


def test_action_ids_are_unique_and_short() -> None:
    ids = ActionIds()
    seen = [ids.next() for _ in range(10_000)]
    assert len(set(seen)) == len(seen)
    assert max(len(i) for i in seen) < 64
    assert ActionIds().next() != ActionIds().next()  # random per-process prefix
    assert ActionIds("x").next() == "x-1"


def test_challenge_key_is_md5_of_challenge_then_secret() -> None:
    expected = hashlib.md5(b"12345secret").hexdigest()
    assert challenge_key("12345", "secret") == expected
    assert expected == "d6bf7523a8407696bb9448d0d0fecca8"
    assert challenge_key("secret", "12345") != expected


def test_parse_assignments_splits_at_the_first_equals() -> None:
    assert parse_assignments(["Channel=PJSIP/1001", "Variable=FOO=bar=baz", "Data="]) == [
        ("Channel", "PJSIP/1001"),
        ("Variable", "FOO=bar=baz"),
        ("Data", ""),
    ]
    for bad in ("NoEquals", "=value"):
        with pytest.raises(LocalProtocolError, match="Key=Value"):
            parse_assignments([bad])


def test_action_of_pulls_out_the_actionid() -> None:
    action = Action.of("Ping", [("actionid", "p1")], Extra="y")
    assert action.action_id == "p1"
    assert action.headers == (("Extra", "y"),)
    assert action.get("extra") == "y"
    assert Action.of("Ping", ActionID="p2").action_id == "p2"
    assert action.with_id("p3").wire_headers()[:2] == (("Action", "Ping"), ("ActionID", "p3"))


@pytest.mark.parametrize("key", ["Action", "action", "ACTION"])
def test_action_of_refuses_an_action_header(key: str) -> None:
    with pytest.raises(LocalProtocolError, match="name separately"):
        Action.of("Ping", [(key, "Logoff")])


def test_redacted_text_masks_secret_and_key() -> None:
    action = Action.of(
        "Login",
        [("Username", "admin"), ("Secret", "hunter2"), ("KEY", "d41d8cd98f00b204e9800998ecf8427e")],
        ActionID="l1",
    )
    text = action.redacted_text()
    assert "hunter2" not in text
    assert "d41d8cd98f00b204e9800998ecf8427e" not in text
    assert f"Secret: {REDACTED}" in text and f"KEY: {REDACTED}" in text
    assert text.splitlines()[:3] == ["Action: Login", "ActionID: l1", "Username: admin"]
    # The bytes on the wire are not masked, of course.
    assert b"Secret: hunter2\r\n" in encode_action(action)


# -- property: anything encode_action accepts comes back from the parser unchanged -------------

KEYS = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, blacklist_characters=":"),
    min_size=1,
    max_size=30,
)
# Any text but CR, LF, NUL (refused) and lone surrogates (not UTF-8). Leading spaces, ": "
# inside, trailing spaces, non-ASCII and other Unicode line separators all survive: the
# encoder writes exactly one space after the colon and the parser drops exactly one.
VALUES = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n\x00"),
    max_size=200,
)
TRICKY = st.sampled_from(
    [
        "",
        " ",
        "  lead",
        "trail  ",
        "a: b",
        "Event: X",
        ":",
        "é\u2028ü",
        "\x85\x0b\x0c",
        "--END COMMAND--",
        "\ufffd",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    name=KEYS,
    action_id=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=40),
    headers=st.lists(st.tuples(KEYS, VALUES | TRICKY), max_size=40),
)
def test_encode_then_parse_round_trips(
    name: str, action_id: str, headers: list[tuple[str, str]]
) -> None:
    data = encode_action(Action(name, tuple(headers), action_id))
    assert all(len(line) + 2 <= MAX_LINE for line in data.split(b"\r\n"))
    assert decode_back(data) == [("Action", name), ("ActionID", action_id), *headers]
