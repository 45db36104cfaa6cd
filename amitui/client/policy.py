"""Which actions change the PBX: they ask first in the console and are refused read-only.

An allowlist of known read-only actions, not a blocklist: an action this list does not know
(a third-party module's, say) is treated as state-changing, so it asks rather than surprises.
`Command` is read-only only when the CLI command's leading words are one of the read-only
commands in `READ_ONLY_CLI` (checked against `core show help` of Asterisk 22); any other CLI
command, even one with `show` or `list` further on (`database put show k v`), asks first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from amitui.protocol import Action

READ_ONLY_ACTIONS = frozenset(
    name.lower()
    for name in [
        "Ping",
        "Login",
        "Logoff",
        "Challenge",
        "Events",
        "Filter",
        "ListCommands",
        "WaitEvent",
        "UserEvent",
        "Status",
        "CoreShowChannels",
        "CoreShowChannelMap",
        "CoreStatus",
        "CoreSettings",
        "Getvar",
        "GetConfig",
        "GetConfigJSON",
        "ListCategories",
        "DBGet",
        "DBGetTree",
        "ExtensionState",
        "ExtensionStateList",
        "DeviceStateList",
        "PresenceState",
        "PresenceStateList",
        "MailboxCount",
        "MailboxStatus",
        "QueueStatus",
        "QueueSummary",
        "Queues",
        "QueueRule",
        "BridgeList",
        "BridgeInfo",
        "BridgeTechnologyList",
        "ParkedCalls",
        "Parkinglots",
        "Agents",
        "ConfbridgeList",
        "ConfbridgeListRooms",
        "MeetmeList",
        "MeetmeListRooms",
        "IAXpeers",
        "IAXpeerlist",
        "IAXregistry",
        "IAXnetstats",
        "SIPpeers",
        "SIPshowpeer",
        "SIPshowregistry",
        "VoicemailUsersList",
        "VoicemailUserStatus",
        "FAXSessions",
        "FAXSession",
        "FAXStats",
        "MWIGet",
        "ShowDialPlan",
        "ModuleCheck",
        "DAHDIShowChannels",
        "DAHDIShowStatus",
        "PRIShowSpans",
        "PJSIPShowEndpoints",
        "PJSIPShowEndpoint",
        "PJSIPShowAors",
        "PJSIPShowAuths",
        "PJSIPShowContacts",
        "PJSIPShowRegistrationsInbound",
        "PJSIPShowRegistrationsOutbound",
        "PJSIPShowRegistrationInboundContactStatuses",
        "PJSIPShowResourceLists",
        "PJSIPShowSubscriptionsInbound",
        "PJSIPShowSubscriptionsOutbound",
    ]
)
# Read-only CLI commands, by their leading words, from Asterisk 22's `core show help`. A
# command matches when its first words are exactly one of these (case-insensitive; Asterisk
# compares CLI words so). Left out on purpose: `database query` (runs any SQL), `ulimit` and
# `say load` ("set or show"), `manager set debug`, `mixmonitor list` (shares its entry with
# start/stop), `cli check permissions`. Not listed means "changes the PBX": it asks first and
# is refused read-only, so a missing command costs a confirmation, never a surprise.
_CLI_WORD = re.compile(r"[^ \t\n\v\f\r]+")
READ_ONLY_CLI: tuple[tuple[str, ...], ...] = tuple(
    tuple(line.split())
    for line in """
    acl show
    aeap show
    agent show
    agi show commands
    ari show
    bridge show
    bridge technology show
    calendar show
    cdr show
    cel show status
    cli show
    confbridge list
    confbridge show
    config list
    config show help
    core show
    database get
    database show
    database showkey
    devstate list
    dialplan show
    dnsmgr status
    fax show
    features show
    geoloc list
    geoloc show
    group show channels
    help
    http show status
    iax2 show
    indication show
    keys show
    local show channels
    logger show
    logger filter show
    manager show
    media cache show
    minivm list
    minivm show
    moh show
    module show
    odbc show
    opus show
    parking show
    phoneprov show routes
    pjproject show
    pjsip list
    pjsip show
    presencestate list
    prometheus show
    queue show
    rtp show settings
    sip show
    sla show
    sorcery memory cache show
    sorcery show settings
    stasis show
    stir_shaken show
    stun show status
    test show
    udptl show config
    voicemail show
    xmpp list nodes
    xmpp show
    """.strip().splitlines()
)


def is_read_only_cli(command: str) -> bool:
    """`core show channels`, `pjsip list endpoints`, `database get fam key`: True. Anything
    whose leading words are not a read-only command, such as `database put show k v` or
    `confbridge kick show all`, is False."""
    # Words as Asterisk splits them (C isspace) and compares them (ASCII case-insensitive), so
    # no Unicode space or case folding can make a command look like another here.
    words = _CLI_WORD.findall(command.encode("utf-8", "replace").lower().decode())
    return any(tuple(words[: len(head)]) == head for head in READ_ONLY_CLI)


class ActionPolicy:
    """Decides whether an action changes state; extended by the user's configuration."""

    def __init__(self, also_confirm: Iterable[str] = (), also_safe: Iterable[str] = ()) -> None:
        self._confirm = {n.lower() for n in also_confirm}
        self._safe = READ_ONLY_ACTIONS | {n.lower() for n in also_safe}

    def changes_state(self, action: Action) -> bool:
        name = action.name.lower()
        if name in self._confirm:
            return True
        if name == "command":
            return not is_read_only_cli(action.get("Command") or "")
        return name not in self._safe
