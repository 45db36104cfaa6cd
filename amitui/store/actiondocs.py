"""Action documentation from the server itself: `ListCommands` and `manager show command`.

Theory of operation. The composer builds its action list from the `ListCommands` response (one
header per action: `Originate: Originate a call.  (Priv: originate,all)`) and the form for one
action from the CLI text of `manager show command NAME`, sent as `Action: Command`. That text is
meant for humans, so the parser leans on the few things every version since 11 keeps:

- section titles on their own line, e.g. `[Syntax]` (Asterisk 11 may colour them, hence the
  ANSI strip); their order and set vary (≤13 has no `[Since]` nor `[Provided By]`);
- `[Syntax]` lines `Name: <value>` for required fields and `[Name:] <value>` for optional ones;
- `[Arguments]`: a field name at column 0, its description indented below it.

(Those shared with the event docs, and the unwrapping of hard-wrapped lines, are in clitext.py.)

Everything after `[List Responses]` / `[Final Response]` documents the *events* the action
returns, with sections of the same names, so parsing stops there. Unknown output (no such
command, no XML docs) gives None and the composer falls back to free key/value rows.
tests/store/test_actiondocs.py pins each rule on recorded Asterisk 22 output and older samples.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from amitui.protocol.frames import Frame
from amitui.store.clitext import ANSI, NOT_AVAILABLE, SECTION_TITLE, argument_docs, unwrap

# Not actions: the response's own headers, and `Server:`, which AstManProxy adds to every packet
# it forwards (no Asterisk action is called Server).
_SKIPPED_LIST_KEYS = frozenset({"response", "actionid", "message", "eventlist", "server"})
_PRIV = re.compile(r"^(?P<synopsis>.*?)\s*\(Priv:\s*(?P<priv>[^)]*)\)\s*$")
_SYNTAX = re.compile(r"^(?P<open>\[)?(?P<name>[^\s\[\]:]+)(?::\]|\]:|:)(?:\s|$)")
# Sections after these document response events, not the action.
_STOP_TITLES = frozenset({"list responses", "final response"})
# Fields the form never shows: the action line itself, and the id the client assigns.
_IMPLICIT_FIELDS = frozenset({"action", "actionid"})


@dataclass(frozen=True, slots=True)
class CommandInfo:
    """One action the server offers, from `ListCommands`."""

    name: str
    synopsis: str
    privileges: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FieldDoc:
    """One header of an action's syntax."""

    name: str
    required: bool
    repeatable: bool
    description: str


@dataclass(frozen=True, slots=True)
class ActionDoc:
    """What `manager show command NAME` says about one action."""

    name: str
    synopsis: str
    description: str
    fields: tuple[FieldDoc, ...]
    see_also: tuple[str, ...] = ()
    privileges: tuple[str, ...] = ()

    def field(self, name: str) -> FieldDoc | None:
        """The field called `name`, compared case-insensitively as Asterisk does."""
        low = name.lower()
        return next((f for f in self.fields if f.name.lower() == low), None)


def _split_list(text: str) -> tuple[str, ...]:
    if text.strip() in ("", "<none>", NOT_AVAILABLE, "None"):
        return ()
    return tuple(part.strip() for part in text.split(",") if part.strip())


def parse_list_commands(response: Frame) -> list[CommandInfo]:
    """The actions in a `ListCommands` response, sorted by name (case-insensitively)."""
    infos: list[CommandInfo] = []
    for key, value in response.headers:
        if key.lower() in _SKIPPED_LIST_KEYS:
            continue
        match = _PRIV.match(value)
        if match is None:
            infos.append(CommandInfo(key, value.strip(), ()))
        else:
            infos.append(CommandInfo(key, match["synopsis"], _split_list(match["priv"])))
    return sorted(infos, key=lambda info: info.name.lower())


def _sections(output: Sequence[str]) -> dict[str, list[str]]:
    """Lines under each section title, lowercased title -> lines; the first one wins."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in output:
        line = ANSI.sub("", raw).rstrip()
        title = SECTION_TITLE.match(line)
        if title is not None:
            name = title["title"].lower()
            if name in _STOP_TITLES:
                break
            current = sections.setdefault(name, []) if name not in sections else None
            continue
        if "-= Info about" in line and sections:
            break  # a second info block: an event documented inline
        if current is not None:
            current.append(line)
    return sections


def _is_repeatable(name: str, description: str, action_description: str) -> bool:
    """Whether the docs say the header may repeat; they have no markup for it, only prose.

    "multiple Variable: headers are allowed" (Originate, MessageSend, in the field's text),
    "multiple 'Variable: name=value' sequences" (PJSIPNotify, in the action's text), "multiple
    ChargedItem entries" (AOCMessage). Not a bare name rule: Getvar's and Setvar's `Variable`
    is one header. An undocumented `Variable` is taken as Originate's, which repeats.
    """
    mentions = rf"multiple\s+['\"]?{re.escape(name)}\b"
    if re.search(mentions, f"{description}\n{action_description}", re.IGNORECASE):
        return True
    if re.search(r"multiple\s+\S+:?\s+headers\b", description, re.IGNORECASE):
        return True
    return name.lower() == "variable" and not description


def _fields(
    syntax: Sequence[str], described: dict[str, str], action_description: str
) -> tuple[FieldDoc, ...]:
    fields: list[FieldDoc] = []
    seen: set[str] = set()
    for line in syntax:
        match = _SYNTAX.match(line.strip())
        if match is None:
            continue
        name = match["name"]
        low = name.lower()
        if low in _IMPLICIT_FIELDS or low in seen:
            continue
        seen.add(low)
        text = described.get(low, "")
        repeatable = _is_repeatable(name, text, action_description)
        fields.append(FieldDoc(name, match["open"] is None, repeatable, text))
    return tuple(fields)


def parse_action_doc(name: str, output: Sequence[str]) -> ActionDoc | None:
    """The documentation in `manager show command NAME` output lines, or None if there is none.

    None when the server printed no `[Syntax]` (unknown action, no XML docs, CLI error).
    """
    sections = _sections(output)
    syntax = sections.get("syntax")
    if syntax is None:
        return None
    description = unwrap(sections.get("description", []))
    return ActionDoc(
        name=name,
        synopsis=unwrap(sections.get("synopsis", [])),
        description=description,
        fields=_fields(syntax, argument_docs(sections.get("arguments", [])), description),
        see_also=_split_list(" ".join(line.strip() for line in sections.get("see also", []))),
        privileges=_split_list(" ".join(line.strip() for line in sections.get("privilege", []))),
    )


def _subsequence_score(query: str, name: str) -> int | None:
    """Higher when the query's letters land on word starts (`pse` -> PJSIPShowEndpoint)."""
    low = name.lower()
    score = 0
    pos = -1
    for char in query:
        nxt = low.find(char, pos + 1)
        if nxt < 0:
            return None
        boundary = nxt == 0 or name[nxt].isupper() or not name[nxt - 1].isalnum()
        score += 10 if boundary else 0
        score -= nxt - pos - 1  # letters skipped
        pos = nxt
    return score


def _band(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def fuzzy_score(query: str, info: CommandInfo) -> int | None:
    """How well `query` matches an action: None for no match, higher is better.

    Bands, strongest first: exact name, name prefix, name substring, name subsequence, words of
    the synopsis. An empty query matches everything equally.
    """
    words = query.lower().split()
    if not words:
        return 0
    joined = "".join(words)
    name = info.name.lower()
    if name == joined:
        return 1000
    if name.startswith(joined):
        return _band(900 - len(name), 801, 899)
    at = name.find(joined)
    if at >= 0:
        return _band(700 - at * 4 - len(name), 601, 699)
    sub = _subsequence_score(joined, info.name)
    if sub is not None:
        return _band(400 + sub, 301, 599)
    synopsis = info.synopsis.lower()
    if all(word in synopsis for word in words):
        return _band(200 - synopsis.find(words[0]), 1, 200)
    return None


def rank(query: str, infos: Iterable[CommandInfo]) -> list[CommandInfo]:
    """The matching actions, best first; ties (and an empty query) in name order."""
    scored = [(score, info) for info in infos if (score := fuzzy_score(query, info)) is not None]
    scored.sort(key=lambda pair: (-pair[0], pair[1].name.lower()))
    return [info for _, info in scored]
