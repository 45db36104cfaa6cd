"""Sent actions (newest first) and saved actions: pick one to edit in the composer or re-send.

The screen only chooses; the app acts. It dismisses with `(name, headers)` (or None on
escape), and sets `resend` when the user asked to send again rather than to edit, so the app
either calls `composer.prepare(name, headers)` or sends through its usual checks (read-only,
confirmation). A saved action with `${variables}` asks for their values first, in a small
form that refuses what `fill` refuses (CR/LF injection, a missing value) and says why.

History records are masked: a record with a masked value cannot be re-sent as it is, only
edited, so the password is typed again rather than `********` being sent.

Given its `source` (the HistoryFile of this server and user), the screen says whose history it
is and where each record was sent (the old per-profile file may hold other servers'). A record
sent elsewhere, or to a server the file does not name, is re-sent only after a question that
names both servers: `r` on it is meant for the PBX it was recorded on.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label

from amitui.protocol import REDACTED, LocalProtocolError
from amitui.protocol.safetext import shown
from amitui.store.history import ActionRecord
from amitui.store.saved import (
    Collection,
    HistoryFile,
    Origin,
    SavedAction,
    SavedError,
    fill,
    from_record,
    variables,
)
from amitui.ui import safe
from amitui.ui.units import ms

Choice = tuple[str, list[tuple[str, str]]]


def _when(epoch: float, now: float) -> str:
    stamp, today = time.localtime(epoch), time.localtime(now)
    if stamp[:3] == today[:3]:
        return time.strftime("%H:%M:%S", stamp)
    return time.strftime("%Y-%m-%d %H:%M", stamp)


def _summary(headers: Iterable[tuple[str, str]], limit: int = 60) -> str:
    text = " ".join(f"{k}={v}" for k, v in headers)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ValuesForm(ModalScreen[Any]):
    """One input per field; Enter runs `check` on the values and dismisses with its result.

    `check` raises ValueError or LocalProtocolError with a message to show instead."""

    DEFAULT_CSS = """
    ValuesForm { align: center middle; }
    ValuesForm > Vertical {
        width: 70; max-width: 95%; height: auto; max-height: 90%;
        border: thick $primary; background: $panel; padding: 0 1;
    }
    ValuesForm #form-title { text-style: bold; margin-bottom: 1; }
    ValuesForm #form-error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="values.cancel")]

    def __init__(self, title: str, fields: list[str], check: Callable[[dict[str, str]], Any]):
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(shown(self.title_text), id="form-title", markup=False)
            for i, name in enumerate(self.fields):
                yield Label(shown(name), markup=False)
                yield Input(placeholder=shown(name), id=f"field-{i}", highlighter=safe.MASK)
            yield Label("", id="form-error", markup=False)

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def values(self) -> dict[str, str]:
        return {n: self.query_one(f"#field-{i}", Input).value for i, n in enumerate(self.fields)}

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            result = self.check(self.values())
        except (ValueError, LocalProtocolError, SavedError) as exc:
            self.query_one("#form-error", Label).update(shown(str(exc)))
            return
        self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ResendElsewhere(ModalScreen[bool]):
    """Re-send a record on a server other than the one it was recorded on? `n` by default."""

    DEFAULT_CSS = """
    ResendElsewhere { align: center middle; }
    ResendElsewhere > Vertical {
        width: 70; max-width: 95%; height: auto; border: thick $warning; background: $panel;
        padding: 0 1;
    }
    ResendElsewhere #question { width: 100%; color: $warning; text-style: bold; }
    ResendElsewhere Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
    ResendElsewhere Button { margin-left: 2; min-width: 12; }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "Re-send", id="elsewhere.yes"),
        Binding("n,escape", "answer(False)", "Cancel", id="elsewhere.no"),
    ]

    def __init__(self, name: str, recorded: Origin, here: Origin) -> None:
        super().__init__()
        # Both names come from the history file: outside text, shown with escapes visible.
        self.question = (
            f"{name} was recorded on {recorded.label()}. This console is connected to "
            f"{here.label()}. Send it to {here.label()}?"
        )

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(shown(self.question), id="question", markup=False)
            with Horizontal():
                yield Button("Re-send (y)", variant="warning", id="yes")
                yield Button("Cancel (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class HistoryScreen(ModalScreen[Choice | None]):
    DEFAULT_CSS = """
    HistoryScreen { align: center middle; }
    HistoryScreen > Vertical {
        width: 110; max-width: 95%; height: 85%; border: thick $primary; background: $panel;
    }
    HistoryScreen Label { padding: 0 1; color: $text-muted; width: 100%; }
    HistoryScreen .section { color: $foreground; text-style: bold; }
    HistoryScreen #history { height: 2fr; }
    HistoryScreen #saved { height: 1fr; }
    """
    BINDINGS = [
        Binding("r", "resend", "Re-send", id="history.resend"),
        Binding("s", "save", "Save as…", id="history.save"),
        Binding("escape,q", "close", "Close", id="history.close"),
    ]

    def __init__(
        self,
        records: Iterable[ActionRecord],
        saved: Mapping[str, SavedAction] | Iterable[SavedAction] = (),
        *,
        collection: Collection | None = None,
        now: float | None = None,
        source: HistoryFile | None = None,
    ) -> None:
        super().__init__()
        self.records = list(records)  # newest first, as ActionHistory iterates
        self.here = source.origin if source is not None else None
        self.origins: dict[tuple[str, float], Origin] = {}
        if source is not None:
            # Unreadable now: loading failed too, so every record is this session's (here).
            with contextlib.suppress(SavedError):
                self.origins = source.origins()
        values = saved.values() if isinstance(saved, Mapping) else saved
        self.saved = {s.key: s for s in values}
        self.collection = collection
        self.now = now if now is not None else time.time()
        self.resend = False  # set when the user chose to send again rather than edit

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(
                "enter: edit in the composer · r: re-send · s: save as a named action · "
                "tab: switch list · esc: close"
            )
            whose = f" as {self.here.label()}" if self.here is not None else ""
            title = f"Sent{whose} ({len(self.records)}, newest first)"
            yield Label(shown(title), classes="section", id="history-title", markup=False)
            yield DataTable(id="history", cursor_type="row", zebra_stripes=True)
            yield Label("Saved actions", classes="section", id="saved-title", markup=False)
            yield DataTable(id="saved", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        history = self.query_one("#history", DataTable)
        where = ("Sent to",) if self.here is not None else ()
        history.add_columns("Time", "Action", "Status", "Latency", *where, "Headers")
        for i, r in enumerate(self.records):
            latency = ms(r.latency_ms) if r.latency_ms is not None else "—"
            origin = (safe.cell(self.origin_of(r).label()),) if where else ()
            # A history file is outside text too (a saved reply said `[/]`): cells, not markup.
            history.add_row(
                _when(r.sent, self.now), safe.cell(r.name), safe.cell(r.status or "pending"),
                latency, *origin, safe.cell(_summary(r.headers)), key=str(i),
            )  # fmt: skip
        self.query_one("#saved", DataTable).add_columns(
            "Name", "Action", "Variables", "Description"
        )
        self._fill_saved()
        (history if history.row_count or not self.saved else self._saved_table()).focus()

    def origin_of(self, record: ActionRecord) -> Origin:
        """Where the record was sent: as its file says, else here (sent in this session)."""
        return self.origins.get((record.action_id, record.sent)) or self.here or Origin()

    def _saved_table(self) -> DataTable[Any]:
        return self.query_one("#saved", DataTable)

    def _fill_saved(self) -> None:
        table = self._saved_table()
        table.clear()
        for s in self.saved.values():
            names = ", ".join(f"${{{v}}}" for v in variables(s))
            table.add_row(
                safe.cell(s.key),
                safe.cell(s.name),
                safe.cell(names),
                safe.cell(s.description),
                key=s.key,
            )
        where = f" ({self.collection.path})" if self.collection is not None else ""
        self.query_one("#saved-title", Label).update(shown(f"Saved actions{where}"))

    # -- what is selected -------------------------------------------------------------------

    def _selected(self) -> ActionRecord | SavedAction | None:
        focused = self.focused
        if not isinstance(focused, DataTable) or not focused.row_count:
            return None
        key = focused.coordinate_to_cell_key(focused.cursor_coordinate).row_key.value
        if focused.id == "history":
            return self.records[int(str(key))]
        return self.saved.get(str(key))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._choose(resend=False)

    def action_resend(self) -> None:
        self._choose(resend=True)

    def action_close(self) -> None:
        self.dismiss(None)

    def _choose(self, *, resend: bool) -> None:
        item = self._selected()
        if isinstance(item, ActionRecord):
            if resend and any(v == REDACTED for _, v in item.headers):
                safe.notify(
                    self,
                    f"{item.name} had a masked value; edit it (enter) and type it again",
                    severity="warning",
                )
                return
            choice: Choice = (item.name, list(item.headers))
            recorded, here = self.origin_of(item), self.here
            if resend and here is not None and here.server and not recorded.same_server(here):

                def answered(yes: bool | None) -> None:
                    if yes:
                        self._finish(choice, resend)

                self.app.push_screen(ResendElsewhere(item.name, recorded, here), answered)
                return
            self._finish(choice, resend)
        elif isinstance(item, SavedAction):
            self._fill(item, resend)

    def _fill(self, saved: SavedAction, resend: bool) -> None:
        def check(values: dict[str, str]) -> Choice:
            action = fill(saved, values)
            return (action.name, list(action.headers))

        names = variables(saved)
        if not names:
            try:
                choice = check({})
            except (ValueError, LocalProtocolError) as exc:
                safe.notify(self, str(exc), title=saved.key, severity="error")
                return
            self._finish(choice, resend)
            return

        def answered(choice: Choice | None) -> None:
            if choice is not None:
                self._finish(choice, resend)

        title = f"{saved.key} ({saved.name}): values for its variables"
        self.app.push_screen(ValuesForm(title, names, check), answered)

    def _finish(self, choice: Choice, resend: bool) -> None:
        self.resend = resend
        self.dismiss(choice)

    # -- saving -----------------------------------------------------------------------------

    def action_save(self) -> None:
        item = self._selected()
        collection = self.collection
        if not isinstance(item, ActionRecord):
            safe.notify(self, "Select a sent action (upper list) to save it")
            return
        if collection is None:
            safe.notify(self, "No collection file for this profile", severity="warning")
            return
        record = item

        def check(values: dict[str, str]) -> SavedAction:
            key = values["name"].strip()
            if not key:
                raise ValueError("give it a name, e.g. ring-desk")
            saved = from_record(key, record, values["description"].strip())
            collection.save(saved)
            return saved

        def saved(result: SavedAction | None) -> None:
            if result is not None:
                self.saved[result.key] = result
                self._fill_saved()
                safe.notify(self, f"saved as {result.key!r} in {collection.path}")

        title = f"Save {record.name} as a named action (${{var}} in the file is asked at send)"
        self.app.push_screen(ValuesForm(title, ["name", "description"], check), saved)
