"""One AMI client connection of the demo server.

Like Asterisk's session thread: actions are handled one at a time, in order; events that
arrive while an action runs are held and written after its reply (process_events() runs after
each action), so a synchronous Originate's events follow its response, as on the real server.

Writing never blocks the PBX: packets go into a bounded queue that a writer task drains. A
client that stops reading fills it and is dropped, as Asterisk drops a client that exceeds
`writetimeout`; the simulation keeps going for everyone else.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import random
from typing import TYPE_CHECKING

from amitui.demo.handlers import HANDLERS
from amitui.demo.wire import (
    ALL,
    BANNER,
    NONE,
    PbxEvent,
    error,
    event_mask,
    event_tv,
    render,
    response,
)
from amitui.protocol import Frame, FrameKind, Header, Parser, challenge_key

if TYPE_CHECKING:
    from amitui.demo.data import Recorded
    from amitui.demo.pbx import DemoPbx
    from amitui.demo.server import DemoServer

_NO_AUTH_NEEDED = frozenset({"login", "logoff", "challenge"})
_EPOCH_TV = "1970-01-01T00:00:00.000+0000"  # SessionTV of a session that never logged in
_CLOSE = b""  # queued after the last packet of a session that is ending
# Challenges and session ids must not draw from the PBX's seeded generator: clients coming
# and going would otherwise change the simulated calls of a fixed seed.
_SESSION_RANDOM = random.SystemRandom()


class ClientSession:
    def __init__(
        self, server: DemoServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.server = server
        self.pbx: DemoPbx = server.pbx
        self.rec: Recorded = server.rec
        self.reader = reader
        self.writer = writer
        peer = writer.get_extra_info("peername") or ("127.0.0.1", 0)
        self.remote = f"IPV4/TCP/{peer[0]}/{peer[1]}"
        self.session_id = f"0x7f{_SESSION_RANDOM.getrandbits(40):010x}"
        self.username = ""
        self.authenticated = False
        self.read = NONE
        self.write = NONE
        self.events = NONE  # the Login Events: / Events action mask
        self.challenge = ""
        self.login_tv = _EPOCH_TV
        self.dropped: str | None = None  # why the server dropped this client
        self._busy = False
        self._held: list[bytes] = []
        self._queue: asyncio.Queue[bytes] = asyncio.Queue(server.queue_limit)
        self._closing = False

    # -- output ---------------------------------------------------------------------------

    def send(self, data: bytes) -> None:
        if self._closing:
            return
        try:
            self._queue.put_nowait(data)
        except asyncio.QueueFull:
            self.drop("too far behind: the client does not read fast enough")

    def offer(self, event: PbxEvent, data: bytes) -> None:
        """An event for this client, if it is logged in and its masks let it through."""
        if not self.authenticated or self._closing:
            return
        if event.category not in self.read or event.category not in self.events:
            return
        if self._busy:
            self._held.append(data)
            if len(self._held) > self.server.queue_limit:
                self.drop("too far behind while an action ran")
        else:
            self.send(data)

    def drop(self, reason: str) -> None:
        if self.dropped is None:
            self.dropped = reason
        self._closing = True
        self.writer.transport.abort()

    def close_after_flush(self) -> None:
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(_CLOSE)
        self._closing = True

    # -- the connection -------------------------------------------------------------------------

    async def run(self) -> None:
        writer_task = asyncio.create_task(self._write_loop())
        self.send(BANNER)
        parser = Parser(expect_banner=False, max_frame=64 * 1024)
        try:
            while not self._closing:
                data = await self.reader.read(65536)
                if not data:
                    break
                parser.feed(data)
                for frame in parser.frames():
                    if self._closing:
                        break
                    await self._handle(frame)
        except (ConnectionError, OSError):
            pass
        finally:
            self._closing = True
            with contextlib.suppress(asyncio.QueueFull):
                self._queue.put_nowait(_CLOSE)
            await asyncio.wait({writer_task}, timeout=2.0)
            writer_task.cancel()
            self.writer.close()

    async def _write_loop(self) -> None:
        try:
            while True:
                chunks = [await self._queue.get()]
                while not self._queue.empty():
                    chunks.append(self._queue.get_nowait())
                closing = _CLOSE in chunks
                self.writer.write(b"".join(c for c in chunks if c is not _CLOSE))
                await self.writer.drain()
                if closing:
                    self.writer.close()
                    return
        except (ConnectionError, OSError):
            self._closing = True

    async def _handle(self, frame: Frame) -> None:
        if frame.kind is FrameKind.MALFORMED or not frame.headers:
            return
        self._busy = True
        try:
            self.server.sync_clock()
            await self._dispatch(frame)
        finally:
            self._busy = False
            held, self._held = self._held, []
            for data in held:
                self.send(data)

    async def _dispatch(self, frame: Frame) -> None:
        aid = frame.get("ActionID") or None
        name = (frame.get("Action") or "").strip()
        low = name.lower()
        if not name:
            self.send(error(aid, "Missing action in request"))
        elif not self.authenticated and low not in _NO_AUTH_NEEDED:
            self.send(error(aid, "Permission denied"))
        elif low == "login":
            await self._login(frame, aid)
        elif low == "challenge":
            self._challenge(frame, aid)
        elif low == "logoff":
            self.send(response("Goodbye", aid, "Thanks for all the fish."))
            self.close_after_flush()
        else:
            await self._action(frame, name, aid)

    async def _action(self, frame: Frame, name: str, aid: str | None) -> None:
        info = self.rec.actions.get(name.lower())
        if info is None:
            self.send(
                error(
                    aid,
                    f"Invalid/unknown command: {name}. Use Action: ListCommands "
                    "to show available commands.",
                )
            )
            self._security("RequestBadFormat", [("RequestType", f"Action: {name}")], last=True)
            return
        if info.privilege and not info.privilege & self.write:
            self.send(error(aid, "Permission denied"))
            self._security("RequestNotAllowed", [("RequestType", f"Action: {name}")])
            return
        handler = HANDLERS.get(name.lower())
        if handler is None:
            self.send(error(aid, f"{info.name} is not simulated by the amitui demo PBX"))
            return
        await handler(self, frame)

    # -- authentication ---------------------------------------------------------------------

    def _challenge(self, frame: Frame, aid: str | None) -> None:
        if (frame.get("AuthType") or "").lower() != "md5":
            self.send(error(aid, "Must specify AuthType"))
            return
        if not self.challenge:  # one challenge per session, as action_challenge() keeps it
            self.challenge = str(_SESSION_RANDOM.randrange(100_000_000, 2**31))
        self.send(response("Success", aid, None, [("Challenge", self.challenge)]))

    async def _login(self, frame: Frame, aid: str | None) -> None:
        if self.authenticated:
            self.send(response("Success", aid, "Already authenticated"))
            return
        name = (frame.get("Username") or "").strip()
        if not self._authenticate(frame, name):
            await asyncio.sleep(self.server.login_fail_delay)
            self.send(error(aid, "Authentication failed"))
            self.close_after_flush()
            return
        user = self.server.users[name]
        self.username, self.read, self.write = name, user.read, user.write
        mask = event_mask(frame.get("Events"))  # missing or empty: everything readable
        self.events = ALL if mask is None else mask
        self.authenticated = True
        self.login_tv = event_tv(self.pbx.wall())
        self.send(response("Success", aid, "Authentication accepted"))
        if "system" in self.events and "system" in self.read:
            up = str(int(self.pbx.now))
            self.send(
                render(
                    [
                        ("Event", "FullyBooted"),
                        ("Privilege", "system,all"),
                        ("Uptime", up),
                        ("LastReload", up),
                        ("Status", "Fully Booted"),
                    ]
                )
            )
        self._security("SuccessfulAuth", [("UsingPassword", "0")], severity="Informational")

    def _authenticate(self, frame: Frame, name: str) -> bool:
        user = self.server.users.get(name)
        if user is None:
            self._security("InvalidAccountID", [], account=name, tv=_EPOCH_TV)
            return False
        if (frame.get("AuthType") or "").lower() == "md5":
            expected = challenge_key(self.challenge, user.secret) if self.challenge else ""
            got = (frame.get("Key") or "").lower()
            if expected and hmac.compare_digest(got, expected):
                return True
            self._security(
                "ChallengeResponseFailed",
                [("Challenge", self.challenge), ("Response", got), ("ExpectedResponse", expected)],
                account="",
                tv=_EPOCH_TV,
            )
            return False
        if hmac.compare_digest((frame.get("Secret") or "").encode(), user.secret.encode()):
            return True
        self._security("InvalidPassword", [], account=name, tv=_EPOCH_TV, version="2")
        return False

    def _security(
        self,
        name: str,
        extra: list[Header],
        *,
        severity: str = "Error",
        account: str | None = None,
        tv: str | None = None,
        version: str = "1",
        last: bool = False,
    ) -> None:
        """A res_security_log style event, in the layouts recorded from Asterisk 22."""
        acct: list[Header] = [("AccountID", self.username if account is None else account)]
        head: list[Header] = [
            ("EventTV", event_tv(self.pbx.wall())),
            ("Severity", severity),
            ("Service", "AMI"),
            ("EventVersion", version),
        ]
        where: list[Header] = [
            ("SessionID", self.session_id),
            ("LocalAddress", f"IPV4/TCP/127.0.0.1/{self.server.port}"),
            ("RemoteAddress", self.remote),
        ]
        session_tv = [("SessionTV", tv or self.login_tv)]
        # RequestBadFormat puts AccountID last; the others right after EventVersion.
        body = (
            [*head, *where, *extra, *session_tv, *acct]
            if last
            else [*head, *acct, *where, *extra, *session_tv]
        )
        self.pbx.emit(name, "security", body)
