#!/usr/bin/env python3
"""Record what a real Asterisk sends, byte for byte, for the parser's transcript tests.

Talks to the sandbox server (scripts/asterisk-sandbox up) with plain sockets, on purpose: the
recording must not depend on the code it is used to test. Writes the server-to-client bytes,
exactly as read, to tests/transcripts/NAME.bin. Secrets are sent, never received, so the
recording holds none.

    python3 scripts/record-transcript.py [--port 15038]
"""

from __future__ import annotations

import argparse
import pathlib
import socket
import time

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "transcripts"


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


def session(port: int, name: str, script: list[tuple[dict[str, str], float]]) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        data = bytearray(drain(sock, 0.3))
        for headers, wait in script:
            action(sock, **headers)
            data += drain(sock, wait)
    (OUT / f"{name}.bin").write_bytes(bytes(data))
    print(f"{name}.bin: {len(data)} bytes")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=15038)
    port = parser.parse_args().port
    OUT.mkdir(parents=True, exist_ok=True)
    login = {
        "Action": "Login",
        "Username": "admin",
        "Secret": "amitui-admin-secret",
        "ActionID": "l1",
    }
    session(
        port,
        "asterisk22-basics",
        [
            (login, 0.5),
            ({"Action": "Ping", "ActionID": "p1"}, 0.3),
            ({"Action": "ListCommands", "ActionID": "lc"}, 0.5),
            (
                {
                    "Action": "Command",
                    "Command": "manager show command Originate",
                    "ActionID": "c1",
                },
                0.5,
            ),
            (
                {"Action": "Command", "Command": "manager show event Newchannel", "ActionID": "c2"},
                0.5,
            ),
            ({"Action": "Command", "Command": "no such cli command", "ActionID": "c3"}, 0.5),
            ({"Action": "NoSuchAction", "ActionID": "x1"}, 0.3),
            ({"Action": "Logoff", "ActionID": "bye"}, 0.5),
        ],
    )
    session(
        port,
        "asterisk22-call",
        [
            (login, 0.5),
            (
                {
                    "Action": "Originate",
                    "Channel": "Local/200@default",
                    "Application": "Wait",
                    "Data": "1",
                    "Async": "true",
                    "ActionID": "o1",
                },
                1.5,
            ),
            ({"Action": "CoreShowChannels", "ActionID": "cs"}, 0.5),
            ({"Action": "Hangup", "Channel": "/^Local/", "ActionID": "h1"}, 1.5),
            ({"Action": "Logoff", "ActionID": "bye"}, 0.5),
        ],
    )


if __name__ == "__main__":
    main()
