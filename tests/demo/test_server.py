"""The demo server, driven by amitui's own client over a real socket on 127.0.0.1."""

from __future__ import annotations

import asyncio
import re

import pytest

from amitui.client import LoginError
from amitui.demo import DemoPbx, DemoServer, DemoUser, main
from amitui.protocol import Action, Frame, Parser, encode_action

from ._support import Connect, until


def names(frames: list[Frame]) -> list[str]:
    return [f.name for f in frames]


async def raw(server: DemoServer) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, Parser]:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    parser = Parser()
    return reader, writer, parser


async def read_frames(reader: asyncio.StreamReader, parser: Parser, count: int) -> list[Frame]:
    frames: list[Frame] = []
    while len(frames) < count:
        data = await asyncio.wait_for(reader.read(65536), 5)
        if not data:
            break
        parser.feed(data)
        frames += list(parser.frames())
    return frames


# -- login ---------------------------------------------------------------------------------


async def test_plain_login_gets_fully_booted(quiet: DemoServer, connect: Connect) -> None:
    session, seen = await connect(quiet, auth="plain")
    assert session.ready
    assert session.banner is not None and session.banner.text == "Asterisk Call Manager/11.0.0"
    await until(lambda: "FullyBooted" in names(seen))
    booted = next(f for f in seen if f.name == "FullyBooted")
    assert booted.get("Privilege") == "system,all" and booted.get("Status") == "Fully Booted"


async def test_md5_login(quiet: DemoServer, connect: Connect) -> None:
    session, _ = await connect(quiet, auth="md5")
    tr = await session.send(Action.of("Ping"))
    assert tr.ok and tr.response is not None and tr.response.get("Ping") == "Pong"


async def test_wrong_secret_is_refused_and_closed(quiet: DemoServer, connect: Connect) -> None:
    with pytest.raises(LoginError, match="Authentication failed"):
        await connect(quiet, secret="wrong", auth="md5")
    reader, writer, parser = await raw(quiet)
    writer.write(encode_action(Action.of("Login", Username="demo", Secret="nope")))
    frames = await read_frames(reader, parser, 2)
    assert frames[1].get("Message") == "Authentication failed"
    assert await asyncio.wait_for(reader.read(), 2) == b""  # then the server closes
    writer.close()


async def test_events_off_means_no_events(quiet: DemoServer, connect: Connect) -> None:
    session, seen = await connect(quiet, events="off")
    await session.send(Action.of("UserEvent", UserEvent="Quiet"))
    await asyncio.sleep(0.2)
    assert seen == []


async def test_before_login_only_login_is_allowed(quiet: DemoServer) -> None:
    reader, writer, parser = await raw(quiet)
    writer.write(encode_action(Action.of("Ping", ActionID="p1")))
    frames = await read_frames(reader, parser, 2)
    assert frames[1].headers == (
        ("Response", "Error"),
        ("ActionID", "p1"),
        ("Message", "Permission denied"),
    )
    writer.close()


# -- permissions and docs ---------------------------------------------------------------------


async def test_readonly_user_cannot_originate(quiet: DemoServer, connect: Connect) -> None:
    session, _ = await connect(quiet, user="readonly", secret="readonly")
    tr = await session.send(
        Action.of("Originate", Channel="Local/100@default", Application="Wait", Data="1")
    )
    assert not tr.ok and tr.message == "Permission denied"
    listed = await session.send(Action.of("ListCommands"))
    assert listed.response is not None and "Originate" not in listed.response
    assert "Ping" in listed.response


async def test_list_commands_is_the_real_list(quiet: DemoServer, connect: Connect) -> None:
    session, _ = await connect(quiet)
    tr = await session.send(Action.of("ListCommands"))
    assert tr.response is not None
    assert tr.response.get("Originate") == "Originate a call.  (Priv: originate,all)"
    assert len(tr.response.headers) > 100


async def test_manager_show_command_is_recorded_help(quiet: DemoServer, connect: Connect) -> None:
    session, _ = await connect(quiet)
    tr = await session.send(Action.of("Command", Command="manager show command Originate"))
    assert tr.ok and tr.response is not None and tr.response.output is not None
    assert "[Syntax]" in tr.response.output and "Action: Originate" in tr.response.output


async def test_unknown_action_and_unknown_cli(quiet: DemoServer, connect: Connect) -> None:
    session, _ = await connect(quiet)
    tr = await session.send(Action.of("NoSuchAction"))
    assert tr.message == (
        "Invalid/unknown command: NoSuchAction. Use Action: ListCommands to "
        "show available commands."
    )
    tr = await session.send(Action.of("Command", Command="no such cli command"))
    assert tr.response is not None and tr.response.name == "Error"
    assert tr.response.output == (
        "No such command 'no such cli command' (type 'core show help "
        "no such' for other possible commands)",
    )


# -- calls -----------------------------------------------------------------------------------


async def test_originate_shows_in_core_show_channels(quiet: DemoServer, connect: Connect) -> None:
    session, seen = await connect(quiet)
    tr = await session.send(
        Action.of(
            "Originate",
            Channel="Local/100@default",
            Application="Wait",
            Data="60",
            Async="true",
            ActionID="o1",
        )
    )
    assert tr.ok and tr.message == "Originate successfully queued"
    await until(lambda: "OriginateResponse" in names(seen))
    response = next(f for f in seen if f.name == "OriginateResponse")
    assert response.get("ActionID") == "o1" and response.get("Response") == "Success"
    assert names(seen)[2:4] == ["Newchannel", "Newchannel"]  # after FullyBooted, SuccessfulAuth
    listing = await session.send(Action.of("CoreShowChannels", ActionID="cs1"))
    assert listing.ok and len(listing.items) == 2
    assert all(item.get("ActionID") == "cs1" for item in listing.items)
    end = listing.exchange.list_end
    assert end is not None and end.get("ListItems") == "2"
    assert {i.get("Channel") for i in listing.items} == {
        "Local/100@default-00000000;1",
        "Local/100@default-00000000;2",
    }


async def test_hangup_ends_the_call(quiet: DemoServer, connect: Connect) -> None:
    session, seen = await connect(quiet)
    await session.send(
        Action.of("Originate", Channel="PJSIP/1002", Application="Echo", Async="true")
    )
    await until(lambda: "OriginateResponse" in names(seen))
    name = next(f.get("Channel") for f in seen if f.name == "Newchannel")
    assert name is not None and name.startswith("PJSIP/1002-")
    tr = await session.send(Action.of("Hangup", Channel=name))
    assert tr.ok and tr.message == "Channel Hungup"
    await until(lambda: "Hangup" in names(seen))
    hangup = next(f for f in seen if f.name == "Hangup")
    assert hangup.get("Channel") == name and hangup.get("Cause-txt") == "Normal Clearing"
    listing = await session.send(Action.of("CoreShowChannels"))
    assert listing.items == []
    again = await session.send(Action.of("Hangup", Channel=name))
    assert again.message == "No such channel"


async def test_hangup_by_regex_is_a_list(quiet: DemoServer, connect: Connect) -> None:
    session, seen = await connect(quiet)
    await session.send(Action.of("Originate", Channel="Local/100@default", Application="Echo"))
    tr = await session.send(Action.of("Hangup", Channel="/^Local/"))
    assert tr.message == "Channels hung up will follow" and len(tr.items) == 2
    assert names(tr.items) == ["ChannelHungup", "ChannelHungup"]
    await until(lambda: names(seen).count("Hangup") == 2)


async def test_sync_originate_answers_after_the_call_is_up(
    quiet: DemoServer, connect: Connect
) -> None:
    session, seen = await connect(quiet)
    tr = await session.send(
        Action.of("Originate", Channel="Local/101@default", Application="Wait", Data="1")
    )
    assert tr.ok and tr.message == "Originate successfully queued"
    await until(lambda: "DialEnd" in names(seen))
    assert "OriginateResponse" not in names(seen)  # only Async originates raise it
    failed = await session.send(
        Action.of("Originate", Channel="Local/999@nowhere", Application="Wait")
    )
    assert failed.message == "Originate failed"
    missing = await session.send(Action.of("Originate", Application="Wait"))
    assert missing.message == "Channel not specified"


async def test_redirect_and_variables(quiet: DemoServer, connect: Connect) -> None:
    session, seen = await connect(quiet)
    await session.send(Action.of("Originate", Channel="Local/100@default", Application="Echo"))
    chan = "Local/100@default-00000000;2"
    tr = await session.send(Action.of("Setvar", Channel=chan, Variable="FOO", Value="bar"))
    assert tr.message == "Variable Set"
    got = await session.send(Action.of("Getvar", Channel=chan, Variable="FOO"))
    assert got.response is not None and got.response.get("Value") == "bar"
    moved = await session.send(
        Action.of("Redirect", Channel=chan, Context="default", Exten="101", Priority="1")
    )
    assert moved.message == "Redirect successful"
    await until(lambda: any(f.name == "Newexten" and f.get("Exten") == "101" for f in seen))
    status = await session.send(Action.of("Status", Channel="Local/nope;1"))
    assert status.message == "No such channel"


async def test_userevent_carries_the_actionid(quiet: DemoServer, connect: Connect) -> None:
    session, seen = await connect(quiet)
    tr = await session.send(Action.of("UserEvent", UserEvent="DemoPing", Foo="bar", ActionID="u1"))
    assert tr.message == "Event Sent"
    await until(lambda: "UserEvent" in names(seen))
    event = next(f for f in seen if f.name == "UserEvent")
    assert event.headers == (
        ("Event", "UserEvent"),
        ("Privilege", "user,all"),
        ("UserEvent", "DemoPing"),
        ("ActionID", "u1"),
        ("Foo", "bar"),
    )


async def test_background_calls_reach_clients(connect: Connect) -> None:
    server = DemoServer(DemoPbx(seed=5, rate=4.0))
    await server.start()
    try:
        _, seen = await connect(server)
        await until(lambda: {"Newchannel", "DialBegin", "BridgeEnter"} <= set(names(seen)), 10)
    finally:
        await server.close()


# -- connection handling --------------------------------------------------------------------------


async def test_logoff_says_goodbye_and_closes(quiet: DemoServer) -> None:
    reader, writer, parser = await raw(quiet)
    writer.write(encode_action(Action.of("Logoff", ActionID="bye")))
    frames = await read_frames(reader, parser, 2)
    assert frames[1].headers == (
        ("Response", "Goodbye"),
        ("ActionID", "bye"),
        ("Message", "Thanks for all the fish."),
    )
    assert await asyncio.wait_for(reader.read(), 2) == b""
    writer.close()


async def test_a_client_that_falls_behind_is_dropped(connect: Connect) -> None:
    server = DemoServer(DemoPbx(seed=1, rate=0.0), queue_limit=100)
    await server.start()
    try:
        slow, _ = await connect(server)
        await slow.send(Action.of("Ping"))
        # A burst the writer cannot drain in time: the PBX goes on, the session goes.
        for i in range(500):
            server.pbx.emit("UserEvent", "user", [("UserEvent", f"Burst{i}")])
        await until(lambda: bool(server.dropped))
        assert "behind" in server.dropped[0]
        fresh, _ = await connect(server)
        assert (await fresh.send(Action.of("Ping"))).ok
    finally:
        await server.close()


async def test_several_clients_and_custom_users(connect: Connect) -> None:
    users = {"ops": DemoUser.of("s3cret", read="call", write="call,originate")}
    server = DemoServer(DemoPbx(seed=2, rate=0.0), users=users)
    await server.start()
    try:
        first, seen_first = await connect(server, user="ops", secret="s3cret")
        second, seen_second = await connect(server, user="ops", secret="s3cret", auth="md5")
        await first.send(
            Action.of("Originate", Channel="Local/100@default", Application="Echo", Async="true")
        )
        await until(lambda: "OriginateResponse" in names(seen_second))
        await until(lambda: "OriginateResponse" in names(seen_first))
        # read = call: no dialplan (Newexten) and no system (FullyBooted) events
        assert not {"Newexten", "FullyBooted"} & set(names(seen_first))
        tr = await second.send(Action.of("Command", Command="core show version"))
        assert tr.message == "Permission denied"
    finally:
        await server.close()


async def test_main_announces_itself_and_runs_until_cancelled(
    capsys: pytest.CaptureFixture[str], connect: Connect
) -> None:
    task = asyncio.create_task(main(0, 1))
    err = ""

    def announced() -> bool:
        nonlocal err
        err += capsys.readouterr().err
        return "\n" in err or task.done()

    try:
        await until(announced)
        m = re.fullmatch(r"amitui demo PBX on 127\.0\.0\.1:(\d+) \(user demo, secret demo\)\n", err)
        assert m is not None, err
        session, _ = await connect(int(m[1]))
        assert (await session.send(Action.of("Ping"))).ok
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
