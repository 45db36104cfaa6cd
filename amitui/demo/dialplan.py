"""What happens on the demo PBX, as scheduler scripts: dialplan, Dial, phones, background calls.

A script is a generator that yields seconds to sleep (amitui/demo/sched.py). A channel's
script is kept on `chan.task`, so hanging the channel up cancels it. The event order of a
PJSIP call through Dial follows what Asterisk 22 sends (recorded with Local channels, which
go through the same core code paths; PJSIP legs differ in names, states and causes).

The dialplan, in both `default` and `from-internal`:
    100      Answer, Echo                 (stays up until hung up)
    101      Answer, Wait(2), Hangup
    200      Answer, UserEvent, Wait(5), Hangup
    300      Answer, VoiceMail(1234@default,s), Hangup
    1001-10  NoOp, Set(__CALLTYPE=internal), Dial(PJSIP/${EXTEN},30),
             VoiceMail(${EXTEN}@default,u), Hangup
Dial has no `g` option: once an answered call is over, so is the caller's dialplan; only a
phone that is busy or does not answer sends the caller on to voicemail (amitui/demo/voicemail.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from amitui.demo import voicemail
from amitui.demo.model import DOWN, RING, RINGING, UP, Channel, Phone
from amitui.demo.sched import FOREVER, Script

if TYPE_CHECKING:  # scripts drive a DemoPbx; pbx.py starts them (through traffic.py)
    from amitui.demo.pbx import DemoPbx

Step = tuple[str, str]
_SHORT: dict[str, list[Step]] = {
    "100": [("Answer", ""), ("Echo", "")],
    "101": [("Answer", ""), ("Wait", "2"), ("Hangup", "")],
    "200": [
        ("Answer", ""),
        ("UserEvent", "AmituiProbe,Source: dialplan,Note: a: value with colons"),
        ("Wait", "5"),
        ("Hangup", ""),
    ],
    "300": [("Answer", ""), ("VoiceMail", "1234@default,s"), ("Hangup", "")],
}
_PHONE: list[Step] = [
    ("NoOp", "Call from ${CALLERID(num)} to ${EXTEN}"),
    ("Set", "__CALLTYPE=internal"),
    ("Dial", "PJSIP/${EXTEN},30"),
    ("VoiceMail", "${EXTEN}@default,u"),
    ("Hangup", ""),
]
CONTEXTS = ("default", "from-internal")


def lookup(pbx: DemoPbx, context: str, exten: str) -> list[Step] | None:
    if context not in CONTEXTS:
        return None
    if exten in pbx.phones:
        return _PHONE
    return _SHORT.get(exten)


def _expand(chan: Channel, data: str) -> str:
    return data.replace("${EXTEN}", chan.exten).replace("${CALLERID(num)}", chan.cid_num)


# -- dialplan and applications -------------------------------------------------------------


def run_dialplan(pbx: DemoPbx, chan: Channel) -> Script:
    """Run from chan.context/exten/priority; fall off the end (or a bad exten) and hang up."""
    steps = lookup(pbx, chan.context, chan.exten) or []
    while chan.alive and 1 <= chan.priority <= len(steps):
        app, data = steps[chan.priority - 1]
        data = _expand(chan, data)
        pbx.newexten(chan, app, data)
        yield 0.002  # dialplan steps take a moment, so events interleave like the real ones
        if app == "Hangup":
            break
        yield from run_app(pbx, chan, app, data)
        if app == "Dial" and chan.dial_status == "ANSWER":
            break  # no `g` option: the call is over, and so is the dialplan
        chan.priority += 1
    # The Hangup application: cause 16 unless Dial left the callee's cause behind.
    pbx.hangup(chan, 17 if chan.dial_status == "BUSY" else 16, "SoftHangupRequest")


def run_app(pbx: DemoPbx, chan: Channel, app: str, data: str) -> Script:
    chan.app, chan.appdata = app, data
    if app == "Answer":
        answer(pbx, chan)
    elif app == "Wait":
        yield _seconds(data)
    elif app == "Set":
        name, _, value = data.partition("=")
        pbx.varset(chan, name, value)
    elif app == "UserEvent":
        name, *body = data.split(",")
        headers = [(k.strip(), v.strip()) for k, _, v in (b.partition(":") for b in body)]
        pbx.emit("UserEvent", "user", [*chan.snapshot(), ("UserEvent", name), *headers])
    elif app == "Dial":
        yield from dial(pbx, chan, data)
    elif app == "Playback":
        yield 3.0
    elif app == "VoiceMail":
        if chan.state != UP:
            answer(pbx, chan)
        yield from voicemail.leave(pbx, chan, data)
    elif app != "NoOp":
        yield FOREVER  # Echo, MusicOnHold, anything else: until hung up


def _seconds(text: str) -> float:
    try:
        return max(float(text.split(",")[0] or 0), 0.0)
    except ValueError:
        return 0.0


def answer(pbx: DemoPbx, chan: Channel) -> None:
    """Answer a channel; for a Local ;2 the ;1 half answers with it (no media in between)."""
    pbx.set_state(chan, UP)
    peer = chan.local_peer
    if peer is not None and peer.state != UP:
        pbx.set_state(peer, UP)
        if peer.dialed_by is not None:
            connect(pbx, peer.dialed_by, peer)
        else:
            pbx.dial_end(None, peer, "ANSWER")


_DIAL_VARS = (
    "DIALSTATUS",
    "DIALEDPEERNUMBER",
    "DIALEDPEERNAME",
    "ANSWEREDTIME",
    "ANSWEREDTIME_MS",
    "DIALEDTIME",
    "DIALEDTIME_MS",
    "RINGTIME",
    "RINGTIME_MS",
    "PROGRESSTIME",
    "PROGRESSTIME_MS",
)


def dial(pbx: DemoPbx, caller: Channel, data: str) -> Script:
    """Dial(TECH/target[,timeout]): call one callee, bridge on answer, return when it ends."""
    target, _, rest = data.partition(",")
    timeout = _seconds(rest) or 60.0
    for name in _DIAL_VARS:  # app_dial clears its result variables first
        pbx.varset(caller, name, "")
    caller.dial_status = ""
    started = pbx.now
    callee = start_callee(pbx, caller, target)
    if callee is None:
        caller.dial_status = "CHANUNAVAIL"
    else:
        caller.dialing = callee
        # Woken early when the call ends (bridge dissolved) or the callee fails (busy, ...).
        while caller.dialing is callee:
            if callee.state == UP:
                yield FOREVER
            elif pbx.now >= started + timeout:
                caller.dialing = None
                pbx.dial_end(caller, callee, "NOANSWER")
                caller.dial_status = "NOANSWER"
                pbx.hangup(callee, 16, None)
            else:
                yield started + timeout - pbx.now
    if caller.dial_status == "ANSWER":
        seconds, ms = f"{pbx.now - started:.0f}", f"{(pbx.now - started) * 1000:.0f}"
        for name, value in (
            ("ANSWEREDTIME", seconds),
            ("ANSWEREDTIME_MS", ms),
            ("DIALEDTIME", seconds),
            ("DIALEDTIME_MS", ms),
        ):
            pbx.varset(caller, name, value)
    pbx.varset(caller, "DIALSTATUS", caller.dial_status)


def phone_leg(
    pbx: DemoPbx,
    phone: Phone,
    *,
    linkedid: str | None = None,
    cid: tuple[str, str] | None = None,
) -> Channel:
    """A new outgoing PJSIP channel to a phone, as Asterisk creates it before it rings."""
    return pbx.new_channel(
        pbx.pjsip_name(phone.ext),
        "PJSIP",
        phone.device,
        state=DOWN,
        context="from-internal",
        exten="s",
        linkedid=linkedid,
        cid=cid,
    )


def start_callee(pbx: DemoPbx, caller: Channel | None, target: str) -> Channel | None:
    """Create the outgoing channel for a dial string and start what answers it."""
    tech, _, resource = target.partition("/")
    if tech.upper() == "PJSIP" and resource in pbx.phones and pbx.reachable[resource]:
        phone = pbx.phones[resource]
        callee = phone_leg(pbx, phone, linkedid=caller.linkedid if caller else None)
        dialstring = phone.ext
    elif tech.lower() == "local" and "@" in resource:
        exten, _, context = resource.partition("@")
        callee = local_pair(pbx, exten, context, caller)
        dialstring = resource
    else:
        return None
    callee.dialed_by = caller
    if caller is not None:
        pbx.varset(callee, "DIALEDPEERNUMBER", dialstring)
        pbx.set_callerid(callee, caller.exten, caller.cid_name)
        pbx.set_connected(callee, caller.cid_num, caller.cid_name)
    pbx.dial_begin(caller, callee, dialstring)
    if callee.tech == "PJSIP":
        pbx.set_state(callee, RINGING)
        callee.task = pbx.sched.spawn(phone_rings(pbx, callee), f"ring {callee.name}")
    elif callee.local_peer is not None:
        half = callee.local_peer
        half.task = pbx.sched.spawn(run_dialplan(pbx, half), f"dialplan {half.name}")
    return callee


def local_pair(
    pbx: DemoPbx,
    exten: str,
    context: str,
    caller: Channel | None,
    cid: tuple[str, str] | None = None,
) -> Channel:
    """Local/exten@context: ;1 faces the caller, ;2 runs the dialplan. Returns ;1."""
    one, two = pbx.local_names(exten, context)
    device = f"Local/{exten}@{context}"
    linked = caller.linkedid if caller is not None else None
    first = pbx.new_channel(
        one, "Local", device, state=DOWN, context=context, exten=exten, linkedid=linked
    )
    second = pbx.new_channel(
        two, "Local", device, state=RING, context=context, exten=exten, linkedid=first.linkedid
    )
    first.local_peer, second.local_peer = second, first
    if cid is not None:  # Originate's CallerID reaches both halves before they are linked
        for half in (first, second):
            pbx.set_callerid(half, *cid)
            pbx.set_connected(half, *cid)
    blocks = [*first.snapshot("LocalOne"), *second.snapshot("LocalTwo")]
    pbx.emit(
        "LocalBridge",
        "call",
        [*blocks, ("Context", context), ("Exten", exten), ("LocalOptimization", "Yes")],
    )
    return first


def connect(pbx: DemoPbx, caller: Channel, callee: Channel) -> None:
    """The callee answered: DialEnd, the caller is answered, and both meet in a bridge."""
    pbx.dial_end(caller, callee, "ANSWER")
    pbx.set_state(caller, UP)
    pbx.bridge_call(caller, callee)


def phone_rings(pbx: DemoPbx, callee: Channel) -> Script:
    """A phone that answers after a few seconds (or, in background calls, maybe never)."""
    yield pbx.random.uniform(1.0, 3.0)
    pbx.set_state(callee, UP)
    if callee.dialed_by is not None:
        connect(pbx, callee.dialed_by, callee)
    else:
        pbx.dial_end(None, callee, "ANSWER")
    yield FOREVER


# -- background traffic ------------------------------------------------------------------------


def call_arrivals(pbx: DemoPbx) -> Script:
    """A new internal call every few seconds between two idle, reachable phones."""
    while True:
        idle = [p for p in pbx.phones.values() if pbx.reachable[p.ext] and not _busy(pbx, p)]
        if len(idle) >= 2:
            caller, callee = pbx.random.sample(idle, 2)
            outcome = pbx.random.choices(("answer", "busy", "noanswer"), (0.75, 0.1, 0.15))[0]
            pbx.sched.spawn(phone_call(pbx, caller, callee, outcome), f"call {caller.ext}")
        yield pbx.random.expovariate(pbx.rate / 4.0)


def _busy(pbx: DemoPbx, phone: Phone) -> bool:
    return any(c.device == phone.device for c in pbx.channels.values())


def phone_call(pbx: DemoPbx, caller: Phone, callee: Phone, outcome: str) -> Script:
    """Caller picks up and dials; the callee answers, is busy, or never answers.

    People's timings shrink with the rate, so a higher rate means more events per second
    rather than only more phones being busy."""
    pace = 1.0 / max(pbx.rate, 0.01)
    a = pbx.new_channel(
        pbx.pjsip_name(caller.ext),
        "PJSIP",
        caller.device,
        state=RING,
        context="from-internal",
        exten=callee.ext,
        cid=(caller.ext, caller.name),
    )
    a.task = pbx.sched.spawn(run_dialplan(pbx, a), f"dialplan {a.name}")
    if pbx.random.random() < 0.05:
        callid_test_event(pbx, a)
    yield 0.05
    b = a.dialing
    if b is None:
        return
    if outcome == "busy":
        pbx.sched.cancel(b.task)
        yield pbx.random.uniform(0.3, 1.0) * pace
        pbx.hangup(b, 17)
        if pbx.random.random() < 0.5:
            yield from voicemail.caller_leaves_message(pbx, a, pace)
        else:
            yield pbx.random.uniform(1.0, 3.0) * pace
            pbx.hangup(a, 16)  # hangs up on the greeting
        return
    if outcome == "noanswer":
        pbx.sched.cancel(b.task)
        if pbx.random.random() < 0.4:  # holds on past Dial's timeout, to voicemail
            yield from voicemail.caller_leaves_message(pbx, a, pace)
            return
        yield pbx.random.uniform(6.0, 20.0) * pace
        pbx.hangup(a, 16)  # the caller gives up
        return
    while b.alive and b.state != UP:
        yield 0.5
    yield pbx.random.uniform(3.0, 40.0) * pace
    pbx.hangup(pbx.random.choice((a, b)), 16)


def phone_noise(pbx: DemoPbx) -> Script:
    """Now and then a phone's contact stops answering qualify requests, and comes back."""
    while True:
        yield pbx.random.expovariate(pbx.rate / 25.0)
        phone = pbx.random.choice(list(pbx.phones.values()))
        if _busy(pbx, phone):
            continue
        for up in (False, True):
            pbx.reachable[phone.ext] = up
            contact_status(pbx, phone, "Reachable" if up else "Unreachable")
            if not up:
                yield pbx.random.uniform(4.0, 20.0)


def contact_status(pbx: DemoPbx, phone: Phone, status: str) -> None:
    rtt = str(pbx.random.randint(800, 40000)) if status == "Reachable" else "0"
    pbx.emit(
        "ContactStatus",
        "system",
        [
            ("URI", f"sip:{phone.ext}@{phone.address};ob"),
            ("ContactStatus", status),
            ("AOR", phone.ext),
            ("EndpointName", phone.ext),
            ("RoundtripUsec", rtt),
        ],
    )
    pbx.emit(
        "PeerStatus",
        "system",
        [("ChannelType", "PJSIP"), ("Peer", phone.device), ("PeerStatus", status)],
    )
    pbx.device_changed(phone.device)


def callid_test_event(pbx: DemoPbx, chan: Channel) -> None:
    """TestEvent: raised by TEST_FRAMEWORK builds, missing from `manager show events`."""
    pbx.emit(
        "TestEvent",
        "reporting",
        [
            ("Type", "StateChange"),
            ("State", "CallIDChange"),
            ("AppFile", "channel_internal_api.c"),
            ("AppFunction", "ast_channel_callid_set"),
            ("AppLine", "677"),
            ("State", "CallIDChange"),
            ("Channel", chan.name),
            ("CallID", f"[C-{pbx.calls_processed:08x}]"),
            ("PriorCallID", ""),
        ],
    )
