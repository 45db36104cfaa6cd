"""What the composer knows without asking the server: a few forms, and who may send what.

Reading an action's docs takes `Action: Command` (`manager show command NAME`), so an AMI user
without the `command` write class gets no docs at all, even for the actions it may send. For
the actions the console's own keys prepare (o Originate, h Hangup, r Redirect) the composer
then falls back on the forms below instead of bare header rows. Field names and required marks
are those of Asterisk's manager docs (unchanged from 11 to 22); the descriptions are ours.

Asterisk's ListCommands answers with the actions *this user may send* only, each with the
write classes it needs (`Hangup: Hangup channel.  (Priv: system,call,all)`). An action missing
from that list has no class to read there, hence KNOWN_CLASSES for the common ones.
"""

from __future__ import annotations

from collections.abc import Sequence

from amitui.store.actiondocs import ActionDoc, CommandInfo, FieldDoc


def _field(name: str, text: str, *, required: bool = False, repeat: bool = False) -> FieldDoc:
    return FieldDoc(name, required, repeat, text)


_TARGET = (
    _field("Exten", "Extension to go to (with Context and Priority)."),
    _field("Context", "Dialplan context of that extension."),
    _field("Priority", "Priority in that extension, usually 1."),
)

_ORIGINATE = ActionDoc(
    name="Originate",
    synopsis="Originate a call.",
    description="Calls Channel; once it answers, it goes to Exten/Context/Priority in the "
    "dialplan, or runs Application with Data.",
    fields=(
        _field(
            "Channel", "The channel to call, e.g. PJSIP/100 or Local/100@default.", required=True
        ),
        *_TARGET,
        _field("Application", "Application to run instead of going to the dialplan."),
        _field("Data", "Arguments of that Application."),
        _field("CallerID", 'Caller ID of the outgoing call, e.g. "Desk" <100>.'),
        _field("Timeout", "Milliseconds to wait for an answer."),
        _field("Variable", "A channel variable, name=value; one header per variable.", repeat=True),
        _field("Account", "Account code of the call."),
        _field("Async", "true: answer at once and report the outcome in OriginateResponse."),
        _field("EarlyMedia", "true: connect on early media, before the answer."),
        _field("Codecs", "Comma-separated codecs allowed for the call."),
        _field("ChannelId", "Uniqueid to give the new channel."),
        _field("OtherChannelId", "Uniqueid to give the second half of a Local channel."),
    ),
    privileges=("originate",),
)

_HANGUP = ActionDoc(
    name="Hangup",
    synopsis="Hangup channel.",
    description="",
    fields=(
        _field("Channel", "The channel to hang up (or /regex/ for every match).", required=True),
        _field("Cause", "Numeric hangup cause, e.g. 16 (normal clearing)."),
    ),
    privileges=("system", "call"),
)

_REDIRECT = ActionDoc(
    name="Redirect",
    synopsis="Redirect (transfer) a call.",
    description="Sends Channel (and ExtraChannel, its peer, if given) to a dialplan location.",
    fields=(
        _field("Channel", "The channel to send elsewhere.", required=True),
        *(FieldDoc(f.name, True, False, f.description) for f in _TARGET),
        _field("ExtraChannel", "A second channel to send at the same time (its peer)."),
        _field("ExtraExten", "Where ExtraChannel goes: extension."),
        _field("ExtraContext", "Where ExtraChannel goes: context."),
        _field("ExtraPriority", "Where ExtraChannel goes: priority."),
    ),
    privileges=("call",),
)

BUILTIN_DOCS = {doc.name.lower(): doc for doc in (_ORIGINATE, _HANGUP, _REDIRECT)}

# Write classes from ListCommands on Asterisk 22 ("all" left out: it grants everything).
KNOWN_CLASSES: dict[str, tuple[str, ...]] = {
    **{name: doc.privileges for name, doc in BUILTIN_DOCS.items()},
    "command": ("command",),
    "coreshowchannels": ("system", "reporting"),
    "status": ("system", "call", "reporting"),
    "setvar": ("call",),
    "getvar": ("call", "reporting"),
    "reload": ("system", "config"),
}


def builtin_doc(name: str) -> ActionDoc | None:
    """The composer's own form for `name`, if it has one."""
    return BUILTIN_DOCS.get(name.lower())


def listed(name: str, commands: Sequence[CommandInfo]) -> CommandInfo | None:
    low = name.lower()  # Asterisk matches action names case-insensitively
    return next((info for info in commands if info.name.lower() == low), None)


def write_classes(name: str, commands: Sequence[CommandInfo]) -> tuple[str, ...]:
    """The write classes `name` needs, any one of which will do; () when unknown."""
    info = listed(name, commands)
    classes = info.privileges if info is not None else KNOWN_CLASSES.get(name.lower(), ())
    return tuple(c for c in classes if c.lower() != "all")


def needs(name: str, commands: Sequence[CommandInfo]) -> str:
    """`Hangup needs one of the write classes system, call (manager.conf write =)`, or as
    much of it as is known."""
    classes = write_classes(name, commands)
    if not classes:
        what = "a write class this AMI user lacks"
    elif len(classes) == 1:
        what = f"the write class {classes[0]}"
    else:
        what = f"one of the write classes {', '.join(classes)}"
    return f"{name} needs {what} (manager.conf write =)"


def not_listed(name: str, commands: Sequence[CommandInfo]) -> str | None:
    """Why `name` will likely be refused, when the user's own list does not offer it."""
    if not commands or listed(name, commands) is not None:
        return None
    return (
        f"{name} is not among the {len(commands)} actions this AMI user may send "
        f"(ListCommands lists only those). {needs(name, commands)}."
    )
