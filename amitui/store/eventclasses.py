"""What the server says about events, beyond the events themselves: their documentation
(`manager show event NAME`, `manager show events`), the read class each needs, and what one
user may read (`manager show user NAME`). The catalog (catalog.py) compares these with what was
observed; `why_missing` answers "why don't I see Newexten?".

How Asterisk decides (main/manager.c): a session gets an event when
`(readperm & eventmask & class) == class`, where `readperm` is the user's `read =` in
manager.conf and the mask is the login's `Events:` (`on`, `off`, a class list, or a number,
which is a bit mask: `Events: 1` means system only). `disabledevents` in manager.conf drops an
event for everyone. List responses (Status, CoreShowChannel, ...Complete) are written to the
session that asked, whatever its mask, so they are not in the class map.

The class map comes from Asterisk 22's own XML docs (`<managerEventInstance class=...>`; the
CLI does not print it), corrected where the code disagrees (ChannelTalkingStart is documented as
`EVENT_FLAG_CLASS`, raised as `call`). A `Privilege:` header on an observed event beats it.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from amitui.store.clitext import ANSI, SECTION_TITLE, argument_docs, unwrap
from amitui.store.sentinels import Unavailable

# Every class manager.conf knows, in main/manager.c's bit order (for numeric masks).
CLASSES = (
    "system", "call", "log", "verbose", "command", "agent", "user", "config", "dtmf",
    "reporting", "cdr", "dialplan", "originate", "agi", "", "cc", "aoc", "test", "security",
)  # fmt: skip
_MESSAGE_BIT = 30  # EVENT_FLAG_MESSAGE
ALL_CLASSES = frozenset(c for c in CLASSES if c) | {"message"}

_BY_CLASS = {
    "call": (
        "AttendedTransfer BlindTransfer BridgeCreate BridgeDestroy BridgeEnter BridgeLeave "
        "BridgeMerge BridgeVideoSourceUpdate CEL ChannelTalkingStart ChannelTalkingStop "
        "ChanSpyStart ChanSpyStop ConfbridgeEnd ConfbridgeJoin ConfbridgeLeave ConfbridgeMute "
        "ConfbridgeRecord ConfbridgeStart ConfbridgeStopRecord ConfbridgeTalking ConfbridgeUnmute "
        "DAHDIChannel DeviceStateChange DialBegin DialEnd DialState ExtensionStatus FAXStatus "
        "Flash Hangup HangupRequest Hold LocalBridge LocalOptimizationBegin LocalOptimizationEnd "
        "MCID MeetmeEnd MeetmeJoin MeetmeLeave MeetmeMute MeetmeTalking MeetmeTalkRequest "
        "MessageWaiting MiniVoiceMail MixMonitorMute MixMonitorStart MixMonitorStop "
        "MusicOnHoldStart MusicOnHoldStop NewAccountCode NewCallerid Newchannel NewConnectedLine "
        "Newstate OriginateResponse ParkedCall ParkedCallGiveUp ParkedCallSwap ParkedCallTimeOut "
        "Pickup PresenceStateChange PresenceStatus ReceiveFAX Rename SendFAX SoftHangupRequest "
        "Unhold UnParkedCall Wink"
    ),
    "agent": (
        "AgentCalled AgentComplete AgentConnect AgentDump AgentLogin AgentLogoff "
        "AgentRingNoAnswer QueueCallerAbandon QueueCallerJoin QueueCallerLeave QueueMemberAdded "
        "QueueMemberPause QueueMemberPenalty QueueMemberRemoved QueueMemberRinginuse "
        "QueueMemberStatus"
    ),
    "system": (
        "Alarm AlarmClear ContactStatus DeadlockStart DNDState FullyBooted Load LogChannel "
        "PeerStatus PJSIPMaintenanceStatus Registry Reload Shutdown SpanAlarm SpanAlarmClear Unload"
    ),
    "security": (
        "AuthMethodNotAllowed ChallengeResponseFailed ChallengeSent FailedACL InvalidAccountID "
        "InvalidPassword InvalidTransport LoadAverageLimit MemoryLimit RequestBadFormat "
        "RequestNotAllowed RequestNotSupported SessionLimit SuccessfulAuth UnexpectedAddress"
    ),
    "reporting": "FAXSession FAXStats RTCPReceived RTCPSent TestEvent",
    "dialplan": "HangupHandlerPop HangupHandlerPush HangupHandlerRun NewExten VarSet",
    "agi": "AGIExecEnd AGIExecStart AsyncAGIEnd AsyncAGIExec AsyncAGIStart",
    "aoc": "AOC-D AOC-E AOC-S",
    "dtmf": "DTMFBegin DTMFEnd",
    "user": "UserEvent VoicemailPasswordChange",
    "cdr": "Cdr",
}
EVENT_CLASSES: dict[str, str] = {
    name.lower(): cls for cls, names in _BY_CLASS.items() for name in names.split()
}
# What else an event needs before any session sees it, for "allowed, not seen yet".
_PRECONDITIONS = {
    "cdr": "cdr_manager.conf must say `enabled = yes` (off in the sample config)",
    "cel": "cel.conf must enable CEL and load cel_manager",
    "agentcalled": "only calls through Queue() raise it",
    "queuecallerjoin": "only calls through Queue() raise it",
    "userevent": "only UserEvent() in the dialplan or the UserEvent action raise it",
    "bridgeenter": "only two channels bridged (an answered Dial, Bridge) raise it",
}
DEFAULT_EXPECTED = (
    "Newchannel", "Newexten", "VarSet", "Hangup", "DialBegin", "BridgeEnter", "UserEvent",
    "Cdr", "AgentCalled", "QueueCallerJoin",
)  # fmt: skip


# -- event documentation --------------------------------------------------------------------
#
# The docs are CLI text for humans. What Asterisk 22 prints, and the parser relies on:
# - one block per documented instance, opened by `-= Info about Manager Event 'NAME' =-`; a
#   few events have two (LogChannel), whose headers are merged;
# - `[Syntax]` names every header, `Name: <value>` or `[Name:] <value>` when optional, channel
#   and bridge snapshots expanded (Channel ... DestLinkedid); `[Arguments]` describes only some.
#   So "documented" means "named in [Syntax]". It may say `Not available` (Rename);
# - `Could not find event 'NAME'` when the server has no docs for it (TestEvent);
# - `manager show events` spells NewExten where the wire says Newexten: names compare
#   case-insensitively, as Asterisk does. The docs print no class; `Privilege:` on events does.

_INFO = re.compile(r"-= Info about Manager Event '(?P<name>[^']+)' =-")
_SYNTAX_LINE = re.compile(r"^(?P<open>\[)?(?P<name>[A-Za-z0-9_-]+)(?::\]|\]:|:)\s")
_OPEN_ENDED = re.compile(r"additional\s+(?:arbitrary\s+)?(?:fields|parameters|headers)", re.I)
_EVENT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


@dataclass(frozen=True, slots=True)
class HeaderDoc:
    name: str
    required: bool
    description: str = ""


@dataclass(frozen=True, slots=True)
class EventDoc:
    """What `manager show event NAME` says."""

    name: str  # as the docs spell it
    synopsis: str
    description: str = ""
    headers: tuple[HeaderDoc, ...] = ()
    headers_listed: bool = True  # False when [Syntax] says "Not available"
    open_ended: bool = False  # the docs allow extra headers (UserEvent, Cdr)
    since: str = ""
    provided_by: str = ""
    see_also: tuple[str, ...] = ()

    def header(self, name: str) -> HeaderDoc | None:
        low = name.lower()
        return next((h for h in self.headers if h.name.lower() == low), None)


# What an EventDocsSource gives per event: the doc, None when the server has none (a gap), or
# why it could not be asked (no `command` privilege, not connected).
DocResult = EventDoc | Unavailable | None


def parse_event_list(output: Iterable[str]) -> set[str]:
    """The event names in `manager show events` output."""
    names: set[str] = set()
    for line in output:
        text = ANSI.sub("", line).strip()
        if not text or text.endswith(":") or text.startswith("-") or "registered" in text:
            continue
        names.update(word for word in text.split() if _EVENT_NAME.match(word))
    return names


def _blocks(output: Sequence[str]) -> list[dict[str, list[str]]]:
    """Per `-= Info about =-` block: lowercased section title -> its lines."""
    blocks: list[dict[str, list[str]]] = []
    current: list[str] | None = None
    for raw in output:
        line = ANSI.sub("", raw).rstrip()
        if _INFO.search(line):
            blocks.append({})
            current = None
            continue
        title = SECTION_TITLE.match(line)
        if blocks and title is not None:
            current = blocks[-1].setdefault(title["title"].lower(), [])
        elif current is not None:
            current.append(line)
    return blocks


def _syntax(lines: Sequence[str], described: Mapping[str, str]) -> list[HeaderDoc]:
    found: list[HeaderDoc] = []
    for line in lines:
        match = _SYNTAX_LINE.match(line.strip())
        if match is None or match["name"].lower() == "event":
            continue
        name = match["name"]
        found.append(HeaderDoc(name, match["open"] is None, described.get(name.lower(), "")))
    return found


def parse_event_doc(name: str, output: Sequence[str]) -> EventDoc | None:
    """The doc in `manager show event NAME` output, or None when the server has none."""
    blocks = _blocks(output)
    if not blocks:
        return None  # "Could not find event 'NAME'", a CLI error, or empty output
    match = next((_INFO.search(line) for line in output if _INFO.search(line)), None)
    headers: dict[str, HeaderDoc] = {}
    listed = False
    synopses: list[str] = []
    for block in blocks:
        syntax = [line for line in block.get("syntax", []) if line.strip()]
        listed = listed or any(_SYNTAX_LINE.match(line.strip()) for line in syntax)
        described = argument_docs(block.get("arguments", []))
        for doc in _syntax(syntax, described):
            headers.setdefault(doc.name.lower(), doc)
        synopsis = unwrap(block.get("synopsis", []))
        if synopsis and synopsis not in synopses:
            synopses.append(synopsis)
    first = blocks[0]
    description = unwrap(first.get("description", []))
    see_also = " ".join(line.strip() for line in first.get("see also", [])).split(",")
    return EventDoc(
        name=match["name"] if match else name,
        synopsis=" / ".join(synopses),
        description=description,
        headers=tuple(headers.values()),
        headers_listed=listed,
        open_ended=bool(_OPEN_ENDED.search(description)),
        since=unwrap(first.get("since", [])),
        provided_by=unwrap(first.get("provided by", [])),
        see_also=tuple(s.strip() for s in see_also if s.strip() not in ("", "Not available")),
    )


# -- who may read what ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UserPerms:
    """One AMI user's classes, from `manager show user NAME`."""

    username: str
    read: frozenset[str]
    write: frozenset[str]


def _classes(text: str) -> frozenset[str]:
    found = {part.strip().lower() for part in text.split(",")} - {"", "<none>", "none"}
    return ALL_CLASSES | {"all"} if "all" in found else frozenset(found)


def parse_user_perms(output: Iterable[str]) -> UserPerms | None:
    """The user's read and write classes; None for "There is no manager called NAME"."""
    fields: dict[str, str] = {}
    for line in output:
        key, sep, value = ANSI.sub("", line).partition(":")
        if sep:
            fields[key.strip().lower()] = value.strip()
    if "read perm" not in fields:
        return None
    return UserPerms(
        fields.get("username", ""),
        _classes(fields["read perm"]),
        _classes(fields.get("write perm", "")),
    )


def parse_disabled_events(output: Iterable[str]) -> frozenset[str]:
    """Lowercased names in the `Disabled events:` line of `manager show settings`."""
    for line in output:
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() == "disabled events":
            return frozenset(v.strip().lower() for v in value.split(",") if v.strip())
    return frozenset()


def parse_event_mask(mask: str) -> frozenset[str]:
    """The classes a login `Events:` value lets through, as main/manager.c reads it."""
    text = mask.strip()
    if not text:
        return ALL_CLASSES  # no Events header: the session keeps its read classes
    if text.isdigit():  # a bit mask, even "1" (which is system, not "on")
        bits = int(text)
        found = {c for i, c in enumerate(CLASSES) if c and bits >> i & 1}
        return frozenset(found | ({"message"} if bits >> _MESSAGE_BIT & 1 else set()))
    low = text.lower()
    if low in ("no", "false", "n", "f", "off"):
        return frozenset()
    if low in ("yes", "true", "y", "t", "on"):
        return ALL_CLASSES
    return _classes(text)


def required_classes(
    event: str, observed: Mapping[str, Sequence[str]] | None = None
) -> tuple[tuple[str, ...], str]:
    """The read classes an event needs and where that came from ("observed", "docs" or "")."""
    low = event.lower()
    for name, classes in (observed or {}).items():
        if name.lower() == low and classes:
            return tuple(classes), "observed"
    cls = EVENT_CLASSES.get(low)
    return ((cls,), "docs") if cls else ((), "")


class Verdict(enum.Enum):
    RECEIVED = "received"
    ALLOWED = "allowed, not seen yet"
    NO_READ_CLASS = "read class missing"
    MASKED = "left out by the event mask"
    DISABLED = "disabled on the server"
    UNKNOWN = "cannot tell"


@dataclass(frozen=True, slots=True)
class Explanation:
    event: str
    needs: tuple[str, ...]
    source: str  # where `needs` came from: "observed", "docs" or ""
    verdict: Verdict
    reason: str

    @property
    def ok(self) -> bool:
        return self.verdict in (Verdict.RECEIVED, Verdict.ALLOWED)


@dataclass(frozen=True, slots=True)
class Access:
    """What is known about one session's access; None where it could not be found out."""

    read: Collection[str] | None  # the user's read classes (`manager show user`)
    event_mask: str  # the login's `Events:` value
    seen: Mapping[str, int]  # event name -> count received this session
    observed: Mapping[str, Sequence[str]]  # event name -> classes from its Privilege header
    disabled: Collection[str] = ()  # lowercased names from `manager show settings`


def _explain(event: str, access: Access) -> Explanation:
    needs, source = required_classes(event, access.observed)
    need_text = ", ".join(needs)
    count = next((n for name, n in access.seen.items() if name.lower() == event.lower()), 0)
    if count:
        return Explanation(event, needs, source, Verdict.RECEIVED, f"received {count} so far")
    mask = parse_event_mask(access.event_mask)
    if event.lower() in access.disabled:
        why = "listed in manager.conf `disabledevents`: no session receives it"
        return Explanation(event, needs, source, Verdict.DISABLED, why)
    if not mask:
        why = f"logged in with `Events: {access.event_mask}`: no events at all"
        return Explanation(event, needs, source, Verdict.MASKED, why)
    if not needs:
        why = "its class is unknown: not in Asterisk 22's docs, and none received yet"
        return Explanation(event, needs, source, Verdict.UNKNOWN, why)
    readable = access.read
    proven = {c for classes in access.observed.values() for c in classes}
    if readable is not None and not set(needs) <= set(readable):
        missing = ", ".join(sorted(set(needs) - set(readable)))
        why = f"needs read class {missing}; add it to the user's `read =` in manager.conf"
        if not set(needs) <= mask:
            why += f" (and to the login's `Events: {access.event_mask}`)"
        return Explanation(event, needs, source, Verdict.NO_READ_CLASS, why)
    if not set(needs) <= mask:
        why = f"needs {need_text}, which the login's `Events: {access.event_mask}` leaves out"
        return Explanation(event, needs, source, Verdict.MASKED, why)
    if readable is None and not set(needs) <= proven:
        why = f"needs {need_text}: none received, and the user's read classes cannot be checked"
        return Explanation(event, needs, source, Verdict.UNKNOWN, why)
    why = f"needs {need_text}, which this session gets; none since login"
    why += f": {_PRECONDITIONS[event.lower()]}" if event.lower() in _PRECONDITIONS else ""
    return Explanation(event, needs, source, Verdict.ALLOWED, why)


def why_missing(expected: Iterable[str], access: Access) -> list[Explanation]:
    """For each expected event type: would this session receive it, and if not, why."""
    return [_explain(event, access) for event in expected]
