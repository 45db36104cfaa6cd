"""The banner wait and the login (amitui/client/login.py), each branch on its own: a scripted
server's answers stand in for the wire. The session's fault tests and tests/integration cover
the same steps over real sockets and the real Asterisk."""

from __future__ import annotations

import asyncio
import hashlib

import pytest

from amitui.client import ConnectError, LoginError, ServerSpec
from amitui.client.login import await_banner, log_in
from amitui.client.transcript import Outcome, Transcript
from amitui.protocol import Action, Exchange, Frame, Parser


def frame(text: str) -> Frame:
    parser = Parser(expect_banner=False)
    parser.feed(text.replace("\n", "\r\n").encode())
    (only,) = parser.frames()
    return only


class Server:
    """Answers each action with the next scripted reply (None: the line dropped)."""

    def __init__(self, *replies: str | None) -> None:
        self.replies = list(replies)
        self.sent: list[Action] = []

    async def send(self, action: Action) -> Transcript:
        self.sent.append(action)
        reply = self.replies.pop(0)
        tr = Transcript(action, Exchange(action), sent_wall=0.0, sent=0.0)
        if reply is None:
            tr.outcome = Outcome.UNKNOWN
        else:
            tr.exchange.response = frame(reply)
            tr.outcome = Outcome.ANSWERED
        return tr


def spec(auth: str = "auto") -> ServerSpec:
    return ServerSpec(user="admin", secret="s3cret", auth=auth)


async def test_md5_when_the_server_offers_a_challenge() -> None:
    server = Server("Response: Success\nChallenge: 12345\n\n", "Response: Success\n\n")
    await log_in(spec(), server.send)
    challenge, login = server.sent
    assert challenge.name == "Challenge"
    key = hashlib.md5(b"12345s3cret").hexdigest()
    assert ("Key", key) in login.headers and all(k != "Secret" for k, _ in login.headers)


async def test_plain_when_there_is_no_challenge_unless_md5_is_required() -> None:
    server = Server("Response: Error\nMessage: Must specify AuthType\n\n", "Response: Success\n\n")
    await log_in(spec(), server.send)
    assert ("Secret", "s3cret") in server.sent[1].headers
    with pytest.raises(LoginError, match="did not offer an MD5 challenge"):
        await log_in(spec("md5"), Server("Response: Error\n\n").send)


async def test_a_refusal_is_final_a_dropped_line_is_not() -> None:
    refused = Server("Response: Error\nMessage: Authentication \x1b[2Jfailed\n\n")
    with pytest.raises(LoginError, match="Authentication") as info:
        await log_in(spec("plain"), refused.send)
    assert "\x1b" not in str(info.value)  # the server's words, with their escapes shown
    with pytest.raises(ConnectError, match="closed during login"):
        await log_in(spec("plain"), Server(None).send)


async def test_the_banner_or_why_there_is_none() -> None:
    loop = asyncio.get_running_loop()
    seen, reader = loop.create_future(), loop.create_future()
    banner = frame("Asterisk Call Manager/11.0.0\n\n")
    seen.set_result(banner)
    assert await await_banner(seen, reader, "pbx:5038", 1.0) is banner
    seen, reader = loop.create_future(), loop.create_future()
    reader.set_result("the server closed the connection")
    with pytest.raises(ConnectError, match="closed the connection before the AMI banner"):
        await await_banner(seen, reader, "pbx:5038", 1.0)
    seen, reader = loop.create_future(), loop.create_future()
    with pytest.raises(ConnectError, match=r"no AMI banner from pbx:5038 within 0\.05 s"):
        await await_banner(seen, reader, "pbx:5038", 0.05)


async def test_a_server_that_is_stopping_is_tried_again_not_given_up() -> None:
    """Asterisk answers every action with `Asterisk is shutting down` while it stops: a
    session reconnecting then took the Login's refusal as final and never came back (seen in
    tests/integration/test_calls_real.py, a restart with a call up)."""
    stopping = "Response: Error\nMessage: Asterisk is shutting down\n\n"
    for auth in ("auto", "md5", "plain"):
        with pytest.raises(ConnectError, match="shutting down"):
            await log_in(spec(auth), Server(stopping, stopping).send)
    in_use = "Response: Error\nMessage: Login Already In Use\n\n"
    with pytest.raises(ConnectError, match="Already In Use"):
        await log_in(spec("plain"), Server(in_use).send)
    with pytest.raises(LoginError, match="Authentication failed"):  # still final
        await log_in(
            spec("plain"), Server("Response: Error\nMessage: Authentication failed\n\n").send
        )
