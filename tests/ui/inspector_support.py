"""What the inspector tests share: a host app that records copies and toasts, subjects built
through the real parser and correlator, and readers of what the widget shows."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.notifications import SeverityLevel
from textual.widgets import DataTable, Static, TabbedContent, TextArea

from amitui.client.transcript import Outcome, Transcript
from amitui.protocol import Action, Correlator, Frame, Parser
from amitui.store.ring import GapMarker, StoredEvent
from amitui.ui.widgets.inspector import ResponseInspector

SECRET = "hunter2-never-shown"
SIZE = (70, 20)


class InspectorApp(App[None]):
    """Records what reached the terminal clipboard and which toasts were shown."""

    def __init__(self) -> None:
        super().__init__()
        self.osc52: list[str] = []
        self.toasts: list[tuple[str, SeverityLevel]] = []

    def compose(self) -> ComposeResult:
        yield ResponseInspector(id="inspector")

    def copy_to_clipboard(self, text: str) -> None:
        self.osc52.append(text)
        super().copy_to_clipboard(text)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        self.toasts.append((message, severity))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)


# -- building subjects --------------------------------------------------------------------------


def frames(text: str) -> list[Frame]:
    """Frames from AMI text written with \\n line ends, blank lines between packets."""
    parser = Parser(expect_banner=False)
    parser.feed(text.strip("\n").replace("\n", "\r\n").encode() + b"\r\n\r\n")
    out = list(parser.frames())
    assert parser.buffered == 0
    return out


def event(text: str, seq: int = 123) -> StoredEvent:
    (frame,) = frames(text)
    return StoredEvent(seq, 1_795_833_957.25, frame, "pbx1")


def transcript(
    action: Action,
    text: str,
    outcome: Outcome = Outcome.ANSWERED,
    note: str | None = None,
) -> Transcript:
    correlator = Correlator()
    ex = correlator.expect(action)
    for frame in frames(text) if text else []:
        correlator.route(frame)
    answered = 100.012 if ex.response is not None else None
    return Transcript(
        action,
        ex,
        sent_wall=1_795_833_957.5,
        sent=100.0,
        answered=answered,
        done=100.045,
        outcome=outcome,
        note=note,
    )


NEWCHANNEL = f"""Event: Newchannel
Privilege: call,all
Channel: PJSIP/100-00000001
Variable: A=1
Secret: {SECRET}
Variable: B=2
Uniqueid: 1795833957.0"""

CHANNELS = """Response: Success
ActionID: a1
EventList: start
Message: Channels will follow

Event: CoreShowChannel
ActionID: a1
Channel: PJSIP/100-00000001
Uniqueid: 1795833957.0

Event: CoreShowChannel
ActionID: a1
Channel: PJSIP/200-00000002
BridgeId: 7f3a
Uniqueid: 1795833957.1

Event: CoreShowChannelsComplete
ActionID: a1
EventList: Complete
ListItems: {n}"""


def channels(n: int = 2) -> Transcript:
    return transcript(Action.of("CoreShowChannels", ActionID="a1"), CHANNELS.format(n=n))


# -- reading the widget -------------------------------------------------------------------------


# The tabs behind Headers are filled when opened: a view is read the way a user sees it, with
# its tab open.
_TAB_OF = {
    "inspector-raw-text": "inspector-raw",
    "inspector-list-table": "inspector-list",
    "inspector-timing": "inspector-timing-pane",
}


def _open_tab_of(inspector: ResponseInspector, widget_id: str) -> None:
    tab = _TAB_OF.get(widget_id)
    if tab is not None and inspector.query_one(TabbedContent).active != tab:
        inspector.action_show_tab(tab)


def table_rows(inspector: ResponseInspector, table_id: str) -> list[list[str]]:
    _open_tab_of(inspector, table_id)
    table: DataTable[Text] = inspector.query_one(f"#{table_id}", DataTable)
    return [[cell.plain for cell in table.get_row_at(i)] for i in range(table.row_count)]


def text_of(inspector: ResponseInspector, widget_id: str) -> str:
    _open_tab_of(inspector, widget_id)
    widget = inspector.query_one(f"#{widget_id}")
    if isinstance(widget, TextArea):
        return widget.text
    assert isinstance(widget, Static)
    return str(widget.render())


async def show(app: InspectorApp, subject: StoredEvent | Transcript | GapMarker) -> None:
    inspector = app.query_one(ResponseInspector)
    if isinstance(subject, StoredEvent):
        inspector.show_event(subject)
    elif isinstance(subject, Transcript):
        inspector.show_transcript(subject)
    else:
        inspector.show_gap(subject)
