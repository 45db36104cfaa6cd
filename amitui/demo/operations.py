"""What AMI actions do to the demo PBX: Originate, Redirect, Setvar, Getvar.

The server parses and answers actions; these functions change the PBX and raise the events
the real server raises for them (recorded in amitui/demo/data/samples.json).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from amitui.demo.dialplan import (
    local_pair,
    lookup,
    phone_leg,
    phone_rings,
    run_app,
    run_dialplan,
)
from amitui.demo.model import DOWN, RING, RINGING, UNKNOWN, UP, Channel
from amitui.demo.pbx import DemoPbx
from amitui.demo.sched import Script
from amitui.protocol import Header

_CALLERID = re.compile(r"^\s*(?:\"?(?P<name>[^\"<]*?)\"?\s*)?(?:<(?P<num>[^>]*)>)?\s*$")
REASON_FAILED, REASON_NO_ANSWER, REASON_ANSWERED = 0, 3, 4


@dataclass(slots=True)
class OriginateRequest:
    channel: str
    context: str = ""
    exten: str = ""
    priority: int = 1
    application: str = ""
    data: str = ""
    callerid: str = ""
    timeout: float = 30.0
    variables: list[Header] = field(default_factory=list)
    action_id: str | None = None
    is_async: bool = False


def parse_callerid(text: str) -> tuple[str, str] | None:
    """`"Alice" <1001>`, `Alice <1001>` or `1001` to (number, name)."""
    if not text.strip():
        return None
    m = _CALLERID.match(text)
    if m is None or m["num"] is None:
        return (text.strip(), UNKNOWN) if text.strip().isdigit() else (UNKNOWN, text.strip())
    return (m["num"] or UNKNOWN, (m["name"] or "").strip() or UNKNOWN)


def originate(pbx: DemoPbx, req: OriginateRequest, done: Callable[[bool], None]) -> None:
    """Start an Originate; `done(answered)` is called once the outcome is known."""
    pbx.sched.spawn(_originate(pbx, req, done), f"originate {req.channel}")


def _originate(pbx: DemoPbx, req: OriginateRequest, done: Callable[[bool], None]) -> Script:
    chan = _create(pbx, req)
    if chan is None:
        _respond(pbx, req, None, REASON_FAILED)
        done(False)
        return
    for name, value in req.variables:
        pbx.varset(chan, name, value)
    deadline = pbx.now + req.timeout
    while chan.alive and chan.state != UP and pbx.now < deadline:
        yield 0.05
    if chan.state != UP or not chan.alive:
        pbx.hangup(chan, 19, None)
        _respond(pbx, req, None, REASON_NO_ANSWER)
        done(False)
        return
    _respond(pbx, req, chan, REASON_ANSWERED)
    done(True)
    chan.task = pbx.sched.spawn(_run(pbx, chan, req), f"originated {chan.name}")


def _create(pbx: DemoPbx, req: OriginateRequest) -> Channel | None:
    """The outgoing channel, ringing; None when the channel cannot be created at all."""
    tech, _, resource = req.channel.partition("/")
    cid = parse_callerid(req.callerid)
    if tech.lower() == "local" and "@" in resource:
        exten, _, context = resource.partition("/")[0].partition("@")
        if lookup(pbx, context, exten) is None:
            _local_fails(pbx, exten, context)
            return None
        first = local_pair(pbx, exten, context, None, cid)
        second = first.local_peer
        assert second is not None
        pbx.dial_begin(None, first, f"{exten}@{context}")
        second.task = pbx.sched.spawn(run_dialplan(pbx, second), f"dialplan {second.name}")
        return first
    if tech.upper() == "PJSIP" and resource in pbx.phones and pbx.reachable[resource]:
        phone = pbx.phones[resource]
        chan = phone_leg(pbx, phone, cid=cid)
        pbx.dial_begin(None, chan, phone.ext)
        pbx.set_state(chan, RINGING)
        chan.task = pbx.sched.spawn(phone_rings(pbx, chan), f"ring {chan.name}")
        return chan
    return None


def _local_fails(pbx: DemoPbx, exten: str, context: str) -> None:
    """As recorded for Local/999@nowhere: both halves appear and go, the device is INVALID."""
    one, two = pbx.local_names(exten, context)
    device = f"Local/{exten}@{context}"
    first = pbx.new_channel(one, "Local", device, state=DOWN, context=context, exten=exten)
    second = pbx.new_channel(
        two, "Local", device, state=RING, context=context, exten=exten, linkedid=first.linkedid
    )
    pbx.hangup(second, 0, None)
    pbx.device_changed(device, forced="INVALID")
    pbx.hangup(first, 0, None)


def _respond(pbx: DemoPbx, req: OriginateRequest, chan: Channel | None, reason: int) -> None:
    """OriginateResponse: only for Async originates, carrying the action's ActionID."""
    if not req.is_async:
        return
    head: list[Header] = [("ActionID", req.action_id)] if req.action_id else []
    status = "Success" if chan is not None else "Failure"
    where = (
        [("Application", req.application), ("Data", req.data)]
        if req.application
        else [("Context", req.context), ("Exten", req.exten)]
    )
    ident = [
        ("Uniqueid", chan.uniqueid if chan else UNKNOWN),
        ("CallerIDNum", chan.cid_num if chan else UNKNOWN),
        ("CallerIDName", chan.cid_name if chan else UNKNOWN),
    ]
    name = chan.name if chan is not None else req.channel
    pbx.emit(
        "OriginateResponse",
        "call",
        [*head, ("Response", status), ("Channel", name), *where, ("Reason", str(reason)), *ident],
    )


def _run(pbx: DemoPbx, chan: Channel, req: OriginateRequest) -> Script:
    """After answer: the Application (then hang up), or the dialplan at Context/Exten."""
    if req.application:
        yield from run_app(pbx, chan, req.application, req.data)
        pbx.hangup(chan, 16, None)
        return
    chan.context = req.context or "default"
    chan.exten = req.exten or "s"
    chan.priority = req.priority
    yield from run_dialplan(pbx, chan)


def redirect(pbx: DemoPbx, chan: Channel, context: str, exten: str, priority: int) -> None:
    """Send a channel elsewhere in the dialplan; whoever it was bridged to is let go."""
    for other in pbx.leave_bridge(chan):
        pbx.after_bridge(other, chan)()
    if chan.dialing is not None:
        callee, chan.dialing = chan.dialing, None
        pbx.hangup(callee, 16, "HangupRequest")
    pbx.sched.cancel(chan.task)
    if chan.on_hangup is not None:  # VoiceMail interrupted: what it recorded is kept
        keep, chan.on_hangup = chan.on_hangup, None
        keep()
    chan.context, chan.exten, chan.priority = context, exten, priority
    chan.dial_status = ""
    chan.task = pbx.sched.spawn(run_dialplan(pbx, chan), f"dialplan {chan.name}")


def setvar(pbx: DemoPbx, chan: Channel | None, name: str, value: str) -> None:
    """Set a variable; CALLERID(num|name|all) on a channel changes its caller ID instead."""
    func = name.upper().replace(" ", "")
    if chan is not None and func.startswith("CALLERID("):
        num, cid_name = chan.cid_num, chan.cid_name
        if func == "CALLERID(NUM)":
            num = value
        elif func == "CALLERID(NAME)":
            cid_name = value
        else:
            num, cid_name = parse_callerid(value) or (num, cid_name)
        pbx.set_callerid(chan, num, cid_name)
        return
    pbx.varset(chan, name, value)


def getvar(pbx: DemoPbx, chan: Channel | None, name: str) -> str:
    if chan is None:
        return pbx.globals.get(name, "")
    builtin = {
        "CHANNEL": chan.name,
        "UNIQUEID": chan.uniqueid,
        "EXTEN": chan.exten,
        "CONTEXT": chan.context,
        "PRIORITY": str(chan.priority),
        "CALLERID(NUM)": chan.cid_num,
        "CALLERID(NAME)": chan.cid_name,
        "CHANNEL(STATE)": chan.state_desc,
        "CHANNEL(LINKEDID)": chan.linkedid,
    }
    key = name.upper().replace(" ", "")
    if key in builtin:
        return builtin[key]
    return chan.variables.get(name, pbx.globals.get(name, ""))
