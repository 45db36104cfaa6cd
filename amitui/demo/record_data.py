"""Record what the real Asterisk 22 sends, as the demo PBX's data files.

    python -m amitui.demo.record_data --port 15038 [--out DIR]

Talks to the sandbox server (`scripts/asterisk-sandbox up`) with plain sockets on purpose: the
data must not depend on the code that will replay it. It writes into amitui/demo/data/:

* listcommands.txt         the ListCommands response lines of a `write = all` user
* manager_commands.json.gz `manager show command NAME` for every action, by name
* manager_events.json.gz   `manager show events` (key "") and `manager show event NAME`
* cli.json                 CLI outputs replayed verbatim (core show version/help, ...)
* samples.json             real packets as [key, value] pairs: the first packets of each
                           event name in every distinct header layout, and the responses
                           to scripted actions (success and error cases), by label;
                           voicemail answers and MessageWaiting (record_voicemail.py)

The server is shared with other test runs, so the script only hangs up channels it created
and never uses a regex broader than its own channel names.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from amitui.demo.amiconn import Conn, Packet, get, output_of
from amitui.demo.record_voicemail import record_voicemail

ADMIN = ("admin", "amitui-admin-secret")
READER = ("reader", "amitui-reader-secret")
DATA = Path(__file__).resolve().parent / "data"
MAX_LAYOUTS = 3  # per event name; enough to see the variants (DialBegin with/without caller)


# -- the recordings --------------------------------------------------------------------------


@dataclass
class Docs:
    listcommands: list[str]
    commands: dict[str, list[str]]
    events: dict[str, list[str]]


def record_docs(admin: Conn) -> Docs:
    lines = [f"{k}: {v}" for k, v in admin.request("ListCommands")[0][1:] if k != "ActionID"]
    names = [line.split(":", 1)[0] for line in lines]
    commands = {
        n: output_of(admin.request("Command", ("Command", f"manager show command {n}")))
        for n in names
    }
    listing = output_of(admin.request("Command", ("Command", "manager show events")))
    event_names = [
        w
        for line in listing[2:]
        for w in line.split()
        if re.match(r"^[A-Z]", w) and not line.strip().endswith("registered.")
    ]
    events = {"": listing}
    for name in event_names:
        shown = admin.request("Command", ("Command", f"manager show event {name}"))
        events[name] = output_of(shown)
    return Docs(lines, commands, events)


def record_cli(admin: Conn) -> dict[str, list[str]]:
    cli = {}
    for command in (
        "core show version",
        "core show help",
        "manager show commands",
        "core show uptime",
        "core show channels bogus",
        "no such cli command",
        "manager show command",
        "manager show event",
    ):
        cli[command] = output_of(admin.request("Command", ("Command", command)))
    return cli


class Keep:
    """Stores a reply under its label: `response:LABEL`, then `item:LABEL:N` for list items."""

    def __init__(self, samples: dict[str, Packet]) -> None:
        self.samples = samples

    def __call__(self, label: str, replies: list[Packet]) -> list[Packet]:
        for i, packet in enumerate(replies):
            self.samples[f"response:{label}" if i == 0 else f"item:{label}:{i}"] = packet
        return replies


def record_calls(admin: Conn, keep: Keep) -> None:
    """Real calls: Local channels only (no phones here), hung up by exact name."""
    bridged, parked = record_originates(admin, keep)
    record_channel_actions(admin, keep, bridged, parked)
    keep(
        "Originate-fail-async",
        admin.request(
            "Originate",
            ("Channel", "Local/999@nowhere"),
            ("Application", "Wait"),
            ("Data", "1"),
            ("Async", "true"),
            settle=1.0,
        )[:1],
    )
    keep(
        "Originate-fail-sync",
        admin.request(
            "Originate",
            ("Channel", "Local/999@nowhere"),
            ("Application", "Wait"),
            ("Data", "1"),
            settle=0.5,
        ),
    )


def record_originates(admin: Conn, keep: Keep) -> tuple[list[str], list[str]]:
    """Three originates; returns the channels of the bridged call and of the parked one."""
    # Ends by itself (101 waits 2 s, Wait(1) here): nothing to hang up.
    keep(
        "Originate-sync",
        admin.request(
            "Originate", ("Channel", "Local/101@default"), ("Application", "Wait"), ("Data", "1")
        ),
    )
    dial = admin.request(
        "Originate",
        ("Channel", "Local/100@default"),
        ("Application", "Dial"),
        ("Data", "Local/100@default"),
        ("CallerID", "Alice <1001>"),
        ("Async", "true"),
        settle=1.5,
    )
    keep("Originate-async", dial[:1])
    exten = admin.request(
        "Originate",
        ("Channel", "Local/100@default"),
        ("Context", "default"),
        ("Exten", "100"),
        ("Priority", "1"),
        ("Async", "true"),
        settle=1.0,
    )
    # Only channels of these two calls: the server is shared, other runs make Local channels too.
    linked = {get(p, "Uniqueid") for p in dial[1:] + exten[1:]}
    calls = [
        [
            get(p, "Channel") or ""
            for p in admin.seen
            if get(p, "Event") == "Newchannel" and get(p, "Linkedid") == uid
        ]
        for uid in linked
    ]
    bridged, parked = sorted(calls, key=len, reverse=True)[:2]
    return bridged, parked


def record_channel_actions(admin: Conn, keep: Keep, bridged: list[str], parked: list[str]) -> None:
    keep("CoreShowChannels", admin.request("CoreShowChannels"))
    keep("Status", admin.request("Status", settle=0.2))
    keep("Status-one", admin.request("Status", ("Channel", bridged[0])))
    for variant in ("", " concise", " verbose", " count"):
        keep(
            f"Command-core show channels{variant}",
            admin.request("Command", ("Command", f"core show channels{variant}")),
        )
    keep(
        "Getvar-channel",
        admin.request("Getvar", ("Channel", bridged[0]), ("Variable", "BRIDGEPEER")),
    )
    keep("Getvar-global", admin.request("Getvar", ("Variable", "AMITUI_UNSET")))
    keep(
        "Setvar-channel",
        admin.request(
            "Setvar", ("Channel", bridged[0]), ("Variable", "DEMO"), ("Value", "1"), settle=0.2
        ),
    )
    keep(
        "Setvar-callerid",
        admin.request(
            "Setvar",
            ("Channel", bridged[0]),
            ("Variable", "CALLERID(name)"),
            ("Value", "Bob"),
            settle=0.2,
        ),
    )
    keep(
        "UserEvent",
        admin.request("UserEvent", ("UserEvent", "DemoProbe"), ("Note", "a: colon"), settle=0.2),
    )
    # The ;2 half runs Wait(30); sent to 101 it answers, waits 2 s and ends by itself.
    keep(
        "Redirect",
        admin.request(
            "Redirect",
            ("Channel", parked[1]),
            ("Context", "default"),
            ("Exten", "101"),
            ("Priority", "1"),
            settle=0.5,
        ),
    )
    keep("Hangup", admin.request("Hangup", ("Channel", parked[0]), settle=0.5))
    pattern = "|".join(re.escape(c) for c in bridged)
    keep("Hangup-regex", admin.request("Hangup", ("Channel", f"/^({pattern})$/"), settle=1.0))


ERRORS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("Originate-no-channel", "Originate", [("Application", "Wait")]),
    ("Hangup-no-such", "Hangup", [("Channel", "PJSIP/nobody-00000000")]),
    ("Hangup-no-channel", "Hangup", []),
    (
        "Redirect-no-such",
        "Redirect",
        [
            ("Channel", "PJSIP/nobody-00000000"),
            ("Context", "default"),
            ("Exten", "100"),
            ("Priority", "1"),
        ],
    ),
    ("Redirect-no-channel", "Redirect", [("Context", "default"), ("Exten", "100")]),
    ("Status-no-such", "Status", [("Channel", "PJSIP/nobody-00000000")]),
    ("Getvar-no-such", "Getvar", [("Channel", "PJSIP/nobody-00000000"), ("Variable", "X")]),
    ("Getvar-no-variable", "Getvar", []),
    ("Setvar-no-variable", "Setvar", [("Value", "1")]),
    ("Challenge-no-authtype", "Challenge", []),
    ("Challenge", "Challenge", [("AuthType", "MD5")]),
    ("Unknown", "NoSuchAction", []),
    ("Command-none", "Command", []),
    ("Command-unknown", "Command", [("Command", "no such cli command")]),
    ("Command-show-command-unknown", "Command", [("Command", "manager show command NoSuch")]),
    ("Command-show-event-unknown", "Command", [("Command", "manager show event NoSuch")]),
    ("Events-off", "Events", [("EventMask", "off")]),
    ("Events-invalid", "Events", []),
    ("Events-on", "Events", [("EventMask", "on")]),
    ("Ping", "Ping", []),
    ("Login-again", "Login", [("Username", ADMIN[0]), ("Secret", ADMIN[1])]),
]


def record_errors(admin: Conn, keep: Keep) -> None:
    for label, name, pairs in ERRORS:
        keep(label, admin.request(name, *pairs)[:1])
    # No Action header at all: the error still carries the ActionID.
    keep("Missing-action", admin.request("", ("Foo", "bar"))[:1])


def record_sessions(port: int, samples: dict[str, Packet]) -> None:
    """Login variants, each on its own connection."""
    reader = Conn(port)
    samples["response:Login-reader"] = reader.login(READER, events="off")[0]
    samples["response:Originate-denied"] = reader.request(
        "Originate", ("Channel", "Local/100@default"), ("Application", "Wait")
    )[0]
    samples["response:ListCommands-reader"] = reader.request("ListCommands")[0]
    reader.close()

    unauth = Conn(port)
    samples["response:Ping-unauthenticated"] = unauth.request("Ping")[0]
    samples["response:Login-failed"] = unauth.login((ADMIN[0], "wrong"))[0]
    unauth.settle(1.5)
    samples["meta:Login-failed-closed"] = [("Closed", "yes" if unauth.closed else "no")]
    unauth.close()

    md5 = Conn(port)
    challenge = get(md5.request("Challenge", ("AuthType", "MD5"))[0], "Challenge") or ""
    key = hashlib.md5((challenge + ADMIN[1]).encode()).hexdigest()
    samples["response:Login-md5"] = md5.request(
        "Login", ("AuthType", "MD5"), ("Username", ADMIN[0]), ("Key", key), settle=0.3
    )[0]
    bye = md5.request("Logoff", settle=0.3)
    samples["response:Logoff"] = bye[0]
    samples["meta:Logoff-closed"] = [("Closed", "yes" if md5.closed else "no")]
    md5.close()


def event_layouts(seen: list[Packet]) -> dict[str, Packet]:
    """Up to MAX_LAYOUTS packets per event name, one per distinct header-name sequence."""
    out: dict[str, Packet] = {}
    layouts: dict[str, set[tuple[str, ...]]] = {}
    for packet in seen:
        name = get(packet, "Event")
        if not name or packet[0][0] != "Event":
            continue
        shape = tuple(k for k, _ in packet)
        known = layouts.setdefault(name, set())
        if shape in known or len(known) >= MAX_LAYOUTS:
            continue
        known.add(shape)
        out[f"event:{name}:{len(known)}"] = packet
    return out


def write(out: Path, docs: Docs, cli: dict[str, list[str]], samples: dict[str, Packet]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "listcommands.txt").write_text("\n".join(docs.listcommands) + "\n")
    for name, data in (("manager_commands", docs.commands), ("manager_events", docs.events)):
        raw = json.dumps(data, indent=0, sort_keys=True).encode()
        # mtime=0: the same recording gives the same bytes.
        (out / f"{name}.json.gz").write_bytes(gzip.compress(raw, 9, mtime=0))
    (out / "cli.json").write_text(json.dumps(cli, indent=1) + "\n")
    (out / "samples.json").write_text(
        json.dumps({k: [list(p) for p in v] for k, v in sorted(samples.items())}, indent=0) + "\n"
    )
    for path in sorted(out.iterdir()):
        print(f"{path.name}: {path.stat().st_size} bytes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=15038)
    parser.add_argument("--out", type=Path, default=DATA)
    args = parser.parse_args()
    admin = Conn(args.port)
    samples: dict[str, Packet] = {"meta:banner": [("Banner", admin.banner.decode())]}
    samples["response:Login"] = admin.login(ADMIN)[0]
    docs = record_docs(admin)
    cli = record_cli(admin)
    record_calls(admin, Keep(samples))
    record_errors(admin, Keep(samples))
    record_sessions(args.port, samples)
    samples["meta:VoiceMail-events"] = record_voicemail(admin, Keep(samples))
    admin.settle(0.5)
    samples.update(event_layouts(admin.seen))
    samples["response:Logoff-admin"] = admin.request("Logoff", settle=0.2)[0]
    admin.close()
    write(args.out, docs, cli, samples)


if __name__ == "__main__":
    main()
