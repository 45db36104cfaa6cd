"""`amitui action` and `amitui events` over several profiles' servers: two demo PBXs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from amitui.commands.cli import build_parser
from amitui.commands.several import tagged_json, tagged_text, worst
from amitui.protocol import Frame, Parser
from tests.commands.demo_pbx import demo_pbx, run_amitui, write_config

DEMO = {"user": "demo", "secret": "demo"}
FREE_PORT = 1  # nothing listens on port 1 of 127.0.0.1: connection refused at once


@pytest.fixture(scope="module")
def ports() -> Iterator[tuple[int, int]]:
    with demo_pbx() as one, demo_pbx() as two:
        yield one, two


@pytest.fixture
def config(tmp_path: Path, ports: tuple[int, int]) -> str:
    one, two = ports
    path = write_config(
        tmp_path / "config.toml",
        {
            "a": {"port": one, **DEMO},
            "b": {"port": two, **DEMO},
            "ro": {"port": two, "user": "readonly", "secret": "readonly"},
            "down": {"port": FREE_PORT, **DEMO},
            "gone": {"port": FREE_PORT, **DEMO},
            "nosecret": {"port": two, "user": "demo"},
        },
    )
    return str(path)


def frames(data: bytes) -> list[Frame]:
    parser = Parser(expect_banner=False)
    parser.feed(data)
    return list(parser.frames())


def test_profile_adds_up_before_and_after_the_command() -> None:
    args = build_parser().parse_args(["-p", "a", "events", "-p", "b", "--profile", "c"])
    assert args.profile == ["a", "b", "c"]
    assert build_parser().parse_args(["-p", "a", "events"]).profile == ["a"]
    assert build_parser().parse_args(["action", "Ping", "--group", "g"]).group == "g"


def test_events_json_merges_both_servers_each_tagged(config: str) -> None:
    out = run_amitui("--config", config, "events", "-p", "a", "-p", "b", "--json", "-n", "60")
    assert out.returncode == 0, out.stderr
    objects = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(objects) == 60  # --count counts every server together
    assert {o["Server"] for o in objects} == {"a", "b"}
    assert all(list(o)[-1] == "Server" for o in objects)  # the last key, as the proxy puts it


def test_events_text_ends_each_packet_with_its_server(config: str) -> None:
    out = run_amitui("--config", config, "events", "-p", "a", "-p", "b", "-n", "20")
    assert out.returncode == 0, out.stderr
    packets = out.stdout.rstrip("\n").split("\n\n")
    assert len(packets) == 20
    assert all(p.startswith("Event: ") for p in packets)
    assert {p.splitlines()[-1] for p in packets} <= {"Server: a", "Server: b"}


def test_a_server_down_at_first_is_named_and_the_other_goes_on(config: str) -> None:
    out = run_amitui("--config", config, "events", "-p", "down", "-p", "a", "--json", "-n", "3")
    assert out.returncode == 0
    assert out.stderr.startswith("amitui: down: cannot connect to 127.0.0.1:1")
    assert len(out.stderr.splitlines()) == 1
    assert {json.loads(line)["Server"] for line in out.stdout.splitlines()} == {"a"}


def test_no_server_connecting_is_exit_2_naming_each(config: str) -> None:
    out = run_amitui("--config", config, "events", "-p", "down", "-p", "gone")
    assert out.returncode == 2
    assert [line.split(":")[1].strip() for line in out.stderr.splitlines()] == ["down", "gone"]
    assert out.stdout == ""


def test_action_on_both_prints_each_reply_tagged(config: str) -> None:
    out = run_amitui("--config", config, "action", "Ping", "-p", "a", "-p", "b")
    assert out.returncode == 0, out.stderr
    blocks = out.stdout.rstrip("\n").split("\n\n")
    assert [b.splitlines()[0] for b in blocks] == ["Response: Success"] * 2
    assert [b.splitlines()[-1] for b in blocks] == ["Server: a", "Server: b"]  # profile order


def test_action_exits_with_the_worst_code(config: str) -> None:
    # readonly may change nothing on the demo PBX: its Originate is refused, a's is queued.
    originate = ["Channel=PJSIP/1001", "Exten=1002", "Context=from-internal", "Priority=1"]
    out = run_amitui(
        "--config", config, "action", "Originate", *originate, "-p", "a", "-p", "ro", "--json"
    )
    assert out.returncode == 1
    replies = {o["Server"]: o["Response"] for o in map(json.loads, out.stdout.splitlines())}
    assert replies == {"a": "Success", "ro": "Error"}
    assert out.stderr == "amitui: ro: Originate: Error: Permission denied\n"
    # A server that cannot be reached is worse than one that refused.
    out = run_amitui("--config", config, "action", "Ping", "-p", "ro", "-p", "down")
    assert out.returncode == 2
    assert "Server: ro" in out.stdout


def test_read_only_profile_refuses_changing_actions_itself(config: str, tmp_path: Path) -> None:
    out = run_amitui(
        "--config", config, "--read-only", "action", "Hangup", "Channel=x", "-p", "a", "-p", "b"
    )
    assert out.returncode == 2
    assert out.stdout == ""
    assert [line.split(":")[1].strip() for line in out.stderr.splitlines()] == ["a", "b"]
    assert all("read-only" in line for line in out.stderr.splitlines())


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["record", "x.amirec", "-p", "a", "-p", "b"], "one profile (got a, b)"),
        (["action", "Ping", "-p", "a", "-p", "b", "--user", "x"], "--user name one server"),
        (["events", "-p", "a", "-p", "nosecret"], "only used with one server"),
    ],
)
def test_refused_before_connecting(config: str, argv: list[str], reason: str) -> None:
    out = run_amitui("--config", config, *argv, env={"AMITUI_SECRET": "demo"})
    assert out.returncode == 2
    assert len(out.stderr.splitlines()) == 1 and reason in out.stderr
    assert out.stdout == ""


def test_a_frame_with_its_own_server_header_keeps_it() -> None:
    batch = frames(b"Event: Hangup\r\nServer: pbx1\r\n\r\nEvent: Hangup\r\nCause: 16\r\n\r\n")
    assert tagged_text(batch, "a") == (
        "Event: Hangup\nServer: pbx1\n\nEvent: Hangup\nCause: 16\nServer: a"
    )
    lines = [json.loads(line) for line in tagged_json(batch, "a").splitlines()]
    assert lines == [
        {"Event": "Hangup", "Server": "pbx1"},
        {"Event": "Hangup", "Cause": "16", "Server": "a"},
    ]


def test_worst_code() -> None:
    assert worst([0, 1, 0]) == 1
    assert worst([1, 2, 0]) == 2
    assert worst([0, 0]) == 0
