"""Which actions change the PBX: they ask first in the console and are refused read-only.

An allowlist of known read-only actions, not a blocklist: an action this list does not know
(a third-party module's, say) is treated as state-changing, so it asks rather than surprises.
`Command` is read-only only when the CLI command is a `show`/`list` one.
"""

from __future__ import annotations

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
_READ_CLI_VERBS = frozenset({"show", "list"})


def is_read_only_cli(command: str) -> bool:
    """`core show channels`, `pjsip list endpoints`, `manager show command X`..."""
    return any(word in _READ_CLI_VERBS for word in command.lower().split()[:3])


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
