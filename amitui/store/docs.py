"""The server's own documentation, asked through a session and cached: the one docs client for
the composer (actions), the event catalog and the "why don't I see events?" screen.

What it asks, all but the first as `Action: Command`:
- `ListCommands`: the actions, for the composer's picker (not cached: the composer keeps it);
- `manager show command NAME`: one action's form (actiondocs.parse_action_doc);
- `manager show events`, `manager show event NAME`: the catalog's docs (eventclasses);
- `cli(text)`: any other CLI command (`manager show user`, `manager show settings`), never
  cached: permissions change on a manager reload.

One error policy for every question (`_ask` sorts failures into `Failure`s):
- not connected (no session), not sent (the session raised: not logged in, closed, a value the
  encoder refuses) and no answer (timeout, connection lost) are not cached, so asking again
  after a reconnect works;
- refused (an error response) is cached like an answer. `Permission denied` means this user
  lacks the `command` write class, which reading any docs needs, and is said so.
Answers are cached per server address and AMI version (what the banner tells): another server,
or the same one upgraded, is asked afresh.

Each screen words a failure its own way (`Unavailable.reason`): the composer says "no docs: …"
and quotes the response's Message; the catalog and the why screen quote the server's first
Output line (an unknown CLI command says why there). Tests: tests/store/test_docs.py.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from amitui.protocol import Action, Frame
from amitui.store.actiondocs import ActionDoc, CommandInfo, parse_action_doc, parse_list_commands
from amitui.store.eventclasses import DocResult, parse_event_doc, parse_event_list
from amitui.store.sentinels import Unavailable

_T = TypeVar("_T")
Server = tuple[str, str]  # (address, AMI version): whose docs an answer is
_Slot = tuple[str, str, str]  # (address, AMI version, the CLI command lowercased)

# What may go into a CLI command line as a name: no spaces, nothing the CLI would read as more.
SAFE_CLI_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,80}$")

COMPOSER_DENIED = (
    "no docs: this AMI user may not send Command, which reading the docs needs "
    "(manager show command); free rows still work"
)
EVENTS_DENIED = "this AMI user may not send Command (it needs the `command` write class)"


class _Spec(Protocol):
    @property
    def address(self) -> str: ...


class _State(Protocol):
    @property
    def ami_version(self) -> str | None: ...

    @property
    def proxy(self) -> str | None: ...


class _Reply(Protocol):
    """A transcript (amitui.client.Transcript), as far as the docs read one."""

    @property
    def response(self) -> Frame | None: ...

    @property
    def ok(self) -> bool: ...

    @property
    def message(self) -> str: ...


class DocsSession(Protocol):
    """What the docs client needs of a session: amitui.client.interface.SessionLike fits. Said
    here, not imported: the store stays below the client layer (tests/store/test_ring.py)."""

    @property
    def spec(self) -> _Spec: ...

    @property
    def state(self) -> _State: ...

    async def send(self, action: Action) -> _Reply: ...


class Failure(enum.Enum):
    NOT_CONNECTED = "not connected"
    NOT_SENT = "not sent"  # the session raised before the action went out
    NO_ANSWER = "no answer"  # timed out, or the connection went
    REFUSED = "refused"  # an error response


@dataclass(frozen=True, slots=True)
class Failed:
    """Why a question got no answer, before a screen words it."""

    kind: Failure
    message: str  # the exception's text, the transcript's note, or the response's Message
    output: str = ""  # a refusal's first Output line

    @property
    def cached(self) -> bool:
        """A refusal is an answer: asking again gets the same (a manager reload aside, which
        the cache cannot see). The other failures pass with the connection's trouble."""
        return self.kind is Failure.REFUSED


_NOT_CONNECTED = Failed(Failure.NOT_CONNECTED, "not connected")


def _denied(detail: str) -> bool:
    return detail.lower() == "permission denied"


def composer_reason(failed: Failed) -> str:
    """The composer's words for a failed `manager show command`."""
    if failed.kind is Failure.REFUSED:
        return COMPOSER_DENIED if _denied(failed.message) else f"no docs: {failed.message}"
    if failed.kind is Failure.NO_ANSWER:
        return f"no docs: {failed.message}"
    return failed.message


def list_reason(failed: Failed) -> str:
    """The composer's words for a failed `ListCommands`."""
    if failed.kind in (Failure.REFUSED, Failure.NO_ANSWER):
        return f"ListCommands failed: {failed.message}"
    return failed.message


def events_reason(failed: Failed) -> str:
    """The catalog's and the why screen's words: the server's own, the first Output line first."""
    if failed.kind is Failure.REFUSED:
        detail = failed.output or failed.message
        return EVENTS_DENIED if _denied(detail) else detail
    return failed.message


async def _ask(session: DocsSession, action: Action) -> Frame | Failed:
    """The response to `action`, or why there is none: the one place failures are sorted."""
    try:
        tr = await session.send(action)
    except Exception as exc:
        # What a session raises instead of sending (SessionError: not logged in, closed, a
        # replay; LocalProtocolError: a value the encoder refuses) is a reason for the user.
        # The client's error types cannot be named here (layers), so any error is; callers run
        # in workers, where an exception would only be lost.
        return Failed(Failure.NOT_SENT, str(exc))
    if tr.response is None:
        return Failed(Failure.NO_ANSWER, tr.message)
    if not tr.ok:
        lines = [line for line in tr.response.output or () if line.strip()]
        return Failed(Failure.REFUSED, tr.message, lines[0] if lines else "")
    return tr.response


class SessionDocs:
    """What the server says about its actions and events, over whichever session
    `session()` gives now (None: not connected). The composer's DocsSource, the catalog's
    EventDocsSource and the why screen's ServerCli."""

    def __init__(self, session: Callable[[], DocsSession | None]) -> None:
        self._session = session
        self._actions: dict[_Slot, ActionDoc | Unavailable] = {}
        self._listed: dict[_Slot, set[str] | Unavailable] = {}
        self._events: dict[_Slot, DocResult] = {}

    def _key(self, session: DocsSession) -> Server:
        return (session.spec.address, session.state.ami_version or "")

    async def _cached(
        self,
        cache: dict[_Slot, _T | Unavailable],
        command: str,
        parse: Callable[[list[str]], _T | Unavailable],
        reason: Callable[[Failed], str],
    ) -> _T | Unavailable:
        """One CLI command's parsed answer, from `cache` or the server, under the policy above."""
        session = self._session()
        if session is None:
            return Unavailable(reason(_NOT_CONNECTED))
        slot = (*self._key(session), command.lower())
        if slot in cache:
            return cache[slot]
        reply = await _ask(session, Action.of("Command", Command=command))
        if isinstance(reply, Failed):
            result: _T | Unavailable = Unavailable(reason(reply))
            if not reply.cached:
                return result
        else:
            result = parse(list(reply.output or ()))
        cache[slot] = result
        return result

    # -- actions (the composer) -------------------------------------------------------------

    async def list_commands(self) -> list[CommandInfo] | Unavailable:
        """The actions the server lists, or why there is no list."""
        session = self._session()
        if session is None:
            return Unavailable(list_reason(_NOT_CONNECTED))
        reply = await _ask(session, Action("ListCommands"))
        if isinstance(reply, Failed):
            return Unavailable(list_reason(reply))
        return parse_list_commands(reply)

    async def describe(self, name: str) -> ActionDoc | Unavailable:
        """One action's docs, or why there are none."""

        def parse(output: list[str]) -> ActionDoc | Unavailable:
            doc = parse_action_doc(name, output)
            none = Unavailable(f"the server has no documentation for {name}")
            return doc if doc is not None else none

        command = f"manager show command {name}"
        return await self._cached(self._actions, command, parse, composer_reason)

    # -- events (the catalog, the why screen) -----------------------------------------------

    async def documented_events(self) -> set[str] | Unavailable:
        """The event names `manager show events` lists, or why there are none."""

        def parse(output: list[str]) -> set[str] | Unavailable:
            return parse_event_list(output) or Unavailable("manager show events listed no events")

        return await self._cached(self._listed, "manager show events", parse, events_reason)

    async def event_doc(self, name: str) -> DocResult:
        """The doc, None when the server has none for this event, or why it cannot be asked."""
        if not SAFE_CLI_NAME.match(name):
            return None  # a name the CLI cannot be asked about has no docs
        listed = await self.documented_events()
        if isinstance(listed, set) and name.lower() not in {n.lower() for n in listed}:
            return None  # not in `manager show events`: no need to ask

        def parse(output: list[str]) -> DocResult:
            return parse_event_doc(name, output)

        return await self._cached(self._events, f"manager show event {name}", parse, events_reason)

    # -- the CLI (the why screen) -----------------------------------------------------------

    async def cli(self, command: str) -> list[str] | str:
        """The output lines of one CLI command, or why there are none (never cached)."""
        session = self._session()
        if session is None:
            return events_reason(_NOT_CONNECTED)
        reply = await _ask(session, Action.of("Command", Command=command))
        return events_reason(reply) if isinstance(reply, Failed) else list(reply.output or ())

    def proxy(self) -> str | None:
        """The proxy the session goes through ('AstManProxy 1.22pre081119'), or None."""
        session = self._session()
        return session.state.proxy if session is not None else None
