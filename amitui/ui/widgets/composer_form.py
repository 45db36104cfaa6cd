"""The composer's form and raw text: documented fields, repeated rows, free header rows.

Rows are laid out in the order the headers will be sent: documented fields in the order of the
docs' [Syntax] (extra rows of a repeatable field right after its first row), then the free rows.
`ComposerForm.headers()` reads them back in that order, so "what you see is what is sent".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static

from amitui.protocol.errors import LocalProtocolError
from amitui.protocol.safetext import shown
from amitui.store.actiondocs import ActionDoc, FieldDoc
from amitui.ui import safe

Header = tuple[str, str]

REMOVE = "\N{MULTIPLICATION SIGN}"
FREE_HELP = "A header the docs do not list: its name, then its value. Empty values are not sent."


class HeaderRow(Horizontal):
    """One header of the form, documented or free."""

    DEFAULT_CSS = """
    HeaderRow {
        height: 1;
        & > .composer--label { width: 16; padding-right: 1; color: $text-muted;
                               text-wrap: nowrap; text-overflow: ellipsis; }
        & > .composer--key { width: 15; margin-right: 1; }
        & > Input { width: 1fr; }
        & > Button, & > .composer--gap { width: 3; min-width: 3; margin-left: 1; }
        &.-required > .composer--label { color: $accent; text-style: bold; }
        &.-missing > .composer--label { color: $error; text-style: bold; }
        &.-extra > .composer--label { color: $text-disabled; }
    }
    """

    @property
    def header(self) -> Header:
        raise NotImplementedError

    @property
    def value_input(self) -> Input:
        return self.query(Input).last()


class FieldRow(HeaderRow):
    """A documented header: `*Name` label, input, `+` (repeatable) or remove (an extra row)."""

    def __init__(self, doc: FieldDoc, value: str = "", *, extra: bool = False) -> None:
        flags = {"-required": doc.required, "-repeatable": doc.repeatable, "-extra": extra}
        super().__init__(classes=" ".join(name for name, on in flags.items() if on))
        self.doc = doc
        self.extra = extra
        self._initial = value

    @property
    def help(self) -> str:
        notes = [note for note, on in (("required", self.doc.required),
                 ("repeatable: ctrl+n adds a row", self.doc.repeatable)) if on]  # fmt: skip
        head = f"{self.doc.name} ({', '.join(notes)}): " if notes else f"{self.doc.name}: "
        return head + (self.doc.description or "no description in the server's docs")

    def compose(self) -> ComposeResult:
        # Imported here: the live tables it completes from are not needed by the first screen.
        from amitui.ui.live_complete import suggester_for

        mark = "*" if self.doc.required else " "
        # The docs are the server's text: shown(), and Text tooltips (a str tooltip is read as
        # markup and docs are full of [brackets]). Values are drawn masked, sent exact.
        yield Label(shown(f"{mark}{self.doc.name}"), classes="composer--label", markup=False)
        yield Input(self._initial, compact=True, tooltip=safe.text(self.help),
                    select_on_focus=False, highlighter=safe.MASK,
                    suggester=suggester_for(self.app, self.doc.name))  # fmt: skip
        if self.extra:
            yield _small_button(REMOVE, "composer--remove", f"Remove this {self.doc.name} row")
        elif self.doc.repeatable:
            yield _small_button("+", "composer--add", f"Another {self.doc.name} header")
        else:
            yield Static(classes="composer--gap")

    @property
    def header(self) -> Header:
        return (self.doc.name, self.value_input.value)


class FreeRow(HeaderRow):
    """A header the docs do not describe (or any header, when there are no docs)."""

    def __init__(self, key: str = "", value: str = "") -> None:
        super().__init__(classes="-free")
        self._initial = (key, value)

    def compose(self) -> ComposeResult:
        key, value = self._initial
        yield Input(key, placeholder="Header", compact=True, classes="composer--key",
                    tooltip=Text(FREE_HELP), select_on_focus=False,
                    highlighter=safe.MASK)  # fmt: skip
        yield Input(value, placeholder="value", compact=True, tooltip=Text(FREE_HELP),
                    select_on_focus=False, highlighter=safe.MASK)  # fmt: skip
        yield _small_button(REMOVE, "composer--remove", "Remove this header row")

    @property
    def header(self) -> Header:
        # Names are trimmed (a stray space would make Asterisk miss the header); values are not.
        return (self.query_one(".composer--key", Input).value.strip(), self.value_input.value)


def _small_button(label: str, classes: str, tooltip: str) -> Button:
    button = Button(label, classes=classes, compact=True, tooltip=safe.text(tooltip))
    button.can_focus = False  # keyboard users have ctrl+n and empty values; keep tab order short
    return button


def _plan_rows(doc: ActionDoc | None, values: Sequence[Header]) -> list[HeaderRow]:
    """Rows for `values`: documented names fill their fields, the rest become free rows."""
    given: dict[str, list[str]] = {}
    free: list[Header] = []
    for key, value in values:
        field = doc.field(key) if doc is not None else None
        slot = given.setdefault(field.name.lower(), []) if field is not None else None
        if field is None or slot is None or (slot and not field.repeatable):
            free.append((key, value))  # kept, so raw -> form -> raw loses nothing
        else:
            slot.append(value)
    rows: list[HeaderRow] = []
    for field in doc.fields if doc is not None else ():
        first, *more = given.get(field.name.lower()) or [""]
        rows.append(FieldRow(field, first))
        rows.extend(FieldRow(field, value, extra=True) for value in more)
    rows.extend(FreeRow(key, value) for key, value in free)
    rows.append(FreeRow())  # always one empty row to type an undocumented header into
    return rows


class ComposerForm(VerticalScroll):
    """The scrolling form for one action; `load` replaces it, `headers` reads it."""

    DEFAULT_CSS = """
    ComposerForm {
        height: 1fr;
        scrollbar-size-vertical: 1;
        & > #composer-add-free { width: auto; min-width: 10; margin-left: 16; }
    }
    """
    BINDINGS = [
        Binding("ctrl+n", "add_row", "Add row", id="composer.add-row",
                tooltip="Another row of the focused repeatable field, else a free header row"),
    ]  # fmt: skip

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.doc: ActionDoc | None = None

    async def load(self, doc: ActionDoc | None, values: Sequence[Header] = ()) -> None:
        """Show the fields of `doc` (or free rows only) filled with `values`."""
        self.doc = doc
        with self.app.batch_update():
            await self.remove_children()
            add = Button("+ header", id="composer-add-free", compact=True,
                         tooltip="Add a free header row (ctrl+n)")  # fmt: skip
            add.can_focus = False
            await self.mount_all([*_plan_rows(doc, values), add])
        self.scroll_home(animate=False)

    def rows(self) -> list[HeaderRow]:
        return list(self.query(HeaderRow))

    def headers(self, *, strict: bool = True) -> list[Header]:
        """Non-empty headers in form order; `strict` refuses a value without a header name."""
        out: list[Header] = []
        for row in self.rows():
            key, value = row.header
            if not value:
                continue
            if not key and strict:
                raise LocalProtocolError(f"a free row has the value {value[:20]!r} but no name")
            out.append((key, value))
        return out

    def field_headers(self) -> list[Header]:
        """Non-empty documented fields only (what carries over to another action)."""
        return [row.header for row in self.rows() if isinstance(row, FieldRow) and row.header[1]]

    def missing_required(self) -> list[str]:
        """Required fields with no value, each named once; their rows get `-missing`."""
        fields = [row for row in self.rows() if isinstance(row, FieldRow)]
        filled = {row.doc.name for row in fields if row.header[1]}
        missing: list[str] = []
        for row in fields:
            if row.doc.required:
                lacking = row.doc.name not in filled
                row.set_class(lacking, "-missing")
                if lacking and row.doc.name not in missing:
                    missing.append(row.doc.name)
        return missing

    def first_input(self, *, empty_required: bool = False) -> Input | None:
        for row in self.rows():
            if not empty_required:
                return row.query(Input).first()
            if isinstance(row, FieldRow) and row.doc.required and not row.header[1]:
                return row.value_input
        return None

    async def add_row(self, near: Widget | None) -> None:
        """Another row for the repeatable field around `near`, else a free row; focus it."""
        row = next((node for node in _ancestors(near) if isinstance(node, HeaderRow)), None)
        if isinstance(row, FieldRow) and row.doc.repeatable:
            same = [r for r in self.rows() if isinstance(r, FieldRow) and r.doc is row.doc]
            new: HeaderRow = FieldRow(row.doc, extra=True)
            await self.mount(new, after=same[-1])
        else:
            new = FreeRow()
            await self.mount(new, before="#composer-add-free")
        new.query(Input).first().focus()

    async def action_add_row(self) -> None:
        await self.add_row(self.screen.focused)

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        row = event.button.parent
        if event.button.id == "composer-add-free":
            await self.add_row(None)
        elif event.button.has_class("composer--add"):
            await self.add_row(event.button)
        elif isinstance(row, HeaderRow):
            await row.remove()

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter moves on; Enter in the last free row's value opens another free row."""
        event.stop()
        row = event.input.parent
        rows = self.rows()
        last = isinstance(row, FreeRow) and bool(rows) and row is rows[-1]
        if last and isinstance(row, FreeRow) and event.input is row.value_input and event.value:
            await self.add_row(None)
        else:
            self.screen.focus_next()

    def on_input_changed(self, event: Input.Changed) -> None:
        row = event.input.parent
        if isinstance(row, FieldRow) and event.value:
            for same in self.rows():
                if isinstance(same, FieldRow) and same.doc is row.doc:
                    same.remove_class("-missing")


def _ancestors(widget: Widget | None) -> list[Widget]:
    out: list[Widget] = []
    node = widget
    while isinstance(node, Widget):
        out.append(node)
        node = node.parent if isinstance(node.parent, Widget) else None
    return out


def render_raw(name: str, headers: Sequence[Header]) -> str:
    """AMI text for raw mode: the Action line, then one `Key: Value` line per header."""
    return "\n".join([f"Action: {name}", *(f"{key}: {value}" for key, value in headers)]) + "\n"


def parse_raw(text: str) -> tuple[str, list[Header]]:
    """Raw mode text to (action name, headers); "" when there is no Action line.

    Asterisk finds a header by `Name: ` (colon and space), so a line without `: ` would be
    silently ignored by the server; refuse it here instead.
    """
    name = ""
    headers: list[Header] = []
    suspect: tuple[int, str, str] | None = None  # the first header that looks like Action
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        key, sep, value = line.partition(": ")
        key = key.strip()
        if not sep or not key:
            said = _ACTION_WITHOUT_SEP.match(line)
            if said and said["name"]:
                raise _mangled(number, line, said["name"])
            raise LocalProtocolError(f"line {number} ({line[:30]!r}) is not 'Name: value'")
        if key.lower() != "action":
            if suspect is None and _looks_like_action(key):
                suspect = (number, line, value)
            headers.append((key, value))
        elif name:
            raise LocalProtocolError(f"line {number}: a second Action line")
        else:
            name = value.strip()
    if not name and suspect is not None:
        raise _mangled(*suspect)  # `Acton: Ping` would go out as a header of no action
    return name, headers


# `Action Ping`, `Action:Ping`, `action=Ping`: meant as the Action line, but not `Name: value`.
_ACTION_WITHOUT_SEP = re.compile(r"^\s*action\s*[:=\-]?\s*(?P<name>[A-Za-z]\w*)\s*$", re.I)


def _mangled(number: int, line: str, name: str) -> LocalProtocolError:
    return LocalProtocolError(
        f"line {number} ({line[:30]!r}) looks like a mangled Action line: "
        f"write 'Action: {name.strip()[:30]}'"
    )


def _looks_like_action(key: str) -> bool:
    """`Acton`, `Actoin`, `Acion`: one edit from `Action`, or two if it starts the same way
    (so `Option` is not taken for it, nor is `ActionID`)."""
    low = key.lower()
    if low == "actionid":
        return False
    edits = _edits(low, "action")
    return edits <= 1 or (edits == 2 and low.startswith("a"))


def _edits(a: str, b: str) -> int:
    """Edit distance with adjacent swaps counted once (optimal string alignment)."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]
