"""The pure parts of working through AstManProxy: correlation of id-less responses, the bytes
before a banner, the cut-reply test and the catalog's Server header. Bytes as a real proxy
sent them (tests/client/fakeproxy.py has the rest)."""

from __future__ import annotations

import pytest

from amitui.client.proxy import BannerPrelude, Upstreams, cut_note, proxy_message, proxy_name
from amitui.protocol import Action, Correlator, Frame, FrameKind, Parser, Role
from amitui.store.catalog import EventCatalog, HeaderDoc, gaps, is_implicit
from amitui.store.eventclasses import EventDoc

GLUED = (
    b"Asterisk Call Manager/11.0.0\r\nResponse: Success\r\n"
    b"Message: Authentication accepted\r\nServer: 127.0.0.1\r\n\r\n"
)
RACE = (
    b"Event: UserEvent\r\nPrivilege: user,all\r\nUserEvent: RaceProbe\r\nServer: 127.0.0.1\r\n\r\n"
)
BANNER = b"Asterisk Call Manager Proxy/1.22pre081119\r\n"


def frames(data: bytes, banner: bool = False) -> list[Frame]:
    parser = Parser(expect_banner=banner)
    parser.feed(data)
    return list(parser.frames())


# 2. A response without an ActionID never answers an action that carried one...
def test_bare_response_is_a_stray_for_an_originate() -> None:
    c = Correlator()
    originate = c.expect(Action("Originate", action_id="o1"))
    [glued] = frames(GLUED)
    routed = c.route(glued)
    assert routed.role is Role.STRAY and originate.response is None and not originate.done


# ...except where Asterisk drops the ActionID it was sent (Ping 1.6.0/1.6.1, Events < 1.8.5).
def test_bare_response_still_answers_the_oldest_ping_or_events() -> None:
    c = Correlator()
    originate = c.expect(Action("Originate", action_id="o1"))
    events = c.expect(Action("Events", action_id="e1"))
    [bare] = frames(b"Response: Success\r\nEvents: Off\r\n\r\n")
    routed = c.route(bare)
    assert routed.role is Role.RESPONSE and routed.exchange is events
    assert originate.response is None


def test_goodbye_settles_the_logoff_and_nothing_else() -> None:
    c = Correlator()
    logoff = c.expect(Action("Logoff", action_id="l1"))
    [goodbye] = frames(b"Goodbye: Y'all come back now, y'hear?\r\n\r\n")
    assert goodbye.kind is FrameKind.UNKNOWN
    assert c.settle("nobody", goodbye) is None
    routed = c.settle("l1", goodbye)
    assert routed is not None and routed.finished and logoff.response is goodbye
    assert c.settle("l1", goodbye) is None  # answered already


# 9. Whole events before the banner are split off; anything else goes to the parser.
@pytest.mark.parametrize("step", [1, 3, 7, 1000])
def test_prelude_keeps_events_before_the_banner_in_any_reads(step: int) -> None:
    data = RACE + b"\r\n" + RACE + BANNER + b"Response: Success\r\n"
    prelude = BannerPrelude()
    early: list[Frame] = []
    rest: bytes | None = None
    for i in range(0, len(data), step):
        got, held = prelude.feed(data[i : i + step])
        early += got
        if held is not None:
            rest = held + data[i + step :]
            break
    assert [f.get("UserEvent") for f in early] == ["RaceProbe", "RaceProbe"]
    assert rest == BANNER + b"Response: Success\r\n"


@pytest.mark.parametrize(
    "first", [BANNER, b"HTTP/1.1 400 Bad Request\r\n", b"SSH-2.0-OpenSSH_9.6\r\n", b"\r\n"]
)
def test_prelude_hands_anything_but_an_event_to_the_parser(first: bytes) -> None:
    assert BannerPrelude().feed(first) == ([], first)


def test_prelude_gives_up_on_endless_events() -> None:
    prelude = BannerPrelude(limit=len(RACE) * 3)
    got, held = prelude.feed(RACE * 10)
    assert len(got) <= 4 and held is not None and held.startswith(b"Event: UserEvent")


def test_proxy_banner_and_proxy_message() -> None:
    [proxy] = frames(BANNER, banner=True)
    [direct] = frames(b"Asterisk Call Manager/11.0.0\r\n", banner=True)
    assert proxy_name(proxy) == "AstManProxy 1.22pre081119"
    assert proxy_name(direct) is None
    [said] = frames(b"ProxyMessage: Proxy Shutting Down\r\n\r\n")
    assert proxy_message(said) == "Proxy Shutting Down"


# 10. The cut packet is the one with 255 lines and no Server.
def test_cut_note_needs_both_the_length_and_no_server() -> None:
    head = "Response: Success\r\nActionID: c1\r\nMessage: Command output follows\r\n"
    cut = head + "".join(f"Output: line {n}\r\n" for n in range(252))
    [flagged] = frames(cut.encode() + b"\r\n")
    assert cut_note(flagged) is not None and "255 lines" in (cut_note(flagged) or "")
    whole = head + "".join(f"Output: line {n}\r\n" for n in range(251)) + "Server: 127.0.0.1\r\n"
    [kept] = frames(whole.encode() + b"\r\n")
    assert cut_note(kept) is None
    [short] = frames(b"Response: Success\r\nActionID: c2\r\n\r\n")
    assert cut_note(short) is None


def test_upstreams_track_the_glued_login_and_its_version() -> None:
    ups = Upstreams("AstManProxy 1.22pre081119")
    [shutdown] = frames(
        b"Event: Shutdown\r\nPrivilege: system,all\r\nShutdown: Cleanly\r\nRestart: True\r\n"
        b"Server: 127.0.0.1\r\n\r\n"
    )
    assert ups.shutdown(shutdown, 10.0).startswith("Asterisk behind the proxy (127.0.0.1)")
    assert ups.all_down() and ups.note is not None
    [glued] = frames(GLUED)
    gap = ups.upstream_login(glued, 22.5)
    assert gap == (
        "Asterisk behind the proxy (127.0.0.1) is back after 12.5 s; "
        "events in between were not received"
    )
    assert ups.ami_version == "11.0.0" and not ups.all_down() and ups.note is None


# 6. Server is added by the proxy to every event: never a documentation gap.
def test_server_header_is_no_catalog_gap() -> None:
    [newchannel] = frames(
        b"Event: Newchannel\r\nPrivilege: call,all\r\nChannel: Local/100@default-00000001;1\r\n"
        b"Server: 127.0.0.1\r\n\r\n"
    )
    catalog = EventCatalog()
    catalog.observe_batch([newchannel], 1.0)
    entry = catalog.get("Newchannel")
    assert entry is not None
    doc = EventDoc("Newchannel", "Raised when a new channel is created.",
                   headers=(HeaderDoc("Channel", True),))  # fmt: skip
    assert is_implicit("Server")
    assert gaps(entry, doc).seen_not_documented == ()
    assert gaps(entry, doc).mark == "ok"
