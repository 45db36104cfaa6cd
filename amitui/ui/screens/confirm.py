"""Ask before an action that changes the PBX, showing exactly what will be sent."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from amitui.protocol import Action
from amitui.protocol.safetext import shown


class ConfirmSend(ModalScreen[bool]):
    DEFAULT_CSS = """
    ConfirmSend { align: center middle; }
    ConfirmSend > Vertical {
        width: 70; max-width: 95%; height: auto; max-height: 90%;
        border: thick $warning; background: $panel; padding: 0 1;
    }
    ConfirmSend #question { text-style: bold; color: $warning; margin-bottom: 1; }
    ConfirmSend #wire { background: $surface; padding: 0 1; height: auto; max-height: 20; }
    ConfirmSend Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
    ConfirmSend Button { margin-left: 2; min-width: 12; }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "Send", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "Cancel", id="confirm.no"),
    ]

    def __init__(self, action: Action, server: str, *, on: str | None = None) -> None:
        """`on`: the server's name when several are open ('Originate on pbx-b')."""
        super().__init__()
        self.action = action
        self.server = server
        self.on = on

    def compose(self) -> ComposeResult:
        with Vertical():
            # The name and values may come from history, a saved file or a selected event:
            # not markup, escapes visible (exactly the bytes, never their effect).
            question = f"{self.action.name} can change the PBX at {self.server}. Send it?"
            if self.on:
                question = (
                    f"{self.action.name} on {self.on} can change the PBX at {self.server}. Send it?"
                )
            yield Label(shown(question), id="question", markup=False)
            yield Static(shown(self.action.redacted_text(), multiline=True), id="wire",
                         markup=False)  # fmt: skip
            with Horizontal():
                yield Button("Send (y)", variant="warning", id="yes")
                yield Button("Cancel (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()  # the safe choice is the default

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
