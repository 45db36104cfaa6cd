"""The CLI behind `Action: Command`: a few commands live, the rest as Asterisk answers them.

Documentation commands replay what the real server printed (amitui/demo/data/). An unknown
command gets Asterisk's own error, including its guess of what you meant, which main/cli.c
computes with find_best()/find_cli(); that logic is reproduced over the recorded
`core show help` list so the guess is the one the real server would print.
"""

from __future__ import annotations

from collections.abc import Callable

from amitui.demo.data import Recorded
from amitui.demo.model import Channel
from amitui.demo.pbx import DemoPbx
from amitui.demo.wire import duration, uptime_text

CliResult = tuple[bool, list[str]]  # (success, output lines)
_RESERVED = "[]{}|*%"


def run(pbx: DemoPbx, rec: Recorded, command: str, uptime: float) -> CliResult:
    words = command.split()
    low = [w.lower() for w in words]
    handlers: list[tuple[list[str], Callable[[list[str]], CliResult]]] = [
        (["manager", "show", "commands"], lambda a: (True, rec.cli["manager show commands"])),
        (["manager", "show", "command"], lambda a: _show_command(rec, a)),
        (["manager", "show", "events"], lambda a: (True, rec.events_listing)),
        (["manager", "show", "event"], lambda a: _show_event(rec, a)),
        (["core", "show", "version"], lambda a: (True, rec.cli["core show version"])),
        (["core", "show", "help"], lambda a: _help(rec, a)),
        (["core", "show", "uptime"], lambda a: _uptime(a, uptime)),
        (["core", "show", "channels"], lambda a: _channels(pbx, rec, a)),
    ]
    for prefix, handler in handlers:
        if low[: len(prefix)] == prefix:
            return handler(words[len(prefix) :])
    return _unknown(rec, command, words)


def _show_command(rec: Recorded, names: list[str]) -> CliResult:
    if not names:
        return False, rec.cli["manager show command"]
    wanted = {n.lower() for n in names}
    # Asterisk walks its action list (ListCommands order) and prints each one asked for.
    blocks = [
        rec.command_docs[key] for key in rec.actions if key in wanted and key in rec.command_docs
    ]
    out = [""]
    for block in blocks:
        out += [*block, ""]
    return True, out


def _show_event(rec: Recorded, names: list[str]) -> CliResult:
    if len(names) != 1:
        return False, rec.cli["manager show event"]
    doc = rec.event_docs.get(names[0].lower())
    if doc is None:
        return True, [f"Could not find event '{names[0]}'"]
    return True, [f"Event: {names[0]}", *doc[1:]]  # the first line echoes what was typed


def _help(rec: Recorded, words: list[str]) -> CliResult:
    lines = rec.cli["core show help"]
    if not words:
        return True, lines
    prefix = " ".join(words).lower()
    return True, [line for line in lines if line.lower().startswith(prefix)]


def _uptime(args: list[str], uptime: float) -> CliResult:
    if args[:1] == ["seconds"]:
        return True, [f"System uptime: {int(uptime)}", f"Last reload: {int(uptime)}"]
    text = uptime_text(uptime)
    return True, [f"System uptime: {text}", f"Last reload: {text}"]


def _channels(pbx: DemoPbx, rec: Recorded, args: list[str]) -> CliResult:
    mode = args[0].lower() if args else ""
    if len(args) > 1 or mode not in ("", "concise", "verbose", "count"):
        return False, rec.cli["core show channels bogus"]
    chans = list(pbx.channels.values())
    rows: list[str] = []
    if mode == "concise":
        return True, [_concise(pbx, c) for c in chans]
    if mode == "":
        rows = [_BRIEF.format("Channel", "Location", "State", "Application(Data)")]
        rows += [_brief(c) for c in chans]
    elif mode == "verbose":
        rows = [
            _VERBOSE.format(
                "Channel",
                "Context",
                "Extension",
                "Prio",
                "State",
                "Application",
                "Data",
                "CallerID",
                "Duration",
                "Accountcode",
                "PeerAccount",
                "BridgeID",
            )
        ]
        rows += [_verbose(pbx, c) for c in chans]
    calls = sum(1 for c in chans if c.dialed_by is None)
    return True, [
        *rows,
        _count(len(chans), "active channel"),
        _count(calls, "active call"),
        _count(pbx.calls_processed, "call", " processed"),
    ]


_BRIEF = "{:<64.64} {:<32.32} {:<7.7} {:<30.30}"
_VERBOSE = (
    "{:<80.80} {:<24.24} {:<24.24} {:>4.4} {:<7.7} {:<12.12} {:<25.25} {:<15.15} "
    "{:>8.8} {:<11.11} {:<11.11} {:<20.20}"
)


def _count(n: int, noun: str, tail: str = "") -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}{tail}"


def _app(c: Channel) -> str:
    return f"{c.app}({c.appdata})" if c.app else "(None)"


def _brief(c: Channel) -> str:
    return _BRIEF.format(c.name, c.location(), c.state_desc, _app(c))


def _where(c: Channel) -> list[str]:
    """The columns `core show channels verbose` and `concise` share, in their order."""
    cid = c.cid_num if c.cid_num != "<unknown>" else ""
    return [c.name, c.context, c.exten, str(c.priority), c.state_desc, c.app, c.appdata, cid]


def _bridge(c: Channel) -> str:
    return c.bridge.uniqueid if c.bridge is not None else ""


def _verbose(pbx: DemoPbx, c: Channel) -> str:
    return _VERBOSE.format(*_where(c), duration(pbx.now - c.created), c.accountcode, "", _bridge(c))


def _concise(pbx: DemoPbx, c: Channel) -> str:
    age = str(int(pbx.now - c.created))
    return "!".join([*_where(c), c.accountcode, "", "3", age, _bridge(c), c.uniqueid])


# -- unknown commands ------------------------------------------------------------------------


def _unknown(rec: Recorded, command: str, words: list[str]) -> CliResult:
    entries = _entries(rec)
    if words and _find_cli(entries, words, 0):
        return False, [f"The amitui demo PBX does not simulate '{command}'."]
    hint = _find_best(entries, words)
    return False, [
        f"No such command '{command}' (type 'core show help {hint}' for other possible commands)"
    ]


def _entries(rec: Recorded) -> list[list[str]]:
    return [line.partition(" -- ")[0].split() for line in rec.cli["core show help"]]


def _word_match(cmd: str, cli_word: str) -> bool:
    if cli_word[0] not in _RESERVED:
        return cmd.lower() == cli_word.lower()
    if cli_word[0] == "%":
        return True
    # One of the alternatives of `[a|b]` / `{a|b}`: bounded by reserved characters.
    low, word = cli_word.lower(), cmd.lower()
    start = low.find(word)
    while start > 0:
        end = start + len(word)
        if low[start - 1] in _RESERVED and end < len(low) and low[end] in _RESERVED:
            return True
        start = low.find(word, start + 1)
    return False


def _find_cli(entries: list[list[str]], words: list[str], match_type: int) -> bool:
    """main/cli.c find_cli(): exact match, or with match_type -1 a mismatch on the last word."""
    for tokens in entries:
        i = 0
        while i < len(words) and i < len(tokens) and _word_match(words[i], tokens[i]):
            i += 1
        rest = tokens[i:]
        if not rest or (rest[0].startswith("[") and len(rest) == 1):
            if i == len(words):
                return True
            if match_type == 0:
                return True
            continue
        if i == len(words):
            continue
        if match_type == -1 and i == len(words) - 1 and len(rest) == 1:
            return True
    return False


def _find_best(entries: list[list[str]], words: list[str]) -> str:
    """main/cli.c find_best(): the words up to and including the first that matches nothing."""
    taken: list[str] = []
    for word in words:
        taken.append(word)
        if not _find_cli(entries, taken, -1):
            break
    return " ".join(taken)
