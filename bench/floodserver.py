#!/usr/bin/env python3
"""A loopback AMI server that floods recorded Asterisk 22 events at a client.

Theory of operation
-------------------
It is as small as an AMI server can be, so that what the benchmarks measure is the client:

* On connect it sends the banner Asterisk 22 sends (`Asterisk Call Manager/11.0.0`).
* It answers `Challenge` (a fixed challenge) and `Login` (any user, plain or MD5: a benchmark
  has nothing to protect) with `Response: Success`, echoing the ActionID, the way Asterisk
  does; `Ping` gets a Pong, `Logoff` a Goodbye and a close, anything else an error response.
* The events are the recorded packets of bench/data/asterisk22-events.bin, over and over;
  each repetition gets new Uniqueids, Linkedids, Local channel numbers and bridge ids, as the
  next calls on a real PBX would, so whatever groups events by call sees distinct calls.
* `--events N`: right after a successful Login it writes N events, then one marker event
  (`Event: BenchDone`), and shuts its write side, so every client knows where the flood ends
  whichever way it reads (the marker for event-driven clients, EOF for plain loops). The bytes
  are built once at start-up and written with one `sendall`, which blocks while the client's
  receive window is full: the flood goes exactly as fast as the client reads (bench/ingest.py).
* `--events N --pad B`: the same, but every event gets one more header of B bytes right
  after its `Event:` line (`BenchPad: xxx...`), and the events are written one at a time
  instead of built at once, so that a flood of 4 MB events does not need gigabytes in this
  process (bench/bigevents.py).
* `--rate R --seconds S`: after Login a thread writes R events per second for S seconds, in
  batches of `--batch` every batch/R seconds, then a marker whose headers say how many events
  were sent and how far the writes fell behind schedule; the connection stays open and actions
  are still answered (bench/console.py). A write that blocks is the client reading too slowly:
  Asterisk would drop such a client after its `writetimeout` (100 ms by default).
* Neither: it only answers actions, a stand-in server for `amitui action Ping`.

It runs in its own process, so that writing never competes with the client for the
interpreter lock, and prints `listening 127.0.0.1 PORT` once it accepts connections.

    .venv/bin/python bench/floodserver.py --events 100000 --port 5038
    .venv/bin/python bench/floodserver.py --rate 20000 --seconds 30 --port 5038
"""

from __future__ import annotations

import argparse
import contextlib
import re
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

EVENTS_FILE = Path(__file__).resolve().parent / "data" / "asterisk22-events.bin"
BANNER = b"Asterisk Call Manager/11.0.0\r\n"
MARKER_NAME = "BenchDone"
MARKER = b"Event: BenchDone\r\nPrivilege: user,all\r\n\r\n"
_END = re.compile(rb"\r?\n\r?\n")


def recorded_packets(path: Path = EVENTS_FILE) -> list[bytes]:
    """The recorded event packets, each with its terminating blank line."""
    data = path.read_bytes()
    parts = data.split(b"\r\n\r\n")
    if parts[-1]:
        raise ValueError(f"{path} does not end with a blank line")
    return [p + b"\r\n\r\n" for p in parts[:-1]]


_UNIQUEID = re.compile(rb"\b([0-9]{10})\.([0-9]{1,3})\b")
_LOCAL = re.compile(rb"(Local/[^@\r\n]+@[^-\r\n]+-)([0-9a-f]{8})")
_BRIDGE = re.compile(rb"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-)([0-9a-f]{12})")


def _cycle(block: bytes, cycle: int) -> bytes:
    """The recording as the `cycle`-th set of calls: ids moved on, lengths barely changed."""
    if cycle == 0:
        return block
    block = _UNIQUEID.sub(lambda m: b"%s.%d" % (m[1], int(m[2]) + 1000 * cycle), block)
    block = _LOCAL.sub(lambda m: m[1] + b"%08x" % (int(m[2], 16) + 256 * cycle), block)
    return _BRIDGE.sub(lambda m: m[1] + b"%012x" % ((int(m[2], 16) + cycle) % 16**12), block)


def iter_packets(packets: Sequence[bytes] | None = None) -> Iterator[bytes]:
    """The flood, packet by packet, without end. Deterministic: a client can rebuild it."""
    block = b"".join(packets if packets is not None else recorded_packets())
    cycle = 0
    while True:
        parts = _cycle(block, cycle).split(b"\r\n\r\n")
        for part in parts[:-1]:
            yield part + b"\r\n\r\n"
        cycle += 1


def flood_packets(count: int, packets: Sequence[bytes] | None = None) -> list[bytes]:
    """The first `count` packets of the flood."""
    return list(islice(iter_packets(packets), count))


def packet_name(packet: bytes) -> str:
    """The event name of a recorded packet (they all start with `Event: `)."""
    return packet[7 : packet.index(b"\r\n")].decode()


@dataclass(frozen=True)
class Pace:
    rate: float  # events per second
    seconds: float
    batch: int  # events per write


@dataclass(frozen=True)
class Padded:
    events: int
    pad: int  # bytes of the extra header's value


def pad_line(pad: int) -> bytes:
    """The extra header a padded flood puts after each event's first line."""
    return b"BenchPad: " + b"x" * pad + b"\r\n"


def _headers(packet: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in packet.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(":")
        out.setdefault(key.strip().lower(), value.strip())
    return out


def _reply(headers: dict[str, str]) -> tuple[bytes, str]:
    """The response to one action, and what to do next: 'flood', 'close' or ''."""
    action = headers.get("action", "").lower()
    aid = headers.get("actionid")
    lines = ["Response: Success"]
    then = ""
    if action == "challenge":
        lines.append("Challenge: 314159265")
    elif action == "login":
        lines.append("Message: Authentication accepted")
        then = "flood"
    elif action == "ping":
        lines += ["Ping: Pong", f"Timestamp: {time.time():.6f}"]
    elif action == "logoff":
        lines = ["Response: Goodbye", "Message: Thanks for all the fish."]
        then = "close"
    else:
        lines = ["Response: Error", f"Message: Invalid/unknown command: {action}"]
    if aid is not None:
        lines.insert(1, f"ActionID: {aid}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode(), then


class FloodServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        port: int,
        payload: bytes = b"",
        pace: Pace | None = None,
        padded: Padded | None = None,
    ) -> None:
        self.payload = payload  # a flood to write as fast as the client reads
        self.pace = pace  # or a paced flood
        self.padded = padded  # or a flood of large events, written one at a time
        super().__init__(("127.0.0.1", port), _Handler)


class _Handler(socketserver.BaseRequestHandler):
    server: FloodServer

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.lock = threading.Lock()  # a paced flood and replies share the socket
        try:
            sock.sendall(BANNER)
            self._serve(sock)
        except OSError:
            pass  # the client went away; nothing to report for a benchmark server

    def _send(self, sock: socket.socket, data: bytes) -> None:
        with self.lock:
            sock.sendall(data)

    def _serve(self, sock: socket.socket) -> None:
        buf = b""
        while True:
            data = sock.recv(65536)
            if not data:
                return
            buf += data
            # Clients end lines with CRLF, some with bare LF; a blank line ends an action.
            while (m := _END.search(buf)) is not None:
                packet, buf = buf[: m.start()], buf[m.end() :]
                reply, then = _reply(_headers(packet))
                self._send(sock, reply)
                if then == "close":
                    return
                if then == "flood" and (self.server.payload or self.server.padded):
                    if self.server.padded is not None:
                        self._padded(sock, self.server.padded)
                    else:
                        sock.sendall(self.server.payload)
                    sock.shutdown(socket.SHUT_WR)
                    while sock.recv(65536):  # wait for the client to hang up
                        pass
                    return
                if then == "flood" and self.server.pace is not None:
                    threading.Thread(
                        target=self._paced, args=(sock, self.server.pace), daemon=True
                    ).start()

    def _padded(self, sock: socket.socket, padded: Padded) -> None:
        line = pad_line(padded.pad)  # sent by reference: never copied into each packet
        for packet in islice(iter_packets(), padded.events):
            cut = packet.index(b"\r\n") + 2
            sock.sendall(packet[:cut])
            sock.sendall(line)
            sock.sendall(packet[cut:])
        sock.sendall(MARKER)

    def _paced(self, sock: socket.socket, pace: Pace) -> None:
        total = int(pace.rate * pace.seconds)
        interval = pace.batch / pace.rate
        packets = iter_packets()
        sent = 0
        late = 0.0  # the furthest a write started behind its schedule
        blocked = 0.0  # the longest one write took (the client not reading)
        start = time.monotonic()
        try:
            for k in range(0, (total + pace.batch - 1) // pace.batch):
                n = min(pace.batch, total - sent)
                chunk = b"".join(islice(packets, n))  # built before the due time passes
                wait = start + k * interval - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                else:
                    late = max(late, -wait)
                began = time.monotonic()
                self._send(sock, chunk)
                blocked = max(blocked, time.monotonic() - began)
                sent += n
            took = time.monotonic() - start
            self._send(
                sock,
                b"Event: BenchDone\r\nPrivilege: user,all\r\n"
                + f"Sent: {sent}\r\nSeconds: {took:.3f}\r\nMaxLateMs: {late * 1000:.1f}\r\n"
                f"MaxWriteMs: {blocked * 1000:.1f}\r\n\r\n".encode(),
            )
        except OSError:
            pass  # the client left before the end


@contextlib.contextmanager
def running(*args: str) -> Iterator[int]:
    """Start this server in its own process with these arguments; yield its port; stop it."""
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), *args], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().split()
        if len(line) != 3 or line[0] != "listening":
            raise RuntimeError(f"the flood server did not start: {line!r}")
        yield int(line[2])
    finally:
        proc.terminate()
        proc.wait(10)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Flood recorded AMI events over loopback.")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument(
        "--events", type=int, default=0, help="events per connection, as fast as it reads"
    )
    parser.add_argument("--rate", type=float, default=0, help="or: events per second, paced")
    parser.add_argument("--seconds", type=float, default=30, help="how long a paced flood lasts")
    parser.add_argument("--batch", type=int, default=200, help="events per paced write")
    parser.add_argument(
        "--pad", type=int, default=0, help="with --events: one more header of this many bytes"
    )
    args = parser.parse_args(argv)
    padded = Padded(args.events, args.pad) if args.events > 0 and args.pad > 0 else None
    many = args.events > 0 and padded is None
    payload = b"".join(flood_packets(args.events)) + MARKER if many else b""
    pace = Pace(args.rate, args.seconds, max(1, args.batch)) if args.rate > 0 else None
    with FloodServer(args.port, payload, pace, padded) as server:
        print(f"listening 127.0.0.1 {server.server_address[1]}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a person stops it
            server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
