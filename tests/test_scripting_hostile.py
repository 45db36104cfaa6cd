"""The scripting commands against a hostile server: nothing it sends reaches the terminal with
a control character live, `--json` stays exact, and a server closing mid-answer is said at once.

Each test fails on the code before the "Trust, round 2" fixes: raw ESC/C1/bidi characters in
stdout or stderr, or "no response within 5 s" where the server had closed the connection.
"""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest

from amitui.client import ServerSpec
from amitui.commands.cli import main
from amitui.commands.recorder import record
from amitui.protocol import Frame
from tests.hostileami import CLOSE, Answer, HostileAmi, default_reply, packet

# OSC 52 (clipboard write), OSC 0 (window title), CSI (clear screen), C1 CSI, a bidi override.
EVIL = "\x1b]52;c;cHduZWQ=\x07\x1b]0;owned\x07\x1b[2J\x9b31m\u202etxt.exe"
LIVE = ("\x1b", "\x07", "\x9b", "\u202e")


def no_live_controls(text: str) -> bool:
    return not any(c in text for c in LIVE)


def run(server: HostileAmi, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([*args, "--user", "u", "--secret", "s", "--port", str(server.port)])
    out, err = capsys.readouterr()
    return code, out, err


def evil_pong(frame: Frame) -> Answer:
    if (frame.get("Action") or "").lower() == "ping":
        return packet("Response: Success", f"ActionID: {frame.get('ActionID')}", f"Ping: {EVIL}")
    return default_reply(frame)


def evil_error(frame: Frame) -> Answer:
    if (frame.get("Action") or "").lower() == "ping":
        return packet("Response: Error", f"ActionID: {frame.get('ActionID')}", f"Message: {EVIL}")
    return default_reply(frame)


def evil_login(frame: Frame) -> Answer:
    if (frame.get("Action") or "").lower() == "login":
        return packet("Response: Error", f"ActionID: {frame.get('ActionID')}", f"Message: {EVIL}")
    return default_reply(frame)


def test_action_text_output_shows_escapes(capsys: pytest.CaptureFixture[str]) -> None:
    with HostileAmi(evil_pong) as server:
        code, out, err = run(server, capsys, "action", "Ping")
    assert code == 0, err
    assert no_live_controls(out)
    assert "Ping: \\x1b]52;c;cHduZWQ=\\x07" in out and "\\u202etxt.exe" in out


def test_action_json_is_exact_and_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    with HostileAmi(evil_pong) as server:
        code, out, err = run(server, capsys, "action", "Ping", "--json")
    assert code == 0, err
    assert no_live_controls(out)
    (obj,) = [json.loads(line) for line in out.splitlines()]
    assert obj["Ping"] == EVIL  # the value is exact for a program reading it


@pytest.mark.parametrize("as_json", [False, True])
def test_error_message_on_stderr_is_escaped(
    capsys: pytest.CaptureFixture[str], as_json: bool
) -> None:
    with HostileAmi(evil_error) as server:
        code, _, err = run(server, capsys, "action", "Ping", *(["--json"] if as_json else []))
    assert code == 1
    assert no_live_controls(err)
    assert err.startswith("amitui: Ping: Error: \\x1b]52;c;")


def test_login_failure_message_is_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    with HostileAmi(evil_login) as server:
        code, _, err = run(server, capsys, "action", "Ping", "--json")
    assert code == 2
    assert no_live_controls(err)
    assert "login failed for 'u'" in err and "\\x1b]0;owned\\x07" in err


@pytest.mark.parametrize("as_json", [False, True])
def test_events_output_is_escaped(capsys: pytest.CaptureFixture[str], as_json: bool) -> None:
    event = packet("Event: UserEvent", "UserEvent: x", f"CallerIDName: {EVIL}")
    with HostileAmi(after_login=event) as server:
        flags = ["--json"] if as_json else []
        code, out, err = run(server, capsys, "events", "--count", "1", *flags)
    assert code == 0, err
    assert no_live_controls(out)
    if as_json:
        assert json.loads(out)["CallerIDName"] == EVIL
    else:
        assert "CallerIDName: \\x1b]52;" in out


@pytest.mark.parametrize("as_json", [False, True])
def test_replay_print_and_json_are_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], as_json: bool
) -> None:
    capture = tmp_path / "capture.bin"  # a raw capture, as `nc host 5038 | tee FILE` makes
    capture.write_bytes(b"Asterisk Call Manager/11.0.0\r\n" + packet("Event: X", f"Name: {EVIL}"))
    code = main(["replay", str(capture), "--json" if as_json else "--print"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert no_live_controls(out)
    if as_json:
        assert json.loads(out.splitlines()[-1])["Name"] == EVIL


def test_record_stderr_is_escaped(tmp_path: Path) -> None:
    err = io.StringIO()
    with HostileAmi(evil_login) as server:
        spec = ServerSpec(port=server.port, user="u", secret="s", auth="plain")
        code = asyncio.run(record(spec, str(tmp_path / "r.amirec"), err=err))
    assert code == 2
    assert no_live_controls(err.getvalue())
    assert "\\x1b]0;owned" in err.getvalue()


def test_server_closing_mid_response_is_said_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    def close_on_ping(frame: Frame) -> Answer:
        if (frame.get("Action") or "").lower() == "ping":
            return CLOSE  # read the action, then hang up without a word
        return default_reply(frame)

    with HostileAmi(close_on_ping) as server:
        code, out, err = run(server, capsys, "action", "Ping", "--timeout", "5")
    assert code == 2
    assert out == ""
    # Not "no response within 5 s": the reader saw the close and said so.
    assert err.splitlines() == [
        "amitui: Ping: connection lost before the answer (the server closed the connection); "
        "not re-sent"
    ]
