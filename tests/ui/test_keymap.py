"""Key hints come from one table: a key rebound in `[keys]` is the key every hint names, in
the palette, the pane's subtitle, the composer's title and the notifications."""

from __future__ import annotations

from textual.binding import Binding
from textual.dom import DOMNode

from amitui.client import ServerSpec
from amitui.config import Profile
from amitui.ui import keymap
from amitui.ui.app import AmiApp, Settings
from amitui.ui.widgets.composer import ActionComposer
from amitui.ui.widgets.stream import EventStream
from amitui.ui.widgets.stream_pane import StreamPane
from tests.ui.fakes import FIXED_TIME, FakeSession

REBOUND = {
    "stream.filter": "ctrl+f",
    "stream.pause": "z",
    "stream.follow": "f5",
    "stream.up": "ctrl+up",
    "app.focus-composer": "ctrl+o",
    "app.focus-events": "E",
    "app.types": "T",
}


def _app(keys: dict[str, str]) -> AmiApp:
    settings = Settings(profile=Profile(name="lab"), keymap=keys, clock=lambda: FIXED_TIME)
    return AmiApp(ServerSpec(user="admin"), settings, session_factory=FakeSession)


def _palette(app: AmiApp) -> dict[str, str]:
    return {c.title: c.help or "" for c in app.get_system_commands(app.screen)}


async def test_a_rebound_key_is_the_one_every_hint_names() -> None:
    app = _app(REBOUND)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        palette = _palette(app)
        assert palette["Filter events"] == "Filter the stream (ctrl+f)"
        assert palette["Pause stream"] == "Keep events, stop (z)"
        assert palette["Follow stream"] == "Jump to the newest event (f5)"
        assert palette["Event types"] == "Counts per type; mute and unmute (T)"
        assert palette["Clear filter"] == "Show every event again (x)"  # not rebound
        pane = app.query_one(StreamPane)
        assert str(pane.border_subtitle) == "following · ctrl+up or z pauses"
        assert str(app.query_one(ActionComposer).border_title) == "Compose (ctrl+o)"
        await pilot.press("z")  # the new key pauses
        await pilot.pause()
        assert str(pane.border_subtitle) == "PAUSED · 0 new · f5 follows"
        await pilot.press("h")  # nothing with a Channel selected
        await pilot.pause()
        assert any("(E, then ctrl+up/↓)" in n.message for n in app._notifications)


async def test_the_defaults_name_the_keys_they_always_named() -> None:
    app = _app({})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        palette = _palette(app)
        assert palette["Filter events"] == "Filter the stream (/)"
        assert palette["Follow stream"] == "Jump to the newest event (End)"
        assert palette["Export as JSON"] == "The filtered stream, one array"
        assert str(app.query_one(StreamPane).border_subtitle) == "following · ↑ or space pauses"
        assert str(app.query_one(ActionComposer).border_title) == "Compose (a)"
        # A palette entry runs its action on the widget that owns it.
        palette_calls = {c.title: c.callback for c in app.get_system_commands(app.screen)}
        palette_calls["Pause stream"]()
        await pilot.pause()
        assert not app.query_one(EventStream).following


def test_every_binding_comes_from_the_table_with_its_id() -> None:
    owners: dict[str, type[DOMNode]] = {"app": AmiApp, "pane": StreamPane, "stream": EventStream}
    for owner, cls in owners.items():
        ids = [b.id for b in cls.BINDINGS if isinstance(b, Binding)]
        assert ids == [c.id for c in keymap.COMMANDS if c.owner == owner and c.key]
    assert len(keymap.BY_ID) == len(keymap.COMMANDS)  # ids are unique
    assert set(keymap.PALETTE) <= set(keymap.BY_ID)
    assert all(keymap.BY_ID[i].title for i in keymap.PALETTE)


def test_keys_are_spelled_as_a_sentence_names_them() -> None:
    hints = keymap.KeyHints({"stream.filter": "f3,ctrl+f", "stream.mute": ""})
    assert hints.key("stream.filter") == "f3"  # the first of several
    assert hints.key("stream.mute") == "m"  # an empty override is ignored, as Textual does
    assert [keymap.spell(k) for k in ("slash", "end", "up", "question_mark", "pagedown", "[")] == [
        "/", "End", "↑", "?", "PgDn", "["
    ]  # fmt: skip
