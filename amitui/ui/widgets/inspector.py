"""The response inspector: one event, gap or action exchange, seen four ways.

Headers (wire order, duplicates kept, secrets masked; for an action: what was sent, then each
message that came back), Raw (the wire text), List (list actions' items as a table) and Timing.
Like posting's response area, everything is drawn from one reactive, `subject`, in one watcher:
the app only ever says *what* to show, and a re-render of the same subject (a list still
filling up) keeps the user's cursor where it was. What is shown is computed in
inspector_tables.py; this module only places it and handles the copy keys.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.theme import Theme
from textual.widget import Widget
from textual.widgets import DataTable, Static, Tab, TabbedContent, TabPane, TextArea

from amitui.client.transcript import Transcript
from amitui.store import formats as export
from amitui.store.ring import GapMarker, StoredEvent
from amitui.ui import clipboard, safe
from amitui.ui.widgets import inspector_tables as tables
from amitui.ui.widgets.inspector_tables import HeaderRow, Subject
from amitui.ui.widgets.steady import SteadyTable, SteadyTextArea

_TOAST_VALUE = 60  # a toast shows this much of a copied value; the clipboard gets all of it


def _short(text: str) -> str:
    return text if len(text) <= _TOAST_VALUE else text[: _TOAST_VALUE - 1] + "…"


_TABS = Binding.Group("Tabs", compact=True)
_LAZY_TABS = ("inspector-raw", "inspector-list", "inspector-timing-pane")


class ResponseInspector(Widget):
    """Shows the selected event, gap marker or action transcript."""

    DEFAULT_CSS = """
    ResponseInspector {
        height: 1fr;
        border: round $border-blurred;
        border-title-color: $text-accent;
        border-subtitle-color: $text-muted;
        &:focus-within { border: round $border; }
        TabbedContent { height: 1fr; }
        ContentSwitcher { height: 1fr; }
        TabPane { padding: 0; height: 1fr; }
        #inspector-notice { height: auto; max-height: 3; padding: 0 1; }
        #inspector-notice.-empty { display: none; }
        DataTable { height: 1fr; }
        #inspector-headers.-has-output DataTable { height: auto; max-height: 40%; }
        TextArea { border: none; padding: 0 1; height: 1fr; background: $surface; }
        TextArea:focus { border: none; }
        #inspector-output {
            display: none;
            border-top: solid $border-blurred;
            border-title-color: $text-muted;
        }
        #inspector-headers.-has-output #inspector-output { display: block; }
        #inspector-list-footer { height: 1; padding: 0 1; }
        #inspector-timing { padding: 0 1; }
    }
    ResponseInspector > .response-inspector--section { color: $text-accent; text-style: bold; }
    ResponseInspector > .response-inspector--masked { color: $text-muted; text-style: italic; }
    """

    COMPONENT_CLASSES = {"response-inspector--section", "response-inspector--masked"}

    # J and A stay out of the footer (it is crowded when the inspector has focus); the key
    # panel lists them with their descriptions.
    BINDINGS = [
        Binding("y", "copy_value", "Copy value", id="inspector.copy-value"),
        Binding("Y", "copy_raw", "Copy message", id="inspector.copy-raw"),
        Binding("J", "copy_json", "Copy JSON", show=False, id="inspector.copy-json"),
        Binding("A", "copy_command", "Copy as command", show=False, id="inspector.copy-command"),
        # One footer entry ("1234 Tabs"); the key panel lists each tab on its own line.
        Binding("1", "show_tab('inspector-headers')", "Headers tab", group=_TABS,
                id="inspector.tab-headers"),
        Binding("2", "show_tab('inspector-raw')", "Raw tab", group=_TABS, id="inspector.tab-raw"),
        Binding("3", "show_tab('inspector-list')", "List tab", group=_TABS,
                id="inspector.tab-list"),
        Binding("4", "show_tab('inspector-timing-pane')", "Timing tab", group=_TABS,
                id="inspector.tab-timing"),
    ]  # fmt: skip

    subject: reactive[Subject | None] = reactive(None, always_update=True, init=False)
    """What is shown. Set it through show_event/show_transcript/show_gap/clear."""

    # Focusable only from outside, so `focus("inspector")` and Tab from another pane land here
    # (and are passed on to the active tab's table), while Shift+Tab from inside moves on
    # instead of bouncing back in.
    can_focus = True

    def allow_focus(self) -> bool:
        focused = self.screen.focused if self.is_attached else None
        return focused is None or self not in focused.ancestors_with_self

    def on_focus(self, _event: events.Focus) -> None:
        self._focus_target().focus()

    def _focus_target(self) -> Widget:
        self._mount_views()
        active = self.query_one(TabbedContent).active
        targets = {
            "inspector-headers": "#inspector-headers-table",
            "inspector-raw": "#inspector-raw-text",
            "inspector-list": "#inspector-list-table",
        }
        return self.query_one(targets.get(active, "#inspector-timing-scroll"))

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._rows: list[HeaderRow] = []
        self._list_columns: list[str] = []
        self._list_rows: list[list[str]] = []
        self._views_mounted = False
        # The tabs behind Headers are filled when opened, not at each selected row: filling
        # one lays out the whole screen (~17 ms a row, bench/console.py). `_stale`: tabs whose
        # view is behind `subject`; `_filled`: what each view last showed (to keep its cursor).
        self._stale: set[str] = set()
        self._filled: dict[str, Subject | None] = {}
        self._notice: object = None  # the notice shown, as (text, spans); None before any
        self.border_title = "Inspector"

    # -- the contract with the app ---------------------------------------------------------

    def show_event(self, entry: StoredEvent) -> None:
        self.subject = entry

    def show_transcript(self, tr: Transcript) -> None:
        """Show an action's exchange; call again with the same transcript as it fills up."""
        self.subject = tr

    def show_gap(self, marker: GapMarker) -> None:
        self.subject = marker

    def clear(self) -> None:
        self.subject = None

    # -- composing and rendering ----------------------------------------------------------

    def compose(self) -> ComposeResult:
        with TabbedContent(initial="inspector-headers"):
            with TabPane("Headers", id="inspector-headers"):
                yield Static(id="inspector-notice", markup=False)
                yield SteadyTable[Text](
                    id="inspector-headers-table", cursor_type="row", show_header=False
                )
            # The hidden tabs' views and the output box are mounted by _mount_views.
            yield TabPane("Raw", id="inspector-raw")
            yield TabPane("List", id="inspector-list")
            yield TabPane("Timing", id="inspector-timing-pane")

    def _mount_views(self) -> None:
        """The views the first screen does not show: mounted just after it is drawn, or at
        once when something needs them sooner. Two text areas and a table, styled at mount,
        were a fifth of the console's time to its first screen (bench/startup.py)."""
        if self._views_mounted or not self.app.is_running:
            return  # (a console quitting in its first tenth of a second: nothing to show)
        self._views_mounted = True
        output = SteadyTextArea(id="inspector-output", read_only=True, soft_wrap=False)
        self.query_one("#inspector-headers", TabPane).mount(output)
        raw = SteadyTextArea(id="inspector-raw-text", read_only=True, soft_wrap=False)
        self.query_one("#inspector-raw", TabPane).mount(raw)
        self.query_one("#inspector-list", TabPane).mount_all([
            SteadyTable[Text](id="inspector-list-table", cursor_type="cell"),
            Static(id="inspector-list-footer", markup=False),
        ])  # fmt: skip
        scroll = VerticalScroll(id="inspector-timing-scroll")
        self.query_one("#inspector-timing-pane", TabPane).mount(scroll)
        scroll.mount(Static(id="inspector-timing", markup=False))
        self._fill_views(self.subject, keep_cursor=False)

    def on_mount(self) -> None:
        # Section and mask styles come from the theme, baked into cells: repaint on change.
        self.app.theme_changed_signal.subscribe(self, self._on_theme_changed)
        self._render_subject(self.subject, keep_cursor=False)
        self.call_after_refresh(self._mount_views)

    def on_resize(self, _event: events.Resize) -> None:
        if self.is_mounted:
            self._fill_headers_table(keep_cursor=True)  # the name column's cap follows the width

    def _on_theme_changed(self, _theme: Theme) -> None:
        self._render_subject(self.subject, keep_cursor=True)

    def watch_subject(self, old: Subject | None, new: Subject | None) -> None:
        if self.is_mounted:
            self._render_subject(new, keep_cursor=old is new)

    def _render_subject(self, subject: Subject | None, keep_cursor: bool) -> None:
        if subject is not None:
            self._mount_views()
        self.border_title = Content(tables.title(subject))
        self.border_subtitle = Content(self._subtitle(subject))
        self._render_headers(subject, keep_cursor)
        self._render_list_tab(subject, keep_cursor)
        if self._views_mounted:  # else they are mounted with it
            self._fill_views(subject, keep_cursor)

    def _fill_views(self, subject: Subject | None, keep_cursor: bool) -> None:
        output = tables.output_text(subject)
        area = self.query_one("#inspector-output", TextArea)
        area.border_title = Content(output[0]) if output else None
        text = output[1] if output else ""
        if text != area.text:
            area.load_text(text)
        active = self.query_one(TabbedContent).active
        for tab in _LAZY_TABS:
            if tab == active:
                self._fill_tab(tab, subject, keep_cursor)
            else:
                self._stale.add(tab)

    def _fill_stale(self, tab: str) -> None:
        if tab in self._stale and self._views_mounted:
            self._fill_tab(tab, self.subject, keep_cursor=self._filled.get(tab) is self.subject)

    def _fill_tab(self, tab: str, subject: Subject | None, keep_cursor: bool) -> None:
        """Fill one of the tabs behind Headers with `subject`."""
        self._stale.discard(tab)
        self._filled[tab] = subject
        if tab == "inspector-raw":
            note = ""
            if isinstance(subject, StoredEvent) and subject.truncated:  # a cut copy is kept
                kept = len(subject.frame.raw)
                note = f"── truncated, {subject.real_size:,} bytes ({kept:,} kept) ──\n"
            raw = self.query_one("#inspector-raw-text", TextArea)
            raw.load_text(note + tables.raw_text(subject))
        elif tab == "inspector-list":
            self._fill_list(subject, keep_cursor)
        else:
            self.query_one("#inspector-timing", Static).update(tables.timing(subject))

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id is not None:  # opened with the mouse (keys fill it in _switch_tab)
            self._fill_stale(event.pane.id)

    @staticmethod
    def _subtitle(subject: Subject | None) -> str:
        if isinstance(subject, StoredEvent | GapMarker):
            server = tables.one_line(subject.server)
            return " ".join(filter(None, [server, tables.clock(subject.received)]))
        if isinstance(subject, Transcript):
            return tables.clock(subject.sent_wall)
        return ""

    def _render_headers(self, subject: Subject | None, keep_cursor: bool) -> None:
        notice = tables.notice(subject)
        shown = ("",) if notice is None else (notice.plain, tuple(notice.spans))
        if shown != self._notice:  # an unchanged update would still lay out the screen
            self._notice = shown
            note = self.query_one("#inspector-notice", Static)
            note.update(notice or "")
            note.set_class(notice is None, "-empty")
        self._rows = tables.header_rows(subject)
        self._fill_headers_table(keep_cursor)
        pane = self.query_one("#inspector-headers", TabPane)
        pane.set_class(tables.output_text(subject) is not None, "-has-output")

    def _fill_headers_table(self, keep_cursor: bool) -> None:
        section = self.get_component_rich_style("response-inspector--section", partial=True)
        masked = self.get_component_rich_style("response-inspector--masked", partial=True)
        table: DataTable[Text] = self.query_one("#inspector-headers-table", DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        # Sized for this message: a DataTable column only ever grows, so after ListCommands
        # every later message kept a name column wide enough to push its values off screen.
        table.add_column("Key", width=tables.key_width(self._rows, self.content_size.width))
        table.add_column("Value")
        table.add_rows(
            (
                Text(
                    row.key,
                    style=section if row.section else "",
                    no_wrap=True,
                    overflow="ellipsis",
                ),
                # Text, not str: a str cell is parsed as markup and "[Synopsis]" would vanish.
                Text(row.value, style=section if row.section else masked if row.masked else ""),
            )
            for row in self._rows
        )
        if keep_cursor and self._rows:
            table.move_cursor(row=min(cursor, len(self._rows) - 1), animate=False)
        table.display = bool(self._rows)

    def _render_list_tab(self, subject: Subject | None, keep_cursor: bool) -> None:
        tabs = self.query_one(TabbedContent)
        tab = tabs.get_tab("inspector-list")
        if not tables.is_list(subject):
            self._list_columns, self._list_rows = [], []
            self._label(tab, "List")
            if tabs.active == "inspector-list":
                self._switch_tab("inspector-headers")
            if not tab.disabled:
                tabs.disable_tab("inspector-list")
            return
        tabs.enable_tab("inspector-list")
        # The pane too, now: enable_tab only reaches it through messages, and a list that
        # opens on its tab must be able to take the focus at once.
        self.query_one("#inspector-list", TabPane).disabled = False
        self._label(tab, f"List {len(subject.items)}")
        if not keep_cursor:  # a new list opens on its items; a refill leaves the user's tab
            self._switch_tab("inspector-list")
        self._list_columns = tables.list_columns(subject.items)
        self._list_rows = [tables.list_cells(item, self._list_columns) for item in subject.items]

    @staticmethod
    def _label(tab: Tab, label: str) -> None:
        if tab.label.plain != label:  # setting it lays out the screen, even when unchanged
            tab.label = label

    def _fill_list(self, subject: Subject | None, keep_cursor: bool) -> None:
        table: DataTable[Text] = self.query_one("#inspector-list-table", DataTable)
        footer = self.query_one("#inspector-list-footer", Static)
        cursor = table.cursor_coordinate
        table.clear(columns=True)
        if not tables.is_list(subject):
            footer.update("")
            return
        # Header names are the server's: Text labels (a str label is parsed as markup).
        table.add_columns(*(Text(tables.one_line(name)) for name in self._list_columns))
        # Text cells for the same reason as the headers table: values are not markup.
        table.add_rows([Text(cell) for cell in row] for row in self._list_rows)
        if keep_cursor and self._list_rows:
            table.cursor_coordinate = cursor
        footer.update(tables.list_footer(subject))

    # -- tabs ------------------------------------------------------------------------------

    def action_show_tab(self, tab: str) -> None:
        self._mount_views()
        tabs = self.query_one(TabbedContent)
        if tabs.get_tab(tab).disabled:
            self._warn("No list here: only a list action's reply has one")
            return
        self._switch_tab(tab)

    def _switch_tab(self, tab: str) -> None:
        """Show `tab`; if the pane had focus, its view takes it (a hidden widget cannot keep it)."""
        had_focus = self.has_focus_within
        self.query_one(TabbedContent).active = tab
        self._fill_stale(tab)
        if had_focus:
            self._focus_target().focus()

    # -- copying ---------------------------------------------------------------------------

    def _copy(self, text: str, what: str) -> None:
        clipboard.copy_text(self.app, text, what)

    def _warn(self, message: str) -> None:
        safe.notify(self.app, message, severity="warning")

    def action_copy_value(self) -> None:
        """The selected thing in the active tab: header value, list cell, or text selection."""
        self._mount_views()
        active = self.query_one(TabbedContent).active
        focused = self.screen.focused
        if isinstance(focused, TextArea) and focused in self.query(TextArea):
            self._copy_from_text(focused)
        elif active == "inspector-headers":
            self._copy_header_value()
        elif active == "inspector-list":
            self._copy_list_cell()
        elif active == "inspector-raw":
            self._copy_from_text(self.query_one("#inspector-raw-text", TextArea))
        else:
            self._copy(tables.timing(self.subject).plain, "timing")

    def _copy_header_value(self) -> None:
        table = self.query_one("#inspector-headers-table", DataTable)
        if not self._rows or not 0 <= table.cursor_row < len(self._rows):
            self._warn("Nothing selected to copy")
            return
        row = self._rows[table.cursor_row]
        if row.section:
            self._warn("That is a section heading; pick a header row (Y copies everything)")
        elif row.masked:
            self._warn(f"{row.key} is masked: secrets are never copied")
        elif row.payload is not None:
            self._copy(row.payload, f"{row.key}: {row.payload.count(chr(10)) + 1} lines")
        else:
            self._copy(row.value, f"{row.key}: {_short(row.value)}")

    def _copy_list_cell(self) -> None:
        table = self.query_one("#inspector-list-table", DataTable)
        row, column = table.cursor_coordinate
        if not (0 <= row < len(self._list_rows) and 0 <= column < len(self._list_columns)):
            self._warn("Nothing selected to copy")
            return
        value = self._list_rows[row][column]
        self._copy(value, f"{self._list_columns[column]}: {_short(value)}")

    def _copy_from_text(self, area: TextArea) -> None:
        text = area.selected_text
        if text:
            self._copy(text, f"selection ({len(text)} characters)")
            return
        line = area.cursor_location[0]
        if line < area.document.line_count:
            self._copy(area.document.get_line(line), f"line {line + 1}")

    def action_copy_raw(self) -> None:
        subject = self.subject
        if isinstance(subject, StoredEvent):
            self._copy(export.frame_as_ami(subject.frame), f"{tables.title(subject)} as raw AMI")
        elif isinstance(subject, Transcript):
            self._copy(export.transcript_as_ami(subject), f"{subject.action.name} exchange as AMI")
        else:
            self._warn("No message to copy")

    def action_copy_json(self) -> None:
        subject = self.subject
        if isinstance(subject, StoredEvent):
            self._copy(export.frame_as_json(subject.frame), f"{tables.title(subject)} as JSON")
        elif isinstance(subject, Transcript):
            self._copy(export.transcript_as_json(subject), f"{subject.action.name} reply as NDJSON")
        else:
            self._warn("No message to copy")

    def action_copy_command(self) -> None:
        subject = self.subject
        if isinstance(subject, Transcript):
            line = export.action_as_command_line(subject.action)
            self._copy(line, f"{subject.action.name} as an amitui command line")
        elif isinstance(subject, StoredEvent):
            self._warn(
                f"{tables.title(subject)} was received, not sent: only an action can be "
                "copied as an `amitui action` command"
            )
        else:
            self._warn("Select an action to copy it as a command line")
