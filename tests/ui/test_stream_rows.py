"""Rows show what identifies each event type, and a long row can be read whole."""

from __future__ import annotations

from amitui.ui.widgets.stream import EventStream, summary
from tests.ui.test_stream import Host, event, screen_text


def test_security_events_show_account_service_and_address() -> None:
    frame = event(
        "InvalidAccountID", Severity="Error", Service="AMI", EventVersion="1",
        AccountID="mallory", SessionID="0x7f", LocalAddress="IPV4/TCP/127.0.0.1/5038",
        RemoteAddress="IPV4/TCP/10.9.8.7/40000",
    )  # fmt: skip
    shown = dict(summary(frame))
    assert shown["Service"] == "AMI"
    assert shown["AccountID"] == "mallory"
    assert shown["From"] == "IPV4/TCP/10.9.8.7/40000"


def test_local_bridge_shows_both_halves() -> None:
    frame = event(
        "LocalBridge", LocalOneChannel="Local/100@default-00000001;1",
        LocalTwoChannel="Local/100@default-00000001;2", Context="default", Exten="100",
    )  # fmt: skip
    shown = dict(summary(frame))
    assert shown["LocalOne"].endswith(";1") and shown["LocalTwo"].endswith(";2")


def test_a_user_event_shows_its_own_headers_first() -> None:
    frame = event(
        "UserEvent", Channel="Local/200@default-00000000;2", ChannelState="6",
        ChannelStateDesc="Up", CallerIDNum="200", Context="default", Exten="200",
        Uniqueid="17.3", Linkedid="17.1", UserEvent="Billing", Account="acme", Units="42",
    )  # fmt: skip
    pairs = summary(frame)
    assert pairs[:3] == [("UserEvent", "Billing"), ("Account", "acme"), ("Units", "42")]
    assert [k for k, _ in pairs].count("UserEvent") == 1


async def test_right_scrolls_a_long_row_sideways() -> None:
    app = Host()
    async with app.run_test(size=(60, 8)) as pilot:
        tail = "END-OF-A-LONG-VALUE"
        app.ring.append_batch([event("UserEvent", UserEvent="X", Note="n" * 120 + tail)], 0.0)
        stream = app.query_one(EventStream)
        stream.sync()
        await pilot.pause()
        assert tail not in screen_text(app)
        for _ in range(8):
            await pilot.press("right")
        await pilot.pause()
        assert tail in screen_text(app)
        for _ in range(8):
            await pilot.press("left")
        await pilot.pause()
        assert stream.scroll_offset.x == 0


async def test_a_proxy_message_row_is_named_and_counted_by_its_name() -> None:
    """AstManProxy's `ProxyMessage: Proxy Shutting Down` has no Event header: the row and the
    type counts name it, not `<unknown>`."""
    from amitui.protocol import Parser

    parser = Parser(expect_banner=False)
    parser.feed(b"ProxyMessage: Proxy Shutting Down\r\n\r\n")
    app = Host()
    async with app.run_test(size=(100, 8)) as pilot:
        app.ring.append_batch(list(parser.frames()), 0.0)
        app.query_one(EventStream).sync()
        await pilot.pause()
        text = screen_text(app)
        assert "ProxyMessage" in text and "<unknown>" not in text
        assert app.ring.counts["ProxyMessage"] == 1
