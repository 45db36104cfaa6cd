"""AstManProxy's own packets (no Event, no Response) are named by their one header, so that the
stream, filters and `amitui events` show `ProxyMessage` and `Goodbye`, not a nameless packet."""

from __future__ import annotations

import pytest

from amitui.protocol import Frame, FrameKind, Parser


def frame(data: bytes) -> Frame:
    parser = Parser(expect_banner=False)
    parser.feed(data)
    [only] = parser.frames()
    return only


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"ProxyMessage: Proxy Shutting Down\r\n\r\n", "ProxyMessage"),
        (b"Goodbye: Y'all come back now, y'hear?\r\n\r\n", "Goodbye"),
        (b"proxymessage: lower case on the wire\r\n\r\n", "ProxyMessage"),
    ],
)
def test_a_proxy_packet_is_named_by_its_header(data: bytes, name: str) -> None:
    parsed = frame(data)
    assert parsed.kind is FrameKind.UNKNOWN
    assert parsed.name == name


def test_other_unknown_packets_stay_nameless() -> None:
    # A third-party module's packet: its first header says nothing about what it is.
    assert frame(b"Foo: bar\r\nProxyMessage: later\r\n\r\n").name == ""


def test_real_events_and_responses_keep_their_names() -> None:
    assert frame(b"Event: Goodbye\r\nProxyMessage: x\r\n\r\n").name == "Goodbye"
    assert frame(b"Response: Goodbye\r\nMessage: fish\r\n\r\n").name == "Goodbye"
