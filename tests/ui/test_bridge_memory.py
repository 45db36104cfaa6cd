"""Oversized events through the console's ingest path (session callback -> StoreBridge -> ring):
the ring keeps a cut copy, every other consumer of the batch sees the frame whole, and call
tracing still finds the call from the stored copy."""

from __future__ import annotations

from amitui.protocol.frames import Frame
from amitui.store.ring import EventRing, StoredEvent, TruncatedEvent
from amitui.store.trim import EVENT_RAW_CAP
from amitui.ui.bridge import StoreBridge
from tests.ui.fakes import call_events

BLOB = b"B" * (4 * 1024 * 1024)


def _huge_varset(channel: str, uniqueid: str, linkedid: str) -> Frame:
    raw = (
        b"Event: VarSet\r\nPrivilege: dialplan,all\r\nChannel: %s\r\nVariable: BLOB\r\n"
        b"Value: %s\r\nUniqueid: %s\r\nLinkedid: %s\r\n"
    ) % (channel.encode(), BLOB, uniqueid.encode(), linkedid.encode())
    return Frame.event_unparsed(raw)


def test_the_ring_keeps_a_cut_copy_and_the_call_is_still_traced() -> None:
    events = call_events()
    first = events[2]  # Newchannel of the Local;1 half
    huge = _huge_varset(first.get("Channel") or "", first.get("Uniqueid") or "", "1795833957.0")
    batch = [*events[:5], huge, *events[5:]]
    ring = EventRing()
    bridge = StoreBridge(ring, "pbx:5038", clock=lambda: 1.0)
    seen: list[Frame] = []  # another consumer of the same batch (a recording, a script)

    def deliver(frames: list[Frame]) -> None:  # what AmiSession._deliver does per read
        bridge.on_events(frames)
        seen.extend(frames)

    deliver(batch)
    assert seen[5] is huge and huge.raw.endswith(b"Linkedid: 1795833957.0\r\n")
    assert BLOB in huge.raw  # untouched
    stored = ring.get(6)
    assert isinstance(stored, TruncatedEvent)
    assert stored.real_size == len(huge.raw) and len(stored.frame.raw) <= EVENT_RAW_CAP
    assert all(
        not e.truncated and e.frame is f
        for e, f in zip(ring, batch, strict=True)
        if isinstance(e, StoredEvent) and e.seq != 6
    )
    assert bridge.analyse(None) == len(batch)
    call = bridge.calls.call_of(stored.frame)
    assert call is not None and call is bridge.calls.call_of(first)
    assert 6 in call.seqs
    assert bridge.catalog.get("VarSet") is not None


def test_four_mb_events_cost_the_ring_its_cap_not_their_size() -> None:
    ring = EventRing()
    bridge = StoreBridge(ring)
    for i in range(50):
        bridge.on_events([_huge_varset(f"PJSIP/{i}-1", f"1.{i}", "1.0")])
    assert len(ring) == 50 and ring.evicted == 0
    assert all(isinstance(e, TruncatedEvent) for e in ring)
    assert ring.stored_bytes < 50 * (EVENT_RAW_CAP + 1024)  # not 50 x 4 MB
