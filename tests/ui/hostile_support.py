"""The harness of tests/ui/test_hostile.py: a recording terminal, and what "safe" means.

`check()` is the one assertion every step makes: the app still runs (markup would have raised
MarkupError or quit it), nothing it wrote to the terminal carries an injected sequence, a C1
control or a bidi override (`tests.hostile.leaks`), nothing on screen is a live click action or
link (`live_markup`), nothing any widget holds to draw (on screen or clipped) still has such a
character or is a str Textual would parse as markup (`unsafe_content`), and every toast was
raised with markup off and its text escaped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.segment import Segment
from rich.text import Text
from textual.app import App
from textual.content import Content
from textual.notifications import Notification
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Static, TextArea

from amitui.client import ServerSpec
from amitui.config import Profile
from amitui.protocol.safetext import shown
from amitui.ui.app import AmiApp, Settings
from amitui.ui.widgets.stream import EventStream
from tests.hostile import events, leaks

SIZE = (140, 45)
PROFILE = "hostile"


class Terminal:
    """What the app wrote to its terminal."""

    def __init__(self) -> None:
        self.writes: list[str] = []

    @property
    def text(self) -> str:
        return "".join(self.writes)


class Noting(AmiApp):
    """The console, keeping every notification it raised (toasts expire)."""

    def notify(self, message: str, **kw: Any) -> None:
        self.noted.append(Notification(message, kw.get("title", ""), markup=kw.get("markup", True)))
        super().notify(message, **kw)

    noted: list[Notification]


def notes(app: AmiApp) -> list[Notification]:
    return getattr(app, "noted", [])


def make(spec: ServerSpec, settings: Settings, **kw: Any) -> AmiApp:
    app = Noting(spec, settings, **kw)
    app.noted = []
    return app


def live_app(port: int, **profile: object) -> AmiApp:
    settings = Settings(profile=Profile(name=PROFILE, **profile))  # type: ignore[arg-type]
    spec = ServerSpec(host="127.0.0.1", port=port, user="admin", secret="x", name=PROFILE)
    return make(spec, settings)


def live_markup(app: AmiApp) -> list[str]:
    """Click actions and links on screen that came from outside text."""
    found = []
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            style = Segment(*segment[:2]).style
            if style is None:
                continue
            if style.link:
                found.append(f"link {style.link} on {segment.text!r}")
            if "quit" in str(style.meta.get("@click", "")):
                found.append(f"click action on {segment.text!r}")
    return found


def _plain(obj: object) -> str:
    if isinstance(obj, Content | Text):
        return obj.plain
    return "" if obj is None else str(obj)


def _unsafe(text: str) -> bool:
    return shown(text, multiline=True) != text


def unsafe_content(app: AmiApp) -> list[str]:
    """What the widgets hold to draw, wherever it is on screen or clipped: a text that still
    has a control, C1 or bidi character, or a str that Textual would parse as markup."""
    found = []
    for widget in app.screen.walk_children(with_self=True):
        # DOMNode has no border or tooltip; the widgets that draw them do (getattr: both).
        texts: list[object] = [
            getattr(widget, name, None) for name in ("_border_title", "_border_subtitle", "tooltip")
        ]
        if isinstance(widget, Static):
            texts.append(widget.visual)
            if (
                widget._render_markup
                and isinstance(widget.content, str)
                and "[" in str(widget.content)
            ):
                found.append(f"a markup str in {widget!r}: {widget.content!r}")
        elif isinstance(widget, DataTable):
            texts += [column.label for column in widget.ordered_columns]
            for row in range(widget.row_count):
                cells = widget.get_row_at(row)
                texts += cells
                found += [f"a str cell in {widget!r}: {c!r}" for c in cells
                          if isinstance(c, str) and "[" in c]  # fmt: skip
        elif isinstance(widget, OptionList):
            texts += [option.prompt for option in widget.options]
        elif isinstance(widget, TextArea):
            texts += [widget.get_line(i) for i in range(widget.document.line_count)]
        elif isinstance(widget, Input):
            texts += [widget.placeholder, widget._value]
        found += [f"{widget!r}: {_plain(t)[:80]!r}" for t in texts if _unsafe(_plain(t))]
    return found


def screen_text(app: App[Any]) -> str:
    """What the screen shows, as text, a line per row."""
    return "\n".join(
        "".join(s.text for s in strip) for strip in app.screen._compositor.render_strips()
    )


async def until(pilot: Pilot[int], done: Callable[[], bool], what: str) -> None:
    """Wait for something the app does in the background; bounded by steps, not a timer."""
    for _ in range(500):
        if done():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never happened: {what}")


async def check(pilot: Pilot[int], terminal: Terminal, where: str) -> None:
    await pilot.pause()
    app = pilot.app
    assert isinstance(app, AmiApp)
    assert app.is_running and app.return_code is None, f"the app stopped at {where}"
    assert leaks(terminal.text) == [], f"reached the terminal at {where}"
    assert live_markup(app) == [], f"live markup at {where}"
    assert unsafe_content(app) == [], f"unsafe content at {where}"
    assert [n for n in notes(app) if n.markup or _unsafe(n.message + n.title)] == [], where


async def connected(pilot: Pilot[int], app: AmiApp) -> None:
    await until(pilot, lambda: len(app.ring) >= len(events()), "the hostile events")
    await until(pilot, lambda: bool(app.query_one(EventStream).rows), "rows drawn")
