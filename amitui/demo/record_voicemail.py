"""Record the sandbox Asterisk's voicemail answers, for record_data.py.

Needs the sandbox's tests/asterisk/voicemail.conf (boxes 1234, 1001 and 1002 in `default`) and
extension 300 of tests/asterisk/extensions.conf, which keeps whatever the caller sends as a
message in 1234@default. The server is shared: the messages this leaves are removed again by
their ids, and nothing else in the box is touched.
"""

from __future__ import annotations

from typing import Protocol

from amitui.demo.amiconn import Conn, Packet, get

BOX = "1234@default"

# Asked before any message is left: (label, action, headers). The demo answers the same.
QUERIES: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("MailboxCount", "MailboxCount", [("Mailbox", BOX)]),
    ("MailboxStatus", "MailboxStatus", [("Mailbox", BOX)]),
    ("MailboxCount-bare", "MailboxCount", [("Mailbox", "1234")]),
    ("MailboxCount-unknown", "MailboxCount", [("Mailbox", "9999@default")]),
    ("MailboxStatus-unknown", "MailboxStatus", [("Mailbox", "9999@default")]),
    ("MailboxCount-no-mailbox", "MailboxCount", []),
    ("MailboxStatus-no-mailbox", "MailboxStatus", []),
    ("VoicemailUsersList", "VoicemailUsersList", []),
]


class Keeper(Protocol):
    def __call__(self, label: str, replies: list[Packet]) -> list[Packet]: ...


def record_voicemail(admin: Conn, keep: Keeper) -> Packet:
    """Keeps the answers by label; returns what the recording channel raised from
    VoiceMail() on, as (event, variable) pairs: the order the demo follows."""
    for label, name, pairs in QUERIES:
        keep(label, admin.request(name, *pairs))
    before = message_ids(admin)
    sequence = leave_message(admin)
    keep("MailboxCount-new", admin.request("MailboxCount", ("Mailbox", BOX)))
    keep("MailboxStatus-new", admin.request("MailboxStatus", ("Mailbox", BOX)))
    # Read (moved to Old, as a visual voicemail client does), then removed: MessageWaiting
    # without a channel, twice.
    for folder, msg_id in message_ids(admin) - before:
        if folder == "INBOX":
            admin.request(
                "VoicemailMove",
                ("Context", "default"),
                ("Mailbox", "1234"),
                ("Folder", "INBOX"),
                ("ID", msg_id),
                ("ToFolder", "Old"),
                settle=0.5,
            )
            folder = "Old"
        admin.request(
            "VoicemailRemove",
            ("Context", "default"),
            ("Mailbox", "1234"),
            ("Folder", folder),
            ("ID", msg_id),
            settle=0.5,
        )
    return sequence


def message_ids(admin: Conn) -> set[tuple[str, str]]:
    summary = admin.request("VoicemailBoxSummary", ("Context", "default"), ("Mailbox", "1234"))
    return {
        (get(p, "Folder") or "", get(p, "ID") or "")
        for p in summary[1:]
        if get(p, "Event") == "VoicemailBoxDetail"
    }


def leave_message(admin: Conn) -> Packet:
    """Extension 300 answers and records; the caller sends a tone (Milliwatt) and hangs up."""
    start = len(admin.seen)
    replies = admin.request(
        "Originate",
        ("Channel", "Local/300@default"),
        ("Application", "Milliwatt"),
        ("CallerID", "Carol <1003>"),
        ("Async", "true"),
        settle=1.5,
    )
    uid = next((get(p, "Uniqueid") for p in replies[1:] if get(p, "Uniqueid")), None)
    callers = [
        get(p, "Channel") or ""
        for p in admin.seen
        if get(p, "Event") == "Newchannel"
        and get(p, "Linkedid") == uid
        and (get(p, "Channel") or "").endswith(";1")
    ]
    if not callers:
        raise RuntimeError(f"Originate of Local/300@default failed: {replies}")
    admin.settle(6.0)  # the greeting, the beep, a few seconds of tone
    admin.request("Hangup", ("Channel", callers[0]), settle=2.0)
    recorder = callers[0][:-1] + "2"
    mine = [p for p in admin.seen[start:] if get(p, "Channel") == recorder]
    first = next(i for i, p in enumerate(mine) if get(p, "Application") == "VoiceMail")
    return [(get(p, "Event") or "", get(p, "Variable") or "") for p in mine[first:]]
