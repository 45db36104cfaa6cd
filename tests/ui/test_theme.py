"""Themes: bundled files, user files, and a broken user file that must not stop the app."""

from __future__ import annotations

from pathlib import Path

import pytest

from amitui.client import ServerSpec
from amitui.config import Profile
from amitui.ui.app import AmiApp, Settings
from amitui.ui.theme import DEFAULT_THEME, load_themes, theme_from_toml
from amitui.ui.widgets.stream import EventStream
from tests.ui.fakes import FakeSession

USER_THEME = """
name = "night-shift"
dark = true
primary = "#ff8800"
[variables]
event-call = "#00ff00"
"""


def test_bundled_themes_carry_every_role_variable() -> None:
    themes = {t.name: t for t in load_themes(Path("/nonexistent")).themes}
    assert {"amitui-dark", "amitui-light"} <= set(themes)
    assert set(themes["amitui-dark"].variables) == set(themes["amitui-light"].variables)
    assert "event-hangup" in themes["amitui-dark"].variables


def test_user_themes_load_and_a_broken_one_is_reported(tmp_path: Path) -> None:
    (tmp_path / "night.toml").write_text(USER_THEME)
    (tmp_path / "broken.toml").write_text('name = "x"\nprimary = "not a colour"\n')
    loaded = load_themes(tmp_path)
    assert "night-shift" in [t.name for t in loaded.themes]
    assert len(loaded.problems) == 1
    assert "broken.toml" in loaded.problems[0]


@pytest.mark.parametrize(
    ("text", "reason"),
    [("primary = '#fff'", "needs a name"), ("name = 'a'", "needs a primary"), ("[", "TOML")],
)
def test_theme_errors_are_one_line(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        theme_from_toml(text, "t.toml")


async def test_app_starts_with_a_broken_user_theme_and_switches_themes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    themes = tmp_path / "xdg" / "amitui" / "themes"
    themes.mkdir(parents=True)
    (themes / "night.toml").write_text(USER_THEME)
    (themes / "broken.toml").write_text("name = ")
    settings = Settings(profile=Profile(name="t"), theme="night-shift")
    app = AmiApp(ServerSpec(user="a"), settings, session_factory=FakeSession)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.theme == "night-shift"
        assert any("broken.toml" in n.message for n in app._notifications)
        stream = app.query_one(EventStream)
        seq = stream.rows[0]
        before = list(stream._line(seq))
        # Cached: each draw makes a new Strip, of the very segments made the first time.
        assert all(a is b for a, b in zip(stream._line(seq), before, strict=True))
        app.theme = "amitui-light"
        await pilot.pause()
        after = list(stream._line(seq))
        assert after != before  # redrawn in the new theme's colours


async def test_unknown_theme_falls_back_with_a_notice() -> None:
    app = AmiApp(ServerSpec(user="a"), Settings(theme="nope"), session_factory=FakeSession)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.theme == DEFAULT_THEME
        assert any("'nope' not found" in n.message for n in app._notifications)
