"""The filter language of the event stream.

Theory of operation
-------------------
A filter is whitespace-separated terms that must all match (AND). A term is one of

    Key=Value    a value of header Key equals Value
    Key!=Value   no value of Key equals Value (a frame without Key matches)
    Key~regex    a value of Key matches the regex (re.search)
    Key!~regex   no value of Key matches the regex (a frame without Key matches)
    text         the packet's raw text contains `text`
    |            OR: the filter matches when the terms on either side all match

AND binds tighter than `|`: `Event=Hangup Cause=16 | Event=DialEnd` is (Hangup and 16) or
DialEnd. A `*` in a key stands for any run of characters, so `*Uniqueid=1.2` sees Uniqueid,
DestUniqueid, LocalOneUniqueid… (a `!=`/`!~` term then means no such header matches).
Keys, values, regexes and text all compare case-insensitively. A header that repeats
(Variable, ChanVariable) matches = and ~ if ANY of its values does, so != and !~ are the exact
negations of = and ~. Double quotes group characters, spaces included: `Channel="a b"`,
`"some text"`; inside quotes `\\"` and `\\\\` stand for `"` and `\\`. An operator only counts
when it is unquoted and has a key before it, so `"Cause=16"` searches for that text, and `|`
only when it stands alone, unquoted (`"|"` searches for the character).

`Server` is the one key that is also where the event came from: `Server=b` matches the frame's
own `Server:` header (AstManProxy adds one naming the Asterisk behind it) or, on a frame that
has none, the server the console received it from (`matches(frame, server)`: the profile's
name when several servers are open).

`parse_filter` tokenises and builds `Term`s; `EventFilter` compiles each term once into a
closure with lowered keys and compiled patterns, because `matches` runs for every event on
every filter change. Header terms scan the frame's header tuple comparing lengths before
lowering keys, so a match allocates almost nothing; a key with `*` remembers, per header
name, whether it matched. `|` is kept in `terms` as a Term of its own (Op.OR), so the text
round-trips; compiling splits the terms at it into groups.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from amitui.protocol.frames import Frame
from amitui.store.ring import Entry, GapMarker

# (frame, the server it came from): `Server` terms fall back to the second (see _compile).
Predicate = Callable[[Frame, str], bool]


class FilterError(ValueError):
    """The filter text cannot be parsed; the message says which term and why."""


class Op(enum.Enum):
    EQ = "="
    NE = "!="
    MATCH = "~"
    NOMATCH = "!~"
    TEXT = ""
    OR = "|"


@dataclass(frozen=True, slots=True)
class Term:
    """One parsed term. `key` is "" for bare text."""

    op: Op
    value: str
    key: str = ""

    def __str__(self) -> str:
        if self.op is Op.OR:
            return "|"
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
    if segments == [("|", False)]:
        return Term(Op.OR, "")
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
    # Bare text that looks like a header term (or `|`) must be quoted to stay text.
    if _HEADER_TERM.match(text) or _LEADING_OP.match(text) or text == "|":
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return _quote_value(text)


# -- compiling -----------------------------------------------------------------------------


def _compile(term: Term) -> Predicate:
    if term.op is Op.TEXT:
        return _text_predicate(term.value)
    if term.op is Op.OR:
        raise FilterError("'|' separates terms; it is not one")  # split off by EventFilter
    if "*" in term.key:
        return _compile_glob(term)
    key = term.key.lower()
    klen = len(key)
    if term.op in (Op.EQ, Op.NE):
        want = term.value.lower()

        def any_equal(frame: Frame, server: str) -> bool:
            for k, v in frame.peek_headers():
                if len(k) == klen and k.lower() == key and v.lower() == want:
                    return True
            return False

        test = any_equal if key != "server" else _or_server(any_equal, lambda s: s.lower() == want)
        return test if term.op is Op.EQ else _negate(test)
    search = _value_search(term)

    def any_search(frame: Frame, server: str) -> bool:
        for k, v in frame.peek_headers():
            if len(k) == klen and k.lower() == key and search(v) is not None:
                return True
        return False

    test = (
        any_search if key != "server" else _or_server(any_search, lambda s: search(s) is not None)
    )
    return test if term.op is Op.MATCH else _negate(test)


def _or_server(test: Predicate, server_fits: Callable[[str], bool]) -> Predicate:
    """A `Server` term: the frame's own `Server:` header when it has one (behind AstManProxy,
    the Asterisk it came from), else the server the console received it from (the profile's
    name when several are open), so `Server=b` picks one server's events either way."""

    def header_or_origin(frame: Frame, server: str) -> bool:
        if test(frame, server):
            return True
        if not server or not server_fits(server):
            return False
        return not any(len(k) == 6 and k.lower() == "server" for k, _ in frame.peek_headers())

    return header_or_origin


def _value_search(term: Term) -> Callable[[str], object]:
    try:
        return re.compile(term.value, re.IGNORECASE).search
    except re.error as exc:
        raise FilterError(f"term {str(term)!r}: bad regular expression: {exc}") from None


_MAX_GLOB_CACHE = 4096  # header names remembered per glob; a hostile stream invents many


def _compile_glob(term: Term) -> Predicate:
    """A header term whose key has `*`: any header whose name fits the pattern."""
    fits = re.compile(".*".join(map(re.escape, term.key.split("*"))), re.IGNORECASE).fullmatch
    known: dict[str, bool] = {}

    def key_fits(k: str) -> bool:
        hit = known.get(k)
        if hit is None:
            hit = fits(k) is not None
            if len(known) < _MAX_GLOB_CACHE:
                known[k] = hit
        return hit

    if term.op in (Op.EQ, Op.NE):
        want = term.value.lower()

        def any_equal(frame: Frame, server: str) -> bool:
            for k, v in frame.peek_headers():  # noqa: SIM110 (a plain loop: the hot path)
                if v.lower() == want and key_fits(k):
                    return True
            return False

        return any_equal if term.op is Op.EQ else _negate(any_equal)
    search = _value_search(term)

    def any_search(frame: Frame, server: str) -> bool:
        for k, v in frame.peek_headers():  # noqa: SIM110 (a plain loop: the hot path)
            if key_fits(k) and search(v) is not None:
                return True
        return False

    return any_search if term.op is Op.MATCH else _negate(any_search)


def _negate(predicate: Predicate) -> Predicate:
    def negated(frame: Frame, server: str) -> bool:
        return not predicate(frame, server)

    return negated


def _text_predicate(needle: str) -> Predicate:
    if needle.isascii():
        # UTF-8 never puts ASCII bytes inside a multi-byte character, so an ASCII needle can
        # be searched in the raw bytes directly, without decoding every frame.
        find = re.compile(re.escape(needle.encode("ascii")), re.IGNORECASE).search

        def in_raw(frame: Frame, server: str) -> bool:
            return find(frame.raw) is not None

        return in_raw
    unicode_find = re.compile(re.escape(needle), re.IGNORECASE).search

    def in_text(frame: Frame, server: str) -> bool:
        return unicode_find(frame.text) is not None

    return in_text


# -- the filter ----------------------------------------------------------------------------


def _groups(terms: tuple[Term, ...]) -> list[tuple[Term, ...]]:
    """The terms split at each `|`; raises FilterError when a side is empty."""
    groups: list[tuple[Term, ...]] = [()]
    for term in terms:
        if term.op is Op.OR:
            groups.append(())
        else:
            groups[-1] += (term,)
    if len(groups) > 1 and not all(groups):
        raise FilterError("'|' needs terms on both sides")
    return groups


class EventFilter:
    """A compiled filter. The empty filter is falsy and matches everything."""

    __slots__ = ("_alternatives", "_tests", "terms", "text")

    def __init__(self, terms: Iterable[Term] = ()) -> None:
        self.terms: tuple[Term, ...] = tuple(terms)
        compiled = [tuple(_compile(t) for t in group) for group in _groups(self.terms)]
        # One group (no `|`, the usual case) keeps the plain AND loop of `matches`.
        self._tests: tuple[Predicate, ...] = compiled[0] if len(compiled) == 1 else ()
        self._alternatives = tuple(compiled) if len(compiled) > 1 else ()
        self.text = " ".join(str(t) for t in self.terms)  # normalised source

    def matches(self, frame: Frame, server: str = "") -> bool:
        """Whether `frame` passes; `server` is where it was received (StoredEvent.server),
        which `Server` terms fall back to when the frame carries no `Server:` header."""
        if self._alternatives:
            return self._any_group(frame, server)
        # A plain loop, not all(<genexpr>): no generator object per call on the hot path.
        for test in self._tests:  # noqa: SIM110
            if not test(frame, server):
                return False
        return True

    def _any_group(self, frame: Frame, server: str) -> bool:
        for group in self._alternatives:
            for test in group:
                if not test(frame, server):
                    break
            else:
                return True
        return False

    def matches_entry(self, entry: Entry) -> bool:
        """Like `matches`; gap markers always pass so a filtered stream still shows gaps."""
        if isinstance(entry, GapMarker):
            return True
        return self.matches(entry.frame, entry.server)

    def __bool__(self) -> bool:
        return bool(self._tests or self._alternatives)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EventFilter):
            return NotImplemented
        return self.terms == other.terms

    def __hash__(self) -> int:
        return hash(self.terms)

    def __repr__(self) -> str:
        return f"EventFilter({self.text!r})"
