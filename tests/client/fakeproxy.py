"""A loopback stand-in for AstManProxy 1.22pre081119 in front of one Asterisk 22.

It speaks the bytes a real proxy sent (the project's notes on AstManProxy): its own banner after
a short delay, its own Challenge/Login replies (no `Server:`), every upstream packet with
`Server: 127.0.0.1` appended and sent to every logged-in client (autofilter off, so other
clients' responses too), Logoff answered by a bare `Goodbye:` line and a close, upstream packets
cut at 255 lines (then without `Server:`), `ProxyMessage: Proxy Shutting Down` on its own
shutdown, and the upstream restart sequence (Shutdown, then the upstream banner glued to the
proxy's login reply). The Asterisk behind it is a few canned Asterisk 22 replies, enough for
the session's tests; an action the upstream does not answer (`Originate`, `Hold`) gets nothing.

Run it by hand for the CLI: `python -m tests.client.fakeproxy` prints the port (user `u`,
secret `s3cret`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
from dataclasses import dataclass, field

from amitui.protocol import Frame, Parser
from tests.client.fakeami import LoopbackAmi

PROXY_BANNER = b"Asterisk Call Manager Proxy/1.22pre081119\r\n"
UPSTREAM = "127.0.0.1"  # the upstream as written in the proxy's config: the Server: value
CUT = 255  # MAX_HEADERS - 1: the lines the proxy keeps of an upstream packet
GOODBYE = b"Goodbye: Y'all come back now, y'hear?\r\n\r\n"
SHUTTING_DOWN = b"ProxyMessage: Proxy Shutting Down\r\n\r\n"
HELP_LINES = 380  # `core show help` on the recorded Asterisk 22
SETTINGS = [
    "AMIversion: 11.0.0",
    "AsteriskVersion: 22.10.1",
    "SystemName: ",
    "CoreMaxCalls: 0",
]
LISTED = [
    "Command: Execute Asterisk CLI Command.  (Priv: command,all)",
    "CoreSettings: Show PBX core settings (version etc).  (Priv: system,reporting,all)",
    "CoreShowChannels: List currently active channels.  (Priv: system,reporting,all)",
    "Ping: Keepalive command.  (Priv: <none>)",
]
MANAGER_USER = [
    "",
    "          username: proxy",
    "            secret: <Set>",
    "              read: system,call,log,verbose,command,agent,user,config,dtmf,reporting,cdr",
    "             write: system,call,log,verbose,command,agent,user,config,reporting,originate",
]


def packet(*lines: str) -> bytes:
    return "".join(f"{line}\r\n" for line in lines).encode() + b"\r\n"


@dataclass
class FakeProxy(LoopbackAmi):
    users: dict[str, str] = field(default_factory=lambda: {"u": "s3cret"})
    banner_delay: float = 0.2  # the real one waits out its SSL hello timeout first
    before_banner: bytes = b""  # written before the banner: an event, under load
    # After Goodbye the real one was seen to keep the connection past amitui's 2 s Logoff
    # timeout: this one keeps it until the client leaves or this many seconds pass.
    goodbye_linger: float = 3.0
    upstream_up: bool = True  # while down, the proxy drops actions: nowhere to send them
    coresettings_refused: bool = False  # its upstream user lacks the class CoreSettings needs
    unanswered: frozenset[str] = frozenset({"originate", "hold"})
    connections: int = 0
    logged_in: list[asyncio.StreamWriter] = field(default_factory=list)
    _challenges: itertools.count[int] = field(default_factory=lambda: itertools.count(180428938))

    # -- what a test makes happen ----------------------------------------------------------

    def upstream(self, *lines: str) -> None:
        """A packet from the Asterisk behind the proxy: cut, Server added, sent to everyone."""
        kept = list(lines[:CUT])
        if len(kept) < CUT:
            kept.append(f"Server: {UPSTREAM}")  # no room left for it in a full packet
        data = packet(*kept)
        for w in self.logged_in:
            w.write(data)

    def upstream_restarts(self) -> None:
        """Asterisk behind the proxy shuts down to restart; the proxy's connection to it ends."""
        self.upstream(
            "Event: Shutdown", "Privilege: system,all", "Shutdown: Cleanly", "Restart: True"
        )
        self.upstream_up = False

    def upstream_back(self, ami: str = "11.0.0") -> None:
        """The proxy logged in to it again: its banner, glued to the login reply, to everyone."""
        self.upstream_up = True
        self.upstream(
            f"Asterisk Call Manager/{ami}", "Response: Success", "Message: Authentication accepted"
        )

    def other_client_ping(self, action_id: str = "OTHER-CLIENT-ping-9") -> None:
        """What this connection receives when another client of the proxy sends Ping."""
        self.upstream("Response: Success", f"ActionID: {action_id}", "Ping: Pong", "Timestamp: 1.0")

    async def shut_down(self) -> None:
        """The proxy itself stops (SIGTERM): it tells every client, then closes."""
        closing = list(self.writers)
        for w in closing:
            w.write(SHUTTING_DOWN)
            w.close()  # after what was written: abort() would discard it
        for w in closing:
            with contextlib.suppress(ConnectionError):
                await w.wait_closed()
        await self.stop()

    def actions(self, name: str) -> list[Frame]:
        return [f for f in self.received if (f.get("Action") or "").lower() == name.lower()]

    # -- serving ---------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.append(writer)
        challenge = ""
        try:
            if self.before_banner:
                writer.write(self.before_banner)
            await asyncio.sleep(self.banner_delay)
            writer.write(PROXY_BANNER)
            parser = Parser(expect_banner=False)
            while data := await reader.read(65536):
                parser.feed(data)
                for frame in parser.frames():
                    self.received.append(frame)
                    name = (frame.get("Action") or "").lower()
                    if name == "challenge":
                        challenge = str(next(self._challenges))
                        writer.write(self._challenge(frame, challenge))
                    elif name == "login":
                        writer.write(self._login(frame, writer, challenge))
                    elif name == "logoff":
                        writer.write(GOODBYE)
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(reader.read(), self.goodbye_linger)
                        return
                    elif writer in self.logged_in and self.upstream_up:
                        self._ask_upstream(frame)
        except ConnectionError:
            pass
        finally:
            for group in (self.writers, self.logged_in):
                if writer in group:
                    group.remove(writer)
            writer.close()

    @staticmethod
    def _challenge(frame: Frame, challenge: str) -> bytes:
        return packet(
            "Response: Success", f"Challenge: {challenge}", f"ActionID: {frame.action_id}"
        )

    def _login(self, frame: Frame, writer: asyncio.StreamWriter, challenge: str) -> bytes:
        secret = self.users.get(frame.get("Username") or "")
        key = frame.get("Key")
        md5 = hashlib.md5(f"{challenge}{secret}".encode()).hexdigest()
        if secret is not None and (frame.get("Secret") == secret or (key and key == md5)):
            self.logged_in.append(writer)
            # The proxy writes the ActionID first (ProxyLogin), and no Server: it answers itself.
            return packet(
                f"ActionID: {frame.action_id}",
                "Response: Success",
                "Message: Authentication accepted",
            )
        return packet(
            "Response: Error", "Message: Authentication failed", f"ActionID: {frame.action_id}"
        )

    def _ask_upstream(self, frame: Frame) -> None:
        name = (frame.get("Action") or "").lower()
        if name in self.unanswered:
            return
        head = ["Response: Success", f"ActionID: {frame.action_id}"]
        if name == "ping":
            self.upstream(*head, "Ping: Pong", "Timestamp: 1796110676.059354")
        elif name == "coresettings" and self.coresettings_refused:
            self.upstream("Response: Error", head[1], "Message: Permission denied")
        elif name == "coresettings":
            self.upstream(*head, *SETTINGS)
        elif name == "listcommands":
            self.upstream(*head, *LISTED)
        elif name == "coreshowchannels":  # no call up: the ack and the Complete event
            self.upstream(*head, "EventList: start", "Message: Channels will follow")
            self.upstream("Event: CoreShowChannelsComplete", head[1], "EventList: Complete",
                          "ListItems: 0")  # fmt: skip
        elif name == "command":
            output = [f"Output: {line}" for line in _cli(frame.get("Command") or "")]
            self.upstream(*head, "Message: Command output follows", *output)
        else:
            self.upstream(*head)


def _cli(command: str) -> list[str]:
    if command == "core show help":
        return [f"command {n:03d}                   -- what it does" for n in range(HELP_LINES)]
    if command.startswith("manager show user "):
        return MANAGER_USER
    if command == "manager show settings":
        return ["", "Global Settings:", "----------------", "  Manager (AMI):             Yes"]
    return ["System uptime: 1 minute, 13 seconds", "Last reload: 1 minute, 13 seconds"]


async def _main() -> None:
    proxy = await FakeProxy().start()
    print(proxy.port, flush=True)
    assert proxy.server is not None
    await proxy.server.serve_forever()


if __name__ == "__main__":
    asyncio.run(_main())
