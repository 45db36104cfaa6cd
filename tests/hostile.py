"""A hostile AMI server, and the hostile files a console may be handed, for tests.

Whoever can put text into AMI can attack the terminal that shows it: a caller chooses its
CallerIDName, a SIP header copied into a channel variable, a UserEvent body. Every text this
module produces carries the attacks below: terminal escapes that write the clipboard (OSC 52),
set the window title (OSC 0), clear the screen or leave the alternate screen; the same as one
C1 byte; a bidi override; and Textual/Rich markup that crashes a markup parser (`[/]`), quits
the app on click (`[@click=app.quit]`) or renders links and styles.

`HostileAmi` is a real AMI server on 127.0.0.1 (the console's real session, parser and stores
take part); `hostile_recording` and `poison_history` write the files. `leaks()` says what in
terminal output a terminal would act on. Used by tests/ui/test_hostile.py.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from pathlib import Path

from amitui.protocol import Frame, Parser
from tests.client.fakeami import LoopbackAmi

OSC52 = "\x1b]52;c;aGFja2Vk\x07"  # base64 "hacked" into the clipboard
OSC0 = "\x1b]0;owned\x07"  # the window title
CLEAR = "\x1b[2J"
LEAVE_ALT = "\x1b[?1049l"
C1_CSI = "\x9b2J"  # CSI as one C1 byte
C1_OSC = "\x9d0;x\x9c"  # OSC ... ST as C1 bytes
BIDI = "\u202e"  # right-to-left override
CLOSE = "[/]"  # MarkupError in a markup parser
CLICK = "[@click=app.quit]x[/]"  # a live action when clicked
LINK = "[link=https://x]y[/link]"
STYLE = "[bold red]z"

ATTACKS = (OSC52, OSC0, CLEAR, LEAVE_ALT, C1_CSI, C1_OSC, BIDI, CLOSE, CLICK, LINK, STYLE)
POISON = "".join(ATTACKS)
# Names that still reach the console's parsers: no ':' (the header separator) and no spaces.
NAME_ATTACKS = (OSC52, OSC0, CLEAR, LEAVE_ALT, C1_CSI, C1_OSC, BIDI, CLOSE, CLICK, "[bold]z")
NAME_POISON = "".join(NAME_ATTACKS)
HUGE = "H" * 200_000 + POISON
LINKEDID = "1700000000." + NAME_POISON
CHANNEL = f"PJSIP/{NAME_POISON}-0000000a"  # hangs up
LIVE_CHANNEL = f"PJSIP/{NAME_POISON}-0000000c"  # never does: h and r prepare actions on it
BANNER = b"Asterisk Call Manager/11.0.0\r\n"
HOSTILE_ACTION = "Hostile" + CLOSE


def packet(*headers: tuple[str, str]) -> bytes:
    return "".join(f"{k}: {v}\r\n" for k, v in headers).encode() + b"\r\n"


def _event(name: str, *headers: tuple[str, str]) -> bytes:
    return packet(("Event", name), ("Privilege", "call,all"), *headers)


def events() -> list[bytes]:
    """The events a hostile server streams: poisoned names, header names, values, a call."""
    out = [
        _event(f"Evt{i}{attack}", (f"X{attack}", f"v{attack}"), ("Channel", LIVE_CHANNEL))
        for i, attack in enumerate(ATTACKS)
    ]
    call = (("Channel", CHANNEL), ("Uniqueid", "1700000000.1"), ("Linkedid", LINKEDID))
    out += [
        _event("Newchannel", *call, ("CallerIDNum", POISON), ("CallerIDName", POISON),
               ("Exten", NAME_POISON), ("ChannelStateDesc", POISON)),
        _event("Newstate", *call, ("ChannelStateDesc", POISON), ("ConnectedLineName", POISON)),
        _event("DialBegin", *call, ("DestChannel", CHANNEL + "b"), ("DialString", POISON)),
        _event("VarSet", *call, ("Variable", POISON), ("Value", POISON)),
        _event("Hangup", *call, ("Cause", "16"), ("Cause-txt", POISON)),
        _event("UserEvent", ("UserEvent", POISON), (NAME_POISON, POISON), ("Body", HUGE)),
        _event("HostileEvent", ("Channel", CHANNEL), ("Detail", POISON), (NAME_POISON, "1")),
    ]  # fmt: skip
    return out


def _output(*lines: str) -> str:
    return "".join(f"Output: {line}\r\n" for line in lines)


def action_doc(name: str) -> list[str]:
    """`manager show command NAME` output whose every text is hostile."""
    # A field name cannot hold `[`, `]` or `:` (the [Syntax] line would not parse), so no
    # OSC or CSI; these still act: ESC c resets the terminal, C1 CSI/OSC, bidi, BEL.
    field = f"Chan\x1bc{C1_CSI}{C1_OSC}{BIDI}\x07nel"
    return [
        f"  -= Info about Manager Command '{name}' =- ",
        "", "[Synopsis]", f"Does {POISON} things.",
        "", "[Description]", f"Really {POISON}.",
        "", "[Syntax]", f"Action: {name}", "[ActionID:] <value>", f"{field}: <value>",
        "[Variable:] <value>",
        "", "[Arguments]", "", field, f"    The {POISON} channel.",
        "", "Variable", f"    {POISON}",
        "", "[Privilege]", f"call,{POISON}",
    ]  # fmt: skip


def event_doc(name: str) -> list[str]:
    """`manager show event NAME` output whose every text is hostile."""
    return [
        f"Event: {name}", f"  -= Info about Manager Event '{name}' =- ",
        "", "[Synopsis]", f"Raised when {POISON}.",
        "", "[Since]", POISON, "", "[Provided By]", POISON,
        "", "[Description]", f"It {POISON}.",
        "", "[Syntax]", f"Event: {name}", "Channel: <value>", "Detail: <value>",
        "", "[Arguments]", "", "Channel", f"    {POISON}", "", "Detail", f"    {POISON}",
    ]  # fmt: skip


def list_commands() -> list[tuple[str, str]]:
    return [
        ("Originate", f"Originate a {POISON} call.  (Priv: call,all)"),
        (HOSTILE_ACTION, f"{POISON}  (Priv: call,{NAME_POISON})"),
        ("Hostile" + NAME_POISON, POISON),
        ("CoreShowChannels", f"List {POISON}  (Priv: system,reporting,all)"),
    ]


@dataclass
class HostileAmi(LoopbackAmi):
    """A loopback AMI server that accepts any login and answers everything with poison."""

    refuse_login: bool = False

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.append(writer)
        writer.write(BANNER)
        parser = Parser(expect_banner=False)
        try:
            while data := await reader.read(65536):
                parser.feed(data)
                for frame in parser.frames():
                    self.received.append(frame)
                    writer.write(self._reply(frame))
        except ConnectionError:
            pass
        finally:
            if writer in self.writers:
                self.writers.remove(writer)
            writer.close()

    def _reply(self, frame: Frame) -> bytes:
        action = (frame.get("Action") or "").lower()
        aid = ("ActionID", frame.get("ActionID") or "")
        if action == "challenge":
            return packet(("Response", "Error"), aid, ("Message", "Must specify AuthType"))
        if action == "login":
            if self.refuse_login:
                return packet(("Response", "Error"), aid, ("Message", POISON))
            return packet(("Response", "Success"), aid, ("Message", POISON)) + b"".join(events())
        if action == "ping":
            return packet(("Response", "Success"), aid, ("Ping", "Pong"))
        if action == "logoff":
            return packet(("Response", "Goodbye"), aid, ("Message", POISON))
        if action == "listcommands":
            return packet(("Response", "Success"), aid, *list_commands())
        if action == "command":
            return self._command(frame.get("Command") or "", aid)
        if action == "coreshowchannels":
            return self._list(aid)
        return packet(("Response", CLOSE), aid, ("Message", POISON), (NAME_POISON, POISON))

    def _command(self, command: str, aid: tuple[str, str]) -> bytes:
        head = f"Response: Success\r\nActionID: {aid[1]}\r\nMessage: Command output follows\r\n"
        if command.startswith("manager show command "):
            lines = action_doc(command.removeprefix("manager show command "))
        elif command == "manager show events":
            lines = ["Events:", "  HostileEvent  Newchannel  Hangup  ", POISON]
        elif command.startswith("manager show event "):
            lines = event_doc(command.removeprefix("manager show event "))
        elif command.startswith("manager show user "):
            lines = [f"username: {POISON}", f"read perm: call,{POISON}", f"write perm: {POISON}"]
        elif command == "manager show settings":
            lines = [f"Disabled events: {POISON}, {NAME_POISON}"]
        else:
            lines = [POISON]
        return (head + _output(*lines) + "\r\n").encode()

    def _list(self, aid: tuple[str, str]) -> bytes:
        items = [
            packet(("Event", "CoreShowChannel"), aid, ("Channel", CHANNEL),
                   (f"X{attack}", POISON), ("CallerIDName", POISON))
            for attack in NAME_ATTACKS
        ]  # fmt: skip
        # ListItems short, so the footer quoting it fits its one line on screen.
        done = packet(("Event", "CoreShowChannelsComplete"), aid, ("EventList", "Complete"),
                      ("ListItems", f"1{OSC0}{C1_CSI}{CLOSE}"))  # fmt: skip
        start = packet(("Response", "Success"), aid, ("EventList", "start"), ("Message", POISON))
        return start + b"".join(items) + done


def hostile_recording(path: Path) -> Path:
    """An .amirec whose header, notes and packets are all hostile."""
    header = {"amirec": 1, "server": f"{POISON}:5038", "started": 1700000000.0,
              "ami_version": POISON, "tool": POISON}  # fmt: skip
    lines = [header]
    t = 1700000000.0
    for raw in events():
        t += 0.5
        lines.append({"t": t, "dir": "in", "server": POISON, "raw": raw.decode()})
    lines.append({"t": t + 1, "dir": "note", "server": POISON, "raw": f"gap: {POISON}"})
    lines.append({"t": t + 2, "dir": "in", "server": POISON, "raw": events()[0].decode()})
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), "utf-8")
    return path


def hostile_capture(path: Path) -> Path:
    """A raw capture (the bytes off the socket, as tcpdump or `nc` would save them)."""
    path.write_bytes(BANNER + b"".join(events()))
    return path


def poison_history(config_home: Path, profile: str) -> None:
    """A history file and a saved-actions collection as a hostile hand might leave them."""
    from amitui.store.saved import Collection, HistoryFile

    history = HistoryFile(profile, base=config_home / "amitui")
    history.path.parent.mkdir(parents=True, exist_ok=True)
    record = {"id": "h1", "name": f"Ping{CLOSE}{OSC0}", "sent": 1700000000.0,
              "status": POISON, "latency_ms": 1.0, "server": POISON,
              "headers": [[f"K{NAME_POISON}", POISON], ["Channel", CHANNEL]]}  # fmt: skip
    history.path.write_text(json.dumps(record) + "\n", "utf-8")
    collection = Collection(profile, base=config_home / "amitui")
    collection.path.parent.mkdir(parents=True, exist_ok=True)
    key, value = json.dumps("ring" + NAME_POISON), json.dumps("PJSIP/${ext}" + POISON)
    collection.path.write_text(
        f"[actions.{key}]\nname = {json.dumps(POISON)}\ndescription = {json.dumps(POISON)}\n"
        f'headers = [["Channel", {value}], [{json.dumps(NAME_POISON)}, "1"]]\n',
        "utf-8",
    )


def broken_collection(config_home: Path, profile: str) -> None:
    """A collection whose load error quotes hostile text back."""
    from amitui.store.saved import Collection

    collection = Collection(profile, base=config_home / "amitui")
    collection.path.parent.mkdir(parents=True, exist_ok=True)
    collection.path.write_text(
        f'[actions.x]\nname = "Ping"\nheaders = [[{json.dumps(POISON)}]]\n', "utf-8"
    )


# What Textual itself writes: SGR, cursor moves, synchronized output, mouse/keys modes, and
# the pointer shape (OSC 22, e.g. `\x1b]22;default\x07`).
_TEXTUAL = re.compile(
    r"\x1b\[[0-9;:]*[mHABCDGKX]|\x1b\[\?(?:2026|25|1004|2004)[hl]|\x1b\]22;[a-z-]+\x07"
)
_C1_OR_BIDI = re.compile("[\x80-\x9f\u202a-\u202e\u2066-\u2069]")
SEQUENCES = ("\x1b]52;", "\x1b]0;owned", "\x1b[2J", "\x1b[?1049l", "\x1b]", "\x07")


def leaks(output: str) -> list[str]:
    """What in terminal output a terminal would act on that Textual did not put there."""
    rest = _TEXTUAL.sub("", output)
    found = [seq for seq in SEQUENCES if seq in rest]
    found += sorted({f"U+{ord(c):04X}" for c in _C1_OR_BIDI.findall(output)})
    if "\x1b" in rest:
        at = rest.index("\x1b")
        found.append(f"ESC not from Textual: {rest[at : at + 16]!r}")
    return found
