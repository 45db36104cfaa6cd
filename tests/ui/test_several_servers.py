"""Several servers in one console: two fake AMI servers, one session worker each.

Each stream arrives tagged with its profile's name, `Server=` filters by it, the status bar
shows both, a lost server marks its own gap while the other keeps streaming, and an action
confirmed on one server reaches that server only."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from textual.widgets import DataTable

from amitui.client import Phase
from amitui.protocol import Action
from amitui.store import StoredEvent
from amitui.store.recording import open_recording
from amitui.ui.fleet import Target
from amitui.ui.screens.calls import CallsScreen
from amitui.ui.screens.confirm import ConfirmSend
from amitui.ui.widgets.composer import ActionComposer
from amitui.ui.widgets.statusbar import StatusBar
from amitui.ui.widgets.stream import EventStream
from amitui.ui.widgets.stream_pane import StreamPane
from tests.client.fakeami import FakeAmi
from tests.ui import several_support
from tests.ui.hostile_support import screen_text
from tests.ui.several_support import (
    both_ready,
    channel_event,
    events,
    gaps,
    two_server_app,
    until,
)
from tests.ui.test_snapshots import make_app
from tests.ui.test_snapshots_several import two_servers

fakes = several_support.fakes  # a fixture: two fake AMI servers


async def test_both_streams_arrive_tagged_and_server_filters(
    fakes: tuple[FakeAmi, FakeAmi],
) -> None:
    a, b = fakes
    app = two_server_app(a, b)
    async with app.run_test(size=(160, 45)) as pilot:
        await until(pilot, lambda: both_ready(app), "both logged in")
        a.push(channel_event("Newchannel", "1700000000.1"))
        b.push(channel_event("Newchannel", "1700000000.1"))
        b.push(channel_event("Newstate", "1700000000.1"))
        await until(pilot, lambda: len(events(app)) == 3, "three events")
        assert sorted(e.server for e in events(app)) == ["pbx-a", "pbx-b", "pbx-b"]
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "pbx-a" in text and "pbx-b" in text  # the server column
        pane = app.query_one(StreamPane)
        assert pane.apply_filter("Server=pbx-b")
        await pilot.pause()
        rows = [app.ring.get(seq) for seq in app.query_one(EventStream).rows]
        assert [e.server for e in rows if isinstance(e, StoredEvent)] == ["pbx-b", "pbx-b"]
        bar = str(app.query_one(StatusBar).render())
        assert "pbx-a ●" in bar and "pbx-b ●" in bar, bar


async def test_a_lost_server_marks_its_own_gap_and_the_other_keeps_streaming(
    fakes: tuple[FakeAmi, FakeAmi],
) -> None:
    a, b = fakes
    app = two_server_app(a, b)
    async with app.run_test(size=(160, 45)) as pilot:
        await until(pilot, lambda: both_ready(app), "both logged in")
        b.drop_all()
        await until(pilot, lambda: any(g.server == "pbx-b" for g in gaps(app)), "b's gap")
        a.push(channel_event("Newchannel", "1700000000.1"))
        await until(pilot, lambda: [e.server for e in events(app)] == ["pbx-a"], "a streams on")
        assert {g.server for g in gaps(app)} == {"pbx-b"}  # a never lost anything
        member_a = app.fleet.members["pbx-a"]
        assert member_a.session is not None and member_a.session.state.phase is Phase.READY
        await until(pilot, lambda: b.connections == 2 and both_ready(app), "b reconnected")
        b.push(channel_event("Newchannel", "1700000000.1"))
        await until(pilot, lambda: len(events(app)) == 2, "b streams again")
        assert events(app)[-1].server == "pbx-b"
        assert a.connections == 1  # b's reconnect left a's session alone


async def test_an_originate_confirmed_on_b_reaches_only_b(fakes: tuple[FakeAmi, FakeAmi]) -> None:
    a, b = fakes
    app = two_server_app(a, b)
    async with app.run_test(size=(160, 45)) as pilot:
        # The composer is mounted just after the first screen: these servers may be quicker.
        await until(pilot, lambda: both_ready(app) and app.lower_ready, "both logged in")
        composer = app.query_one(ActionComposer)
        assert "Compose on pbx-a" in str(composer.border_title)
        await pilot.press("a", "ctrl+t")  # the composer's key: the next server
        await pilot.pause()
        assert "Compose on pbx-b" in str(composer.border_title)
        app.request_send(Action.of("Originate", Channel="Local/100@default", Exten="100"))
        await pilot.pause()
        assert isinstance(app.screen, ConfirmSend)
        assert "Originate on pbx-b can change the PBX" in screen_text(app)
        await pilot.press("y")
        await until(pilot, lambda: bool(b.actions("Originate")), "the Originate at b")
        await pilot.pause(0.1)
        assert a.actions("Originate") == []
        (sent,) = b.actions("Originate")
        assert sent.get("Server") is None  # a direct connection: no proxy to route through


async def test_hangup_from_an_event_targets_the_server_it_came_from(
    fakes: tuple[FakeAmi, FakeAmi],
) -> None:
    a, b = fakes
    app = two_server_app(a, b)
    async with app.run_test(size=(160, 45)) as pilot:
        await until(pilot, lambda: both_ready(app), "both logged in")
        b.push(channel_event("Newchannel", "1700000000.1", channel="PJSIP/200-00000007"))
        await until(pilot, lambda: len(events(app)) == 1, "b's event")
        a.push(channel_event("Newchannel", "1700000000.1"))
        await until(pilot, lambda: len(events(app)) == 2, "a's event")
        assert app.fleet.target.member == "pbx-a"
        await pilot.press("e", "up", "up")  # b's event, the older one
        await pilot.press("h")
        await pilot.pause(0.2)
        assert app.fleet.target.member == "pbx-b"
        assert "Compose on pbx-b" in str(app.query_one(ActionComposer).border_title)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Hangup on pbx-b can change the PBX" in screen_text(app)


async def test_read_only_is_per_server(fakes: tuple[FakeAmi, FakeAmi]) -> None:
    a, b = fakes
    app = two_server_app(a, b)
    member_b = app.fleet.members["pbx-b"]
    member_b.spec = replace(member_b.spec, read_only=True)
    async with app.run_test(size=(160, 45)) as pilot:
        await until(pilot, lambda: both_ready(app), "both logged in")
        assert "read-only: pbx-b" in screen_text(app)  # the title says which one
        app.choose_target(Target("pbx-b"))
        app.request_send(Action.of("Originate", Channel="Local/100@default", Exten="100"))
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert any("Originate can change the PBX and pbx-b is read-only" in m for m in said)
        assert not isinstance(app.screen, ConfirmSend)
        app.choose_target(Target("pbx-a"))
        app.request_send(Action.of("Originate", Channel="Local/100@default", Exten="100"))
        await pilot.pause()
        assert isinstance(app.screen, ConfirmSend)  # a may: it asks first
        await pilot.press("n")
        await pilot.pause(0.1)
        assert a.actions("Originate") == [] and b.actions("Originate") == []


async def test_calls_are_traced_per_server_and_never_joined() -> None:
    """Both servers send a call with the same Uniqueids: two calls, one per server."""
    app = two_servers()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CallsScreen)
        table = screen.query_one(DataTable)
        assert [str(c.label) for c in table.columns.values()][-1] == "Server"
        calls = sorted(screen._calls, key=lambda c: c.server)
        assert [c.server for c in calls] == ["pbx-a", "pbx-b"]
        assert calls[0].uniqueids == calls[1].uniqueids  # the same ids, kept apart
        assert len(calls[0].seqs) > len(calls[1].seqs)
        table.move_cursor(row=[c.server for c in screen._calls].index("pbx-b"))
        await pilot.press("f")
        await pilot.pause()
        followed = app.query_one(StreamPane).view.filter.text
        assert followed.startswith("Server=pbx-b ")
        rows = [app.ring.get(seq) for seq in app.query_one(EventStream).rows]
        assert {e.server for e in rows if isinstance(e, StoredEvent)} == {"pbx-b"}
        assert len(rows) == len(calls[1].seqs)


async def test_the_catalog_is_the_target_servers() -> None:
    app = two_servers()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        app.bridge.analyse(budget=None)
        a_catalog = app.target_catalog()
        assert a_catalog.get("Hangup") is not None  # pbx-a sent the whole call
        app.choose_target(Target("pbx-b"))
        b_catalog = app.target_catalog()
        assert b_catalog is not a_catalog
        assert b_catalog.get("Newchannel") is not None and b_catalog.get("Hangup") is None
        # The docs it is compared with, and the composer's, are asked of pbx-b.
        member_b = app.fleet.members["pbx-b"]
        assert app.event_docs._session() is member_b.session
        assert app.docs._session() is member_b.session


async def test_one_server_draws_no_server_column() -> None:
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        stream = app.query_one(EventStream)
        assert stream._origin is None
        assert not app.query_one(ActionComposer).several_servers
        assert str(app.query_one(ActionComposer).border_title) == "Compose (a)"


async def test_recording_writes_one_file_per_server(
    fakes: tuple[FakeAmi, FakeAmi], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    a, b = fakes
    app = two_server_app(a, b)
    async with app.run_test(size=(160, 45)) as pilot:
        await until(pilot, lambda: both_ready(app), "both logged in")
        await pilot.press("R")
        app._update_status()
        assert len(app.recordings) == 2 and "● REC" in str(app.query_one(StatusBar).render())
        a.push(channel_event("Newchannel", "1700000000.1"))
        b.push(channel_event("Hangup", "1700000000.1"))
        await until(pilot, lambda: len(events(app)) == 2, "both events")
        await pilot.pause(0.1)
        await pilot.press("R")
        assert app.recordings == []
    files = {p.name.split("-2")[0]: p for p in tmp_path.glob("*.amirec")}
    assert sorted(files) == ["amitui-pbx-a", "amitui-pbx-b"]
    for name, fake, event in (("pbx-a", a, "Newchannel"), ("pbx-b", b, "Hangup")):
        with open_recording(files[f"amitui-{name}"]) as reader:
            assert reader.info.server == f"127.0.0.1:{fake.port}"
            packets = list(reader)
        assert {p.server for p in packets} == {f"127.0.0.1:{fake.port}"}
        names = [p.raw.split(b"\r\n", 1)[0] for p in packets if p.direction == "in"]
        assert f"Event: {event}".encode() in names
        other = "Hangup" if event == "Newchannel" else "Newchannel"
        assert f"Event: {other}".encode() not in names  # each file is its own server's
