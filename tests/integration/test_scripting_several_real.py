"""`amitui action` and `amitui events` over two servers at once: the real Asterisk 22 and the
built-in demo PBX, each reply and event tagged with its profile."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.commands.demo_pbx import demo_pbx, run_amitui, write_config
from tests.conftest import Asterisk

pytestmark = pytest.mark.asterisk


@pytest.fixture
def config(asterisk: Asterisk, tmp_path: Path) -> Iterator[str]:
    user, secret = asterisk.admin
    real = {"host": asterisk.host, "port": asterisk.port}
    with demo_pbx() as port:
        profiles: dict[str, dict[str, object]] = {
            "real": {**real, "user": user, "secret": secret},
            "reader": {**real, "user": "reader", "secret": "amitui-reader-secret"},
            "demo": {"port": port, "user": "demo", "secret": "demo"},
        }
        yield str(write_config(tmp_path / "config.toml", profiles))


def test_ping_both_servers(config: str) -> None:
    out = run_amitui("--config", config, "action", "Ping", "-p", "real", "-p", "demo", "--json")
    assert out.returncode == 0, out.stderr
    replies = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["Server"] for r in replies] == ["real", "demo"]  # in the order of the profiles
    assert all(r["Response"] == "Success" and r["Ping"] == "Pong" for r in replies)


def test_an_originate_the_real_server_refuses_is_exit_1(config: str) -> None:
    # The sandbox's reader may not originate; the demo PBX queues the same call.
    originate = ["Channel=PJSIP/1001", "Exten=1002", "Context=from-internal", "Priority=1"]
    out = run_amitui("--config", config, "action", "Originate", *originate,
                     "-p", "demo", "-p", "reader")  # fmt: skip
    assert out.returncode == 1
    assert out.stderr == "amitui: reader: Originate: Error: Permission denied\n"
    blocks = out.stdout.rstrip("\n").split("\n\n")
    assert [b.splitlines()[0] for b in blocks] == ["Response: Success", "Response: Error"]
    assert [b.splitlines()[-1] for b in blocks] == ["Server: demo", "Server: reader"]


def test_events_from_the_demo_while_the_real_one_is_quiet(config: str) -> None:
    # The real sandbox has no calls: its events are rare, the demo's steady. Both log in
    # (our own login's events are not printed), and the demo's come through tagged.
    calls = "Event~^(Newchannel|Hangup|Newstate)$"
    out = run_amitui("--config", config, "events", "-p", "real", "-p", "demo", "--json",
                     "--count", "5", "--filter", calls)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    objects = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(objects) == 5
    assert all(o["Server"] in ("real", "demo") for o in objects)
