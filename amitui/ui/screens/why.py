"""Why don't I see events? The session's event mask, the user's read classes and, for the
event types a user usually expects, whether this session would receive them and why not.
The server is asked through the docs client (amitui/store/docs.py, SessionDocs), the same
object that gives the event catalog its docs.

The read classes come from `manager show user NAME`, which needs the `command` write class; a
user without it is told so, and the classes proven by events already received (their
`Privilege:` headers) stand in. `manager show settings` adds the server-wide `disabledevents`.
The verdicts themselves are pure (amitui/store/eventclasses.py, why_missing); this screen only
asks the server and shows the answer. Event filters (manager.conf `eventfilter`, the Filter
action) cannot be seen through AMI; the screen says so instead of guessing.

Through AstManProxy, Asterisk sees the proxy's own manager user (from the proxy's config), not
the one this session logged in as, and the proxy does not pass this session's `Events:` mask on:
the screen says so, does not ask about a user Asterisk does not know, and judges by the classes
events proved instead of by the mask.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.events import Resize
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Label, Static

from amitui.client import ServerSpec
from amitui.protocol.safetext import shown
from amitui.store.catalog_observe import EventCatalog
from amitui.store.docs import SAFE_CLI_NAME, SessionDocs
from amitui.store.eventclasses import (
    ALL_CLASSES,
    DEFAULT_EXPECTED,
    Access,
    Explanation,
    parse_disabled_events,
    parse_event_mask,
    parse_user_perms,
    why_missing,
)
from amitui.ui import safe


class ServerCli(Protocol):
    async def cli(self, command: str) -> list[str] | str:
        """The output lines of a CLI command run through `Action: Command`, or why not."""
        ...

    def proxy(self) -> str | None:
        """The proxy the session goes through ('AstManProxy 1.22pre081119'), or None."""
        ...


# The docs client's old name here, still used by the app and the integration tests.
SessionEventDocs = SessionDocs


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
        self.query_one(DataTable).add_columns(*_HEADS)
        self.action_check()

    def action_check(self) -> None:
        self.run_worker(
            self._check(), name="why no events", group="why", exclusive=True,
            description="manager show user and manager show settings", exit_on_error=False,
        )  # fmt: skip

    async def _check(self) -> None:
        user = self.spec.user
        facts: list[str] = []
        observed = self.catalog.privileges()
        proven = sorted({c for classes in observed.values() for c in classes})
        proxy = self.source.proxy()
        mask_text = self.spec.events
        if proxy is not None:
            self.read = None
            facts += _behind_proxy(proxy, user, mask_text)
            facts.append(f"  classes proven by events received: {', '.join(proven) or 'none'}")
            mask_text = ""  # the proxy's own login mask applies, and it is not known here
        else:
            await self._user_facts(user, proven, facts)
            mask = parse_event_mask(mask_text)
            facts.append(f"Login mask: Events: {mask_text or '(none)'} → {_classes(mask)}")
        settings = await self.source.cli("manager show settings")
        disabled = parse_disabled_events(settings) if not isinstance(settings, str) else ()
        if disabled:
            facts.append(f"Disabled for everyone (disabledevents): {', '.join(sorted(disabled))}")
        access = Access(self.read, mask_text, self.catalog.counts(), observed, disabled)
        self.explanations = why_missing(self.expected, access)
        # The server's own words (user, classes, disabled events): escapes made visible.
        self.query_one("#why-facts", Static).update("\n".join(shown(fact) for fact in facts))
        self._fill()

    async def _user_facts(self, user: str, proven: list[str], facts: list[str]) -> None:
        """The user's read classes from `manager show user`, into `self.read` and `facts`."""
        out = await self.source.cli(f"manager show user {user}") if SAFE_CLI_NAME.match(user) else (
            f"{user!r} cannot be asked about through the CLI"
        )  # fmt: skip
        perms = parse_user_perms(out) if not isinstance(out, str) else None
        self.read = perms.read if perms is not None else None
        if perms is not None:
            facts.append(f"User {user} reads: {_classes(perms.read)} (manager show user)")
        else:
            why = out if isinstance(out, str) else f"the server has no manager user {user!r}"
            facts.append(f"User {user}: read classes unknown, manager show user failed: {why}")
            facts.append(f"  classes proven by events received: {', '.join(proven) or 'none'}")

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        chosen = table.cursor_row
        table.clear()
        rows = [
            (safe.cell(found.event), safe.cell(", ".join(found.needs) or "?"),
             safe.cell(found.source or "-"), found)
            for found in self.explanations
        ]  # fmt: skip
        # The reason takes what the other columns leave (cut with "…"; the line under the
        # table says it whole), so that at 80 columns no column is cut off at the edge.
        room = _WHY_MIN
        if rows:
            widest = [max(cell_len(cells[i].plain) for *cells, _ in rows) for i in range(3)]
            verdict = max(cell_len(r[3].verdict.value) for r in rows)
            used = sum(max(w, len(h)) for w, h in zip([*widest, verdict], _HEADS, strict=False))
            pads = 2 * table.cell_padding * len(_HEADS) + 2  # and the scrollbar
            room = max(_WHY_MIN, table.size.width - used - pads)
        for event_cell, needs, source, found in rows:
            role = "ok" if found.ok else "unknown" if found.verdict.name == "UNKNOWN" else "bad"
            style = self.get_component_rich_style(f"why--{role}", partial=True)
            reason = shown(found.reason)
            if cell_len(reason) > room:
                reason = reason[: room - 1] + "…"
            table.add_row(
                event_cell, needs, source, Text(found.verdict.value, style=style),
                Text(reason, no_wrap=True, end=""), key=found.event,
            )  # fmt: skip
        if rows:
            table.move_cursor(row=min(chosen, len(rows) - 1))

    def on_resize(self, _event: Resize) -> None:
        if self.explanations:
            self.call_after_refresh(self._fill)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        found = next((e for e in self.explanations if e.event == event.row_key.value), None)
        if found is not None:
            self.query_one("#why-detail", Static).update(shown(f"{found.event}: {found.reason}"))

    def action_close(self) -> None:
        self.dismiss(None)


_HEADS = ("Event", "Needs", "Known from", "Verdict", "Why")
_WHY_MIN = 8  # below this the table scrolls sideways rather than cut the reason further


def _behind_proxy(proxy: str, user: str, events: str) -> list[str]:
    return [
        f"Connected through {proxy}: {user} is a user of the proxy, not of Asterisk. Asterisk "
        "sees the proxy's own manager user (the one in the proxy's config), so its read "
        "classes are that user's; not asked here (manager show user).",
        f"Login mask: Events: {events or '(none)'} is not applied by the proxy: it passes on "
        "what its own login to Asterisk receives.",
    ]


def _classes(classes: frozenset[str]) -> str:
    if not classes:
        return "nothing (no events at all)"
    if classes >= ALL_CLASSES:
        return "every class"
    return ", ".join(sorted(classes - {"all"}))
