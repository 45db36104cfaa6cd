"""The live view on the demo PBX: every tab fills from its list action and stays current,
rows filter and sort, row actions go through the normal confirmation, read-only refuses, and
the composer completes channel, endpoint and queue names from the live state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import DataTable, Input, TabbedContent

from amitui.client import Phase, ServerSpec
from amitui.config import Profile
from amitui.demo import DemoServer, serve
from amitui.protocol import Action
from amitui.store.live import LIVE
from amitui.ui.app import AmiApp, Settings
from amitui.ui.launch import DEMO_SECRET, DEMO_USER
from amitui.ui.screens.confirm import ConfirmSend
from amitui.ui.screens.live import LiveScreen
from amitui.ui.widgets.composer import ActionComposer
from amitui.ui.widgets.composer_form import FieldRow
from tests.ui.fakes import FakeSession


def demo_app(rate: float = 4.0, **profile: Any) -> AmiApp:
    spec = ServerSpec(user=DEMO_USER, secret=DEMO_SECRET, port=0)
    settings = Settings(demo=True, profile=Profile(name="t", **profile))
    return AmiApp(spec, settings, demo_starter=lambda: serve(port=0, seed=1, rate=rate))


def ready(app: AmiApp) -> bool:
    return app.session is not None and app.session.state.phase is Phase.READY


async def wait_for(pilot: Any, check: Callable[[], bool], tries: int = 200) -> None:
    """Poll (up to ~10 s) until check() holds; fail the test otherwise."""
    for _ in range(tries):
        if check():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not met in time")


def server(app: AmiApp) -> DemoServer:
    return app._demo_server  # type: ignore[no-any-return]


def grid(app: AmiApp, name: str) -> DataTable[Any]:
    return app.screen.query_one(f"#table-{name}", DataTable)


def cells(app: AmiApp, name: str, column: str) -> list[str]:
    table = grid(app, name)
    return [str(table.get_cell(row, column)) for row in table.rows]


async def open_tab(app: AmiApp, pilot: Any, name: str) -> None:
    app.screen.query_one(TabbedContent).active = f"tab-{name}"
    await wait_for(pilot, lambda: app.live.state[name].freshness.state == LIVE)
    await pilot.pause(1.1)  # one redraw


async def test_every_tab_fills_from_the_demo_pbx() -> None:
    app = demo_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: ready(app))
        await pilot.press("l")
        assert isinstance(app.screen, LiveScreen)
        await wait_for(pilot, lambda: all(t.freshness.state == LIVE for t in app.live.tabs()))
        tabs = [t.name for t in app.live.tabs()]
        # The demo's ListCommands has ParkedCalls and ConfbridgeListRooms: their tabs exist.
        assert tabs == ["channels", "bridges", "endpoints", "queues", "parked", "conferences"]
        pbx = server(app).pbx
        await wait_for(pilot, lambda: len(pbx.channels) >= 2)
        await pilot.pause(1.1)
        shown = set(cells(app, "channels", "Channel"))
        # The demo keeps calling: what is shown is what was up a moment ago, mostly still up.
        assert shown and shown & set(pbx.channels)
        await open_tab(app, pilot, "endpoints")
        assert sorted(cells(app, "endpoints", "Endpoint")) == sorted(
            p.device for p in pbx.phones.values()
        )
        await open_tab(app, pilot, "queues")
        kinds = cells(app, "queues", "Kind")
        assert kinds.count("queue") == 2 and kinds.count("member") == 5
        await wait_for(pilot, lambda: bool(pbx.bridges))
        await open_tab(app, pilot, "bridges")
        await wait_for(pilot, lambda: bool(cells(app, "bridges", "Bridge")))
        assert set(cells(app, "bridges", "Bridge")) & set(pbx.bridges)
        await pilot.press("escape")
        assert not isinstance(app.screen, LiveScreen)


async def test_filter_and_sort_the_channels() -> None:
    app = demo_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: ready(app))
        await pilot.press("l")
        await open_tab(app, pilot, "endpoints")
        await pilot.press("slash", *"Endpoint~100[1-3]$", "enter")
        await pilot.pause(1.1)
        assert sorted(cells(app, "endpoints", "Endpoint")) == [
            "PJSIP/1001", "PJSIP/1002", "PJSIP/1003"]  # fmt: skip
        await pilot.press("S")  # reverse, by the first column
        await pilot.pause(1.1)
        assert cells(app, "endpoints", "Endpoint") == ["PJSIP/1003", "PJSIP/1002", "PJSIP/1001"]
        await pilot.press("slash", *" Endpoint~(", "enter")  # does not parse: not applied
        await pilot.pause(1.1)
        assert len(cells(app, "endpoints", "Endpoint")) == 3
        status = str(app.screen.query_one("#live-status").render())
        assert "filter not applied" in status


async def test_hangup_from_the_table_goes_through_the_confirmation() -> None:
    app = demo_app(rate=0.0)  # nothing happens but what the test does
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: ready(app))
        pbx = server(app).pbx
        from amitui.demo.dialplan import local_pair

        local_pair(pbx, "100", "default", None)
        server(app).poke()
        await pilot.press("l")
        await wait_for(pilot, lambda: len(app.live.state["channels"].records) == 2)
        await pilot.pause(1.1)
        target = cells(app, "channels", "Channel")[0]
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmSend))
        await pilot.press("y")
        await wait_for(pilot, lambda: target not in pbx.channels)
        await wait_for(pilot, lambda: not app.live.state["channels"].records)
        assert isinstance(app.screen, LiveScreen)


async def test_read_only_refuses_a_hangup_from_the_table() -> None:
    def session(spec: ServerSpec, **kw: Any) -> FakeSession:
        return FakeSession(spec, **kw)

    spec = ServerSpec(user="admin", read_only=True)
    app = AmiApp(spec, Settings(profile=Profile(name="t")), session_factory=session)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        fake = app.session
        assert isinstance(fake, FakeSession)
        from tests.store._support import event

        # The fake answers CoreShowChannels with no items: the table is empty once loaded.
        await wait_for(pilot, lambda: app.live.state["channels"].freshness.state == LIVE)
        fake.push([event("Newchannel", ("Channel", "PJSIP/1001-00000001"),
                         ("ChannelStateDesc", "Up"), ("Uniqueid", "9.1"))])  # fmt: skip
        await pilot.press("l")
        await wait_for(pilot, lambda: bool(app.live.state["channels"].records))
        await pilot.pause(1.1)
        await pilot.press("h")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmSend)
        assert not [a for a in fake.sent if a.name == "Hangup"]


async def test_redirect_prepares_the_composer_with_the_channel() -> None:
    app = demo_app(rate=0.0)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: ready(app))
        from amitui.demo.dialplan import local_pair

        local_pair(server(app).pbx, "100", "default", None)
        server(app).poke()
        await pilot.press("l")
        await wait_for(pilot, lambda: len(app.live.state["channels"].records) == 2)
        await pilot.pause(1.1)
        target = cells(app, "channels", "Channel")[0]
        await pilot.press("r")
        composer = app.query_one(ActionComposer)
        await wait_for(pilot, lambda: any(r.header == ("Channel", target)
                                          for r in composer.form.rows()))  # fmt: skip
        assert not isinstance(app.screen, LiveScreen)


async def field_input(app: AmiApp, pilot: Any, action: str, name: str) -> Input:
    app.action_prepare(action, [])
    composer = app.query_one(ActionComposer)

    def row() -> FieldRow | None:
        return next((r for r in composer.form.rows()
                     if isinstance(r, FieldRow) and r.doc.name == name), None)  # fmt: skip

    await wait_for(pilot, lambda: row() is not None)
    await pilot.pause(0.3)  # the composer focuses its first field once the form is up
    found = row()
    assert found is not None
    found.value_input.focus()
    await wait_for(pilot, lambda: found.value_input.has_focus)
    return found.value_input


async def test_composer_completes_from_live_values() -> None:
    app = demo_app(confirm=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: all(t.freshness.state == LIVE for t in app.live.tabs()))
        box = await field_input(app, pilot, "Originate", "Channel")
        await pilot.press(*"PJSIP/100")
        await wait_for(pilot, lambda: box._suggestion == "PJSIP/1001")
        await pilot.press("right")  # accepts the suggestion
        assert box.value == "PJSIP/1001"
        box = await field_input(app, pilot, "QueuePause", "Queue")
        await pilot.press("s", "u")
        assert box.value == "su"
        await wait_for(pilot, lambda: box._suggestion == "support")
        await pilot.press("right")
        assert box.value == "support"
        # A channel that stays up while its name is typed: the demo's background calls may
        # hang up meanwhile, and a channel gone is rightly no longer offered.
        app.request_send(Action.of("Originate", Channel="Local/100@default",
                                   Application="Wait", Data="120"))  # fmt: skip

        def long_call() -> list[str]:
            names: list[str] = app.live.state["channels"].names()  # type: ignore[attr-defined]
            return [n for n in names if n.startswith("Local/100@default-")]

        await wait_for(pilot, lambda: bool(long_call()))
        name = long_call()[0]
        box = await field_input(app, pilot, "Hangup", "Channel")
        await pilot.press(*name[:-1])
        await wait_for(pilot, lambda: box._suggestion.startswith(name[:-1]))
        await pilot.press("right")
        assert box.value.startswith(name[:-1]) and len(box.value) == len(name)


async def test_types_screen_shows_a_rate_sparkline_per_type() -> None:
    app = demo_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: len(app.live.rates.series("Newchannel")) >= 2, 400)
        await pilot.press("t")
        await pilot.pause(1.1)
        table = app.screen.query_one(DataTable)
        labels = [str(c.label) for c in table.columns.values()]
        assert labels[-2:] == ["Now /s", "Last 60 s"]
        sparks = [str(table.get_row_at(i)[-1]) for i in range(table.row_count)]
        assert any(set(s) - {" ", "▁"} for s in sparks)  # some type had a busier second


async def test_hostile_values_are_drawn_escaped_never_as_markup() -> None:
    from amitui.protocol.safetext import shown
    from tests.hostile import NAME_POISON, POISON
    from tests.store._support import event

    name = f"PJSIP/{NAME_POISON}-00000001"
    app = AmiApp(ServerSpec(user="admin"), Settings(profile=Profile(name="t")),
                 session_factory=FakeSession)  # fmt: skip
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: app.live.state["channels"].freshness.state == LIVE)
        fake = app.session
        assert isinstance(fake, FakeSession)
        fake.push([event("Newchannel", ("Channel", name), ("ChannelStateDesc", "Up"),
                         ("CallerIDNum", "1001"), ("CallerIDName", POISON),
                         ("Uniqueid", "9.2"))])  # fmt: skip
        await pilot.press("l")
        await wait_for(pilot, lambda: bool(app.live.state["channels"].records))
        await pilot.pause(1.1)  # drawn at least once: a markup parser would have raised
        table = grid(app, "channels")
        assert cells(app, "channels", "Channel") == [shown(name)]
        (caller,) = cells(app, "channels", "CallerID")
        assert caller == shown(f"{POISON} <1001>") and "\x1b" not in caller
        assert str(table.get_cell("9.2", "CallerID")).count("[/]") == POISON.count("[/]")
