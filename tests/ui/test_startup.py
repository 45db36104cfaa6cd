"""Start-up and shut-down: what the first paint leaves for later, and the last timer tick."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input

from amitui.client import ServerSpec
from amitui.ui.app import AmiApp, Settings
from amitui.ui.widgets.composer import ActionComposer
from amitui.ui.widgets.composer_form import FieldRow
from amitui.ui.widgets.inspector import ResponseInspector
from tests.ui.fakes import FakeSession, call_events
from tests.ui.hostile_support import until


def make_app() -> AmiApp:
    return AmiApp(ServerSpec(user="admin"), Settings(), session_factory=FakeSession)


async def test_a_refresh_tick_while_the_app_shuts_down_does_nothing() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
    # Textual stops the timers after removing the screens: the 20 Hz tick can still run with
    # new events in the ring and the panes gone (seen at the end of bench/console.py).
    app.ring.append_batch(call_events()[:3], received=0.0)
    await app._tick()


async def test_the_first_screen_comes_before_the_composer_and_the_inspector() -> None:
    """Building those two delayed the first screen by 60-75 ms (bench/startup.py), so they
    are mounted just after it; what happened in between reaches them. FakeSession logs in
    at once, before they are there: the composer still gets its title and action list."""
    app = make_app()
    at_first_screen: list[bool] = []
    display = app._display

    def first_display(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        if renderable is not None and not at_first_screen:
            at_first_screen.append(bool(app.query(ActionComposer) or app.query(ResponseInspector)))

    app._display = first_display  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.lower_ready, "the composer and the inspector")
        assert at_first_screen == [False]
        assert app.fleet.member().commands_loaded
        composer = app.query_one(ActionComposer)
        assert str(composer.border_title).startswith("Compose (")
        await until(pilot, lambda: bool(composer._commands), "the action list")


async def test_a_key_that_needs_the_composer_before_it_is_there_is_kept() -> None:
    """As if `o` (Originate) came in the first screen's milliseconds: done once it is mounted."""
    app = make_app()
    app.action_prepare("Originate", [("Channel", "Local/200@default")])
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.lower_ready, "the composer and the inspector")
        await until(
            pilot,
            lambda: ("Channel", "Local/200@default") in [r.header for r in app.query(FieldRow)],
            "the prepared Originate",
        )
        assert app.query_one("#composer-picker", Input).value == "Originate"


async def test_quitting_while_the_composer_and_inspector_are_mounted_is_clean() -> None:
    """A shutdown at any point of the first tenth of a second: before the first screen,
    while the composer and the inspector are being mounted, after. Torn down half-built,
    Textual failed inside their mount (ValueError from the tabs, MountError)."""
    states = set()
    for steps in range(12):
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(steps):
                await pilot.pause(0.01)
            states.add(app.lower_ready)
        assert app.return_code in (None, 0)
    assert states == {False, True}  # both sides of the mount were tried


def test_the_first_screen_imports_neither_the_lower_panes_nor_the_screens() -> None:
    """The console's modules are imported before its first paint; the composer's, the
    inspector's and the screens' (15-24 ms, bench/startup.py) come after it, with them."""
    import subprocess
    import sys

    code = (
        "import sys\nimport amitui.ui.app\n"
        "print(sorted(m for m in sys.modules if m.startswith(('amitui.ui.widgets.composer',"
        " 'amitui.ui.widgets.inspector', 'amitui.ui.widgets.steady', 'amitui.ui.screens.'))"
        " and m != 'amitui.ui.screens.confirm'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
