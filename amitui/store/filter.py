"""The filter language of the event stream.

Theory of operation
-------------------
A filter is whitespace-separated terms that must all match (AND). A term is one of

    Key=Value    a value of header Key equals Value
    Key!=Value   no value of Key equals Value (a frame without Key matches)
    Key~regex    a value of Key matches the regex (re.search)
    Key!~regex   no value of Key matches the regex (a frame without Key matches)
    text         the packet's raw text contains `text`

Keys, values, regexes and text all compare case-insensitively. A header that repeats
(Variable, ChanVariable) matches = and ~ if ANY of its values does, so != and !~ are the exact
negations of = and ~. Double quotes group characters, spaces included: `Channel="a b"`,
`"some text"`; inside quotes `\\"` and `\\\\` stand for `"` and `\\`. An operator only counts
when it is unquoted and has a key before it, so `"Cause=16"` searches for that text.

`parse_filter` tokenises and builds `Term`s; `EventFilter` compiles each term once into a
closure with lowered keys and compiled patterns, because `matches` runs for every event on
every filter change. Header terms scan the frame's header tuple comparing lengths before
lowering keys, so a match allocates almost nothing.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from amitui.protocol.frames import Frame
from amitui.store.ring import Entry, GapMarker

Predicate = Callable[[Frame], bool]


class FilterError(ValueError):
    """The filter text cannot be parsed; the message says which term and why."""


class Op(enum.Enum):
    EQ = "="
    NE = "!="
    MATCH = "~"
    NOMATCH = "!~"
    TEXT = ""


@dataclass(frozen=True, slots=True)
class Term:
    """One parsed term. `key` is "" for bare text."""

    op: Op
    value: str
    key: str = ""

    def __str__(self) -> str:
        if self.op is Op.TEXT:
            return _quote_text(self.value)
        return f"{self.key}{self.op.value}{_quote_value(self.value)}"


# A header term: a key with no quote, space or operator character, then the operator.
_HEADER_TERM = re.compile(r"([^\s\"=~!]+)(!=|!~|=|~)")
_LEADING_OP = re.compile(r"(!=|!~|=|~)")
_NEEDS_QUOTES = re.compile(r"[\s\"\\]")


# -- parsing -------------------------------------------------------------------------------


def parse_filter(text: str) -> EventFilter:
    """Parse filter text; raises FilterError for input that cannot mean anything."""
    return EventFilter(_parse_term(segments, raw) for segments, raw in _tokens(text))


def _tokens(text: str) -> Iterator[tuple[list[tuple[str, bool]], str]]:
    """Split into terms; each term is a list of (chunk, was_quoted) plus its source text."""
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        segments: list[tuple[str, bool]] = []
        while i < n and not text[i].isspace():
            if text[i] == '"':
                chunk, i = _read_quoted(text, i, start)
                segments.append((chunk, True))
            else:
                j = i
                while j < n and not text[j].isspace() and text[j] != '"':
                    j += 1
                segments.append((text[i:j], False))
                i = j
        yield segments, text[start:i]


def _read_quoted(text: str, i: int, term_start: int) -> tuple[str, int]:
    """The content of the quoted string opening at text[i], and the index after it."""
    out: list[str] = []
    j = i + 1
    while j < len(text):
        c = text[j]
        if c == "\\" and j + 1 < len(text) and text[j + 1] in '"\\':
            out.append(text[j + 1])
            j += 2
        elif c == '"':
            return "".join(out), j + 1
        else:
            out.append(c)
            j += 1
    raise FilterError(f"term {text[term_start:]!r}: missing closing double quote")


def _parse_term(segments: list[tuple[str, bool]], raw: str) -> Term:
    first, quoted = segments[0]
    joined = "".join(chunk for chunk, _ in segments)
    if quoted:
        return Term(Op.TEXT, joined)
    m = _HEADER_TERM.match(first)
    if m is None:
        if _LEADING_OP.match(first):
            raise FilterError(f"term {raw!r}: missing header name before {first[:2]!r}")
        return Term(Op.TEXT, joined)
    return Term(Op(m.group(2)), joined[m.end() :], m.group(1))


def _quote_value(value: str) -> str:
    if value and not _NEEDS_QUOTES.search(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _quote_text(text: str) -> str:
    # Bare text that looks like a header term must be quoted to stay text.
    if _HEADER_TERM.match(text) or _LEADING_OP.match(text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return _quote_value(text)


# -- compiling -----------------------------------------------------------------------------


def _compile(term: Term) -> Predicate:
    if term.op is Op.TEXT:
        return _text_predicate(term.value)
    key = term.key.lower()
    klen = len(key)
    if term.op in (Op.EQ, Op.NE):
        want = term.value.lower()

        def any_equal(frame: Frame) -> bool:
            for k, v in frame.peek_headers():
                if len(k) == klen and k.lower() == key and v.lower() == want:
                    return True
            return False

        return any_equal if term.op is Op.EQ else _negate(any_equal)
    try:
        search = re.compile(term.value, re.IGNORECASE).search
    except re.error as exc:
        raise FilterError(f"term {str(term)!r}: bad regular expression: {exc}") from None

    def any_search(frame: Frame) -> bool:
        for k, v in frame.peek_headers():
            if len(k) == klen and k.lower() == key and search(v) is not None:
                return True
        return False

    return any_search if term.op is Op.MATCH else _negate(any_search)


def _negate(predicate: Predicate) -> Predicate:
    def negated(frame: Frame) -> bool:
        return not predicate(frame)

    return negated


def _text_predicate(needle: str) -> Predicate:
    if needle.isascii():
        # UTF-8 never puts ASCII bytes inside a multi-byte character, so an ASCII needle can
        # be searched in the raw bytes directly, without decoding every frame.
        find = re.compile(re.escape(needle.encode("ascii")), re.IGNORECASE).search

        def in_raw(frame: Frame) -> bool:
            return find(frame.raw) is not None

        return in_raw
    unicode_find = re.compile(re.escape(needle), re.IGNORECASE).search

    def in_text(frame: Frame) -> bool:
        return unicode_find(frame.text) is not None

    return in_text


# -- the filter ----------------------------------------------------------------------------


class EventFilter:
    """A compiled filter. The empty filter is falsy and matches everything."""

    __slots__ = ("_tests", "terms", "text")

    def __init__(self, terms: Iterable[Term] = ()) -> None:
        self.terms: tuple[Term, ...] = tuple(terms)
        self._tests: tuple[Predicate, ...] = tuple(_compile(t) for t in self.terms)
        self.text = " ".join(str(t) for t in self.terms)  # normalised source

    def matches(self, frame: Frame) -> bool:
        # A plain loop, not all(<genexpr>): no generator object per call on the hot path.
        for test in self._tests:  # noqa: SIM110
            if not test(frame):
                return False
        return True

    def matches_entry(self, entry: Entry) -> bool:
        """Like `matches`; gap markers always pass so a filtered stream still shows gaps."""
        if isinstance(entry, GapMarker):
            return True
        return self.matches(entry.frame)

    def __bool__(self) -> bool:
        return bool(self._tests)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EventFilter):
            return NotImplemented
        return self.terms == other.terms

    def __hash__(self) -> int:
        return hash(self.terms)

    def __repr__(self) -> str:
        return f"EventFilter({self.text!r})"
