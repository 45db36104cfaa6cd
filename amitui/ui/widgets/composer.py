"""The action composer pane: pick an action, fill its documented form (or raw text), send.

The pane never talks to the session. The app hands it a `DocsSource` (ListCommands and
`manager show command`, cached per server) and receives `ActionComposer.SendRequested`; the app
confirms and sends. Before posting, the pane refuses what Asterisk would mishandle: missing
required fields, and anything `encode_action` rejects (line breaks, over-long lines).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option
from textual.worker import Worker

from amitui.protocol.actions import Action, encode_action
from amitui.protocol.errors import LocalProtocolError
from amitui.protocol.safetext import shown
from amitui.store.actiondocs import ActionDoc, CommandInfo, rank
from amitui.store.sentinels import Unavailable
from amitui.ui import safe
from amitui.ui.safe import SafeTextArea
from amitui.ui.widgets.composer_builtin import builtin_doc, needs, not_listed
from amitui.ui.widgets.composer_form import (
    FREE_HELP,
    ComposerForm,
    FieldRow,
    FreeRow,
    Header,
    parse_raw,
    render_raw,
)

PICKER_HELP = "Type to search; ↑/↓ choose, Enter picks. Any action name works, listed or not."
SEND_HELP = "Send the action. One that changes the PBX may ask you to confirm first."
RAW_TOGGLE_HELP = "Edit as raw AMI text; the values carry across both ways."
RAW_HELP = "Raw AMI: 'Action: Name' then one 'Header: value' per line. ctrl+r back to the form."


class DocsSource(Protocol):
    """Where the composer gets its action list and docs (the app: the live session, cached)."""

    async def list_commands(self) -> list[CommandInfo] | Unavailable:
        """The server's actions, or why there is no list."""
        ...

    async def describe(self, name: str) -> ActionDoc | Unavailable:
        """The docs of one action, or why there are none."""
        ...


class _PickerInput(Input):
    """The action search box; arrow keys and Escape steer the match list below it."""

    BINDINGS = [
        Binding("down", "steer('down')", show=False),
        Binding("up", "steer('up')", show=False),
        Binding("escape", "steer('escape')", show=False),
    ]

    class Steered(Message):
        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    def action_steer(self, key: str) -> None:
        self.post_message(self.Steered(key))


def _option(info: CommandInfo) -> Option:
    # Content parts, never markup: ListCommands is the server's text.
    privileges = f" [{','.join(info.privileges)}]" if info.privileges else ""
    prompt = Content.assemble(
        (shown(info.name), "bold"), " ", (shown(info.synopsis), "dim"),
        (shown(privileges), "dim italic"),
    )  # fmt: skip
    return Option(prompt, id=info.name)


class ActionComposer(Vertical):
    """Compose one AMI action: documented form, free rows, or raw text."""

    # f11 in any field maximises the whole pane: Textual maximises the nearest ancestor that
    # allows it, and without this that was the focused one-line Input itself.
    ALLOW_MAXIMIZE = True

    DEFAULT_CSS = """
    ActionComposer {
        height: 1fr;
        & > #composer-picker { height: 1; }
        & > #composer-matches { display: none; max-height: 8; text-wrap: nowrap;
                                text-overflow: ellipsis; scrollbar-size-vertical: 1; }
        & > #composer-matches.-open { display: block; }
        & > #composer-notice { color: $text-warning; height: auto; }
        & > #composer-doc { color: $text-muted; height: 1; text-wrap: nowrap;
                            text-overflow: ellipsis; }
        & > #composer-doc.-reason { color: $text-warning; height: auto; max-height: 3;
                                    text-wrap: wrap; }
        & > #composer-raw { display: none; height: 1fr; }
        &.-raw > #composer-raw { display: block; }
        &.-raw > ComposerForm { display: none; }
        & > #composer-help { color: $text-muted; text-style: italic; height: 2;
                             text-overflow: ellipsis; }
        & > #composer-bar { height: 1; }
        & #composer-legend { width: 1fr; color: $text-muted; }
        & #composer-bar > Button { min-width: 6; margin-left: 1; }
    }
    """
    BINDINGS = [
        Binding("ctrl+s", "send", "Send", id="composer.send",
                tooltip="Check the action and hand it to the app to send"),
        Binding("ctrl+r", "toggle_raw", "Raw", id="composer.raw",
                tooltip="Switch between the form and raw AMI text (values carry across)"),
        Binding("ctrl+t", "next_server", "Server", id="composer.server",
                tooltip="Send to the next server (the title names where actions go)"),
    ]  # fmt: skip
    server_key = "ctrl+t"  # named in the pane's subtitle while several servers are open

    class SendRequested(Message):
        """The user asked to send `action`; it passed the composer's checks."""

        def __init__(self, action: Action) -> None:
            super().__init__()
            self.action = action

    class NextServerRequested(Message):
        """The user asked for actions to go to the next server (several are open)."""

    def __init__(self, docs: DocsSource, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.several_servers = False  # the app says so; the server key exists only then
        self._docs = docs
        self._commands: list[CommandInfo] = []
        self._action = ""  # the chosen action; the form belongs to it
        self._echo: str | None = None  # a picker value we set ourselves (not the user typing)
        self._hidden_mounted = False

    def compose(self) -> ComposeResult:
        yield _PickerInput(placeholder="Action (type to search, e.g. orig)", id="composer-picker",
                           compact=True, select_on_focus=False,
                           highlighter=safe.MASK)  # fmt: skip
        # The match list and the raw text area, hidden at first: see _mount_hidden.
        yield Static(id="composer-notice", markup=False)
        yield Static("Pick an action above.", id="composer-doc", markup=False)
        yield ComposerForm(id="composer-form")
        yield Static(id="composer-help", markup=False)
        with Horizontal(id="composer-bar"):
            yield Static("* required", id="composer-legend")
            yield Button("Raw", id="composer-raw-toggle", compact=True)
            yield Button("Send", id="composer-send", compact=True, variant="primary")

    async def on_mount(self) -> None:
        self._set_notice("")
        self.call_after_refresh(self._mount_hidden)
        await self.form.load(None)

    def _mount_hidden(self) -> None:
        """Mount what the first screen does not show (display: none until used) just after
        it is drawn, or at once if needed sooner: the console opens faster without them."""
        if self._hidden_mounted or not self.app.is_running:
            return  # (a console quitting in its first tenth of a second: nothing to show)
        self._hidden_mounted = True
        self.mount(OptionList(id="composer-matches", compact=True), after="#composer-picker")
        self.mount(SafeTextArea(id="composer-raw", compact=True, soft_wrap=False),
                   after=self.form)  # fmt: skip

    @property
    def _matches(self) -> OptionList:
        self._mount_hidden()
        return self.query_one("#composer-matches", OptionList)

    @property
    def _raw_area(self) -> TextArea:
        self._mount_hidden()
        return self.query_one("#composer-raw", TextArea)

    @property
    def form(self) -> ComposerForm:
        return self.query_one(ComposerForm)

    @property
    def raw_mode(self) -> bool:
        return self.has_class("-raw")

    # -- the app's side ---------------------------------------------------------------------

    def refresh_commands(self) -> Worker[None]:
        """Load the server's action list in a worker (the app calls this once it is logged in)."""
        self._set_notice("Loading the action list…")
        return self.run_worker(
            self._load_commands(), group="composer-list", exclusive=True,
            name="composer: ListCommands", description="the composer's action list",
        )  # fmt: skip

    def prepare(self, name: str, values: Sequence[tuple[str, str]] = ()) -> None:
        """Select `name`, fetch its docs and fill the form with `values` (unknown: free rows)."""
        self.set_class(False, "-raw")
        self.query_one("#composer-send").focus()  # so ctrl+s works while the docs load
        self._choose(name, list(values))

    def focus_picker(self) -> None:
        picker = self.query_one(_PickerInput)
        # Emptied, so typing a new name starts afresh instead of appending to the last one
        # (selecting it instead would race with keys typed right after).
        picker.value = ""
        picker.focus()

    # -- loading ----------------------------------------------------------------------------

    async def _load_commands(self) -> None:
        try:
            result = await self._docs.list_commands()
        except Exception as exc:  # a DocsSource says why in an Unavailable; never a traceback
            result = Unavailable(f"the action list failed: {exc}")
        if isinstance(result, Unavailable):
            self._commands = []
            self._set_notice(f"No action list ({result.reason}). Type any action name.")
        else:
            self._commands = result
            self._set_notice("")
            if self._action:  # chosen before the list came (o, h, r at start-up)
                self._warn_unlisted(self._action)
        if self.query_one(_PickerInput).has_focus:
            self._open_matches()

    def _choose(self, name: str, values: list[Header], *, carried: bool = False) -> None:
        self._action = name
        picker = self.query_one(_PickerInput)
        if picker.value != name:
            self._echo = name
            picker.value = name
        self._close_matches()
        doc_line = self.query_one("#composer-doc", Static)
        doc_line.update(shown(f"{name}: loading docs…"))
        doc_line.remove_class("-reason")
        self.run_worker(
            self._load_doc(name, values, carried), group="composer-docs", exclusive=True,
            name=f"composer: docs {name}", description=f"manager show command {name}",
        )  # fmt: skip

    async def _load_doc(self, name: str, values: list[Header], carried: bool = False) -> None:
        try:
            result = await self._docs.describe(name)
        except Exception as exc:  # as above: a reason on screen, not a traceback
            result = Unavailable(f"the docs failed: {exc}")
        why = result.reason if isinstance(result, Unavailable) else ""
        doc = result if isinstance(result, ActionDoc) else builtin_doc(name)
        builtin = doc is not None and not isinstance(result, ActionDoc)
        if carried:
            # Values carried over from the previous action stay only where the new action
            # documents the same field; anything else would be sent to an action that never
            # asked for it (a Channel carried into a no-docs form would be sent as is).
            values = [(k, v) for k, v in values if doc is not None and doc.field(k) is not None]
        if doc is None:
            line = f"{name}: {why}"
        elif builtin:  # the user should know these are not the server's own docs, and why
            line = f"{_doc_line(doc)} · amitui's built-in form; {why}"
        else:
            line = _doc_line(doc)
        doc_line = self.query_one("#composer-doc", Static)
        doc_line.update(shown(line))  # the docs and the reason are the server's text
        doc_line.set_class(doc is None or builtin, "-reason")  # why no docs: show all of it
        self._warn_unlisted(name)
        await self.form.load(doc, values)
        if self.screen.focused is None or self.has_focus_within:  # never steal from a pane
            self._focus_first_field()

    def _focus_first_field(self) -> None:
        """The first empty required field; with no docs the free rows; else Send (Enter sends)."""
        form = self.form
        target = form.first_input(empty_required=True)
        if target is None and form.doc is None:
            target = form.first_input()
        (target or self.query_one("#composer-send")).focus()

    def _set_notice(self, text: str) -> None:
        notice = self.query_one("#composer-notice", Static)
        notice.update(shown(text))
        notice.display = bool(text)

    def _warn_unlisted(self, name: str) -> None:
        """A name outside the user's own ListCommands will be refused: say so before Send."""
        if self._commands:  # else the notice says why there is no list; keep it
            self._set_notice(not_listed(name, self._commands) or "")

    def why_denied(self, name: str) -> str:
        """For a Permission denied reply: which write class `name` needs, as far as known."""
        return needs(name, self._commands)

    def _picker_help(self, matched: bool = True) -> str:
        """Whose list the picker searches (Asterisk lists only what this user may send)."""
        n = len(self._commands)
        if not n:
            return PICKER_HELP
        if not matched:
            return f"No match among the {n} actions this AMI user may send. Enter tries the name."
        return f"Lists the {n} actions this AMI user may send. {PICKER_HELP}"

    # -- the picker -------------------------------------------------------------------------

    def _open_matches(self) -> None:
        matches = self._matches
        query = self.query_one(_PickerInput).value
        infos = rank(query, self._commands)
        matches.set_options(_option(info) for info in infos)
        matches.highlighted = 0 if infos else None
        matches.set_class(bool(infos), "-open")
        if self.query_one(_PickerInput).has_focus:
            self.query_one("#composer-help", Static).update(self._picker_help(bool(infos)))

    def _close_matches(self) -> None:
        self._matches.remove_class("-open")

    def on_input_changed(self, event: Input.Changed) -> None:
        if not isinstance(event.input, _PickerInput):
            return
        event.stop()
        if event.value == self._echo:
            self._echo = None
            return
        self._open_matches()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if not isinstance(event.input, _PickerInput):
            return
        event.stop()
        matches = self._matches
        option = matches.highlighted_option if matches.has_class("-open") else None
        name = option.id if option is not None and option.id else event.value.strip()
        if name:
            self._choose(name, self._carried(), carried=True)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self._choose(event.option.id, self._carried(), carried=True)

    def _carried(self) -> list[Header]:
        # Fields the next action also documents keep their values (Hangup -> Redirect keeps
        # Channel); the rest would be noise in another action's form.
        return [] if self.raw_mode else self.form.field_headers()

    def on__picker_input_steered(self, event: _PickerInput.Steered) -> None:
        matches = self._matches
        if event.key == "escape":
            if matches.has_class("-open"):
                self._close_matches()
            else:  # nothing to close: Escape means "leave the pane", as elsewhere in the app
                self.run_worker(self.app.run_action("app.leave"), name="composer-leave")
        elif not matches.has_class("-open"):
            self._open_matches()
        elif event.key == "down":
            matches.action_cursor_down()
        else:
            matches.action_cursor_up()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        # Focus leaving the composer (a click on the stream, shift+tab) closes the list: left
        # open, it went on covering the form with choices nobody was making. The help line
        # is about the focused field, so it goes too.
        self.call_after_refresh(self._close_if_left)

    def _close_if_left(self) -> None:
        focused = self.app.focused
        if not self.is_attached or (focused is not None and self in focused.ancestors):
            return
        if self._hidden_mounted:
            self._close_matches()
        help_line = self.query_one("#composer-help", Static)
        if str(help_line.content):
            help_line.update("")

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        widget = event.widget
        if isinstance(widget, _PickerInput):
            self._open_matches()  # which also says whose actions the list holds
            return
        if not isinstance(widget, OptionList):
            self._close_matches()
        self.query_one("#composer-help", Static).update(shown(_help_for(widget)))

    # -- buttons, raw mode, send ------------------------------------------------------------

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "composer-send":
            event.stop()
            self.action_send()
        elif event.button.id == "composer-raw-toggle":
            event.stop()
            await self.action_toggle_raw()

    async def action_toggle_raw(self) -> None:
        text_area = self._raw_area
        if not self.raw_mode:
            name = self._action or self.query_one(_PickerInput).value.strip()
            text_area.text = render_raw(name, self.form.headers(strict=False))
            text_area.move_cursor(text_area.document.end)  # ready to type the next header
            self.add_class("-raw")
            text_area.focus()
            return
        try:
            name, headers = parse_raw(text_area.text)
        except LocalProtocolError as exc:
            safe.notify(self, str(exc), title="Raw text", severity="error")
            return
        self.remove_class("-raw")
        if name and name.lower() != self._action.lower():
            self._choose(name, headers)
        else:
            await self.form.load(self.form.doc if name else None, headers)
            self._focus_first_field()

    def action_next_server(self) -> None:
        self.post_message(self.NextServerRequested())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_server":
            return self.several_servers
        return True

    def action_send(self) -> None:
        try:
            name, headers, missing = self._gather()
            if not name and self.raw_mode:
                raise LocalProtocolError("the raw text has no 'Action: Name' line")
            if not name:
                raise LocalProtocolError("choose an action first (the box at the top)")
            if missing:
                raise LocalProtocolError(f"fill the required {_plural(missing)}")
            action = Action.of(name, headers)
            encode_action(action)  # refuse here what the session would refuse later
        except LocalProtocolError as exc:
            safe.notify(self, str(exc), title="Not sent", severity="error")
            return
        self.post_message(self.SendRequested(action))

    def _gather(self) -> tuple[str, list[Header], list[str]]:
        """(action name, non-empty headers in order, missing required field names)."""
        if not self.raw_mode:
            name = self._action or self.query_one(_PickerInput).value.strip()
            missing = self.form.missing_required() if name == self._action else []
            return name, self.form.headers(), missing
        name, headers = parse_raw(self._raw_area.text)
        headers = [(key, value) for key, value in headers if value]
        doc = self.form.doc
        if doc is None or doc.name.lower() != name.lower():
            return name, headers, []
        given = {key.lower() for key, _ in headers}
        missing = [f.name for f in doc.fields if f.required and f.name.lower() not in given]
        return name, headers, missing


def _doc_line(doc: ActionDoc) -> str:
    privileges = f"  (Priv: {','.join(doc.privileges)})" if doc.privileges else ""
    return (doc.synopsis or f"{doc.name}: no synopsis") + privileges


def _plural(names: list[str]) -> str:
    return ("field " if len(names) == 1 else "fields ") + ", ".join(names)


def _help_for(widget: Widget) -> str:
    if isinstance(widget, _PickerInput):
        return PICKER_HELP
    if isinstance(widget, TextArea):
        return RAW_HELP
    if widget.id in ("composer-send", "composer-raw-toggle"):
        return SEND_HELP if widget.id == "composer-send" else RAW_TOGGLE_HELP
    row = widget.parent
    if isinstance(row, FieldRow):
        return row.help
    if isinstance(row, FreeRow):
        return FREE_HELP
    return ""
