from __future__ import annotations

import pytest

from amitui.store.filter import EventFilter, FilterError, Op, Term, parse_filter
from amitui.store.ring import GapMarker, StoredEvent

from ._support import event, parse

HANGUP_16 = event("Hangup", ("Channel", "PJSIP/100-00000001"), ("Cause", "16"))
HANGUP_17 = event("Hangup", ("Channel", "PJSIP/200-00000002"), ("Cause", "17"))
NEWCHANNEL = event("Newchannel", ("Channel", "Local/100@default-00000001;1"))
VARSET = event("VarSet", ("Variable", "FOO=1"), ("Variable", "BAR=2"), ("Value", "hello world"))


def keep(text: str) -> list[bool]:
    f = parse_filter(text)
    return [f.matches(fr) for fr in (HANGUP_16, HANGUP_17, NEWCHANNEL, VARSET)]


def test_empty_filter_is_falsy_and_matches_everything() -> None:
    for text in ("", "   ", "\t\n"):
        f = parse_filter(text)
        assert not f
        assert f.text == ""
        assert keep(text) == [True, True, True, True]
    assert parse_filter("Event=Hangup")


def test_equals_compares_key_and_value_case_insensitively() -> None:
    assert keep("Event=Hangup") == [True, True, False, False]
    assert keep("event=HANGUP") == [True, True, False, False]
    assert keep("CAUSE=16") == [True, False, False, False]


def test_equals_is_whole_value_not_substring() -> None:
    assert keep("Cause=1") == [False, False, False, False]


def test_not_equals_matches_frames_without_the_header() -> None:
    assert keep("Cause!=16") == [False, True, True, True]


def test_and_of_event_and_not_equals() -> None:
    assert keep("Event=Hangup Cause!=16") == [False, True, False, False]


def test_regex_searches_case_insensitively() -> None:
    assert keep("Channel~^pjsip/") == [True, True, False, False]
    assert keep("Channel~00000002") == [False, True, False, False]


def test_regex_requires_the_header() -> None:
    assert keep("Cause~.") == [True, True, False, False]


def test_not_regex_matches_frames_without_the_header() -> None:
    assert keep("Channel!~pjsip") == [False, False, True, True]


def test_bare_text_searches_raw_text_case_insensitively() -> None:
    assert keep("pjsip/200") == [False, True, False, False]
    assert keep("HELLO") == [False, False, False, True]
    assert keep("world hello") == [False, False, False, True]  # unquoted: two terms, AND
    assert keep('"world hello"') == [False, False, False, False]  # quoted: one phrase
    assert keep('"cause: 16"') == [True, False, False, False]


def test_bare_text_with_non_ascii_characters() -> None:
    frame = event("UserEvent", ("Name", "Zoë ÅSTRÖM"))
    assert parse_filter("åström").matches(frame)
    assert not parse_filter("åströmx").matches(frame)


def test_quoted_value_may_contain_spaces_and_semicolons() -> None:
    assert keep('Channel="Local/100@default-00000001;1"') == [False, False, True, False]
    assert keep('Value="hello world"') == [False, False, False, True]
    assert keep('"hello world"') == [False, False, False, True]


def test_escaped_quote_inside_quotes() -> None:
    frame = event("UserEvent", ("Data", 'say "hi"'))
    f = parse_filter(r'Data="say \"hi\""')
    assert f.terms == (Term(Op.EQ, 'say "hi"', "Data"),)
    assert f.matches(frame)


def test_quoted_operator_is_text_not_a_header_term() -> None:
    f = parse_filter('"Cause=16"')
    assert f.terms == (Term(Op.TEXT, "Cause=16"),)
    # The raw packet has "Cause: 16", never "Cause=16".
    assert not f.matches(HANGUP_16)


def test_repeated_header_equals_if_any_value_does() -> None:
    assert parse_filter("Variable=BAR=2").matches(VARSET)
    assert parse_filter("Variable=foo=1").matches(VARSET)
    assert not parse_filter("Variable=BAZ=3").matches(VARSET)


def test_repeated_header_not_equals_only_if_none_does() -> None:
    assert not parse_filter("Variable!=BAR=2").matches(VARSET)
    assert not parse_filter("Variable!=FOO=1").matches(VARSET)
    assert parse_filter("Variable!=BAZ=3").matches(VARSET)


def test_repeated_header_regex_any_and_none() -> None:
    assert parse_filter("Variable~^bar").matches(VARSET)
    assert not parse_filter("Variable!~^bar").matches(VARSET)
    assert parse_filter("Variable!~^baz").matches(VARSET)


def test_terms_are_parsed_into_key_op_value() -> None:
    f = parse_filter("A=1 B!=2 C~3 D!~4 five")
    assert f.terms == (
        Term(Op.EQ, "1", "A"),
        Term(Op.NE, "2", "B"),
        Term(Op.MATCH, "3", "C"),
        Term(Op.NOMATCH, "4", "D"),
        Term(Op.TEXT, "five"),
    )


def test_empty_value_means_header_present_and_empty() -> None:
    blank = parse("Event: UserEvent\nData: \n\n")[0]
    assert parse_filter("Data=").matches(blank)
    assert not parse_filter("Data=").matches(HANGUP_16)


def test_bad_regex_error_names_the_term_and_reason() -> None:
    with pytest.raises(FilterError) as info:
        parse_filter("Event=Hangup Channel~(PJSIP")
    message = str(info.value)
    assert "Channel~(PJSIP" in message
    assert "regular expression" in message
    assert "missing )" in message


def test_unterminated_quote_is_an_error() -> None:
    with pytest.raises(FilterError, match="closing double quote"):
        parse_filter('Channel="Local/100')


def test_operator_without_key_is_an_error() -> None:
    for text in ("=Hangup", "!=16", "~x"):
        with pytest.raises(FilterError, match="missing header name"):
            parse_filter(text)


def test_filter_error_is_a_value_error() -> None:
    assert issubclass(FilterError, ValueError)


@pytest.mark.parametrize(
    ("source", "normalised"),
    [
        ("  Event=Hangup    Cause!=16 ", "Event=Hangup Cause!=16"),
        ('Channel="Local/1;1"', "Channel=Local/1;1"),
        ('Value="hello world"', 'Value="hello world"'),
        ('"some text"', '"some text"'),
        ('"Cause=16"', '"Cause=16"'),
        ("Data=", 'Data=""'),
        (r'D="a\"b\\c"', r'D="a\"b\\c"'),
    ],
)
def test_normalised_text_parses_back_to_the_same_filter(source: str, normalised: str) -> None:
    f = parse_filter(source)
    assert f.text == normalised
    assert parse_filter(f.text) == f


def test_matches_entry_always_passes_gap_markers() -> None:
    f = parse_filter("Event=Hangup")
    assert f.matches_entry(GapMarker(1, 0.0, "connection lost"))
    assert f.matches_entry(StoredEvent(2, 0.0, HANGUP_16))
    assert not f.matches_entry(StoredEvent(3, 0.0, NEWCHANNEL))


def test_filter_matches_non_event_frames_too() -> None:
    (response,) = parse("Response: Error\nActionID: 7\nMessage: Permission denied\n\n")
    assert parse_filter("Response=error").matches(response)
    assert parse_filter("permission").matches(response)
    assert not parse_filter("Event=Hangup").matches(response)


def test_filters_compare_by_terms() -> None:
    assert parse_filter("A=1  B=2") == parse_filter("A=1 B=2")
    assert parse_filter("A=1") != parse_filter("A=2")
    assert EventFilter() == parse_filter("")


# -- OR and key patterns (what `f` on a call builds) ----------------------------------------

DIAL = event("DialBegin", ("Channel", "PJSIP/1-1"), ("Uniqueid", "9.1"), ("DestUniqueid", "9.2"))
BRIDGE = event("LocalBridge", ("LocalOneUniqueid", "9.3"), ("LocalTwoUniqueid", "9.4"))


def test_a_lone_bar_is_or_and_and_binds_tighter() -> None:
    assert keep("Event=Hangup Cause=16 | Event=Newchannel") == [True, False, True, False]
    assert keep("Cause=17 | VarSet | Cause=16") == [True, True, False, True]
    f = parse_filter("A=1  |  B=2")
    assert f.terms == (Term(Op.EQ, "1", "A"), Term(Op.OR, ""), Term(Op.EQ, "2", "B"))
    assert f.text == "A=1 | B=2" and parse_filter(f.text) == f


def test_a_bar_needs_terms_on_both_sides_and_quoted_is_text() -> None:
    for text in ("|", "| A=1", "A=1 |", "A=1 | | B=2"):
        with pytest.raises(FilterError, match="both sides"):
            parse_filter(text)
    f = parse_filter('"|"')
    assert f.terms == (Term(Op.TEXT, "|"),) and f.text == '"|"'
    assert parse_filter("a|b").terms == (Term(Op.TEXT, "a|b"),)  # not alone: text
    assert parse_filter("Channel~a|b").terms == (Term(Op.MATCH, "a|b", "Channel"),)


def test_a_star_in_a_key_matches_any_run_of_characters() -> None:
    assert parse_filter("*Uniqueid=9.2").matches(DIAL)  # DestUniqueid
    assert parse_filter("*uniqueid*=9.4").matches(BRIDGE)
    assert parse_filter("*Uniqueid~^9[.][34]$").matches(BRIDGE)
    assert not parse_filter("*Uniqueid=9.2").matches(BRIDGE)
    assert not parse_filter("Dest*=9.1").matches(DIAL)  # only DestUniqueid fits, and it is 9.2
    assert parse_filter("*Uniqueid!=9.9").matches(DIAL)
    assert not parse_filter("*Uniqueid!~^9").matches(DIAL)  # the exact negation of ~
    assert parse_filter("*=PJSIP/1-1").matches(DIAL)  # any header at all
