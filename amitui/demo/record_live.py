"""Record the sandbox Asterisk's answers to the live view's list actions, and the events that
keep those lists current, as amitui/demo/data/live_samples.json.

    python -m amitui.demo.record_live --port 15038 [--out FILE]

Needs tests/asterisk/pjsip.conf (endpoints 1001, 1002), queues.conf (queue amitui-support with
member Local/100@default) and the test dialplan. Like record_data.py it talks plain sockets
(amiconn.py), so the reference does not depend on the code it checks. The server is shared:
only the channels this script originated are hung up, by exact name, and the queue member it
adds is removed again.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from amitui.demo.amiconn import Conn, Packet, get
from amitui.demo.record_data import ADMIN, DATA, Keep, event_layouts

QUEUE = "amitui-support"
MEMBER = "Local/100@default"
EXTRA = "Local/101@default"
OUT = DATA / "live_samples.json"
# The events the live view follows; the layouts of these (and only these) are kept.
LIVE_EVENTS = frozenset(
    {"Newchannel", "Newstate", "NewCallerid", "NewConnectedLine", "Rename", "Newexten",
     "Hangup", "BridgeCreate", "BridgeEnter", "BridgeLeave", "BridgeDestroy",
     "DeviceStateChange", "ContactStatus", "PeerStatus", "QueueMemberStatus",
     "QueueMemberAdded", "QueueMemberRemoved", "QueueMemberPause", "QueueCallerJoin",
     "QueueCallerLeave", "QueueCallerAbandon", "AgentCalled", "AgentConnect", "AgentComplete",
     "ParkedCall", "ParkedCallGiveUp", "UnParkedCall", "ConfbridgeStart", "ConfbridgeJoin",
     "ConfbridgeLeave", "ConfbridgeEnd"}
)  # fmt: skip


# Refusals the demo must word like the server: (label, action, headers).
ERRORS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("QueueRemove-not-there", "QueueRemove", [("Queue", QUEUE), ("Interface", "Local/9@x")]),
    ("QueueRemove-static", "QueueRemove", [("Queue", QUEUE), ("Interface", MEMBER)]),
    ("QueueRemove-no-queue", "QueueRemove", [("Queue", "nosuch"), ("Interface", MEMBER)]),
    ("QueueRemove-no-interface", "QueueRemove", [("Queue", QUEUE)]),
    ("QueuePause-not-found", "QueuePause", [("Interface", "Local/9@x"), ("Paused", "true")]),
    ("QueuePause-no-paused", "QueuePause", [("Interface", MEMBER)]),
    ("QueuePause-unpause", "QueuePause", [("Queue", QUEUE), ("Interface", MEMBER),
                                          ("Paused", "false")]),
    ("QueueAdd-no-queue", "QueueAdd", [("Queue", "nosuch"), ("Interface", EXTRA)]),
    ("QueueAdd-already", "QueueAdd", [("Queue", QUEUE), ("Interface", MEMBER)]),
    ("QueueStatus-no-queue", "QueueStatus", [("Queue", "nosuch")]),
    ("ConfbridgeList-no-room", "ConfbridgeList", [("Conference", "nosuch")]),
    ("ConfbridgeKick-no-room", "ConfbridgeKick", [("Conference", "nosuch"), ("Channel", "x")]),
]  # fmt: skip


def originate(admin: Conn, app: str, data: str) -> str:
    """Originate Local/100@default into `app`; returns the ;1 channel's name."""
    replies = admin.request(
        "Originate", ("Channel", MEMBER), ("Application", app), ("Data", data),
        ("CallerID", "Carol <1003>"), ("Async", "true"), settle=1.5,
    )  # fmt: skip
    done = next((p for p in replies if get(p, "Event") == "OriginateResponse"), None)
    if done is None or get(done, "Response") != "Success":
        raise SystemExit(f"Originate {app}({data}) failed: {replies}")
    return get(done, "Channel") or ""


def hangup(admin: Conn, channel: str) -> None:
    admin.request("Hangup", ("Channel", channel), settle=1.0)


def record_lists(admin: Conn, keep: Keep) -> None:
    for name in ("PJSIPShowEndpoints", "PJSIPShowContacts", "BridgeList", "ParkedCalls",
                 "ConfbridgeListRooms", "DeviceStateList"):  # fmt: skip
        keep(f"{name}-idle", admin.request(name))
    keep("QueueStatus-idle", admin.request("QueueStatus", ("Queue", QUEUE)))


def record_members(admin: Conn, keep: Keep) -> None:
    """A member added, paused with a reason, listed, removed."""
    keep("QueueAdd", admin.request(
        "QueueAdd", ("Queue", QUEUE), ("Interface", EXTRA), ("MemberName", "Agent 101"),
        ("Paused", "false"), settle=0.3,
    ))  # fmt: skip
    keep("QueuePause", admin.request(
        "QueuePause", ("Queue", QUEUE), ("Interface", EXTRA), ("Paused", "true"),
        ("Reason", "lunch"), settle=0.3,
    ))  # fmt: skip
    keep("QueueStatus-paused", admin.request("QueueStatus", ("Queue", QUEUE)))
    keep("QueueRemove", admin.request(
        "QueueRemove", ("Queue", QUEUE), ("Interface", EXTRA), settle=0.3
    ))  # fmt: skip
    for label, name, pairs in ERRORS:
        keep(label, admin.request(name, *pairs, settle=0.2))


def record_callers(admin: Conn, keep: Keep) -> None:
    """A caller who waits (the only member paused) and gives up; then one who is answered."""
    admin.request("QueuePause", ("Queue", QUEUE), ("Interface", MEMBER), ("Paused", "true"),
                  settle=0.3)  # fmt: skip
    waiting = originate(admin, "Queue", QUEUE)
    keep("QueueStatus-waiting", admin.request("QueueStatus", ("Queue", QUEUE)))
    keep("QueueSummary", admin.request("QueueSummary", ("Queue", QUEUE)))
    hangup(admin, waiting)
    admin.request("QueuePause", ("Queue", QUEUE), ("Interface", MEMBER), ("Paused", "false"),
                  settle=0.3)  # fmt: skip
    answered = originate(admin, "Queue", QUEUE)
    admin.settle(1.5)  # the member rings (Local/100 answers at once) and is bridged
    keep("BridgeList", admin.request("BridgeList"))
    keep("CoreShowChannels", admin.request("CoreShowChannels"))
    keep("QueueStatus-talking", admin.request("QueueStatus", ("Queue", QUEUE)))
    hangup(admin, answered)


def record_parking(admin: Conn, keep: Keep) -> None:
    parked = originate(admin, "Park", "")
    keep("ParkedCalls", admin.request("ParkedCalls"))
    hangup(admin, parked)


def record_confbridge(admin: Conn, keep: Keep) -> None:
    member = originate(admin, "ConfBridge", "amitui-room")
    keep("ConfbridgeListRooms", admin.request("ConfbridgeListRooms"))
    keep("ConfbridgeList", admin.request("ConfbridgeList", ("Conference", "amitui-room")))
    hangup(admin, member)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=15038)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    admin = Conn(args.port)
    admin.login(ADMIN)
    samples: dict[str, Packet] = {}
    keep = Keep(samples)
    record_lists(admin, keep)
    record_members(admin, keep)
    record_callers(admin, keep)
    record_parking(admin, keep)
    record_confbridge(admin, keep)
    admin.settle(1.0)
    layouts = event_layouts(admin.seen)
    samples.update({k: v for k, v in layouts.items() if k.split(":")[1] in LIVE_EVENTS})
    admin.request("Logoff", settle=0.2)
    admin.close()
    args.out.write_text(
        json.dumps({k: [list(p) for p in v] for k, v in sorted(samples.items())}, indent=0) + "\n"
    )
    print(f"{args.out}: {len(samples)} samples")


if __name__ == "__main__":
    main()
