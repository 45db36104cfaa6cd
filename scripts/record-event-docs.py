#!/usr/bin/env python3
"""Record what the real Asterisk says about its events, for the event catalog's tests.

Sends `manager show events`, `manager show event NAME` for the events a Local call raises (and
a few with quirks), `manager show user` and `manager show settings`, all through
`Action: Command`, and writes the output lines to tests/transcripts/asterisk22-event-docs.json.
Also records how the server refuses Command to a user without the `command` privilege.
Needs the sandbox server (scripts/asterisk-sandbox up).

    .venv/bin/python scripts/record-event-docs.py [--port 15038]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import pathlib

from amitui.client import AmiSession, ServerSpec
from amitui.protocol import Action

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "transcripts"
# The events of tests/transcripts/asterisk22-call.bin, then ones with quirks: two doc blocks
# (LogChannel), no header list (Rename), open-ended (Cdr), never documented (TestEvent).
EVENTS = [
    "FullyBooted", "SuccessfulAuth", "Newchannel", "Newexten", "LocalBridge", "DialBegin",
    "DialEnd", "Newstate", "OriginateResponse", "UserEvent", "TestEvent", "HangupRequest",
    "SoftHangupRequest", "Hangup", "DeviceStateChange", "CoreShowChannelsComplete",
    "ChannelsHungupListComplete", "VarSet", "BridgeEnter", "Cdr", "LogChannel", "Rename",
    "AgentCalled", "QueueCallerJoin",
]  # fmt: skip


async def command(session: AmiSession, text: str) -> dict[str, object]:
    tr = await session.send(Action.of("Command", Command=text))
    assert tr.response is not None, tr.message
    return {
        "response": tr.response.name,
        "message": tr.message,
        "output": list(tr.response.output or ()),
    }


async def record(port: int) -> dict[str, object]:
    def login(user: str, secret: str) -> AmiSession:
        spec = ServerSpec(port=port, user=user, secret=secret, events="off")
        return AmiSession(spec, reconnect=False)

    admin = login("admin", "amitui-admin-secret")
    await admin.open()
    commands = ["manager show events", *(f"manager show event {name}" for name in EVENTS)]
    commands += ["manager show user admin", "manager show user reader"]
    commands += ["manager show user nosuch", "manager show settings"]
    out: dict[str, object] = {"ami_version": admin.state.ami_version}
    try:
        for text in commands:
            out[text] = await command(admin, text)
    finally:
        await admin.close()
    reader = login("reader", "amitui-reader-secret")
    await reader.open()
    try:
        out["reader: manager show user reader"] = await command(reader, "manager show user reader")
    finally:
        await reader.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=15038)
    port = parser.parse_args().port
    data = asyncio.run(record(port))
    path = OUT / "asterisk22-event-docs.json"
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", "utf-8")
    print(f"{path.name}: {len(data) - 1} outputs")


if __name__ == "__main__":
    main()
