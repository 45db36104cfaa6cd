"""The live view's tables for endpoints, queues and conference rooms (see live_tables.py).

Queues and conferences mix two kinds of rows in one table (a queue and its members and
callers; a room and its participants), keyed `q:`/`m:`/`c:` and `r:`/`p:`, so sorting by
Queue or Conference keeps them together and a filter can pick `Kind=member`.
"""

from __future__ import annotations

from collections.abc import Sequence

from amitui.protocol.frames import Frame
from amitui.store.live import DEFAULT_BOUND, Headers, LiveState, LiveTable, Record, Row, clock
from amitui.store.live_tables import Bridges, Channels, Parked, party, snapshot

# AST_DEVICE_* as QueueMember/QueueMemberStatus report them in Status.
MEMBER_STATES = {
    "0": "Unknown", "1": "Not in use", "2": "In use", "3": "Busy", "4": "Invalid",
    "5": "Unavailable", "6": "Ringing", "7": "Ring, in use", "8": "On hold",
}  # fmt: skip
# DeviceStateChange's State to the words PJSIPShowEndpoints uses for the same thing.
DEVICE_STATES = {
    "UNKNOWN": "Unknown", "NOT_INUSE": "Not in use", "INUSE": "In use", "BUSY": "Busy",
    "INVALID": "Invalid", "UNAVAILABLE": "Unavailable", "RINGING": "Ringing",
    "RINGINUSE": "Ring, in use", "ONHOLD": "On hold",
}  # fmt: skip
_EMPTY_ERRORS = ("no endpoints found", "no active conferences", "no contacts found",
                 "no conference by that name")  # fmt: skip


def empty_answer(message: str) -> bool:
    """An Error response that means "the list is empty" (PJSIPShowEndpoints, ConfBridge)."""
    low = message.strip().lower()
    return any(low.startswith(text) for text in _EMPTY_ERRORS)


class Endpoints(LiveTable):
    """PJSIP endpoints (PJSIPShowEndpoints) and, on chan_sip servers, SIP peers (SIPpeers)."""

    name = "endpoints"
    title = "Endpoints"
    columns = ("Endpoint", "State", "Contacts", "Contact status", "RTT", "Channels")
    events = frozenset({"DeviceStateChange", "ContactStatus", "PeerStatus"})
    list_actions = ("PJSIPShowEndpoints", "SIPpeers")

    def __init__(self, channels: Channels, bound: int = DEFAULT_BOUND) -> None:
        super().__init__(bound)
        self.channels = channels  # an endpoint's channels are named after it: PJSIP/1001-…

    def apply(self, event: str, h: Headers, when: float) -> None:
        if event == "DeviceStateChange":
            key = h.get("device", "")
            if key in self.records:  # the device of an endpoint we list, not Queue:… or MWI:…
                state = h.get("state", "")
                self.put(key, {"devicestate": DEVICE_STATES.get(state, state)})
        elif event == "ContactStatus":
            key = f"PJSIP/{h.get('endpointname', '')}"
            status = h.get("contactstatus", "")
            fields = {"contactstatus": status, "uri": h.get("uri", "")}
            rtt = h.get("roundtripusec", "")
            fields["rtt"] = f"{int(rtt) / 1000:.1f} ms" if rtt.isdigit() and rtt != "0" else ""
            if status == "Removed":
                fields["contactstatus"] = "Removed"
            self.put(key, fields)
        elif event == "PeerStatus":
            key = h.get("peer", "")
            fields = {"peerstatus": h.get("peerstatus", "")}
            if h.get("time", "").isdigit():  # chan_sip's qualify time in ms
                fields["rtt"] = f"{h['time']} ms"
            self.put(key, fields)

    def load(self, items: Sequence[tuple[str, Headers]], when: float) -> None:
        self.clear()
        for event, h in items:
            if event == "EndpointList" and h.get("objectname"):
                contacts = [c for c in h.get("contacts", "").split(",") if c]
                self.put(f"PJSIP/{h['objectname']}", {
                    "devicestate": h.get("devicestate", ""),
                    "contacts": ", ".join(c.partition("/")[2] or c for c in contacts),
                })  # fmt: skip
            elif event == "PeerEntry" and h.get("objectname"):
                where = h.get("ipaddress", "")
                port = h.get("ipport", "")
                self.put(f"{h.get('channeltype', 'SIP')}/{h['objectname']}", {
                    "devicestate": "", "contacts": f"{where}:{port}" if port else where,
                    "peerstatus": h.get("status", ""),
                })  # fmt: skip

    def row(self, key: str, record: Record, now: float) -> Row:
        f = record.fields
        return {
            "Endpoint": key,
            "State": f.get("devicestate", ""),
            "Contacts": f.get("contacts", "") or f.get("uri", ""),
            "Contact status": f.get("contactstatus", "") or f.get("peerstatus", ""),
            "RTT": f.get("rtt", ""),
            "Channels": str(sum(n.startswith(f"{key}-") for n in self.channels.names())),
        }

    def names(self) -> list[str]:
        return list(self.records)


class Queues(LiveTable):
    name = "queues"
    title = "Queues"
    columns = ("Queue", "Kind", "Who", "Interface", "State", "Paused", "Detail", "Waiting")
    events = frozenset({"QueueMemberStatus", "QueueMemberAdded", "QueueMemberRemoved",
                        "QueueMemberPause", "QueueCallerJoin", "QueueCallerLeave",
                        "QueueCallerAbandon", "AgentComplete"})  # fmt: skip
    list_actions = ("QueueStatus",)

    def apply(self, event: str, h: Headers, when: float) -> None:
        queue = h.get("queue", "")
        if not queue:
            return
        if event.startswith("QueueMember"):
            key = f"m:{queue}:{h.get('interface', '')}"
            if event == "QueueMemberRemoved":
                self.drop(key)
            else:
                self._queue(queue)
                self.put(key, _member(h, h.get("membername", ""), h.get("interface", "")))
        elif event == "QueueCallerJoin":
            self._queue(queue).fields["calls"] = h.get("count", "")
            self.put(self._caller_key(queue, h), {**snapshot(h), "queue": queue,
                     "position": h.get("position", "")}, when)  # fmt: skip
        elif event in ("QueueCallerLeave", "QueueCallerAbandon"):
            self._leave(queue, h, abandoned=event == "QueueCallerAbandon")
        elif event == "AgentComplete":
            counts = self._queue(queue).fields
            counts["completed"] = str(int(counts.get("completed", "0") or 0) + 1)

    def _caller_key(self, queue: str, h: Headers) -> str:
        return f"c:{queue}:{h.get('uniqueid') or h.get('channel', '')}"

    def _queue(self, queue: str) -> Record:
        record = self.put(f"q:{queue}", {"queue": queue})
        return record if record is not None else Record({})

    def _leave(self, queue: str, h: Headers, *, abandoned: bool) -> None:
        key = self._caller_key(queue, h)
        params = self._queue(queue).fields
        if "count" in h:
            params["calls"] = h["count"]
        if key not in self.records:
            return  # Abandon, then Leave: the second finds it gone
        self.drop(key)
        if abandoned:
            params["abandoned"] = str(int(params.get("abandoned", "0") or 0) + 1)
        gone = h.get("position", "")
        if gone.isdigit():  # the ones behind move up
            for k, r in self.records.items():
                pos = r.fields.get("position", "")
                if k.startswith(f"c:{queue}:") and pos.isdigit() and int(pos) > int(gone):
                    r.fields["position"] = str(int(pos) - 1)

    def load(self, items: Sequence[tuple[str, Headers]], when: float) -> None:
        self.clear()
        for event, h in items:
            queue = h.get("queue", "")
            if not queue:
                continue
            if event == "QueueParams":
                self.put(f"q:{queue}", {k: v for k, v in h.items() if k != "actionid"})
            elif event == "QueueMember":
                location = h.get("location", "")
                self.put(f"m:{queue}:{location}", _member(h, h.get("name", ""), location))
            elif event == "QueueEntry":
                wait = h.get("wait", "")
                since = when - float(wait) if wait.isdigit() else when
                self.put(self._caller_key(queue, h), {**snapshot(h), "queue": queue,
                         "position": h.get("position", "")}, since)  # fmt: skip

    def row(self, key: str, record: Record, now: float) -> Row:
        f = record.fields
        kind = {"q": "queue", "m": "member", "c": "caller"}[key[0]]
        row = dict.fromkeys(self.columns, "")
        row.update(Queue=f.get("queue", ""), Kind=kind)
        if kind == "queue":
            row["State"] = f.get("strategy", "")
            row["Detail"] = (f"{f.get('calls', '0') or '0'} waiting, "
                             f"{f.get('completed', '0') or '0'} completed, "
                             f"{f.get('abandoned', '0') or '0'} abandoned")  # fmt: skip
        elif kind == "member":
            row.update(Who=f.get("name", ""), Interface=f.get("interface", ""),
                       State=MEMBER_STATES.get(f.get("status", ""), f.get("status", "")),
                       Paused=("yes: " + f["pausedreason"] if f.get("pausedreason") else "yes")
                       if f.get("paused") == "1" else "no",
                       Detail=f"{f.get('callstaken', '0')} calls taken"
                       + (", in a call" if f.get("incall") == "1" else ""))  # fmt: skip
        else:
            row.update(Who=party(f.get("calleridnum", ""), f.get("calleridname", "")),
                       Interface=f.get("channel", ""), State=f"position {f.get('position', '')}",
                       Waiting=clock(now - record.since))  # fmt: skip
        return row

    def names(self) -> list[str]:
        return [r.fields["queue"] for k, r in self.records.items() if k.startswith("q:")]

    def interfaces(self) -> list[str]:
        return sorted({r.fields["interface"] for k, r in self.records.items()
                       if k.startswith("m:") and r.fields.get("interface")})  # fmt: skip


def _member(h: Headers, name: str, interface: str) -> Headers:
    keep = ("queue", "status", "paused", "pausedreason", "callstaken", "incall", "membership",
            "penalty", "stateinterface", "lastcall")  # fmt: skip
    return {**{k: h[k] for k in keep if k in h}, "name": name, "interface": interface}


class Conferences(LiveTable):
    """ConfBridge rooms (ConfbridgeListRooms) and who is in them (ConfbridgeList per room)."""

    name = "conferences"
    title = "Conferences"
    columns = ("Conference", "Kind", "Who", "Channel", "Detail", "Since")
    events = frozenset({"ConfbridgeStart", "ConfbridgeEnd", "ConfbridgeJoin", "ConfbridgeLeave",
                        "ConfbridgeMute", "ConfbridgeUnmute", "ConfbridgeLock",
                        "ConfbridgeUnlock"})  # fmt: skip
    list_actions = ("ConfbridgeListRooms",)
    optional = True

    def apply(self, event: str, h: Headers, when: float) -> None:
        room = h.get("conference", "")
        if not room:
            return
        if event == "ConfbridgeEnd":
            for key in [k for k in self.records if k in (f"r:{room}",)
                        or k.startswith(f"p:{room}:")]:  # fmt: skip
                self.drop(key)
            return
        self.put(f"r:{room}", {"conference": room}, when)
        if event in ("ConfbridgeLock", "ConfbridgeUnlock"):
            self.put(f"r:{room}", {"locked": "Yes" if event == "ConfbridgeLock" else "No"})
        elif event in ("ConfbridgeJoin", "ConfbridgeLeave", "ConfbridgeMute",
                       "ConfbridgeUnmute"):  # fmt: skip
            key = f"p:{room}:{h.get('uniqueid') or h.get('channel', '')}"
            if event == "ConfbridgeLeave":
                self.drop(key)
                return
            fields = {**snapshot(h), "conference": room, "admin": h.get("admin", "")}
            if event != "ConfbridgeJoin" or "muted" in h:
                fields["muted"] = h.get("muted", "Yes" if event == "ConfbridgeMute" else "No")
            self.put(key, fields, when)

    def more_lists(self, items: Sequence[Frame]) -> list[tuple[str, list[tuple[str, str]]]]:
        rooms = [f.get("Conference") or "" for f in items if f.name == "ConfbridgeListRooms"]
        return [("ConfbridgeList", [("Conference", room)]) for room in rooms if room]

    def load(self, items: Sequence[tuple[str, Headers]], when: float) -> None:
        self.clear()
        for event, h in items:
            room = h.get("conference", "")
            if event == "ConfbridgeListRooms" and room:
                self.put(f"r:{room}", dict(h))
            elif event == "ConfbridgeList" and room:
                up = h.get("answeredtime", "")
                since = when - float(up) if up.isdigit() else 0.0
                key = f"p:{room}:{h.get('uniqueid') or h.get('channel', '')}"
                self.put(key, dict(h), since)

    def row(self, key: str, record: Record, now: float) -> Row:
        f = record.fields
        room = key.startswith("r:")
        if room:
            parties = sum(k.startswith(f"p:{f.get('conference', '')}:") for k in self.records)
            detail = f"{parties} in the room" + (", locked" if f.get("locked") == "Yes" else "")
        else:
            notes = [n for n, on in (("admin", f.get("admin") == "Yes"),
                     ("muted", f.get("muted") == "Yes")) if on]  # fmt: skip
            detail = ", ".join(notes)
        return {
            "Conference": f.get("conference", ""),
            "Kind": "room" if room else "party",
            "Who": "" if room else party(f.get("calleridnum", ""), f.get("calleridname", "")),
            "Channel": "" if room else f.get("channel", ""),
            "Detail": detail,
            "Since": clock(now - record.since) if record.since else "",
        }

    def rooms(self) -> list[str]:
        return [r.fields["conference"] for k, r in self.records.items() if k.startswith("r:")]


def live_state(bound: int = DEFAULT_BOUND) -> LiveState:
    """Every table of the live view, in tab order."""
    channels = Channels(bound)
    tables: list[LiveTable] = [channels, Bridges(channels, bound), Endpoints(channels, bound),
                               Queues(bound), Parked(bound), Conferences(bound)]  # fmt: skip
    return LiveState(tables)
