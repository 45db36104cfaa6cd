"""`Server` in a filter: the frame's own `Server:` header (AstManProxy adds one), else the
server the console received the event from (the profile's name when several are open)."""

from __future__ import annotations

from amitui.protocol import Frame
from amitui.store import EventRing, FilteredView
from amitui.store.filter import parse_filter

from ._support import event

PLAIN = event("Newchannel", ("Channel", "PJSIP/100-00000001"))
VIA_PROXY = event("Newchannel", ("Channel", "PJSIP/100-00000001"), ("Server", "east"))


def test_a_frame_without_a_server_header_matches_where_it_came_from() -> None:
    f = parse_filter("Server=b")
    assert f.matches(PLAIN, "b")
    assert f.matches(PLAIN, "B")  # compared like any value: case-insensitively
    assert not f.matches(PLAIN, "a")
    assert not f.matches(PLAIN)  # nowhere known: nothing to match


def test_the_frames_own_server_header_wins_over_where_it_came_from() -> None:
    assert parse_filter("Server=east").matches(VIA_PROXY, "px")
    # Received from the proxy `px`, but from the Asterisk `east` behind it.
    assert not parse_filter("Server=px").matches(VIA_PROXY, "px")


def test_negation_and_regex_are_the_exact_opposites() -> None:
    for frame, server in ((PLAIN, "a"), (PLAIN, "b"), (VIA_PROXY, "px")):
        for text, negated in (
            ("Server=b", "Server!=b"),
            ("Server~^(b|east)$", "Server!~^(b|east)$"),
        ):
            f, g = parse_filter(text), parse_filter(negated)
            assert f.matches(frame, server) is not g.matches(frame, server), (text, server)
    assert parse_filter("Server~^pbx-").matches(PLAIN, "pbx-b")
    assert parse_filter("Server!=a").matches(PLAIN, "b")


def test_other_keys_ignore_where_the_event_came_from() -> None:
    assert not parse_filter("Channel=b").matches(PLAIN, "b")
    assert parse_filter("Server=b Event=Newchannel | Event=Hangup").matches(PLAIN, "b")


def test_the_stream_view_filters_by_the_stored_server() -> None:
    ring = EventRing(100)
    frames: list[Frame] = [PLAIN]
    ring.append_batch(frames, 1.0, "a")
    ring.append_batch(frames, 2.0, "b")
    ring.mark_gap("connection lost", 3.0, "a")
    view = FilteredView(ring, parse_filter("Server=b"))
    assert view.rows() == [2, 3]  # b's event, and the gap (gaps pass every filter)
