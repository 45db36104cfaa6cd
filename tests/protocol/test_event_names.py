"""Events made in bulk (`Frame.events_unparsed`, the parser's runs) carry the names that each
event's own `name` reads from its bytes, whatever the first line holds."""

from __future__ import annotations

from amitui.protocol import Frame

RAWS = [
    b"Event: Newchannel\r\nUniqueid: 1.1\r\n",
    b"Event: Newchannel\r\n",
    b"Event: \r\nA: 1\r\n",  # an empty name
    b"Event: X\r\r\nA: 1\r\n",  # two CRs before the LF: only one goes with it
    b"Event: Bare LF\nA: 1\n",
    b"Event: Caf\xc3\xa9\r\n",
    b"Event: Bad \xff byte\r\n",
    b"Event: Newchannel\r\nEvent: Second\r\n",
]


def test_names_in_bulk_are_the_names_each_event_reads() -> None:
    bulk = Frame.events_unparsed(RAWS)
    alone = [Frame.event_unparsed(raw) for raw in RAWS]
    assert [f.name for f in bulk] == [f.name for f in alone]
    assert [f.name for f in bulk][:4] == ["Newchannel", "Newchannel", "", "X\r"]
    # The name is the Event header's value, as a filter on `Event=` reads it.
    assert [f.name for f in bulk] == [f.get("Event") or "" for f in alone]
    assert bulk == alone and [f.raw for f in bulk] == RAWS


def test_names_in_bulk_are_read_again_from_the_bytes_once_new() -> None:
    # Many names never seen before: each is decoded, not taken from another event.
    raws = [b"Event: Custom%d\r\n" % i for i in range(5000)]
    assert [f.name for f in Frame.events_unparsed(raws)] == [f"Custom{i}" for i in range(5000)]
