"""The demo server's answers to the live view's list actions and the queue actions, worded and
laid out as Asterisk 22 answers them (recorded by record_live.py into data/live_samples.json;
tests/demo/test_live_fidelity.py holds them against it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from amitui.demo.queues import Member, Queue, queues_of
from amitui.demo.wire import error, list_complete, render, response
from amitui.protocol import Frame, Header

if TYPE_CHECKING:
    from amitui.demo.session import ClientSession

Handler = Callable[["ClientSession", Frame], Awaitable[None]]
_TRUE = frozenset({"yes", "true", "y", "t", "1", "on"})
# PJSIPShowEndpoints says the device state in words.
_WORDS = {"NOT_INUSE": "Not in use", "INUSE": "In use", "RINGING": "Ringing",
          "UNAVAILABLE": "Unavailable", "BUSY": "Busy", "ONHOLD": "On Hold"}  # fmt: skip


def _aid(f: Frame) -> str | None:
    return f.get("ActionID") or None


def _arg(f: Frame, key: str) -> str:
    return (f.get(key) or "").strip()


def _item(name: str, aid: str | None, body: list[Header], *, id_last: bool = False) -> bytes:
    """A list item: ActionID right after Event, or last (QueueStatus, ParkedCalls)."""
    tag: list[Header] = [("ActionID", aid)] if aid else []
    return render([("Event", name), *body, *tag] if id_last else [("Event", name), *tag, *body])


async def pjsip_show_endpoints(s: ClientSession, f: Frame) -> None:
    aid = _aid(f)
    pbx = s.pbx
    out = [response("Success", aid, "A listing of Endpoints follows, presented as EndpointList "
                    "events", list_start=True)]  # fmt: skip
    for phone in pbx.phones.values():
        busy = sum(c.device == phone.device for c in pbx.channels.values())
        state = pbx.device_state(phone.device)
        out.append(_item("EndpointList", aid, [
            ("ObjectType", "endpoint"), ("ObjectName", phone.ext), ("Transport", "transport-udp"),
            ("Aor", phone.ext), ("Auths", phone.ext), ("OutboundAuths", ""),
            ("Contacts", f"{phone.ext}/sip:{phone.ext}@{phone.address};ob,"),
            ("DeviceState", _WORDS.get(state, state.title())), ("ActiveChannels", str(busy)),
        ]))  # fmt: skip
    out.append(list_complete("EndpointListComplete", aid, len(pbx.phones)))
    s.send(b"".join(out))


async def bridge_list(s: ClientSession, f: Frame) -> None:
    aid = _aid(f)
    bridges = list(s.pbx.bridges.values())
    out = [response("Success", aid, "Bridge listing will follow", list_start=True)]
    out += [_item("BridgeListItem", aid, b.snapshot()) for b in bridges]
    out.append(list_complete("BridgeListComplete", aid, len(bridges)))
    s.send(b"".join(out))


async def queue_status(s: ClientSession, f: Frame) -> None:
    aid = _aid(f)
    pbx = s.pbx
    wanted = _arg(f, "Queue")
    out = [response("Success", aid, "Queue status will follow", list_start=True)]
    count = 0
    for queue in queues_of(pbx).queues.values():
        if wanted and wanted != queue.name:
            continue
        out.append(_item("QueueParams", aid, queue.params(), id_last=True))
        out += [_item("QueueMember", aid, m.headers(queue.name, event=False), id_last=True)
                for m in queue.members.values()]  # fmt: skip
        for position, caller in enumerate(queue.callers, 1):
            chan = caller.chan
            out.append(_item("QueueEntry", aid, [
                ("Queue", queue.name), ("Position", str(position)), ("Channel", chan.name),
                ("Uniqueid", chan.uniqueid), ("CallerIDNum", chan.cid_num),
                ("CallerIDName", chan.cid_name), ("ConnectedLineNum", chan.conn_num),
                ("ConnectedLineName", chan.conn_name),
                ("Wait", str(int(pbx.now - caller.joined))), ("Priority", "0"),
            ], id_last=True))  # fmt: skip
        count += 1 + len(queue.members) + len(queue.callers)
    out.append(list_complete("QueueStatusComplete", aid, count))
    s.send(b"".join(out))


def _members(s: ClientSession, queue: str, interface: str) -> list[tuple[Queue, Member]]:
    found = []
    for q in queues_of(s.pbx).queues.values():
        if (not queue or q.name == queue) and interface in q.members:
            found.append((q, q.members[interface]))
    return found


async def queue_pause(s: ClientSession, f: Frame) -> None:
    aid = _aid(f)
    interface, paused = _arg(f, "Interface"), _arg(f, "Paused")
    if not interface or not paused:
        s.send(error(aid, "Need 'Interface' and 'Paused' parameters."))
        return
    found = _members(s, _arg(f, "Queue"), interface)
    if not found:
        s.send(error(aid, "Interface not found"))
        return
    on = paused.lower() in _TRUE
    s.send(response("Success", aid, f"Interface {'paused' if on else 'unpaused'} successfully"))
    queues = queues_of(s.pbx)
    for queue, member in found:
        queues.pause(queue, member, on, _arg(f, "Reason"))


async def queue_remove(s: ClientSession, f: Frame) -> None:
    aid = _aid(f)
    name, interface = _arg(f, "Queue"), _arg(f, "Interface")
    if not name or not interface:
        s.send(error(aid, "Need 'Queue' and 'Interface' parameters."))
        return
    queue = queues_of(s.pbx).queues.get(name)
    if queue is None:
        s.send(error(aid, "Unable to remove interface from queue: No such queue"))
        return
    member = queue.members.pop(interface, None)
    if member is None:
        s.send(error(aid, "Unable to remove interface: Not there"))
        return
    s.send(response("Success", aid, "Removed interface from queue"))
    queues_of(s.pbx).member_event("QueueMemberRemoved", queue, member)


async def queue_add(s: ClientSession, f: Frame) -> None:
    aid = _aid(f)
    name, interface = _arg(f, "Queue"), _arg(f, "Interface")
    if not name or not interface:
        s.send(error(aid, "'Queue' and 'Interface' parameters are required"))  # not recorded
        return
    queues = queues_of(s.pbx)
    queue = queues.queues.get(name)
    if queue is None:
        s.send(error(aid, "Unable to add interface to queue: No such queue"))
        return
    if interface in queue.members:
        s.send(error(aid, "Unable to add interface: Already there"))
        return
    member = Member(interface, _arg(f, "MemberName") or interface, int(s.pbx.wall()))
    member.paused = _arg(f, "Paused").lower() in _TRUE
    queue.members[interface] = member
    s.send(response("Success", aid, "Added interface to queue"))
    queues.member_event("QueueMemberAdded", queue, member)


async def parked_calls(s: ClientSession, f: Frame) -> None:
    aid = _aid(f)
    out = [response("Success", aid, "Parked calls will follow", list_start=True)]
    out.append(list_complete("ParkedCallsComplete", aid, 0, [("Total", "0")]))
    s.send(b"".join(out))


async def no_conferences(s: ClientSession, f: Frame) -> None:
    s.send(error(_aid(f), "No active conferences."))


HANDLERS: dict[str, Handler] = {
    "pjsipshowendpoints": pjsip_show_endpoints,
    "bridgelist": bridge_list,
    "queuestatus": queue_status,
    "queuepause": queue_pause,
    "queueremove": queue_remove,
    "queueadd": queue_add,
    "parkedcalls": parked_calls,
    "confbridgelistrooms": no_conferences,
    "confbridgelist": no_conferences,
    "confbridgekick": no_conferences,
}
