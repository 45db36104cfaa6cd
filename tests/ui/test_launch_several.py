"""Opening one console over several profiles: `--profile` repeated or `--group NAME`.

cli.py's parser gives `--profile` once; these tests set what the repeated option gives (a
list) on the parsed arguments, as the launcher accepts both."""

from __future__ import annotations

import argparse

import pytest

from amitui.commands.cli import build_parser
from amitui.config import Config, ConfigError, Profile
from amitui.ui import launch as launch_mod
from amitui.ui.app import AmiApp
from tests.ui import test_launch

demo_port = test_launch.demo_port  # a fixture: a quiet demo PBX in a thread

CONFIG = Config(
    profiles={
        "a": Profile(name="a", host="10.0.0.1", user="ua", secret="sa", color="red"),
        "b": Profile(name="b", host="10.0.0.2", port=6038, user="ub", secret="sb",
                     read_only=True),
        "c": Profile(name="c", host="10.0.0.3", user="uc"),  # no secret
    },
    groups={"core": ["a", "b"]},
)  # fmt: skip


def args(
    *argv: str, profiles: list[str] | None = None, group: str | None = None
) -> argparse.Namespace:
    parsed = build_parser().parse_args(list(argv))
    if profiles is not None:
        parsed.profile = profiles
    parsed.group = group
    return parsed


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[AmiApp]:
    seen: list[AmiApp] = []

    def fake_run(self: AmiApp) -> int:
        seen.append(self)
        for member in self.fleet:
            member.connected_once = True
        return 0

    monkeypatch.setattr(AmiApp, "run", fake_run)
    return seen


def test_repeated_profiles_open_one_console_over_both(opened: list[AmiApp]) -> None:
    assert launch_mod.launch(args(profiles=["a", "b"]), CONFIG) == 0
    (app,) = opened
    members = list(app.fleet)
    assert [m.name for m in members] == ["a", "b"]
    assert [(m.spec.host, m.spec.port, m.spec.user) for m in members] == [
        ("10.0.0.1", 5038, "ua"), ("10.0.0.2", 6038, "ub"),
    ]  # fmt: skip
    assert [m.spec.secret for m in members] == ["sa", "sb"]
    assert [m.read_only for m in members] == [False, True]  # read-only is per profile
    assert members[0].profile.color == "red"


def test_a_group_opens_its_profiles(opened: list[AmiApp]) -> None:
    assert launch_mod.launch(args(group="core"), CONFIG) == 0
    assert [m.name for m in opened[0].fleet] == ["a", "b"]


def test_one_profile_as_a_list_is_the_console_of_old(opened: list[AmiApp]) -> None:
    assert launch_mod.launch(args(profiles=["a"]), CONFIG) == 0
    (app,) = opened
    assert len(app.fleet) == 1 and app.settings.profile.name == "a"
    assert app.spec.host == "10.0.0.1"


def test_the_environments_secret_is_for_one_server_only(
    opened: list[AmiApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AMITUI_SECRET", "from-env")
    with pytest.raises(ConfigError, match=r"profile c has no secret.*only used with one server"):
        launch_mod.launch(args(profiles=["a", "c"]), CONFIG)
    assert opened == []
    # With one server it still applies, as it always did.
    assert launch_mod.launch(args(profiles=["c"]), CONFIG) == 0
    assert opened[0].spec.secret == "from-env"


def test_options_naming_one_server_are_refused_with_several(opened: list[AmiApp]) -> None:
    with pytest.raises(ConfigError, match=r"--host, --user name one server; with several"):
        launch_mod.launch(args("--host", "h", "--user", "u", profiles=["a", "b"]), CONFIG)
    assert opened == []


def test_read_only_from_the_command_line_applies_to_every_server(opened: list[AmiApp]) -> None:
    assert launch_mod.launch(args("--read-only", group="core"), CONFIG) == 0
    assert all(m.read_only for m in opened[0].fleet)


def test_an_unknown_group_is_a_config_error(opened: list[AmiApp]) -> None:
    with pytest.raises(ConfigError, match="no group 'edge'"):
        launch_mod.launch(args(group="edge"), CONFIG)


def test_never_connecting_to_any_server_exits_2_naming_each(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(AmiApp, "run", lambda self: None)
    assert launch_mod.launch(args(profiles=["a", "b"]), CONFIG) == 2
    err = capsys.readouterr().err
    assert "never connected to a (10.0.0.1:5038)" in err
    assert "never connected to b (10.0.0.2:6038)" in err


def test_a_profile_without_a_secret_is_asked_for_naming_it(
    opened: list[AmiApp], demo_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = Config(
        profiles={
            "a": CONFIG.profiles["a"],
            "lab": Profile(name="lab", port=demo_port, user="demo"),
        }
    )
    prompts: list[str] = []

    def typed(prompt: str = "") -> str:
        prompts.append(prompt)
        return "wrong" if len(prompts) == 1 else "demo"  # a typo first: asked again

    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("getpass.getpass", typed)
    monkeypatch.setenv("AMITUI_SECRET", "from-env")  # not this server's: never used
    assert launch_mod.launch(args(profiles=["a", "lab"]), config) == 0
    assert prompts[0] == "AMI secret for profile lab (demo@127.0.0.1): "
    assert len(prompts) == 2
    assert [m.spec.secret for m in opened[0].fleet] == ["sa", "demo"]
