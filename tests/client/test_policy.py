"""Which actions change the PBX. `Command` is read-only only when its leading words are a
read-only CLI command from the allow-list; `show` or `list` further on proves nothing."""

from __future__ import annotations

import pytest

from amitui.client import (
    ActionPolicy,
    AmiSession,
    ReadOnlyRefused,
    ServerSpec,
    Timing,
    is_read_only_cli,
)
from amitui.protocol import Action
from tests.client.fakeami import FakeAmi

# Each was let through --read-only, and sent without confirmation, by the old "is `show` or
# `list` among the first three words" rule.
BYPASSES = ["database put show k v", "database deltree list", "confbridge kick show all"]


def command(text: str) -> Action:
    return Action.of("Command", Command=text)


@pytest.mark.parametrize("text", BYPASSES)
def test_show_or_list_after_a_changing_command_changes_state(text: str) -> None:
    assert not is_read_only_cli(text)
    assert ActionPolicy().changes_state(command(text))


@pytest.mark.parametrize(
    "text",
    [
        "core show channels",
        "core show channels concise",
        "  CORE   Show  version ",  # Asterisk compares CLI words case-insensitively
        "pjsip show endpoints",
        "pjsip list contacts",
        "sip show peers",
        "iax2 show peers",
        "dialplan show default",
        "database show",
        "database get cidname 4930123456",
        "database showkey 4930123456",
        "queue show",
        "manager show command Originate",
        "module show like pjsip",
        "voicemail show users",
        "confbridge list",
        "confbridge show profile bridges",
        "bridge show all",
    ],
)
def test_read_only_cli_commands_pass(text: str) -> None:
    assert is_read_only_cli(text)
    assert not ActionPolicy().changes_state(command(text))


@pytest.mark.parametrize(
    "text",
    [
        "database put cidname 1 Alice",
        "database query DELETE FROM astdb",  # any SQL: not read-only whatever it says
        "core reload",
        "core showx channels",  # a whole word must match, not a prefix of one
        "core\u00a0show channels",  # one word to Asterisk (not C whitespace): no match
        "channel request hangup all",
        "confbridge kick 1 all",
        "ulimit",
        "",
    ],
)
def test_anything_else_changes_state(text: str) -> None:
    assert not is_read_only_cli(text)
    assert ActionPolicy().changes_state(command(text))


def test_configured_confirm_still_wins() -> None:
    policy = ActionPolicy(also_confirm=["Command"])
    assert policy.changes_state(command("core show channels"))


async def test_a_read_only_session_refuses_the_bypasses_and_sends_nothing() -> None:
    fake = await FakeAmi().start()
    spec = ServerSpec(port=fake.port, user="u", secret=fake.secret, auth="plain", read_only=True)
    session = AmiSession(spec, timing=Timing(connect_timeout=5, action_timeout=5))
    try:
        await session.open()
        for text in BYPASSES:
            with pytest.raises(ReadOnlyRefused):
                await session.send(command(text))
        assert (await session.send(command("database show cidname"))).ok
        assert [f.get("Command") for f in fake.actions("Command")] == ["database show cidname"]
    finally:
        await session.close()
        await fake.stop()
