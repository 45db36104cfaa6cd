"""The live view's tables: what each event and list item means for channels, bridges, parked
calls. Endpoints, queues and conferences are in live_more.py.

Header names are Asterisk 22's (checked against the sandbox server; samples in
amitui/demo/data/live_samples.json); they are looked up lowercased, so older spellings
(UniqueID) still match.
"""

from __future__ import annotations

from collections.abc import Sequence

from amitui.store.live import DEFAULT_BOUND, Headers, LiveTable, Record, Row, clock, parse_clock

# The channel snapshot every channel event carries (ast_manager_build_channel_state_string).
SNAPSHOT = ("channel", "channelstate", "channelstatedesc", "calleridnum", "calleridname",
            "connectedlinenum", "connectedlinename", "accountcode", "context", "exten",
            "priority", "uniqueid", "linkedid")  # fmt: skip
UNKNOWN = "<unknown>"


def party(num: str, name: str) -> str:
    """`Alice <1001>`, `1001`, or "" when Asterisk knows neither."""
    num = "" if num == UNKNOWN else num
    name = "" if name == UNKNOWN else name
    if name and num:
        return f"{name} <{num}>"
    return name or num


def snapshot(h: Headers, prefix: str = "") -> Headers:
    if not prefix:  # every channel event: no name to build
        return {k: h[k] for k in SNAPSHOT if k in h}
    return {k: h[prefix + k] for k in SNAPSHOT if prefix + k in h}


class Channels(LiveTable):
    name = "channels"
    title = "Channels"
    columns = ("Channel", "State", "Duration", "Location", "Application", "CallerID",
               "Connected", "Bridge")  # fmt: skip
    events = frozenset({"Newchannel", "Newstate", "NewCallerid", "NewConnectedLine", "Rename",
                        "Newexten", "BridgeEnter", "BridgeLeave", "Hangup"})  # fmt: skip
    list_actions = ("CoreShowChannels",)

    def _key(self, h: Headers) -> str:
        uid = h.get("uniqueid", "")
        if uid:
            return uid
        name = h.get("channel", "")  # no Uniqueid (an old server): the name, as last known
        return next((k for k, r in self.records.items() if r.fields.get("channel") == name), name)

    def apply(self, event: str, h: Headers, when: float) -> None:
        key = self._key(h)
        if not key:
            return
        if event == "Hangup":
            self.drop(key)
            return
        fields = snapshot(h)
        if event == "Newexten":
            fields["application"] = h.get("application", "")
            fields["appdata"] = h.get("appdata", "")
        elif event == "Rename" and h.get("newname"):
            fields["channel"] = h["newname"]
        elif event == "BridgeEnter":
            fields["bridge"] = h.get("bridgeuniqueid", "")
        elif event == "BridgeLeave":
            record = self.records.get(key)
            if record is not None and record.fields.get("bridge") == h.get("bridgeuniqueid"):
                fields["bridge"] = ""
        self.put(key, fields, when)

    def load(self, items: Sequence[tuple[str, Headers]], when: float) -> None:
        self.clear()
        for event, h in items:
            if event != "CoreShowChannel":
                continue
            fields = snapshot(h)
            fields["application"] = h.get("application", "")
            fields["appdata"] = h.get("applicationdata", "")
            fields["bridge"] = h.get("bridgeid", "")
            up = parse_clock(h.get("duration", ""))
            self.put(self._key(h), fields, when - up if up is not None else 0.0)

    def row(self, key: str, record: Record, now: float) -> Row:
        f = record.fields
        app = f.get("application", "")
        data = f.get("appdata", "")
        return {
            "Channel": f.get("channel", ""),
            "State": f.get("channelstatedesc", ""),
            "Duration": clock(now - record.since) if record.since else "",
            "Location": f"{f.get('exten', '')}@{f.get('context', '')}:{f.get('priority', '')}",
            "Application": f"{app}({data})" if app else "",
            "CallerID": party(f.get("calleridnum", ""), f.get("calleridname", "")),
            "Connected": party(f.get("connectedlinenum", ""), f.get("connectedlinename", "")),
            "Bridge": f.get("bridge", "")[:8],
        }

    def names(self) -> list[str]:
        return [r.fields["channel"] for r in self.records.values() if r.fields.get("channel")]

    def in_bridge(self, bridge: str) -> list[str]:
        return [r.fields.get("channel", "") for r in self.records.values()
                if r.fields.get("bridge") == bridge]  # fmt: skip


class Bridges(LiveTable):
    """Bridges by BridgeUniqueid; who is in one comes from the channels table, which knows it
    from BridgeEnter/Leave and from CoreShowChannel's BridgeId (BridgeListItem has no
    members)."""

    name = "bridges"
    title = "Bridges"
    columns = ("Bridge", "Type", "Technology", "Name", "Creator", "Count", "Channels")
    events = frozenset({"BridgeCreate", "BridgeEnter", "BridgeLeave", "BridgeDestroy"})
    list_actions = ("BridgeList",)

    def __init__(self, channels: Channels, bound: int = DEFAULT_BOUND) -> None:
        super().__init__(bound)
        self.channels = channels

    def apply(self, event: str, h: Headers, when: float) -> None:
        key = h.get("bridgeuniqueid", "")
        if not key:
            return
        if event == "BridgeDestroy":
            self.drop(key)
            return
        self.put(key, {k: v for k, v in h.items() if k.startswith("bridge")}, when)

    def load(self, items: Sequence[tuple[str, Headers]], when: float) -> None:
        self.clear()
        for event, h in items:
            if event == "BridgeListItem" and h.get("bridgeuniqueid"):
                self.put(h["bridgeuniqueid"], dict(h))

    def row(self, key: str, record: Record, now: float) -> Row:
        f = record.fields
        members = self.channels.in_bridge(key)
        return {
            "Bridge": key,
            "Type": f.get("bridgetype", ""),
            "Technology": f.get("bridgetechnology", ""),
            "Name": "" if f.get("bridgename") == UNKNOWN else f.get("bridgename", ""),
            "Creator": "" if f.get("bridgecreator") == UNKNOWN else f.get("bridgecreator", ""),
            "Count": f.get("bridgenumchannels", ""),
            "Channels": ", ".join(members),
        }


class Parked(LiveTable):
    name = "parked"
    title = "Parked"
    columns = ("Space", "Lot", "Channel", "CallerID", "Parker", "Parked for", "Timeout")
    events = frozenset({"ParkedCall", "ParkedCallGiveUp", "ParkedCallTimeOut", "UnParkedCall",
                        "ParkedCallSwap"})  # fmt: skip
    list_actions = ("ParkedCalls",)
    optional = True

    def apply(self, event: str, h: Headers, when: float) -> None:
        key = h.get("parkeeuniqueid", "")
        if not key:
            return
        if event in ("ParkedCallGiveUp", "ParkedCallTimeOut", "UnParkedCall"):
            self.drop(key)
            return
        if event == "ParkedCallSwap":  # the parkee is now another channel in the same space
            space = h.get("parkingspace")
            for old in [k for k, r in self.records.items() if r.fields.get("parkingspace") == space
                        and r.fields.get("parkinglot") == h.get("parkinglot")]:  # fmt: skip
                self.drop(old)
        self._put_parked(key, h, when)

    def _put_parked(self, key: str, h: Headers, when: float) -> None:
        held = h.get("parkingduration", "")
        since = when - float(held) if held.isdigit() else when
        fields = dict(h)
        fields["_deadline"] = str(when + float(h["parkingtimeout"])) if h.get(
            "parkingtimeout", "").isdigit() else ""  # fmt: skip
        record = self.put(key, fields, since)
        if record is not None:
            record.since = since  # the server's count wins over when we first heard

    def load(self, items: Sequence[tuple[str, Headers]], when: float) -> None:
        self.clear()
        for event, h in items:
            if event == "ParkedCall" and h.get("parkeeuniqueid"):
                self._put_parked(h["parkeeuniqueid"], h, when)

    def row(self, key: str, record: Record, now: float) -> Row:
        f = record.fields
        deadline = f.get("_deadline", "")
        return {
            "Space": f.get("parkingspace", ""),
            "Lot": f.get("parkinglot", ""),
            "Channel": f.get("parkeechannel", ""),
            "CallerID": party(f.get("parkeecalleridnum", ""), f.get("parkeecalleridname", "")),
            "Parker": f.get("parkerdialstring", ""),
            "Parked for": clock(now - record.since),
            "Timeout": clock(float(deadline) - now) if deadline else "",
        }
