"""The demo's endpoints, bridges and queues answer like Asterisk 22: list items, queue events
and refusals compared with what the sandbox server sent (amitui/demo/data/live_samples.json,
written by `python -m amitui.demo.record_live`). Nothing here connects to a real Asterisk.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amitui.demo import DemoPbx, DemoServer, PbxEvent
from amitui.demo.queues import queues_of
from amitui.demo.record_live import ERRORS
from amitui.protocol import Action, Frame

from ._support import Connect, until

SAMPLES = Path(__file__).resolve().parents[2] / "amitui" / "demo" / "data" / "live_samples.json"
Packet = list[list[str]]


@pytest.fixture(scope="module")
def samples() -> dict[str, Packet]:
    data: dict[str, Packet] = json.loads(SAMPLES.read_text())
    return data


def names(packet: Packet | Frame | tuple[tuple[str, str], ...]) -> list[str]:
    pairs = packet.headers if isinstance(packet, Frame) else packet
    return [k for k, _ in pairs]


def recorded_layouts(samples: dict[str, Packet], event: str) -> list[list[str]]:
    """Every layout recorded for an event name, as list item or as event."""
    return [names(p) for p in samples.values() if p and p[0] == ["Event", event]]


async def test_list_items_have_the_recorded_layouts(
    quiet: DemoServer, connect: Connect, samples: dict[str, Packet]
) -> None:
    session, _ = await connect(quiet)
    await session.send(Action.of("Originate", Channel="Local/100@default", Application="Dial",
                                 Data="Local/100@default", Async="true"))  # fmt: skip
    await until(lambda: bool(quiet.pbx.bridges))
    pbx = quiet.pbx
    caller = next(iter(pbx.channels.values()))
    queues = queues_of(pbx)
    support = queues.queues["support"]
    queues.join(support, caller)  # a caller waiting, so QueueStatus has a QueueEntry
    seen: set[str] = set()
    for action in ("PJSIPShowEndpoints", "BridgeList", "QueueStatus", "ParkedCalls"):
        tr = await session.send(Action(action))
        assert tr.ok, tr.message
        response = tr.response
        assert response is not None
        (message,) = {v for k, p in samples.items() if k.startswith(f"response:{action}")
                      for key, v in p if key == "Message"}  # fmt: skip
        assert response.get("Message") == message
        for item in [*tr.items, tr.exchange.list_end]:
            assert item is not None
            assert names(item) in recorded_layouts(samples, item.name), item.redacted_text()
            seen.add(item.name)
    assert seen >= {"EndpointList", "EndpointListComplete", "BridgeListItem",
                    "BridgeListComplete", "QueueParams", "QueueMember", "QueueEntry",
                    "QueueStatusComplete", "ParkedCallsComplete"}  # fmt: skip


async def test_queue_events_have_the_recorded_layouts(
    quiet: DemoServer, connect: Connect, samples: dict[str, Packet]
) -> None:
    session, seen = await connect(quiet)
    for action in (
        Action.of("QueueAdd", Queue="support", Interface="PJSIP/1009", MemberName="Ivan"),
        Action.of("QueuePause", Queue="support", Interface="PJSIP/1009", Paused="true",
                  Reason="lunch"),
        Action.of("QueueRemove", Queue="support", Interface="PJSIP/1009"),
    ):  # fmt: skip
        assert (await session.send(action)).ok
    pbx = quiet.pbx
    queues = queues_of(pbx)
    queue = queues.queues["sales"]
    chan = pbx.new_channel("PJSIP/1008-00000001", "PJSIP", "PJSIP/1008", state=6,
                           context="from-internal", exten="sales")  # fmt: skip
    queues.abandon(queue, queues.join(queue, chan))
    pbx.device_changed("PJSIP/1004", "INUSE")  # a member's phone: QueueMemberStatus
    quiet.poke()
    want = {"QueueMemberAdded", "QueueMemberPause", "QueueMemberRemoved", "QueueCallerJoin",
            "QueueCallerAbandon", "QueueCallerLeave", "QueueMemberStatus"}  # fmt: skip
    await until(lambda: want <= {f.name for f in seen})
    for frame in seen:
        if frame.name in want:
            assert names(frame) in recorded_layouts(samples, frame.name), frame.redacted_text()


# The demo's members are all dynamic: it has no static member to refuse removing.
@pytest.mark.parametrize(("label", "action", "headers"),
                         [e for e in ERRORS if e[0] != "QueueRemove-static"])  # fmt: skip
async def test_refusals_are_worded_like_the_server(
    quiet: DemoServer, connect: Connect, samples: dict[str, Packet],
    label: str, action: str, headers: list[tuple[str, str]],
) -> None:  # fmt: skip
    # The recording's queue and member are the sandbox's; the demo's are support, PJSIP/1001.
    names_map = {"amitui-support": "support", "Local/100@default": "PJSIP/1001",
                 "Local/101@default": "PJSIP/1009"}  # fmt: skip
    session, _ = await connect(quiet)
    tr = await session.send(Action.of(action, [(k, names_map.get(v, v)) for k, v in headers]))
    expected = dict((k, v) for k, v in samples[f"response:{label}"])
    assert tr.response is not None
    assert tr.response.name == expected["Response"]
    assert tr.response.get("Message") == expected["Message"]


def test_queue_traffic_runs_with_the_background() -> None:
    pbx = DemoPbx(seed=3, rate=4.0, epoch=1_800_000_000.0)
    raised: list[PbxEvent] = []
    pbx.subscribe(raised.append)
    pbx.advance(120)
    kinds = {e.name for e in raised}
    assert {"QueueCallerJoin", "QueueCallerLeave", "QueueMemberPause",
            "QueueMemberStatus"} <= kinds  # fmt: skip
    assert pbx.sched.errors == []
