"""Outside text into Textual widgets: never markup, never a live control character.

The rule itself is `amitui.protocol.safetext.shown()`; this module only puts its result into the
objects Textual draws without parsing them. A `str` handed to a DataTable cell or column, a
Label, a border title, a tooltip or `notify()` is read as markup by Textual: `[/]` in an event
name raises MarkupError and `[@click=app.quit]` becomes a live action. A `Text` or `Content`
is drawn as it is, so every helper here returns one (or passes `markup=False`).

Editable widgets are the one exception to `shown()`: their cursor indexes the value, and the
value is what will be sent, so it cannot grow `\\x1b` escapes. There each character `shown()`
would escape is drawn as one visible mark instead (`masked`), and the value stays exact.

Tests: tests/ui/test_hostile.py drives the whole app with tests/hostile.py.
"""

from __future__ import annotations

from typing import Any

from rich.highlighter import Highlighter
from rich.style import Style
from rich.text import Text
from textual.app import App
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.widget import Widget
from textual.widgets import TextArea

from amitui.protocol.safetext import is_safe, shown


def text(value: str, style: str | Style = "", *, multiline: bool = False) -> Text:
    """Outside text as a rich Text, escapes visible."""
    return Text(shown(value, multiline=multiline), style=style)


def cell(value: str, style: str | Style = "") -> Text:
    """A DataTable cell or column label: what Textual itself makes of a plain str cell (one
    line, not wrapped), but never parsed as markup."""
    return Text(shown(value), style=style, no_wrap=True, end="")


def content(value: str, style: str = "") -> Content:
    """Outside text as Textual Content (titles, Statics), escapes visible."""
    return Content.styled(shown(value), style) if style else Content(shown(value))


def notify(
    target: App[Any] | Widget,
    message: str,
    *,
    title: str = "",
    severity: SeverityLevel = "information",
    timeout: float | None = None,
) -> None:
    """A toast whose message and title may quote outside text (a reply's Message, a name)."""
    target.notify(
        shown(message, multiline=True),
        title=shown(title),
        severity=severity,
        timeout=timeout,
        markup=False,
    )


def _mark(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␛ for ESC
    return "\u2421" if code == 0x7F else "\ufffd"


def masked(value: str) -> str:
    """`value` with each character `shown()` would escape drawn as one visible mark, so the
    length (and every cursor position) stays the same."""
    if is_safe(value):
        return value
    return "".join(char if is_safe(char) else _mark(char) for char in value)


class ControlMask(Highlighter):
    """For `Input(highlighter=...)`: draws the value masked; the value itself is untouched."""

    def highlight(self, text: Text) -> None:
        plain = text.plain
        if not is_safe(plain):
            text.plain = masked(plain)


MASK = ControlMask()


class SafeTextArea(TextArea):
    """A TextArea that draws control characters masked; the document keeps them."""

    def get_line(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        plain = line.plain
        if not is_safe(plain):
            line.plain = masked(plain)
        return line
