"""The Router alone (amitui/client/routing.py): one read's frames in, batches and gap markers
out, with no socket. The session around it is tested in test_session_faults.py and
test_proxy.py."""

from __future__ import annotations

import pytest

from amitui.client import AmiSession, ServerSpec
from amitui.client.proxy import Upstreams
from amitui.client.routing import Router, Waiting
from amitui.protocol import Correlator, Frame, Parser
from amitui.protocol.recent import RecentMap

NEWCHANNEL = b"Event: Newchannel\r\nUniqueid: 1.1\r\n\r\n"
SHUTDOWN = b"Event: Shutdown\r\nShutdown: Cleanly\r\nRestart: True\r\nServer: 127.0.0.1\r\n\r\n"
HANGUP = b"Event: Hangup\r\nUniqueid: 1.1\r\n\r\n"


def one_read(*packets: bytes) -> list[Frame]:
    parser = Parser(expect_banner=False)
    parser.feed(b"".join(packets))
    return parser.drain()


@pytest.mark.parametrize("listening", [False, True], ids=["whole read", "frame by frame"])
def test_a_gap_marker_goes_after_the_frame_that_told_whichever_path(listening: bool) -> None:
    # Behind a proxy, a Shutdown in the middle of a read: what came before it and the event
    # itself are delivered first, then the marker, then the rest of the read.
    session = AmiSession(ServerSpec())  # the proxy reactions: never connected here
    session.upstreams = Upstreams("AstManProxy 1.22pre081119")
    log: list[object] = []

    def hear(_direction: str, item: bytes | Frame) -> None:
        log.append(("in", item.name if isinstance(item, Frame) else item))

    waiting: Waiting = {}
    router = Router(
        session,
        correlator=Correlator(),
        waiting=waiting,
        recent=RecentMap(8),
        listeners=lambda: [hear] if listening else [],
        gap=lambda text: log.append(("gap", text.split(";")[0])),
        on_events=lambda batch: log.append([f.name for f in batch]),
    )
    router.route(one_read(NEWCHANNEL, SHUTDOWN, HANGUP))
    marker = ("gap", "Asterisk behind the proxy (127.0.0.1) shut down (Cleanly, restarting)")
    if listening:  # a listener hears each frame before whatever it causes
        assert log == [
            ("in", "Newchannel"),
            ("in", "Shutdown"),
            ["Newchannel", "Shutdown"],
            marker,
            ("in", "Hangup"),
            ["Hangup"],
        ]
    else:
        assert log == [["Newchannel", "Shutdown"], marker, ["Hangup"]]
    assert router.delivered == 3 and waiting == {}
