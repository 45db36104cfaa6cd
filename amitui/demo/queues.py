"""The demo PBX's call queues: members, callers waiting, and the events app_queue raises.

Two queues of phones. Now and then another phone calls a queue, waits in it
(QueueCallerJoin), and either gives up (QueueCallerAbandon, QueueCallerLeave) or is sent to
the first free member (QueueCallerLeave, then the same Dial and bridge as any call). Members
follow their phone's device state (QueueMemberStatus) and take breaks (QueueMemberPause).
Event layouts are the ones recorded from Asterisk 22 (data/live_samples.json).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from amitui.demo.dialplan import dial
from amitui.demo.model import RING, UP, Channel
from amitui.demo.sched import Script
from amitui.demo.wire import PbxEvent
from amitui.protocol import Header

if TYPE_CHECKING:
    from amitui.demo.pbx import DemoPbx

# AST_DEVICE_* numbers, as Status reports them, from DeviceStateChange's words.
STATUS = {"UNKNOWN": 0, "NOT_INUSE": 1, "INUSE": 2, "BUSY": 3, "INVALID": 4, "UNAVAILABLE": 5,
          "RINGING": 6, "RINGINUSE": 7, "ONHOLD": 8}  # fmt: skip
QUEUES = {"support": ("1001", "1002", "1003"), "sales": ("1004", "1005")}


@dataclass(eq=False, slots=True)
class Member:
    interface: str  # PJSIP/1001
    name: str
    login: int  # wall seconds
    status: int = 1
    paused: bool = False
    reason: str = ""
    last_pause: int = 0
    calls: int = 0
    last_call: int = 0
    in_call: bool = False

    def headers(self, queue: str, *, event: bool) -> list[Header]:
        """QueueMember (list item) or QueueMember* event fields, in the recorded order."""
        name, where = ("MemberName", "Interface") if event else ("Name", "Location")
        out: list[Header] = [
            ("Queue", queue), (name, self.name), (where, self.interface),
            ("StateInterface", self.interface), ("Membership", "dynamic"), ("Penalty", "0"),
            ("CallsTaken", str(self.calls)), ("LastCall", str(self.last_call)),
            ("LastPause", str(self.last_pause)), ("LoginTime", str(self.login)),
            ("InCall", "1" if self.in_call else "0"), ("Status", str(self.status)),
            ("Paused", "1" if self.paused else "0"), ("PausedReason", self.reason),
        ]  # fmt: skip
        if event:
            out.append(("Ringinuse", "1"))
        return [*out, ("Wrapuptime", "0")]


@dataclass(eq=False, slots=True)
class Caller:
    chan: Channel
    joined: float  # simulation seconds
    original: int  # position when joining


@dataclass(eq=False, slots=True)
class Queue:
    name: str
    members: dict[str, Member] = field(default_factory=dict)  # by interface
    callers: list[Caller] = field(default_factory=list)
    completed: int = 0
    abandoned: int = 0

    def params(self) -> list[Header]:
        return [
            ("Queue", self.name), ("Max", "0"), ("Strategy", "ringall"),
            ("Calls", str(len(self.callers))), ("Holdtime", "0"), ("TalkTime", "0"),
            ("Completed", str(self.completed)), ("Abandoned", str(self.abandoned)),
            ("ServiceLevel", "0"), ("ServicelevelPerf", "0.0"), ("ServicelevelPerf2", "0.0"),
            ("Weight", "0"),
        ]  # fmt: skip


class DemoQueues:
    def __init__(self, pbx: DemoPbx) -> None:
        self.pbx = pbx
        login = int(pbx.wall())
        self.queues: dict[str, Queue] = {}
        for name, exts in QUEUES.items():
            queue = self.queues[name] = Queue(name)
            for ext in exts:
                phone = pbx.phones[ext]
                queue.members[phone.device] = Member(phone.device, phone.name, login)
        pbx.subscribe(self._heard)

    # -- events ------------------------------------------------------------------------------

    def member_event(self, name: str, queue: Queue, member: Member) -> None:
        self.pbx.emit(name, "agent", member.headers(queue.name, event=True))

    def _heard(self, event: PbxEvent) -> None:
        if event.name == "DeviceStateChange":
            status = STATUS.get(event.get("State") or "", 0)
            for queue in self.queues.values():
                member = queue.members.get(event.get("Device") or "")
                if member is not None and member.status != status:
                    member.status = status
                    self.member_event("QueueMemberStatus", queue, member)
        elif event.name in ("SoftHangupRequest", "HangupRequest"):
            # Someone hung up a waiting caller: the Queue application notices and leaves.
            name = event.get("Channel") or ""
            for queue in self.queues.values():
                caller = next((c for c in queue.callers if c.chan.name == name), None)
                if caller is not None:
                    self.abandon(queue, caller)

    def join(self, queue: Queue, chan: Channel) -> Caller:
        caller = Caller(chan, self.pbx.now, len(queue.callers) + 1)
        queue.callers.append(caller)
        self.pbx.emit("QueueCallerJoin", "agent", [
            *chan.snapshot(), ("Queue", queue.name), ("Position", str(caller.original)),
            ("Count", str(len(queue.callers))),
        ])  # fmt: skip
        return caller

    def leave(self, queue: Queue, caller: Caller) -> None:
        if caller not in queue.callers:
            return
        position = queue.callers.index(caller) + 1
        queue.callers.remove(caller)
        self.pbx.emit("QueueCallerLeave", "agent", [
            *caller.chan.snapshot(), ("Queue", queue.name), ("Position", str(position)),
            ("Count", str(len(queue.callers))),
        ])  # fmt: skip

    def abandon(self, queue: Queue, caller: Caller) -> None:
        if caller not in queue.callers:
            return
        position = queue.callers.index(caller) + 1
        held = int(self.pbx.now - caller.joined)
        queue.abandoned += 1
        self.pbx.emit("QueueCallerAbandon", "agent", [
            *caller.chan.snapshot(), ("Queue", queue.name), ("Position", str(position)),
            ("OriginalPosition", str(caller.original)), ("HoldTime", str(held)),
        ])  # fmt: skip
        self.leave(queue, caller)

    def pause(self, queue: Queue, member: Member, paused: bool, reason: str = "") -> None:
        member.paused = paused
        member.reason = reason if paused else ""
        member.last_pause = int(self.pbx.wall()) if paused else member.last_pause
        self.member_event("QueueMemberPause", queue, member)

    def free(self, queue: Queue) -> Member | None:
        for member in queue.members.values():
            if not member.paused and member.status == STATUS["NOT_INUSE"]:
                return member
        return None

    # -- the Queue application -------------------------------------------------------------

    def run_queue(self, queue: Queue, chan: Channel, patience: float) -> Script:
        """Wait for a free member at the head of the line, or give up after `patience`."""
        pbx = self.pbx
        caller = self.join(queue, chan)
        while chan.alive and caller in queue.callers:
            member = self.free(queue) if queue.callers[0] is caller else None
            if member is not None:
                self.leave(queue, caller)
                member.in_call = True
                yield from dial(pbx, chan, f"{member.interface},15")
                member.in_call = False
                if chan.dial_status == "ANSWER":
                    queue.completed += 1
                    member.calls += 1
                    member.last_call = int(pbx.wall())
                break
            if pbx.now - caller.joined > patience:
                self.abandon(queue, caller)
                break
            yield 1.0
        pbx.hangup(chan, 16, "SoftHangupRequest")


_BY_PBX: weakref.WeakKeyDictionary[DemoPbx, DemoQueues] = weakref.WeakKeyDictionary()


def queues_of(pbx: DemoPbx) -> DemoQueues:
    """The queues of this PBX, made on first use."""
    found = _BY_PBX.get(pbx)
    if found is None:
        found = _BY_PBX[pbx] = DemoQueues(pbx)
    return found


def start_queue_traffic(pbx: DemoPbx) -> None:
    queues = queues_of(pbx)
    pbx.sched.spawn(_customers(queues), "queue callers", 2.0)
    pbx.sched.spawn(_breaks(queues), "queue breaks", 10.0)


def _customers(queues: DemoQueues) -> Script:
    """Now and then a phone that is no queue's member calls a queue (there is no trunk)."""
    pbx = queues.pbx
    members = {m.interface for q in queues.queues.values() for m in q.members.values()}
    while True:
        yield pbx.random.expovariate(pbx.rate / 12.0)
        idle = [p for p in pbx.phones.values() if p.device not in members and pbx.reachable[p.ext]
                and not any(c.device == p.device for c in pbx.channels.values())]  # fmt: skip
        if not idle:
            continue
        phone = pbx.random.choice(idle)
        queue = pbx.random.choice(list(queues.queues.values()))
        chan = pbx.new_channel(pbx.pjsip_name(phone.ext), "PJSIP", phone.device, state=RING,
                               context="from-internal", exten=queue.name,
                               cid=(phone.ext, phone.name))  # fmt: skip
        pbx.newexten(chan, "Answer", "")
        pbx.set_state(chan, UP)
        pbx.newexten(chan, "Queue", queue.name)
        patience = pbx.random.uniform(8.0, 60.0) / max(pbx.rate, 0.01)
        chan.task = pbx.sched.spawn(queues.run_queue(queue, chan, patience), f"queue {chan.name}")
        pbx.sched.spawn(_talk_then_hang_up(pbx, chan), f"talk {chan.name}")


def _talk_then_hang_up(pbx: DemoPbx, chan: Channel) -> Script:
    """The customer hangs up some time after being connected."""
    while chan.alive and chan.bridge is None:
        yield 1.0
    yield pbx.random.uniform(5.0, 45.0) / max(pbx.rate, 0.01)
    pbx.hangup(chan, 16)


def _breaks(queues: DemoQueues) -> Script:
    pbx = queues.pbx
    while True:
        yield pbx.random.expovariate(pbx.rate / 20.0)
        queue = pbx.random.choice(list(queues.queues.values()))
        member = pbx.random.choice(list(queue.members.values()))
        reason = "" if member.paused else pbx.random.choice(("lunch", "break", "meeting", ""))
        queues.pause(queue, member, not member.paused, reason)
