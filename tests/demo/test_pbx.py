"""The simulated PBX on its own: deterministic, lively, and consistent with itself."""

from __future__ import annotations

import re
from collections import Counter

from amitui.demo import DemoPbx, PbxEvent
from amitui.demo.data import recorded

EPOCH = 1795833957.0


def run(seed: int, seconds: float, rate: float = 1.0) -> tuple[DemoPbx, list[PbxEvent]]:
    pbx = DemoPbx(seed=seed, rate=rate, epoch=EPOCH)
    events: list[PbxEvent] = []
    pbx.subscribe(events.append)
    pbx.advance(seconds)
    return pbx, events


def test_same_seed_same_events() -> None:
    _, first = run(7, 300)
    _, again = run(7, 300)
    _, other = run(8, 300)
    assert [e.name for e in first] == [e.name for e in again]
    assert [e.packet() for e in first] == [e.packet() for e in again]  # fixed epoch: all of it
    assert [e.name for e in first] != [e.name for e in other]


def test_stepping_does_not_change_the_sequence() -> None:
    """The server advances in irregular slices; the result must not depend on them."""
    _, whole = run(3, 120)
    pbx = DemoPbx(seed=3, epoch=EPOCH)
    sliced: list[PbxEvent] = []
    pbx.subscribe(sliced.append)
    t = 0.0
    while t < 120:
        t = min(t + 0.013 * (1 + len(sliced) % 7), 120)
        pbx.run_until(t)
    assert [e.packet() for e in sliced] == [e.packet() for e in whole]


def test_lively_at_the_default_rate_and_scaled_by_rate() -> None:
    pbx, events = run(11, 600)
    per_second = len(events) / 600
    assert 5 <= per_second <= 20, per_second
    _, faster = run(11, 600, rate=2.0)
    assert len(faster) > 1.4 * len(events)
    assert pbx.sched.errors == []


def test_the_call_events_asterisk_raises() -> None:
    _, events = run(11, 600)
    seen = Counter(e.name for e in events)
    expected = {
        "Newchannel",
        "VarSet",
        "Newexten",
        "DialBegin",
        "Newstate",
        "DialEnd",
        "BridgeCreate",
        "BridgeEnter",
        "BridgeLeave",
        "BridgeDestroy",
        "HangupRequest",
        "SoftHangupRequest",
        "Hangup",
        "DeviceStateChange",
        "NewCallerid",
        "NewConnectedLine",
        "PeerStatus",
        "ContactStatus",
    }
    assert expected <= set(seen)
    states = {e.get("ChannelStateDesc") for e in events if e.name == "Newstate"}
    assert {"Ringing", "Up"} <= states
    statuses = {e.get("DialStatus") for e in events if e.name == "DialEnd"}
    assert {"ANSWER", "BUSY", "CANCEL"} <= statuses
    apps = {e.get("Application") for e in events if e.name == "Newexten"}
    assert {"NoOp", "Set", "Dial", "Hangup"} <= apps


def test_only_rare_events_are_undocumented() -> None:
    _, events = run(4, 1800)
    rec = recorded()
    undocumented = Counter(e.name for e in events if not rec.documented(e.name))
    assert set(undocumented) == {"TestEvent"}
    assert undocumented["TestEvent"] < len(events) / 200


def test_names_ids_and_privileges_look_like_asterisk() -> None:
    _, events = run(5, 300)
    for event in events:
        assert re.fullmatch(r"[a-z]+,all", event.privilege)
        if event.get("Uniqueid") and event.get("Uniqueid") != "none":
            assert re.fullmatch(r"\d{10}\.\d+", event.get("Uniqueid") or "")
        channel = event.get("Channel")
        if channel and event.name != "VarSet":
            assert re.fullmatch(r"PJSIP/10\d\d-[0-9a-f]{8}", channel), channel
    privileges = {e.name: e.privilege for e in events}
    assert privileges["Newchannel"] == "call,all"
    assert privileges["Newexten"] == "dialplan,all"
    assert privileges["PeerStatus"] == "system,all"


def test_every_channel_and_bridge_ends_or_is_still_there() -> None:
    pbx, events = run(9, 900)
    created = {e.get("Channel") for e in events if e.name == "Newchannel"}
    gone = {e.get("Channel") for e in events if e.name == "Hangup"}
    assert created - gone == set(pbx.channels)
    assert gone <= created
    bridges = {e.get("BridgeUniqueid") for e in events if e.name == "BridgeCreate"}
    destroyed = {e.get("BridgeUniqueid") for e in events if e.name == "BridgeDestroy"}
    assert bridges - destroyed == set(pbx.bridges)
    for chan in pbx.channels.values():
        assert chan.alive and (chan.bridge is None or chan.bridge.uniqueid in pbx.bridges)


def test_a_call_in_order() -> None:
    """The first call of seed 1: a PJSIP phone dials another, they talk, one hangs up."""
    _, events = run(1, 60)
    first = events[0].get("Linkedid")
    call = [e.name for e in events if first in (e.get("Linkedid"), e.get("DestLinkedid"))]
    assert call[:3] == ["Newchannel", "Newexten", "Newexten"]
    order = ["Newchannel", "DialBegin", "Newstate", "DialEnd", "Hangup"]
    positions = [call.index(name) for name in order]
    assert positions == sorted(positions)
    assert call.count("Newchannel") == 2 and call.count("Hangup") == 2
