"""The demo PBX's voicemail: boxes whose messages come and go, answered as app_voicemail does.

Messages come when a caller reaches VoiceMail() (a phone that is busy or does not answer, or
extension 300) and hangs up or presses #; they go when a box's owner reads them (moved to Old,
as VoicemailMove does) and deletes the oldest. Each change raises MessageWaiting, and the
box's MWI device state changes with it, in the order the sandbox Asterisk 22 raised them
(amitui/demo/record_voicemail.py): VarSet VM_MESSAGEFILE, MessageWaiting, DeviceStateChange
MWI:box@context, VarSet VMSTATUS.

Recorded quirks kept on purpose: MailboxCount answers `UrgMessages` (its docs say
`UrgentMessages`), an unknown mailbox counts as empty rather than an error, and a
VoicemailUserEntry carries no Privilege header.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from amitui.demo.model import PHONES, Channel
from amitui.demo.sched import FOREVER, Script
from amitui.protocol import Header

if TYPE_CHECKING:
    from amitui.demo.pbx import DemoPbx

GREETING = 4.0  # "The person at extension 1002 is unavailable", and the beep
KEEP_OLD = 3  # an owner deletes old messages beyond this many


@dataclass(eq=False, slots=True)
class Mailbox:
    box: str
    fullname: str
    email: str = ""
    context: str = "default"
    new: int = 0
    old: int = 0
    urgent: int = 0
    lamp: bool = False  # the MWI device state: INUSE while messages wait

    @property
    def mailbox_id(self) -> str:
        return f"{self.box}@{self.context}"

    @property
    def waiting(self) -> int:
        """New messages as MessageWaiting and MailboxStatus count them: urgent ones too."""
        return self.new + self.urgent


def default_mailboxes() -> dict[str, Mailbox]:
    """voicemail.conf's `1234 => 4242,Example Mailbox` (as in the sample config, with a few
    messages for the tour) and one box per phone, by lowercased `box@context`."""
    boxes = [Mailbox("1234", "Example Mailbox", new=2, old=1)]
    boxes += [Mailbox(p.ext, p.name, f"{p.name.lower()}@example.net") for p in PHONES]
    boxes[2].new = 1  # Bob has a message waiting from before the demo started
    for box in boxes:
        box.lamp = box.waiting > 0
    return {b.mailbox_id.lower(): b for b in boxes}


def find(pbx: DemoPbx, mailbox: str) -> Mailbox | None:
    """`1234@default`, or `1234` for the default context, as find_user() looks them up."""
    box, _, context = mailbox.strip().partition("@")
    return pbx.mailboxes.get(f"{box}@{context or 'default'}".lower())


def counts(pbx: DemoPbx, mailbox: str) -> tuple[int, int, int]:
    """(urgent, new, old) for MailboxCount: a comma-separated list adds up; unknown boxes
    count nothing, as inboxcount2() answers them."""
    urgent = new = old = 0
    for one in mailbox.split(","):
        box = find(pbx, one)
        if box is not None:
            urgent, new, old = urgent + box.urgent, new + box.new, old + box.old
    return urgent, new, old


# -- messages come and go ---------------------------------------------------------------------


def leave(pbx: DemoPbx, chan: Channel, data: str) -> Script:
    """VoiceMail(box@context[,options]) on an answered channel: the greeting, then recording
    until the caller hangs up (pbx.hangup runs chan.on_hangup) or presses # (`finish`)."""
    box = find(pbx, data.split(",")[0])
    if box is None:
        pbx.varset(chan, "VMSTATUS", "FAILED")
        return
    yield GREETING

    def keep() -> None:
        _keep(pbx, chan, box)

    chan.on_hangup = keep
    yield FOREVER
    if chan.on_hangup is keep:  # woken by #: not kept yet by a hangup or a redirect
        chan.on_hangup = None
        keep()


def recording(chan: Channel) -> bool:
    return chan.alive and chan.on_hangup is not None


def finish(pbx: DemoPbx, chan: Channel) -> None:
    """The caller presses #: the message is kept and the dialplan goes on."""
    if recording(chan):
        pbx.sched.wake(chan.task)


def _keep(pbx: DemoPbx, chan: Channel, box: Mailbox) -> None:
    folder = f"/var/spool/asterisk/voicemail/{box.context}/{box.box}/INBOX"
    pbx.varset(chan, "VM_MESSAGEFILE", f"{folder}/msg{box.new:04d}")
    box.new += 1
    message_waiting(pbx, box, chan)
    pbx.varset(chan, "VMSTATUS", "SUCCESS")


def message_waiting(pbx: DemoPbx, box: Mailbox, chan: Channel | None) -> None:
    """MessageWaiting (with the channel's headers when a channel changed the box), then the
    MWI device state if it changed."""
    head = chan.snapshot() if chan is not None else []
    pbx.emit(
        "MessageWaiting",
        "call",
        [
            *head,
            ("Mailbox", box.mailbox_id),
            ("Waiting", "1" if box.waiting else "0"),
            ("New", str(box.waiting)),
            ("Old", str(box.old)),
        ],
    )
    lamp = box.waiting > 0
    if lamp != box.lamp:
        box.lamp = lamp
        state = "INUSE" if lamp else "NOT_INUSE"
        device = f"MWI:{box.mailbox_id}"
        pbx.emit("DeviceStateChange", "call", [("Device", device), ("State", state)])


def owners_read(pbx: DemoPbx) -> Script:
    """Now and then a phone's owner reads the new messages in a visual voicemail client (one
    VoicemailMove to Old each) and deletes the oldest beyond KEEP_OLD."""
    while True:
        yield pbx.random.expovariate(pbx.rate / 45.0)
        waiting = [b for b in pbx.mailboxes.values() if b.new and b.box in pbx.phones]
        if not waiting:
            continue
        box = pbx.random.choice(waiting)
        while box.new:
            box.new, box.old = box.new - 1, box.old + 1
            message_waiting(pbx, box, None)
            yield 0.2
        while box.old > KEEP_OLD:
            box.old -= 1
            message_waiting(pbx, box, None)
            yield 0.2


def caller_leaves_message(pbx: DemoPbx, chan: Channel, pace: float) -> Script:
    """A caller sent to voicemail waits for the beep, talks, then hangs up or presses #."""
    while chan.alive and not recording(chan):
        yield 0.5
    if not chan.alive:
        return
    yield pbx.random.uniform(3.0, 20.0) * pace
    if pbx.random.random() < 0.5:
        finish(pbx, chan)
    else:
        pbx.hangup(chan, 16)


# -- AMI answers --------------------------------------------------------------------------------


def user_entry(box: Mailbox, action_id: str | None) -> list[Header]:
    """One VoicemailUserEntry, in the order manager_list_voicemail_users() writes it."""
    head: list[Header] = [("Event", "VoicemailUserEntry")]
    if action_id:
        head.append(("ActionID", action_id))
    return [
        *head,
        ("VMContext", box.context),
        ("VoiceMailbox", box.box),
        ("Fullname", box.fullname),
        ("Email", box.email),
        ("Pager", ""),
        ("ServerEmail", "asterisk"),
        ("FromString", ""),
        ("MailCommand", "/usr/sbin/sendmail -t"),
        ("Language", ""),
        ("TimeZone", ""),
        ("Callback", ""),
        ("Dialout", ""),
        ("UniqueID", ""),
        ("ExitContext", ""),
        ("SayDurationMinimum", "2"),
        ("SayEnvelope", "Yes"),
        ("SayCID", "No"),
        ("AttachMessage", "No"),
        ("AttachmentFormat", ""),
        ("DeleteMessage", "No"),
        ("VolumeGain", "0.00"),
        ("CanReview", "No"),
        ("CanMarkUrgent", "Yes"),
        ("CallOperator", "No"),
        ("MaxMessageCount", "100"),
        ("MaxMessageLength", "0"),
        ("NewMessageCount", str(box.new)),
        ("OldMessageCount", str(box.old)),
    ]
