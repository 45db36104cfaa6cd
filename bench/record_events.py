#!/usr/bin/env python3
"""Record the event packets a real Asterisk 22 sends during a few short calls, for the flood
server of bench/ingest.py and bench/console.py.

Talks to the sandbox server (scripts/asterisk-sandbox up) with plain sockets on purpose: the
recording must not depend on the code it is used to measure. It logs in, originates a few
calls on the test dialplan (tests/asterisk/extensions.conf: 101 answers and hangs up after
2 s, 100 waits 30 s, 200 raises a UserEvent), and keeps every `Event:` packet exactly as it
came off the wire (responses are dropped: they carry our ActionIDs, and a flood is events).
Secrets are sent, never received, so the recording holds none.

    .venv/bin/python bench/record_events.py [--port 15038]

Writes bench/data/asterisk22-events.bin (packets separated by the blank line, CRLF as sent).
"""

from __future__ import annotations

import argparse
import collections
import os
import pathlib
import socket
import time

OUT = pathlib.Path(__file__).resolve().parent / "data" / "asterisk22-events.bin"
MAX_BYTES = 100_000  # keep the repository small; a few calls fit easily


def action(sock: socket.socket, **headers: str) -> None:
    lines = [f"{k}: {v}" for k, v in headers.items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())


def drain(sock: socket.socket, seconds: float) -> bytes:
    out = bytearray()
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            break
        if not chunk:
            break
        out += chunk
    return bytes(out)


def event_packets(data: bytes) -> list[bytes]:
    """Every complete `Event:` packet, with its terminating blank line, bytes untouched."""
    packets = data.split(b"\r\n\r\n")
    packets.pop()  # the remainder after the last blank line (normally empty)
    return [p + b"\r\n\r\n" for p in packets if p.startswith(b"Event: ")]


def record(port: int, secret: str) -> bytes:
    # Dial from 101 into 100: a Local channel that dials another gives the bridge and dial
    # events (DialBegin, BridgeEnter, ...) that a plain Originate to an application does not.
    calls: list[dict[str, str]] = [
        {"Channel": "Local/101@default", "Application": "Wait", "Data": "1"},
        {"Channel": "Local/101@default", "Application": "Dial", "Data": "Local/100@default"},
        {"Channel": "Local/200@default", "Application": "Wait", "Data": "1"},
        {"Channel": "Local/101@default", "Application": "Wait", "Data": "1"},
    ]
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        data = bytearray(drain(sock, 0.3))  # the banner; dropped below with the responses
        action(sock, Action="Login", Username="admin", Secret=secret, Events="on", ActionID="l")
        data += drain(sock, 0.5)
        for i, call in enumerate(calls):
            action(sock, Action="Originate", Async="true", ActionID=f"o{i}", **call)
            data += drain(sock, 0.7)
        data += drain(sock, 4.0)  # 101 hangs up after 2 s and takes the bridge down with it
        # Whatever was still running (100 waits 30 s) is ours: end it rather than leave it.
        action(sock, Action="Hangup", Channel="/^Local\\/10[01]@default-/", ActionID="h")
        data += drain(sock, 1.0)
        action(sock, Action="Logoff", ActionID="bye")
        data += drain(sock, 0.3)
    return bytes(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=15038)
    args = parser.parse_args()
    secret = os.environ.get("AMITUI_SECRET", "amitui-admin-secret")
    packets = event_packets(record(args.port, secret))
    kept: list[bytes] = []
    size = 0
    for packet in packets:
        if size + len(packet) > MAX_BYTES:
            break
        kept.append(packet)
        size += len(packet)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(b"".join(kept))
    names = collections.Counter(p.split(b"\r\n", 1)[0][7:].decode() for p in kept)
    print(f"{OUT.name}: {len(kept)} events, {size} bytes")
    for name, count in names.most_common():
        print(f"  {count:4d} {name}")


if __name__ == "__main__":
    main()
