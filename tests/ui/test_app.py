"""The console's wiring: focus keys, escape, hangup from a selected event, types screen."""

from __future__ import annotations

from typing import Any

from amitui.client import Phase, ServerSpec
from amitui.config import Profile
from amitui.protocol import Parser
from amitui.ui.app import AmiApp, Settings
from amitui.ui.screens.types import EventTypes
from amitui.ui.widgets.composer import ActionComposer
from amitui.ui.widgets.composer_form import FieldRow
from amitui.ui.widgets.stream import EventStream
from tests.ui.fakes import FakeSession, call_events


def make_app(**profile: object) -> AmiApp:
    settings = Settings(profile=Profile(name="t", **profile))  # type: ignore[arg-type]
    return AmiApp(ServerSpec(user="admin"), settings, session_factory=FakeSession)


def within(app: AmiApp, widget_type: type) -> bool:
    focused = app.focused
    return focused is not None and any(
        isinstance(n, widget_type) for n in focused.ancestors_with_self
    )


async def test_escape_returns_to_the_stream_from_the_composer() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("a", *"Pin")
        assert within(app, ActionComposer)
        await pilot.press("escape", "escape")
        assert isinstance(app.focused, EventStream)


def up_to_the_hangup(spec: ServerSpec, **kw: Any) -> FakeSession:
    """The recorded call while its channels are still up (h refuses a channel that is gone)."""
    frames = call_events()
    cut = next(i for i, f in enumerate(frames) if f.name == "HangupRequest")
    return FakeSession(spec, preload=frames[:cut], **kw)


async def test_hangup_key_prepares_hangup_of_the_selected_channel() -> None:
    settings = Settings(profile=Profile(name="t", confirm=False))
    app = AmiApp(ServerSpec(user="admin"), settings, session_factory=up_to_the_hangup)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        stream = app.query_one(EventStream)
        channel = None
        while not channel:  # up to the newest event that names a channel
            await pilot.press("up")
            entry = stream.selected_entry()
            channel = entry.frame.get("Channel")  # type: ignore[union-attr]
        await pilot.press("h")
        await pilot.pause(0.2)
        rows = app.query_one(ActionComposer).form.rows()
        assert any(r.header == ("Channel", channel) for r in rows)
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        session = app.session
        assert isinstance(session, FakeSession)
        assert [(a.name, a.get("Channel")) for a in session.sent if a.name == "Hangup"] == [
            ("Hangup", channel)
        ]


async def test_confirmation_cancel_sends_nothing() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause(0.2)
        for row in app.query_one(ActionComposer).form.rows():
            if isinstance(row, FieldRow) and row.doc.name == "Channel":
                row.value_input.value = "Local/1@default"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        session = app.session
        assert isinstance(session, FakeSession)
        assert not [a for a in session.sent if a.name == "Originate"]


async def test_types_screen_mutes_and_unmutes() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        before = len(app.query_one(EventStream).rows)
        await pilot.press("t")
        assert isinstance(app.screen, EventTypes)
        await pilot.press("m")  # the most frequent type
        muted = set(app.view.muted)
        assert len(muted) == 1
        await pilot.press("escape")
        await pilot.pause()
        assert len(app.query_one(EventStream).rows) < before
        await pilot.press("t", "m", "escape")
        await pilot.pause()
        assert not app.view.muted
        assert len(app.query_one(EventStream).rows) == before


async def test_demo_console_shows_a_live_stream_within_seconds() -> None:
    from textual.widgets import Static

    from amitui.demo import serve
    from amitui.ui.launch import DEMO_SECRET, DEMO_USER

    spec = ServerSpec(user=DEMO_USER, secret=DEMO_SECRET, port=0)
    app = AmiApp(spec, Settings(demo=True), demo_starter=lambda: serve(port=0, seed=1, rate=4))
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(100):  # up to 5 s
            if len(app.query_one(EventStream).rows) >= 10:
                break
            await pilot.pause(0.05)
        assert len(app.query_one(EventStream).rows) >= 10
        title = str(app.query_one("#title", Static).render())
        assert "DEMO PBX" in title and f"127.0.0.1:{app.spec.port}" in title
        assert app.session is not None and app.session.state.phase is Phase.READY


async def test_calls_screen_timeline_and_follow() -> None:
    from amitui.ui.screens.calls import CallsScreen, CallTimeline
    from amitui.ui.widgets.stream_pane import StreamPane

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("c")
        assert isinstance(app.screen, CallsScreen)
        await pilot.press("enter")
        assert isinstance(app.screen, CallTimeline)
        table = app.screen.query_one("DataTable")
        assert table.row_count >= 10  # type: ignore[attr-defined]
        await pilot.press("f")
        await pilot.pause()
        pane = app.query_one(StreamPane)
        assert pane.view.filter.text == (
            "*Linkedid*=1795833957.0 | *Uniqueid*~^(1795833957[.]0|1795833957[.]1)$"
        )
        assert len(pane.stream.rows) >= 10


async def test_follow_call_from_a_selected_event() -> None:
    from amitui.ui.widgets.stream_pane import StreamPane

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        stream = app.query_one(EventStream)
        await pilot.press("f")  # nothing selected: says how
        assert not app.view.filter
        while not (stream.selected_entry() and stream.selected_entry().frame.get("Linkedid")):  # type: ignore[union-attr]
            await pilot.press("up")
        await pilot.press("f")
        await pilot.pause()
        assert app.query_one(StreamPane).view.filter.text.startswith("*Linkedid*=")


async def test_catalog_and_why_open_from_the_console() -> None:
    from amitui.ui.screens.catalog import CatalogScreen
    from amitui.ui.screens.why import WhyNoEvents

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("d")
        assert isinstance(app.screen, CatalogScreen)
        assert app.bridge.catalog.get("Newchannel") is not None  # fed from the stream
        await pilot.press("escape")
        await pilot.press("w")
        assert isinstance(app.screen, WhyNoEvents)
        await pilot.press("escape")
        assert isinstance(app.focused, EventStream)


def test_analysis_counts_events_evicted_before_their_turn() -> None:
    from amitui.store import EventRing
    from amitui.ui.bridge import StoreBridge
    from tests.ui.fakes import call_events

    ring = EventRing(capacity=10)
    bridge = StoreBridge(ring)
    frames = call_events()
    bridge.on_events(frames[:8])
    assert bridge.analyse() == 8
    bridge.on_events(frames[8:24])  # 16 more: 6 of them leave the ring before analysis
    assert bridge.analyse() == 10
    assert bridge.unanalysed == 6
    assert sum(e.count for e in bridge.catalog) == 18


async def test_a_user_keymap_rebinds_by_binding_id() -> None:
    from amitui.ui.screens.calls import CallsScreen

    settings = Settings(profile=Profile(name="t"), keymap={"app.calls": "ctrl+k"})
    app = AmiApp(ServerSpec(user="admin"), settings, session_factory=FakeSession)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("c")
        assert not isinstance(app.screen, CallsScreen)  # the old key no longer opens it
        await pilot.press("ctrl+k")
        assert isinstance(app.screen, CallsScreen)


async def test_the_inspector_redraws_an_action_when_a_follow_up_comes() -> None:
    """An Originate's OriginateResponse arrives after the reply: the app sees the exchange's
    change count move and draws the transcript again (no list counting)."""
    from amitui.client import Transcript
    from amitui.protocol import Action
    from amitui.ui.widgets.inspector import ResponseInspector
    from tests.ui.fakes import reply

    app = make_app(confirm=False)
    async with app.run_test(size=(140, 40)) as pilot:
        for _ in range(100):
            await pilot.pause(0.02)
            if app.session is not None and app.session.state.phase is Phase.READY:
                break
        app.request_send(Action.of("Originate", Channel="Local/1@x", Application="Wait"))
        inspector = app.query_one(ResponseInspector)
        for _ in range(100):
            await pilot.pause(0.02)
            if isinstance(inspector.subject, Transcript):
                break
        tr = inspector.subject
        assert isinstance(tr, Transcript)

        def timing() -> str:
            return str(inspector.query_one("#inspector-timing").render())

        inspector.action_show_tab("inspector-timing-pane")  # filled when opened
        assert "Follow-ups none" in timing()
        aid = tr.action.action_id
        tr.exchange.follow_ups.append(reply(f"Event: OriginateResponse\nActionID: {aid}"))
        tr.exchange.changes += 1  # as the correlator counts a frame routed to it
        session = app.session
        assert isinstance(session, FakeSession)
        session.push(call_events()[:1])  # the ring changes: the next tick looks again
        for _ in range(100):
            await pilot.pause(0.02)
            if "Follow-ups 1: OriginateResponse" in timing():
                break
        assert "Follow-ups 1: OriginateResponse" in timing()


async def test_a_quick_answer_reads_the_same_in_the_notification_and_the_inspector() -> None:
    """An answer over loopback takes under a millisecond: the notification said `0 ms` while
    the inspector beside it said `0.4 ms`. Both (and the history) write it one way."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        session = app.session
        assert isinstance(session, FakeSession)
        session.answer_s = 0.0004
        await pilot.press("a", *"Ping", "enter")
        await pilot.pause(0.2)
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        inspector = app.query_one("#inspector")
        assert str(inspector.border_title) == "Ping → Success 0.4 ms"
        toast = [n.message for n in app._notifications][-1]
        assert toast.startswith("Ping → Success in 0.4 ms")


async def test_hangup_refuses_an_event_whose_channel_is_none() -> None:
    """A global variable's VarSet says `Channel: none`: h prepared `Hangup Channel=none`."""
    varset = Parser(expect_banner=False)
    varset.feed(b"Event: VarSet\r\nPrivilege: dialplan,all\r\nChannel: none\r\n"
                b"Uniqueid: none\r\nVariable: TRUNK\r\nValue: PJSIP/provider\r\n\r\n")  # fmt: skip
    frames = list(varset.frames())

    def session(spec: ServerSpec, **kw: Any) -> FakeSession:
        return FakeSession(spec, preload=frames, **kw)

    app = AmiApp(ServerSpec(user="admin"), Settings(), session_factory=session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("up", "h")
        await pilot.pause(0.2)
        assert app.query_one(EventStream).selected_entry().frame.name == "VarSet"  # type: ignore[union-attr]
        assert any(n.message.startswith("Select an event with a Channel first")
                   for n in app._notifications)  # fmt: skip
        rows = app.query_one(ActionComposer).form.rows()
        assert not any(r.header == ("Channel", "none") for r in rows)
