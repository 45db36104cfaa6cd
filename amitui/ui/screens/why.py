"""Why don't I see events? The session's event mask, the user's read classes and, for the
event types a user usually expects, whether this session would receive them and why not.
Also SessionEventDocs, the one object that asks the server (through `Action: Command`) for
what both this screen and the event catalog need.

The read classes come from `manager show user NAME`, which needs the `command` write class; a
user without it is told so, and the classes proven by events already received (their
`Privilege:` headers) stand in. `manager show settings` adds the server-wide `disabledevents`.
The verdicts themselves are pure (amitui/store/eventclasses.py, why_missing); this screen only
asks the server and shows the answer. Event filters (manager.conf `eventfilter`, the Filter
action) cannot be seen through AMI; the screen says so instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Protocol

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Label, Static

from amitui.client import ServerSpec, SessionError
from amitui.client.interface import SessionLike
from amitui.protocol import Action, LocalProtocolError
from amitui.protocol.safetext import shown
from amitui.store.catalog import EventCatalog
from amitui.store.eventclasses import (
    ALL_CLASSES,
    DEFAULT_EXPECTED,
    Access,
    EventDoc,
    Explanation,
    parse_disabled_events,
    parse_event_doc,
    parse_event_list,
    parse_event_mask,
    parse_user_perms,
    why_missing,
)
from amitui.ui import safe

_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,80}$")  # what may go into a CLI command line


class ServerCli(Protocol):
    async def cli(self, command: str) -> list[str] | str:
        """The output lines of a CLI command run through `Action: Command`, or why not."""
        ...


def _refusal(message: str) -> str:
    if message.lower() == "permission denied":
        return "this AMI user may not send Command (it needs the `command` write class)"
    return message


class SessionEventDocs:
    """What the server says about events, asked through `Action: Command` on a live session:
    the catalog's EventDocsSource and this screen's ServerCli, one object for both.

    Docs are cached per server address and AMI version (what the banner tells). Answers and
    refusals are cached; failures to ask (not connected, timeout) are not, so asking again after
    a reconnect works. `cli()` is never cached: permissions change on a manager reload."""

    def __init__(self, session: Callable[[], SessionLike | None]) -> None:
        self._session = session
        self._listed: dict[tuple[str, str], set[str] | str] = {}
        self._docs: dict[tuple[str, str], dict[str, EventDoc | str | None]] = {}

    def _key(self) -> tuple[str, str] | None:
        session = self._session()
        if session is None:
            return None
        return (session.spec.address, session.state.ami_version or "")

    async def _command(self, text: str) -> tuple[bool, list[str] | str]:
        """(cacheable, output lines or why not)."""
        session = self._session()
        if session is None:
            return False, "not connected"
        try:
            tr = await session.send(Action.of("Command", Command=text))
        except (SessionError, LocalProtocolError) as exc:
            return False, str(exc)
        if tr.response is None:
            return False, tr.message
        if not tr.ok:  # an unknown CLI command says why in its Output, not its Message
            lines = [line for line in tr.response.output or () if line.strip()]
            return True, _refusal(lines[0] if lines else tr.message)
        return True, list(tr.response.output or ())

    async def cli(self, command: str) -> list[str] | str:
        """The output lines of one CLI command, or why there are none."""
        _, out = await self._command(command)
        return out

    async def documented_events(self) -> set[str] | str:
        key = self._key()
        if key is None:
            return "not connected"
        if key not in self._listed:
            cacheable, out = await self._command("manager show events")
            if not cacheable:
                return out if isinstance(out, str) else "no answer"
            names = out if isinstance(out, str) else parse_event_list(out)
            self._listed[key] = names or "manager show events listed no events"
        return self._listed[key]

    async def event_doc(self, name: str) -> EventDoc | str | None:
        if not _SAFE_NAME.match(name):
            return None  # a name the CLI cannot be asked about has no docs
        listed = await self.documented_events()
        if isinstance(listed, set) and name.lower() not in {n.lower() for n in listed}:
            return None  # not in `manager show events`: no need to ask
        key = self._key()
        if key is None:
            return "not connected"
        cache = self._docs.setdefault(key, {})
        if name.lower() not in cache:
            cacheable, out = await self._command(f"manager show event {name}")
            if not cacheable:
                return out if isinstance(out, str) else "no answer"
            cache[name.lower()] = out if isinstance(out, str) else parse_event_doc(name, out)
        return cache[name.lower()]


class WhyNoEvents(ModalScreen[None]):
    DEFAULT_CSS = """
    WhyNoEvents { align: center middle; }
    WhyNoEvents > Vertical {
        width: 120; max-width: 96%; height: 90%; border: thick $accent; background: $panel;
    }
    WhyNoEvents #why-title { padding: 0 1; text-style: bold; }
    WhyNoEvents #why-facts { padding: 0 1; height: auto; }
    WhyNoEvents DataTable { height: 1fr; }
    WhyNoEvents #why-detail { padding: 0 1; height: auto; min-height: 2; }
    WhyNoEvents #why-note { padding: 0 1; color: $text-muted; height: auto; }
    WhyNoEvents > .why--ok { color: $success; }
    WhyNoEvents > .why--bad { color: $error; text-style: bold; }
    WhyNoEvents > .why--unknown { color: $warning; }
    """
    COMPONENT_CLASSES = {"why--ok", "why--bad", "why--unknown"}
    BINDINGS = [
        Binding("r", "check", "Check again", id="why.check"),
        Binding("escape,q", "close", "Close", id="why.close"),
    ]

    def __init__(
        self,
        source: ServerCli,
        catalog: EventCatalog,
        spec: ServerSpec,
        expected: Sequence[str] = DEFAULT_EXPECTED,
    ) -> None:
        super().__init__()
        self.source = source
        self.catalog = catalog
        self.spec = spec
        self.expected = tuple(expected)
        self.read: frozenset[str] | None = None
        self.explanations: list[Explanation] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Why don't I see events?", id="why-title")
            yield Static("Asking the server…", id="why-facts", markup=False)
            yield DataTable(cursor_type="row", zebra_stripes=True)
            yield Static("", id="why-detail", markup=False)
            yield Static(
                "Not visible through AMI, so not checked: `eventfilter` lines in manager.conf "
                "and Filter actions sent by this session. Both hide events too.",
                id="why-note",
                markup=False,
            )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("Event", "Needs", "Known from", "Verdict", "Why")
        self.action_check()

    def action_check(self) -> None:
        self.run_worker(
            self._check(), name="why no events", group="why", exclusive=True,
            description="manager show user and manager show settings", exit_on_error=False,
        )  # fmt: skip

    async def _check(self) -> None:
        user = self.spec.user
        facts: list[str] = []
        out = await self.source.cli(f"manager show user {user}") if _SAFE_NAME.match(user) else (
            f"{user!r} cannot be asked about through the CLI"
        )  # fmt: skip
        perms = parse_user_perms(out) if not isinstance(out, str) else None
        self.read = perms.read if perms is not None else None
        observed = self.catalog.privileges()
        proven = sorted({c for classes in observed.values() for c in classes})
        if perms is not None:
            facts.append(f"User {user} reads: {_classes(perms.read)} (manager show user)")
        else:
            why = out if isinstance(out, str) else f"the server has no manager user {user!r}"
            facts.append(f"User {user}: read classes unknown, manager show user failed: {why}")
            facts.append(f"  classes proven by events received: {', '.join(proven) or 'none'}")
        mask = parse_event_mask(self.spec.events)
        facts.append(f"Login mask: Events: {self.spec.events or '(none)'} → {_classes(mask)}")
        settings = await self.source.cli("manager show settings")
        disabled = parse_disabled_events(settings) if not isinstance(settings, str) else ()
        if disabled:
            facts.append(f"Disabled for everyone (disabledevents): {', '.join(sorted(disabled))}")
        access = Access(self.read, self.spec.events, self.catalog.counts(), observed, disabled)
        self.explanations = why_missing(self.expected, access)
        # The server's own words (user, classes, disabled events): escapes made visible.
        self.query_one("#why-facts", Static).update("\n".join(shown(fact) for fact in facts))
        self._fill()

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for found in self.explanations:
            role = "ok" if found.ok else "unknown" if found.verdict.name == "UNKNOWN" else "bad"
            style = self.get_component_rich_style(f"why--{role}", partial=True)
            table.add_row(
                safe.cell(found.event), safe.cell(", ".join(found.needs) or "?"),
                safe.cell(found.source or "-"), Text(found.verdict.value, style=style),
                safe.cell(found.reason), key=found.event,
            )  # fmt: skip

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        found = next((e for e in self.explanations if e.event == event.row_key.value), None)
        if found is not None:
            self.query_one("#why-detail", Static).update(shown(f"{found.event}: {found.reason}"))

    def action_close(self) -> None:
        self.dismiss(None)


def _classes(classes: frozenset[str]) -> str:
    if not classes:
        return "nothing (no events at all)"
    if classes >= ALL_CLASSES:
        return "every class"
    return ", ".join(sorted(classes - {"all"}))
