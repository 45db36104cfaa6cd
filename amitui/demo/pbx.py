"""DemoPbx: the simulated PBX's state and the primitives that change it.

Every change raises the events Asterisk 22 raises for it, in the same order and layout, and
hands them to the listeners (the server, or a test). What happens when (calls, answers,
hangups) is decided by scripts in amitui/demo/dialplan.py, run by a deterministic scheduler:
with a seed, the event sequence is the same on every run.
"""

from __future__ import annotations

import random
import re
import time
import uuid
from collections.abc import Callable
from itertools import count

from amitui.demo.model import CAUSES, DOWN, PHONES, RINGING, UP, Bridge, Channel, Phone
from amitui.demo.sched import Scheduler
from amitui.demo.voicemail import Mailbox, default_mailboxes
from amitui.demo.wire import PbxEvent
from amitui.protocol import Header

Listener = Callable[[PbxEvent], None]
_CID_PRES = "0 (Presentation Allowed, Not Screened)"


class DemoPbx:
    """The PBX: channels, bridges, phones, a clock, and who is listening."""

    def __init__(
        self,
        *,
        seed: int | None = None,
        rate: float = 1.0,
        epoch: float | None = None,
        background: bool = True,
    ) -> None:
        self.random = random.Random(seed)
        self.rate = max(rate, 0.0)
        # Wall-clock time at simulation time 0: Uniqueids and Timestamps are built from it.
        self.epoch = time.time() if epoch is None else epoch
        self.sched = Scheduler()
        self.channels: dict[str, Channel] = {}  # by name, oldest first
        self.bridges: dict[str, Bridge] = {}
        self.globals: dict[str, str] = {}
        self.phones: dict[str, Phone] = {p.ext: p for p in PHONES}
        self.reachable: dict[str, bool] = {ext: True for ext in self.phones}
        self.mailboxes: dict[str, Mailbox] = default_mailboxes()
        self.calls_processed = 0
        self.events_raised = 0
        self._listeners: list[Listener] = []
        self._unique = count()
        self._pjsip_seq = count(1)
        self._local_seq = count()
        self._device_states: dict[str, str] = {}
        if background and self.rate > 0:
            # Deferred: the traffic scripts drive a DemoPbx, so they sit above this module;
            # importing them at the top would make the demo's modules a cycle.
            from amitui.demo.traffic import start_background

            start_background(self)

    # -- clock and listeners ---------------------------------------------------------------

    @property
    def now(self) -> float:
        """Simulation seconds since start."""
        return self.sched.now

    def wall(self) -> float:
        return self.epoch + self.sched.now

    def run_until(self, when: float) -> None:
        self.sched.run_until(when)

    def advance(self, seconds: float) -> None:
        self.sched.run_until(self.sched.now + seconds)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def emit(self, name: str, category: str, headers: list[Header]) -> PbxEvent:
        event = PbxEvent(name, category, tuple(headers))
        self.events_raised += 1
        for listener in list(self._listeners):
            listener(event)
        return event

    # -- names and ids -----------------------------------------------------------------------

    def uniqueid(self) -> str:
        # Like Asterisk: creation time in seconds, then one counter for the whole system.
        return f"{int(self.wall())}.{next(self._unique)}"

    def bridge_id(self) -> str:
        return str(uuid.UUID(int=self.random.getrandbits(128), version=4))

    def find(self, name: str) -> Channel | None:
        chan = self.channels.get(name)
        if chan is None:  # channel names compare case-insensitively in Asterisk
            low = name.lower()
            chan = next((c for n, c in self.channels.items() if n.lower() == low), None)
        return chan

    def matching(self, pattern: re.Pattern[str]) -> list[Channel]:
        return [c for c in self.channels.values() if pattern.search(c.name)]

    # -- channels ------------------------------------------------------------------------------

    def new_channel(
        self,
        name: str,
        tech: str,
        device: str,
        *,
        state: int,
        context: str,
        exten: str,
        linkedid: str | None = None,
        cid: tuple[str, str] | None = None,
    ) -> Channel:
        uid = self.uniqueid()
        chan = Channel(name, uid, linkedid or uid, tech, device, self.now, state, context, exten)
        if cid is not None:
            chan.cid_num, chan.cid_name = cid
        if tech == "PJSIP":
            chan.call_id = f"{self.random.getrandbits(64):016x}@{device[6:]}"
        self.channels[name] = chan
        if linkedid is None:
            self.calls_processed += 1
        self.emit("Newchannel", "call", chan.snapshot())
        self.device_changed(chan.device)
        return chan

    def pjsip_name(self, ext: str) -> str:
        return f"PJSIP/{ext}-{next(self._pjsip_seq):08x}"

    def local_names(self, exten: str, context: str) -> tuple[str, str]:
        base = f"Local/{exten}@{context}-{next(self._local_seq):08x}"
        return f"{base};1", f"{base};2"

    def set_state(self, chan: Channel, state: int) -> None:
        if chan.alive and chan.state != state:
            chan.state = state
            self.emit("Newstate", "call", chan.snapshot())
            self.device_changed(chan.device)

    def newexten(self, chan: Channel, app: str, data: str) -> None:
        chan.app, chan.appdata = app, data
        extra = [("Extension", chan.exten), ("Application", app), ("AppData", data)]
        self.emit("Newexten", "dialplan", [*chan.snapshot(), *extra])

    def varset(self, chan: Channel | None, name: str, value: str) -> None:
        if chan is None:
            self.globals[name] = value
            head: list[Header] = [("Channel", "none"), ("Uniqueid", "none")]
        else:
            chan.variables[name] = value
            head = chan.snapshot()
        self.emit("VarSet", "dialplan", [*head, ("Variable", name), ("Value", value)])

    def set_callerid(self, chan: Channel, num: str, name: str) -> None:
        chan.cid_num, chan.cid_name = num, name
        self.emit("NewCallerid", "call", [*chan.snapshot(), ("CID-CallingPres", _CID_PRES)])

    def set_connected(self, chan: Channel, num: str, name: str) -> None:
        chan.conn_num, chan.conn_name = num, name
        self.emit("NewConnectedLine", "call", chan.snapshot())

    def device_changed(self, device: str, forced: str | None = None) -> None:
        """DeviceStateChange when the aggregate state of a device's channels changes."""
        state = forced or self._device_state(device)
        if forced is None and self._device_states.get(device, "NOT_INUSE") == state:
            return
        self._device_states[device] = state
        self.emit("DeviceStateChange", "call", [("Device", device), ("State", state)])

    def device_state(self, device: str) -> str:
        """The state last announced for a device by DeviceStateChange."""
        idle = "NOT_INUSE" if self.reachable.get(device[6:], True) else "UNAVAILABLE"
        return self._device_states.get(device, idle)

    def _device_state(self, device: str) -> str:
        states = [c.state for c in self.channels.values() if c.device == device and c.alive]
        if not states:
            return "NOT_INUSE" if self.reachable.get(device[6:], True) else "UNAVAILABLE"
        active = [s for s in states if s != DOWN]
        if not active:  # an outgoing channel not ringing yet changes nothing
            return self._device_states.get(device, "NOT_INUSE")
        return "RINGING" if all(s == RINGING for s in active) else "INUSE"

    # -- bridges -------------------------------------------------------------------------------

    def bridge_call(self, a: Channel, b: Channel) -> Bridge:
        """Dial's bridge: the callee enters first, then the caller (as recorded)."""
        bridge = Bridge(self.bridge_id())
        self.bridges[bridge.uniqueid] = bridge
        self.emit("BridgeCreate", "call", bridge.snapshot())
        for chan in (b, a):
            bridge.channels.append(chan)
            chan.bridge = bridge
            self.emit("BridgeEnter", "call", [*bridge.snapshot(), *chan.snapshot()])
        for chan, peer in ((b, a), (a, b)):
            self.varset(chan, "BRIDGEPEER", peer.name)
        for chan, peer in ((b, a), (a, b)):
            if peer.call_id:
                self.varset(chan, "BRIDGEPVTCALLID", peer.call_id)
        return bridge

    def leave_bridge(self, chan: Channel) -> list[Channel]:
        """Take a channel out of its bridge; a two-party bridge then dissolves.
        Returns the channels that were left behind (now out of the bridge too)."""
        bridge = chan.bridge
        if bridge is None:
            return []
        others = [c for c in bridge.channels if c is not chan]
        for c in (chan, *others):
            self.varset(c, "BRIDGEPEER", "")
        for c in (chan, *others):
            bridge.channels.remove(c)
            c.bridge = None
            self.emit("BridgeLeave", "call", [*bridge.snapshot(), *c.snapshot()])
        self.emit("BridgeDestroy", "call", bridge.snapshot())
        del self.bridges[bridge.uniqueid]
        return others

    # -- hangup --------------------------------------------------------------------------------

    def hangup(self, chan: Channel, cause: int = 16, request: str | None = "HangupRequest") -> None:
        """End a channel and everything that depends on it (bridge peer, Local half, Dial)."""
        if not chan.alive:
            return
        if request:
            self.emit(request, "call", [*chan.snapshot(), ("Cause", str(cause))])
        if chan.on_hangup is not None:
            # The application finishes first; then the PBX ends the channel, and
            # __ast_pbx_run()'s soft hangup comes after what the application raised.
            finish, chan.on_hangup = chan.on_hangup, None
            finish()
            if request == "HangupRequest":
                self.emit("SoftHangupRequest", "call", [*chan.snapshot(), ("Cause", "16")])
        chan.alive = False
        self.sched.cancel(chan.task)
        later: list[Callable[[], None]] = []
        later += self._end_dial(chan, cause)
        for other in self.leave_bridge(chan):
            later.append(self.after_bridge(other, chan))
        peer = chan.local_peer
        if peer is not None and peer.alive:
            later.append(lambda: self.hangup(peer, cause, "HangupRequest"))
        self.emit(
            "Hangup",
            "call",
            [*chan.snapshot(), ("Cause", str(cause)), ("Cause-txt", CAUSES.get(cause, "Unknown"))],
        )
        del self.channels[chan.name]
        self.device_changed(chan.device)
        for step in later:
            step()

    def _end_dial(self, chan: Channel, cause: int) -> list[Callable[[], None]]:
        """A Dial still ringing loses its caller (CANCEL) or its callee (BUSY, ...)."""
        callee = chan.dialing
        if callee is not None and callee.state != UP:
            chan.dialing = None
            self.dial_end(chan, callee, "CANCEL")
            return [lambda: self.hangup(callee, 16, None)]
        caller = chan.dialed_by
        if caller is not None and caller.dialing is chan and chan.state != UP:
            status = {17: "BUSY", 19: "NOANSWER", 21: "CONGESTION"}.get(cause, "CHANUNAVAIL")
            caller.dialing = None
            self.dial_end(caller, chan, status)
            caller.dial_status = status
            self.sched.wake(caller.task)
        return []

    def after_bridge(self, other: Channel, gone: Channel) -> Callable[[], None]:
        """Once a bridge dissolves: a caller's Dial returns; a callee is hung up."""
        if other.dialing is gone:
            other.dialing = None
            other.dial_status = "ANSWER"
            return lambda: self.sched.wake(other.task)
        return lambda: self.hangup(other, 16, "HangupRequest")

    def dial_end(self, caller: Channel | None, callee: Channel, status: str) -> None:
        head = caller.snapshot() if caller is not None else []
        self.emit("DialEnd", "call", [*head, *callee.snapshot("Dest"), ("DialStatus", status)])

    def dial_begin(self, caller: Channel | None, callee: Channel, dialstring: str) -> None:
        head = caller.snapshot() if caller is not None else []
        self.emit(
            "DialBegin", "call", [*head, *callee.snapshot("Dest"), ("DialString", dialstring)]
        )
