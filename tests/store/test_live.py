"""The live view's state: tables from list items and events, gaps, resyncs, filter and sort.

List items and events are the real Asterisk 22 packets recorded by amitui/demo/record_live.py
(amitui/demo/data/live_samples.json) where the shape matters, and small hand-made events
where only a few headers do.
"""

from __future__ import annotations

import json
from pathlib import Path

from amitui.protocol.frames import Frame
from amitui.store import EventRing, parse_filter
from amitui.store.live import LIVE, NOT_LOADED, RESYNCING, STALE, UNAVAILABLE, LiveState, select
from amitui.store.live_more import empty_answer, live_state

from ._support import event, parse

SAMPLES = Path(__file__).resolve().parents[2] / "amitui" / "demo" / "data" / "live_samples.json"
T0 = 1_800_000_000.0


def packets(label: str) -> list[Frame]:
    """The list items recorded under `label` (without the response), as frames."""
    data: dict[str, list[list[str]]] = json.loads(SAMPLES.read_text())
    keys = sorted((k for k in data if k.startswith(f"item:{label}:")),
                  key=lambda k: int(k.rsplit(":", 1)[1]))  # fmt: skip
    text = "".join("".join(f"{k}: {v}\n" for k, v in data[key]) + "\n" for key in keys)
    return parse(text)


def chan(name: str, uid: str, state: str = "Up", **extra: str) -> list[tuple[str, str]]:
    return [("Channel", name), ("ChannelState", "6"), ("ChannelStateDesc", state),
            ("CallerIDNum", "1001"), ("CallerIDName", "Alice"), ("ConnectedLineNum", "<unknown>"),
            ("ConnectedLineName", "<unknown>"), ("Context", "default"), ("Exten", "100"),
            ("Priority", "1"), ("Uniqueid", uid), ("Linkedid", uid),
            *extra.items()]  # fmt: skip


def fed(*frames: Frame, when: float = T0) -> tuple[EventRing, LiveState]:
    ring = EventRing(100)
    ring.append_batch(list(frames), when)
    state = live_state()
    state.feed(ring.since(0))
    return ring, state


def test_channels_load_from_core_show_channels_and_durations_tick() -> None:
    state = live_state()
    table = state["channels"]
    state.begin(table, T0)
    assert table.freshness.state == RESYNCING
    state.finish(table, packets("CoreShowChannels"), T0, [])
    assert table.freshness.state == LIVE
    rows = dict(table.rows(T0 + 10))
    assert len(rows) == 4
    queued = next(r for r in rows.values() if r["Application"] == "Queue(amitui-support)")
    assert queued["Channel"].endswith(";1") and queued["State"] == "Up"
    assert queued["Duration"] == "0:00:13"  # recorded 00:00:03, ten seconds later
    assert queued["CallerID"] == "Carol <1003>"
    assert queued["Location"] == "100@default:1"
    bridge = packets("BridgeList")[0].get("BridgeUniqueid") or ""
    assert queued["Bridge"] == bridge[:8]


def test_channel_events_create_update_bridge_and_remove() -> None:
    ring = EventRing(100)
    state = live_state()
    ring.append_batch([event("Newchannel", *chan("PJSIP/1001-00000001", "1.1", "Ring"))], T0)
    a = chan("PJSIP/1001-00000001", "1.1", "Up")
    connected = [(k, {"ConnectedLineNum": "1002", "ConnectedLineName": "Bob"}.get(k, v))
                 for k, v in a]  # fmt: skip
    ring.append_batch([event("Newstate", *a),
                       event("Newexten", *a, ("Application", "Dial"), ("AppData", "PJSIP/1002")),
                       event("NewConnectedLine", *connected),
                       event("BridgeEnter", ("BridgeUniqueid", "b-1"), *connected)],
                      T0 + 5)  # fmt: skip
    state.feed(ring.since(0))
    (row,) = [r for _, r in state["channels"].rows(T0 + 7)]
    assert row["State"] == "Up"
    assert row["Duration"] == "0:00:07"  # from Newchannel's receive time
    assert row["Application"] == "Dial(PJSIP/1002)"
    assert row["Connected"] == "Bob <1002>"
    assert row["Bridge"] == "b-1"
    ring.append_batch([event("BridgeLeave", ("BridgeUniqueid", "b-1"), *a)], T0 + 8)
    state.feed(ring.since(state.processed))
    assert dict(state["channels"].rows(T0))["1.1"]["Bridge"] == ""
    ring.append_batch([event("Rename", *a, ("Newname", "PJSIP/1001-00000001<ZOMBIE>"))], T0 + 9)
    ring.append_batch([event("Hangup", *a, ("Cause", "16"))], T0 + 9)
    state.feed(ring.since(state.processed))
    assert state["channels"].records == {}


def test_rename_keeps_the_row_and_changes_the_name() -> None:
    a = chan("Local/100@default-00000001;1", "2.1")
    _, state = fed(event("Newchannel", *a), event("Rename", *a, ("Newname", "Local/x;1")))
    assert [r["Channel"] for _, r in state["channels"].rows(T0)] == ["Local/x;1"]


def test_a_gap_marks_every_table_stale_until_its_list_answers() -> None:
    ring = EventRing(100)
    state = live_state()
    for table in state:
        state.finish(table, [], T0, [])
    ring.mark_gap("connection lost: test", T0 + 1)
    state.feed(ring.since(0))
    assert {t.freshness.state for t in state} == {STALE}
    assert state["queues"].freshness.reason == "connection lost: test"
    assert [t.name for t in state.needing_sync()] == [t.name for t in state]
    state.finish(state["channels"], [], T0 + 2, [])
    assert state["channels"].freshness.state == LIVE
    assert state["bridges"].freshness.state == STALE


def test_events_during_a_resync_are_applied_on_top_of_the_list() -> None:
    """The list was asked at `start`; a Hangup and a Newchannel arrived before it answered."""
    ring = EventRing(100)
    state = live_state()
    table = state["channels"]
    start = ring.next_seq
    state.begin(table, T0)
    old, new = chan("PJSIP/1-1", "3.1"), chan("PJSIP/2-2", "3.2")
    ring.append_batch([event("Hangup", *old), event("Newchannel", *new)], T0 + 1)
    state.feed(ring.since(0))
    item = "".join(f"{k}: {v}\n" for k, v in old)
    listing = parse(f"Event: CoreShowChannel\n{item}Duration: 00:00:05\nBridgeId: \n\n")
    state.finish(table, listing, T0 + 2, ring.since(start - 1))
    assert [r["Channel"] for _, r in table.rows(T0 + 2)] == ["PJSIP/2-2"]
    assert table.freshness.state == LIVE


def test_a_gap_during_a_resync_leaves_the_table_stale() -> None:
    ring = EventRing(100)
    state = live_state()
    table = state["channels"]
    start = ring.next_seq
    state.begin(table, T0)
    ring.mark_gap("reconnected after 1.0 s", T0 + 1)
    state.feed(ring.since(0))
    state.finish(table, [], T0 + 2, ring.since(start - 1))
    assert table.freshness.state == STALE
    assert table.freshness.reason == "reconnected after 1.0 s"


def test_tables_are_bounded_and_count_what_they_could_not_keep() -> None:
    state = live_state(bound=2)
    ring = EventRing(100)
    ring.append_batch([event("Newchannel", *chan(f"PJSIP/{i}-1", f"4.{i}")) for i in range(5)], T0)
    state.feed(ring.since(0))
    assert len(state["channels"].records) == 2
    assert state["channels"].overflow == 3


def test_rows_filter_with_the_stream_language_and_sort_naturally() -> None:
    frames = [event("Newchannel", *chan(f"PJSIP/{i}-1", f"5.{i}", "Up" if i % 2 else "Ring"))
              for i in (2, 10, 3, 1)]  # fmt: skip
    _, state = fed(*frames)
    rows = state["channels"].rows(T0)
    up = select(rows, parse_filter("State=up"), sort="Channel")
    assert [r["Channel"] for _, r in up] == ["PJSIP/1-1", "PJSIP/3-1"]
    every = select(rows, parse_filter("Channel~PJSIP"), sort="Channel", reverse=True)
    assert [r["Channel"] for _, r in every] == ["PJSIP/10-1", "PJSIP/3-1", "PJSIP/2-1",
                                               "PJSIP/1-1"]  # fmt: skip
    assert [r["Channel"] for _, r in select(rows, parse_filter('"PJSIP/10"'))] == ["PJSIP/10-1"]


def test_queues_from_queue_status_then_events() -> None:
    state = live_state()
    table = state["queues"]
    state.finish(table, packets("QueueStatus-waiting"), T0, [])
    rows = dict(table.rows(T0 + 4))
    assert rows["q:amitui-support"]["Detail"] == "1 waiting, 0 completed, 0 abandoned"
    member = rows["m:amitui-support:Local/100@default"]
    assert (member["Who"], member["State"], member["Paused"]) == ("Agent 100", "In use", "yes")
    caller = next(r for k, r in rows.items() if k.startswith("c:"))
    assert caller["Waiting"] == "0:00:05" and caller["State"] == "position 1"
    assert caller["Who"] == "Carol <1003>"
    ring = EventRing(100)
    data = json.loads(SAMPLES.read_text())
    for key in ("event:QueueMemberAdded:1", "event:QueueMemberPause:1",
                "event:QueueCallerAbandon:1", "event:QueueCallerLeave:1"):  # fmt: skip
        pairs = data[key]
        ring.append_batch([event(pairs[0][1], *[tuple(p) for p in pairs[1:]])], T0 + 5)
    state.feed(ring.since(0))
    rows = dict(table.rows(T0 + 6))
    added = rows["m:amitui-support:Local/101@default"]
    assert added["Paused"] == "yes: lunch" and added["State"] == "Not in use"
    assert not [k for k in rows if k.startswith("c:")]  # the caller gave up
    assert rows["q:amitui-support"]["Detail"] == "0 waiting, 0 completed, 1 abandoned"
    pairs = data["event:QueueMemberRemoved:1"]
    ring.append_batch([event(pairs[0][1], *[tuple(p) for p in pairs[1:]])], T0 + 7)
    state.feed(ring.since(state.processed))
    assert "m:amitui-support:Local/101@default" not in table.records


def test_endpoints_from_the_list_then_device_and_contact_events() -> None:
    state = live_state()
    table = state["endpoints"]
    state.finish(table, packets("PJSIPShowEndpoints-idle"), T0, [])
    rows = dict(table.rows(T0))
    assert rows["PJSIP/1001"]["State"] == "Not in use"
    assert rows["PJSIP/1001"]["Contacts"] == "sip:1001@127.0.0.1:5071"
    ring = EventRing(100)
    ring.append_batch([
        event("DeviceStateChange", ("Device", "PJSIP/1001"), ("State", "INUSE")),
        event("DeviceStateChange", ("Device", "Queue:amitui-support_avail"), ("State", "INUSE")),
        event("ContactStatus", ("URI", "sip:1002@127.0.0.1:5072"), ("ContactStatus", "Reachable"),
              ("AOR", "1002"), ("EndpointName", "1002"), ("RoundtripUsec", "12345")),
    ], T0)  # fmt: skip
    state.feed(ring.since(0))
    ring.append_batch([event("Newchannel", *chan("PJSIP/1001-00000007", "7.1"))], T0)
    state.feed(ring.since(state.processed))
    rows = dict(table.rows(T0))
    assert set(rows) == {"PJSIP/1001", "PJSIP/1002"}  # no row for the queue's device
    assert (rows["PJSIP/1001"]["Channels"], rows["PJSIP/1002"]["Channels"]) == ("1", "0")
    assert rows["PJSIP/1001"]["State"] == "In use"
    assert rows["PJSIP/1002"]["Contact status"] == "Reachable"
    assert rows["PJSIP/1002"]["RTT"] == "12.3 ms"


def test_device_state_list_items_are_not_events() -> None:
    state = live_state()
    state.finish(state["endpoints"], packets("PJSIPShowEndpoints-idle"), T0, [])
    items = [f for f in packets("DeviceStateList-idle") if f.name == "DeviceStateChange"]
    assert all(f.action_id for f in items)
    ring = EventRing(100)
    ring.append_batch([event("DeviceStateChange", ("ActionID", "x"), ("Device", "PJSIP/1001"),
                             ("State", "INUSE"))], T0)  # fmt: skip
    state.feed(ring.since(0))
    assert dict(state["endpoints"].rows(T0))["PJSIP/1001"]["State"] == "Not in use"


def test_bridges_list_their_channels_from_the_channels_table() -> None:
    state = live_state()
    state.finish(state["channels"], packets("CoreShowChannels"), T0, [])
    state.finish(state["bridges"], packets("BridgeList"), T0, [])
    ((key, row),) = state["bridges"].rows(T0)
    assert key == packets("BridgeList")[0].get("BridgeUniqueid")
    assert (row["Type"], row["Technology"], row["Count"]) == ("basic", "simple_bridge", "2")
    bridged = [f.get("Channel") for f in packets("CoreShowChannels") if f.get("BridgeId")]
    assert row["Channels"].split(", ") == bridged
    ring = EventRing(100)
    ring.append_batch([event("BridgeDestroy", ("BridgeUniqueid", key))], T0)
    state.feed(ring.since(0))
    assert state["bridges"].records == {}


def test_parked_calls_and_conference_rooms() -> None:
    state = live_state()
    state.finish(state["parked"], packets("ParkedCalls"), T0, [])
    ((_, row),) = state["parked"].rows(T0 + 2)
    assert (row["Space"], row["Lot"], row["Parked for"], row["Timeout"]) == (
        "701", "default", "0:00:03", "0:00:42")  # fmt: skip
    rooms = packets("ConfbridgeListRooms")
    assert state["conferences"].more_lists(rooms) == [
        ("ConfbridgeList", [("Conference", "amitui-room")])
    ]
    state.finish(state["conferences"], rooms + packets("ConfbridgeList"), T0, [])
    rows = dict(state["conferences"].rows(T0))
    assert rows["r:amitui-room"]["Detail"] == "1 in the room"
    (member,) = [r for k, r in rows.items() if k.startswith("p:")]
    assert member["Channel"] == packets("ConfbridgeList")[0].get("Channel")
    data = json.loads(SAMPLES.read_text())
    pairs = data["event:ConfbridgeEnd:1"]
    ring = EventRing(100)
    ring.append_batch([event(pairs[0][1], *[tuple(p) for p in pairs[1:]])], T0)
    state.feed(ring.since(0))
    assert state["conferences"].records == {}


def test_errors_that_mean_an_empty_list() -> None:
    assert empty_answer("No endpoints found")
    assert empty_answer("No active conferences.")
    assert not empty_answer("Permission denied")


def test_the_channel_count_history_samples_once_a_second() -> None:
    _, state = fed(event("Newchannel", *chan("PJSIP/1-1", "6.1")))
    state.sample(T0)
    state.sample(T0 + 0.5)
    state.sample(T0 + 1)
    assert state.channel_counts() == [1.0, 1.0]
    assert NOT_LOADED != UNAVAILABLE  # the states are distinct words shown to the user


def test_chan_sip_peers_and_their_status() -> None:
    """SIPpeers on servers that still load chan_sip: PeerEntry items, then PeerStatus."""
    state = live_state()
    table = state["endpoints"]
    items = parse("Event: PeerEntry\nActionID: 1\nChanneltype: SIP\nObjectName: 2001\n"
                  "IPaddress: 192.0.2.5\nIPport: 5060\nStatus: OK (12 ms)\n\n")  # fmt: skip
    state.finish(table, items, T0, [])
    ring = EventRing(100)
    ring.append_batch([event("PeerStatus", ("ChannelType", "SIP"), ("Peer", "SIP/2001"),
                             ("PeerStatus", "Lagged"), ("Time", "650"))], T0)  # fmt: skip
    state.feed(ring.since(0))
    row = dict(table.rows(T0))["SIP/2001"]
    assert (row["Contacts"], row["Contact status"], row["RTT"]) == ("192.0.2.5:5060", "Lagged",
                                                                    "650 ms")  # fmt: skip


def test_header_names_are_lowered_through_a_bounded_table() -> None:
    """The tables read lowercase names, first value wins; the lowercase copies are kept in a
    table that a peer inventing names fills only so far, and the answers stay right past it.
    Both versions of the lowering (lines.lowered_py and the C one) are held to this."""
    from amitui.protocol import lines
    from amitui.store import live

    (frame,) = parse("Event: Newstate\nUniqueID: 1\nUniqueid: 2\nCHANNEL: PJSIP/1\n\n")
    assert live.headers_of(frame) == {"event": "Newstate", "uniqueid": "1", "channel": "PJSIP/1"}
    invented = tuple((f"Made-Up-{i}", str(i)) for i in range(lines.LOWER_MAX + 100))
    expected = {f"made-up-{i}": str(i) for i in range(lines.LOWER_MAX + 100)}
    assert live.headers_of(frame, invented) == expected
    assert lines.lowered_py(invented) == expected
    assert len(lines._LOWER) == lines.LOWER_MAX
