"""Shared fixtures. The real Asterisk comes from scripts/asterisk-sandbox (see README)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SANDBOX = ROOT / "scripts" / "asterisk-sandbox"


@pytest.fixture(autouse=True)
def _no_user_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never read the developer's own config or secret."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))  # history, etc.
    monkeypatch.delenv("AMITUI_CONFIG", raising=False)
    monkeypatch.delenv("AMITUI_SECRET", raising=False)


@dataclass(frozen=True)
class Asterisk:
    host: str
    port: int
    root: Path = Path(os.environ.get("AMITUI_ASTERISK_ROOT", "/var/cache/amitui/asterisk-sid"))
    admin: tuple[str, str] = ("admin", "amitui-admin-secret")
    reader: tuple[str, str] = ("reader", "amitui-reader-secret")

    def sandbox(self, *args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "AMITUI_ASTERISK_PORT": str(self.port)}
        return subprocess.run(
            ["bash", str(SANDBOX), *args], capture_output=True, text=True, timeout=timeout, env=env
        )

    def cli(self, command: str) -> str:
        return self.sandbox("cli", command, timeout=30).stdout


def _unavailable(reason: str) -> None:
    if os.environ.get("AMITUI_REQUIRE_ASTERISK") == "1":
        pytest.fail(f"AMITUI_REQUIRE_ASTERISK=1 but the real Asterisk is unavailable: {reason}")
    pytest.skip(f"real Asterisk unavailable: {reason}")


@pytest.fixture(scope="session")
def asterisk() -> Iterator[Asterisk]:
    """The real Asterisk 22: reused when already running, else started here and stopped after."""
    server = Asterisk("127.0.0.1", int(os.environ.get("AMITUI_ASTERISK_PORT", "15038")))
    was_up = server.sandbox("status", timeout=30).returncode == 0
    if not was_up:
        if os.geteuid() != 0:
            _unavailable("starting it needs root (debootstrap and chroot)")
        result = server.sandbox("up")
        if result.returncode != 0:
            _unavailable(result.stderr.strip()[-800:] or "scripts/asterisk-sandbox up failed")
    yield server
    if not was_up:
        server.sandbox("down", timeout=60)
