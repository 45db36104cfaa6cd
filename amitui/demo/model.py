"""The demo PBX's objects: channels, bridges, phones, and the header blocks that show them.

The header blocks are the Asterisk 22 snapshot layouts (manager_channels.c
ast_manager_build_channel_state_string_prefix(), manager_bridges.c
ast_manager_build_bridge_state_string_prefix()); tests/demo/test_fidelity.py holds them
against the recorded packets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from amitui.demo.sched import Task
from amitui.demo.wire import duration
from amitui.protocol import Header

# ast_state2str() for the states a call goes through.
DOWN, RING, RINGING, UP, BUSY = 0, 4, 5, 6, 7
STATE_DESC = {
    0: "Down",
    1: "Rsrvd",
    2: "OffHook",
    3: "Dialing",
    4: "Ring",
    5: "Ringing",
    6: "Up",
    7: "Busy",
    8: "Dialing Offhook",
    9: "Pre-ring",
}
# ast_cause2str() texts of the causes the demo uses.
CAUSES = {
    0: "Unknown",
    16: "Normal Clearing",
    17: "User busy",
    18: "No user responding",
    19: "User alerting, no answer",
    21: "Call Rejected",
    127: "Interworking, unspecified",
}
UNKNOWN = "<unknown>"


@dataclass(frozen=True, slots=True)
class Phone:
    """A PJSIP endpoint with one registered contact."""

    ext: str
    name: str
    address: str  # host:port of its contact

    @property
    def device(self) -> str:
        return f"PJSIP/{self.ext}"


PHONES = (
    Phone("1001", "Alice", "192.0.2.11:5060"),
    Phone("1002", "Bob", "192.0.2.12:5060"),
    Phone("1003", "Carol", "192.0.2.13:5062"),
    Phone("1004", "Dave", "192.0.2.14:5060"),
    Phone("1005", "Erin", "192.0.2.15:5060"),
    Phone("1006", "Frank", "192.0.2.16:5064"),
    Phone("1007", "Grace", "192.0.2.17:5060"),
    Phone("1008", "Heidi", "192.0.2.18:5060"),
    Phone("1009", "Ivan", "192.0.2.19:5060"),
    Phone("1010", "Judy", "192.0.2.20:5060"),
)


@dataclass(eq=False, slots=True)
class Channel:
    name: str
    uniqueid: str
    linkedid: str
    tech: str  # PJSIP or Local: the Type of a Status item
    device: str  # for DeviceStateChange: PJSIP/1001, Local/100@default
    created: float  # simulation seconds
    state: int = DOWN
    context: str = "default"
    exten: str = "s"
    priority: int = 1
    cid_num: str = UNKNOWN
    cid_name: str = UNKNOWN
    conn_num: str = UNKNOWN
    conn_name: str = UNKNOWN
    accountcode: str = ""
    app: str = ""
    appdata: str = ""
    bridge: Bridge | None = None
    local_peer: Channel | None = None  # the other half of a Local channel pair
    dialed_by: Channel | None = None  # for a channel Dial created: the caller
    dialing: Channel | None = None  # for a caller in Dial: the callee (until Dial returns)
    variables: dict[str, str] = field(default_factory=dict)
    alive: bool = True
    dial_status: str = ""  # DIALSTATUS once Dial has an outcome
    call_id: str = ""  # the SIP Call-ID, for BRIDGEPVTCALLID
    task: Task | None = None  # what runs on it: dialplan, application, or a phone's behaviour
    # What its application does when the far end hangs up, before the channel ends
    # (VoiceMail keeps the message being recorded).
    on_hangup: Callable[[], None] | None = None

    @property
    def state_desc(self) -> str:
        return STATE_DESC.get(self.state, "Unknown")

    def snapshot(self, prefix: str = "") -> list[Header]:
        """The 14 channel headers every channel event carries, optionally prefixed."""
        return [
            (f"{prefix}Channel", self.name),
            (f"{prefix}ChannelState", str(self.state)),
            (f"{prefix}ChannelStateDesc", self.state_desc),
            (f"{prefix}CallerIDNum", self.cid_num),
            (f"{prefix}CallerIDName", self.cid_name),
            (f"{prefix}ConnectedLineNum", self.conn_num),
            (f"{prefix}ConnectedLineName", self.conn_name),
            (f"{prefix}Language", "en"),
            (f"{prefix}AccountCode", self.accountcode),
            (f"{prefix}Context", self.context),
            (f"{prefix}Exten", self.exten),
            (f"{prefix}Priority", str(self.priority)),
            (f"{prefix}Uniqueid", self.uniqueid),
            (f"{prefix}Linkedid", self.linkedid),
        ]

    def location(self) -> str:
        return f"{self.exten}@{self.context}:{self.priority}" if self.exten else "(None)"


@dataclass(eq=False, slots=True)
class Bridge:
    uniqueid: str
    channels: list[Channel] = field(default_factory=list)
    tech: str = "simple_bridge"

    def snapshot(self) -> list[Header]:
        return [
            ("BridgeUniqueid", self.uniqueid),
            ("BridgeType", "basic"),
            ("BridgeTechnology", self.tech),
            ("BridgeCreator", UNKNOWN),
            ("BridgeName", UNKNOWN),
            ("BridgeNumChannels", str(len(self.channels))),
            ("BridgeVideoSourceMode", "none"),
        ]


def status_item(chan: Channel, now: float, action_id: str | None) -> list[Header]:
    """One `Status` list item: Privilege `Call` and ActionID last, as generate_status() does."""
    codec = "slin" if chan.tech == "Local" else "ulaw"
    peer = chan.bridge.uniqueid if chan.bridge is not None else ""
    items: list[Header] = [
        ("Event", "Status"),
        ("Privilege", "Call"),
        *chan.snapshot(),
        ("Type", chan.tech),
        ("DNID", ""),
        ("EffectiveConnectedLineNum", chan.conn_num),
        ("EffectiveConnectedLineName", chan.conn_name),
        ("TimeToHangup", "0"),
        ("BridgeID", peer),
        ("Application", chan.app),
        ("Data", chan.appdata),
        ("Nativeformats", f"({codec})"),
        ("Readformat", codec),
        ("Readtrans", ""),
        ("Writeformat", codec),
        ("Writetrans", ""),
        ("Callgroup", "0"),
        ("Pickupgroup", "0"),
        ("Seconds", str(int(now - chan.created))),
    ]
    if action_id:
        items.append(("ActionID", action_id))
    return items


def coreshow_item(chan: Channel, now: float, action_id: str | None) -> list[Header]:
    """One `CoreShowChannel` list item: ActionID right after Event."""
    head: list[Header] = [("Event", "CoreShowChannel")]
    if action_id:
        head.append(("ActionID", action_id))
    return [
        *head,
        *chan.snapshot(),
        ("Application", chan.app),
        ("ApplicationData", chan.appdata),
        ("Duration", duration(now - chan.created)),
        ("BridgeId", chan.bridge.uniqueid if chan.bridge is not None else ""),
    ]
