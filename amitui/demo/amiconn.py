"""A plain-socket AMI connection for record_data.py: keeps every packet it reads.

Deliberately independent of amitui.protocol and amitui.client: the recording is the reference
the demo is tested against, so it must not be read through the code under test.
"""

from __future__ import annotations

import socket
import time

Packet = list[tuple[str, str]]


def parse(block: str) -> Packet:
    pairs: Packet = []
    for line in block.split("\r\n"):
        key, sep, value = line.partition(":")
        if sep:
            pairs.append((key, value[1:] if value.startswith(" ") else value))
    return pairs


def get(packet: Packet, key: str) -> str | None:
    return next((v for k, v in packet if k.lower() == key.lower()), None)


class Conn:
    """One AMI connection that keeps every packet it reads, in order."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.buf = b""
        self.seen: list[Packet] = []
        self.closed = False
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError(f"127.0.0.1:{port} closed before sending a banner")
            self.buf += chunk
        self.banner, _, self.buf = self.buf.partition(b"\r\n")
        self._ids = 0

    def send(self, pairs: Packet) -> None:
        text = "".join(f"{k}: {v}\r\n" for k, v in pairs) + "\r\n"
        self.sock.sendall(text.encode())

    def _read(self, timeout: float) -> bool:
        self.sock.settimeout(max(timeout, 0.001))
        try:
            chunk = self.sock.recv(65536)
        except TimeoutError:
            return False
        if not chunk:
            self.closed = True
            return False
        self.buf += chunk
        while b"\r\n\r\n" in self.buf:
            block, _, self.buf = self.buf.partition(b"\r\n\r\n")
            if block.strip():
                self.seen.append(parse(block.decode("utf-8", "replace")))
        return True

    def settle(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0 and not self.closed:
            self._read(left)

    def request(self, name: str, *pairs: tuple[str, str], settle: float = 0.0) -> list[Packet]:
        """Send an action (no Action header if name is empty); return its response and list
        items (if any) once complete, and whatever carries its ActionID during `settle`."""
        self._ids += 1
        aid = f"r{self._ids}"
        start = len(self.seen)
        head = [("Action", name)] if name else []
        self.send([*head, ("ActionID", aid), *pairs])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not self.closed:
            mine = [p for p in self.seen[start:] if get(p, "ActionID") == aid]
            if mine and self._complete(mine):
                break
            self._read(deadline - time.monotonic())
        self.settle(settle)
        return [p for p in self.seen[start:] if get(p, "ActionID") == aid]

    @staticmethod
    def _complete(mine: list[Packet]) -> bool:
        first = mine[0]
        if (get(first, "EventList") or "").lower() != "start":
            return True
        return any((get(p, "EventList") or "").lower() == "complete" for p in mine[1:])

    def login(self, user: tuple[str, str], events: str = "on") -> list[Packet]:
        return self.request(
            "Login", ("Username", user[0]), ("Secret", user[1]), ("Events", events), settle=0.3
        )

    def close(self) -> None:
        self.sock.close()


def output_of(response: list[Packet]) -> list[str]:
    return [v for k, v in response[0] if k == "Output"] if response else []
