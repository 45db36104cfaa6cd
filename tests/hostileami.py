"""A hostile AMI server in a thread, for testing the synchronous scripting commands in-process
(`amitui.commands.cli.main` runs its own event loop, so the server cannot share it). Each action is
answered by `reply(action) -> bytes | None`; `CLOSE` closes the connection instead. Loopback only.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import Literal

from amitui.protocol import Frame, Parser

BANNER = b"Asterisk Call Manager/11.0.0\r\n"
CLOSE: Literal["close"] = "close"
Answer = bytes | Literal["close"] | None
Reply = Callable[[Frame], Answer]


def packet(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def default_reply(frame: Frame) -> Answer:
    """Plain login accepted, Goodbye for Logoff, Success for anything else."""
    action = (frame.get("Action") or "").lower()
    aid = f"ActionID: {frame.get('ActionID')}"
    if action == "challenge":
        return packet("Response: Error", aid, "Message: Must specify AuthType")
    if action == "login":
        return packet("Response: Success", aid, "Message: Authentication accepted")
    if action == "logoff":
        return packet("Response: Goodbye", aid, "Message: Thanks for all the fish.")
    return packet("Response: Success", aid)


class HostileAmi:
    """Serves one connection at a time; `reply` may be swapped per test."""

    def __init__(self, reply: Reply = default_reply, after_login: bytes = b"") -> None:
        self.reply = reply
        self.after_login = after_login  # pushed once the login is accepted (events)
        self.received: list[Frame] = []
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="hostile-ami", daemon=True)

    @property
    def port(self) -> int:
        return int(self._sock.getsockname()[1])

    def __enter__(self) -> HostileAmi:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._sock.close()

    def _serve(self) -> None:
        n = 0  # connections so far: a subclass may answer the n-th differently
        while not self._stop.is_set():
            try:
                conn, peer = self._sock.accept()
            except TimeoutError:
                continue
            with conn:
                self._talk(conn, peer, n)
            n += 1

    def login_accepted(self, peer: tuple[str, int], n: int) -> tuple[bytes, bool]:
        """What to push once the n-th connection logged in, and whether to hang up then."""
        return self.after_login, False

    def _talk(self, conn: socket.socket, peer: tuple[str, int], n: int) -> None:
        conn.settimeout(0.2)
        conn.sendall(BANNER)
        parser = Parser(expect_banner=False)
        while not self._stop.is_set():
            try:
                data = conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                return
            parser.feed(data)
            for frame in parser.frames():
                self.received.append(frame)
                answer = self.reply(frame)
                if answer == CLOSE:
                    return
                if answer:
                    conn.sendall(answer)
                if (frame.get("Action") or "").lower() == "login":
                    push, hang_up = self.login_accepted(peer, n)
                    if push:
                        conn.sendall(push)
                    if hang_up:
                        return
