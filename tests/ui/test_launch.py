"""Opening the console from the command line: the demo says how to reach a real PBX, a wrong
secret typed at the prompt is asked for again, and a console that never got in exits non-zero."""

from __future__ import annotations

import argparse
import asyncio
import threading
from collections.abc import Iterator

import pytest

from amitui.client import ServerSpec
from amitui.commands.cli import build_parser
from amitui.config import Config, ConfigError
from amitui.demo import DemoPbx, DemoServer
from amitui.ui import launch as launch_mod
from amitui.ui.app import AmiApp
from tests.ui.test_snapshots import make_app, settle


@pytest.fixture
def demo_port() -> Iterator[int]:
    """A quiet demo PBX on loopback, in a thread of its own (the code under test blocks)."""
    loop = asyncio.new_event_loop()
    server = DemoServer(DemoPbx(seed=1, rate=0.0))
    started = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert started.wait(10)
    yield int(server.port)
    asyncio.run_coroutine_threadsafe(server.close(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


async def test_the_hint_is_shown_in_the_console() -> None:
    app = make_app()
    app.settings.hint = launch_mod.CONNECT_HINT
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        said = [n.message for n in app._notifications]
        assert any("--host" in m and "AMITUI_SECRET" in m for m in said), said


def test_no_arguments_opens_the_demo_with_the_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[AmiApp] = []

    def fake_run(self: AmiApp) -> int:
        seen.append(self)
        return 0

    monkeypatch.setattr(AmiApp, "run", fake_run)
    args = build_parser().parse_args([])
    assert launch_mod.launch(args, Config()) == 0
    assert seen[0].settings.demo and seen[0].settings.hint == launch_mod.CONNECT_HINT


def test_a_console_that_never_connected_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(AmiApp, "run", lambda self: None)  # quit before any login
    monkeypatch.setenv("AMITUI_SECRET", "x")
    args = build_parser().parse_args(["--user", "admin", "--port", "1"])
    assert launch_mod.launch(args, Config()) == 2
    assert "never connected to 127.0.0.1:1" in capsys.readouterr().err


def _args(port: int) -> argparse.Namespace:
    return build_parser().parse_args(["--user", "demo", "--port", str(port)])


def test_a_wrong_secret_at_the_prompt_is_asked_again(
    demo_port: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter(["demo"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    spec = ServerSpec(port=demo_port, user="demo", secret="wrong")
    assert launch_mod._login_with_retries(spec).secret == "demo"
    assert "failed" in capsys.readouterr().err


def test_three_wrong_secrets_give_up(demo_port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def wrong(prompt: str = "") -> str:
        asked.append(prompt)
        return "still-wrong"

    monkeypatch.setattr("getpass.getpass", wrong)
    with pytest.raises(ConfigError, match="3 times"):
        launch_mod._login_with_retries(ServerSpec(port=demo_port, user="demo", secret="no"))
    assert len(asked) == 2  # the first try used the secret already typed


def test_the_prompt_is_only_retried_when_it_was_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMITUI_SECRET", "s")
    assert not launch_mod._secret_was_prompted(_args(5038), Config())
    monkeypatch.delenv("AMITUI_SECRET")
    assert launch_mod._secret_was_prompted(_args(5038), Config())
