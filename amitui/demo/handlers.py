"""The demo server's actions: each answers exactly as Asterisk 22 does (texts recorded).

A handler gets the session and the action frame and writes its reply with `session.send`.
Permission checks happen before dispatch (amitui/demo/session.py), as in process_message().
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from amitui.demo import asterisk_cli, live_handlers, operations, voicemail
from amitui.demo.model import coreshow_item, status_item
from amitui.demo.wire import (
    command_output,
    error,
    event_mask,
    list_complete,
    render,
    response,
)
from amitui.protocol import Frame, Header

if TYPE_CHECKING:
    from amitui.demo.session import ClientSession

Handler = Callable[["ClientSession", Frame], Awaitable[None]]
_SKIP_IN_USEREVENT = frozenset({"action", "actionid", "userevent"})


def _aid(frame: Frame) -> str | None:
    return frame.get("ActionID") or None


def _arg(frame: Frame, key: str) -> str:
    return (frame.get(key) or "").strip()


async def ping(s: ClientSession, f: Frame) -> None:
    stamp = f"{s.pbx.wall():.6f}"
    s.send(response("Success", _aid(f), None, [("Ping", "Pong"), ("Timestamp", stamp)]))


async def events(s: ClientSession, f: Frame) -> None:
    mask = event_mask(f.get("EventMask"))
    if mask is None:
        s.send(error(_aid(f), "Invalid event mask"))
        return
    s.events = mask
    s.send(response("Success", _aid(f), None, [("Events", "On" if mask else "Off")]))


async def list_commands(s: ClientSession, f: Frame) -> None:
    # Only what this user may run, as action_listcommands() does.
    shown = [
        (a.name, a.line) for a in s.rec.actions.values() if not a.privilege or a.privilege & s.write
    ]
    s.send(response("Success", _aid(f), None, shown))


async def command(s: ClientSession, f: Frame) -> None:
    text = _arg(f, "Command")
    if not text:
        s.send(error(_aid(f), "No command provided"))
        return
    ok, lines = asterisk_cli.run(s.pbx, s.rec, text, s.pbx.now)
    s.send(command_output(_aid(f), lines, ok=ok))


async def core_show_channels(s: ClientSession, f: Frame) -> None:
    aid = _aid(f)
    chans = list(s.pbx.channels.values())
    out = [response("Success", aid, "Channels will follow", list_start=True)]
    out += [render(coreshow_item(c, s.pbx.now, aid)) for c in chans]
    out.append(list_complete("CoreShowChannelsComplete", aid, len(chans)))
    s.send(b"".join(out))


async def status(s: ClientSession, f: Frame) -> None:
    aid = _aid(f)
    name = _arg(f, "Channel")
    chans = list(s.pbx.channels.values())
    if name and name.lower() != "all":
        chan = s.pbx.find(name)
        if chan is None:
            s.send(error(aid, "No such channel"))
            return
        chans = [chan]
    out = [response("Success", aid, "Channel status will follow", list_start=True)]
    out += [render(status_item(c, s.pbx.now, aid)) for c in chans]
    out.append(list_complete("StatusComplete", aid, len(chans), [("Items", str(len(chans)))]))
    s.send(b"".join(out))


def _variable_target(s: ClientSession, f: Frame) -> tuple[bool, Any, str]:
    """Getvar and Setvar check their arguments alike: (ok, channel or None, variable)."""
    name, variable = _arg(f, "Channel"), _arg(f, "Variable")
    if not variable:
        s.send(error(_aid(f), "No variable specified"))
        return False, None, ""
    chan = s.pbx.find(name) if name else None
    if name and chan is None:
        s.send(error(_aid(f), "No such channel"))
        return False, None, ""
    return True, chan, variable


async def getvar(s: ClientSession, f: Frame) -> None:
    ok, chan, variable = _variable_target(s, f)
    if ok:
        value = operations.getvar(s.pbx, chan, variable)
        s.send(response("Success", _aid(f), None, [("Variable", variable), ("Value", value)]))


async def setvar(s: ClientSession, f: Frame) -> None:
    ok, chan, variable = _variable_target(s, f)
    if ok:
        operations.setvar(s.pbx, chan, variable, f.get("Value") or "")
        s.send(response("Success", _aid(f), "Variable Set"))


async def hangup(s: ClientSession, f: Frame) -> None:
    aid, name = _aid(f), _arg(f, "Channel")
    cause = int(_arg(f, "Cause")) if _arg(f, "Cause").isdigit() else 16
    if not name:
        s.send(error(aid, "No channel specified"))
        return
    if len(name) > 2 and name.startswith("/") and name.endswith("/"):
        await _hangup_regex(s, aid, name[1:-1], cause)
        return
    chan = s.pbx.find(name)
    if chan is None:
        s.send(error(aid, "No such channel"))
        return
    s.send(response("Success", aid, "Channel Hungup"))
    s.pbx.hangup(chan, cause, "SoftHangupRequest")


async def _hangup_regex(s: ClientSession, aid: str | None, pattern: str, cause: int) -> None:
    """Asterisk 14+: a `/regex/` channel hangs up every match, answered as an EventList."""
    try:
        regex = re.compile(pattern)
    except re.error:
        s.send(error(aid, f"Regex compile failed on: {pattern}"))
        return
    chans = s.pbx.matching(regex)
    out = [response("Success", aid, "Channels hung up will follow", list_start=True)]
    for chan in chans:
        head: list[Header] = [("Event", "ChannelHungup"), ("Channel", chan.name)]
        out.append(render([*head, ("ActionID", aid)] if aid else head))
    out.append(list_complete("ChannelsHungupListComplete", aid, len(chans)))
    s.send(b"".join(out))
    for chan in chans:
        s.pbx.hangup(chan, cause, "SoftHangupRequest")


async def redirect(s: ClientSession, f: Frame) -> None:
    aid = _aid(f)
    name, context, exten = _arg(f, "Channel"), _arg(f, "Context"), _arg(f, "Exten")
    priority = _arg(f, "Priority") or "1"
    for missing, text in ((name, "Channel"), (context, "Context"), (exten, "Exten")):
        if not missing:
            s.send(error(aid, f"{text} not specified"))
            return
    if not priority.isdigit() or int(priority) < 1:
        s.send(error(aid, "Priority is invalid"))
        return
    chan = s.pbx.find(name)
    if chan is None:
        s.send(error(aid, f"Channel does not exist: {name}"))
        return
    operations.redirect(s.pbx, chan, context, exten, int(priority))
    s.send(response("Success", aid, "Redirect successful"))


async def originate(s: ClientSession, f: Frame) -> None:
    aid = _aid(f)
    req = _originate_request(f)
    if isinstance(req, str):
        s.send(error(aid, req))
        return
    if req.is_async:
        s.send(response("Success", aid, "Originate successfully queued"))
        operations.originate(s.pbx, req, lambda ok: None)
        s.server.poke()
        return
    # Synchronous: the reply waits for the outcome; events meanwhile are held (session.py).
    done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

    def finished(ok: bool) -> None:
        if not done.done():
            done.set_result(ok)

    operations.originate(s.pbx, req, finished)
    s.server.poke()
    ok = await done
    s.send(
        response("Success", aid, "Originate successfully queued")
        if ok
        else error(aid, "Originate failed")
    )


def _originate_request(f: Frame) -> operations.OriginateRequest | str:
    channel = _arg(f, "Channel")
    if not channel:
        return "Channel not specified"
    priority = _arg(f, "Priority") or "1"
    if not priority.isdigit():
        return "Invalid priority"
    timeout = _arg(f, "Timeout")
    variables = []
    for value in f.get_all("Variable"):
        for item in value.split(","):
            key, sep, val = item.partition("=")
            if sep and key.strip():
                variables.append((key.strip(), val))
    return operations.OriginateRequest(
        channel=channel,
        context=_arg(f, "Context"),
        exten=_arg(f, "Exten"),
        priority=int(priority),
        application=_arg(f, "Application"),
        data=f.get("Data") or "",
        callerid=_arg(f, "CallerID"),
        variables=variables,
        action_id=_aid(f),
        timeout=int(timeout) / 1000 if timeout.isdigit() else 30.0,
        is_async=_arg(f, "Async").lower() in ("true", "yes", "1", "on", "y", "t"),
    )


async def user_event(s: ClientSession, f: Frame) -> None:
    aid = _aid(f)
    s.send(response("Success", aid, "Event Sent"))
    # action_userevent() copies the sender's headers verbatim after UserEvent and ActionID.
    body = [(k, v) for k, v in f.headers if k.lower() not in _SKIP_IN_USEREVENT]
    head: list[Header] = [("UserEvent", f.get("UserEvent") or "")]
    if aid:
        head.append(("ActionID", aid))
    s.pbx.emit("UserEvent", "user", [*head, *body])


async def mailbox_count(s: ClientSession, f: Frame) -> None:
    mailbox = _arg(f, "Mailbox")
    if not mailbox:
        s.send(error(_aid(f), "Mailbox not specified"))
        return
    urgent, new, old = voicemail.counts(s.pbx, mailbox)
    counts = [("UrgMessages", urgent), ("NewMessages", new), ("OldMessages", old)]
    extra = [("Mailbox", mailbox), *((k, str(n)) for k, n in counts)]
    s.send(response("Success", _aid(f), "Mailbox Message Count", extra))


async def mailbox_status(s: ClientSession, f: Frame) -> None:
    mailbox = _arg(f, "Mailbox")
    if not mailbox:
        s.send(error(_aid(f), "Mailbox not specified"))
        return
    urgent, new, _ = voicemail.counts(s.pbx, mailbox)
    waiting = "1" if urgent + new else "0"
    s.send(
        response("Success", _aid(f), "Mailbox Status", [("Mailbox", mailbox), ("Waiting", waiting)])
    )


async def voicemail_users_list(s: ClientSession, f: Frame) -> None:
    aid = _aid(f)
    boxes = list(s.pbx.mailboxes.values())
    out = [response("Success", aid, "Voicemail user list will follow", list_start=True)]
    out += [render(voicemail.user_entry(box, aid)) for box in boxes]
    out.append(list_complete("VoicemailUserEntryComplete", aid, len(boxes)))
    s.send(b"".join(out))


HANDLERS: dict[str, Handler] = {
    "ping": ping,
    "events": events,
    "listcommands": list_commands,
    "command": command,
    "coreshowchannels": core_show_channels,
    "status": status,
    "getvar": getvar,
    "setvar": setvar,
    "hangup": hangup,
    "redirect": redirect,
    "originate": originate,
    "userevent": user_event,
    "mailboxcount": mailbox_count,
    "mailboxstatus": mailbox_status,
    "voicemailuserslist": voicemail_users_list,
}
HANDLERS.update(live_handlers.HANDLERS)  # the live view's lists and the queue actions
