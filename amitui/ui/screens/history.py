"""Sent actions (newest first) and saved actions: pick one to edit in the composer or re-send.

The screen only chooses; the app acts. It dismisses with `(name, headers)` (or None on
escape), and sets `resend` when the user asked to send again rather than to edit, so the app
either calls `composer.prepare(name, headers)` or sends through its usual checks (read-only,
confirmation). A saved action with `${variables}` asks for their values first, in a small
form that refuses what `fill` refuses (CR/LF injection, a missing value) and says why.

History records are masked: a record with a masked value cannot be re-sent as it is, only
edited, so the password is typed again rather than `********` being sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label

from amitui.protocol import REDACTED, LocalProtocolError
from amitui.protocol.safetext import shown
from amitui.store.history import ActionRecord
from amitui.store.saved import (
    Collection,
    SavedAction,
    SavedError,
    fill,
    from_record,
    variables,
)
from amitui.ui import safe

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


class HistoryScreen(ModalScreen[Choice | None]):
    DEFAULT_CSS = """
    HistoryScreen { align: center middle; }
    HistoryScreen > Vertical {
        width: 110; max-width: 95%; height: 85%; border: thick $primary; background: $panel;
    }
    HistoryScreen Label { padding: 0 1; color: $text-muted; }
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
    ) -> None:
        super().__init__()
        self.records = list(records)  # newest first, as ActionHistory iterates
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
            yield Label(f"Sent ({len(self.records)}, newest first)", classes="section")
            yield DataTable(id="history", cursor_type="row", zebra_stripes=True)
            yield Label("Saved actions", classes="section", id="saved-title", markup=False)
            yield DataTable(id="saved", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        history = self.query_one("#history", DataTable)
        history.add_columns("Time", "Action", "Status", "Latency", "Headers")
        for i, r in enumerate(self.records):
            latency = f"{r.latency_ms:.0f} ms" if r.latency_ms is not None else "—"
            # A history file is outside text too (a saved reply said `[/]`): cells, not markup.
            history.add_row(
                _when(r.sent, self.now), safe.cell(r.name), safe.cell(r.status or "pending"),
                latency, safe.cell(_summary(r.headers)), key=str(i),
            )  # fmt: skip
        self.query_one("#saved", DataTable).add_columns(
            "Name", "Action", "Variables", "Description"
        )
        self._fill_saved()
        (history if history.row_count or not self.saved else self._saved_table()).focus()

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
            self._finish((item.name, list(item.headers)), resend)
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
