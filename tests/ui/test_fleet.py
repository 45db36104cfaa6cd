"""The fleet (ui/fleet.py) without a UI: names, where actions go, and the status bar's forms."""

from __future__ import annotations

from amitui.client import Phase, ServerSpec, SessionState
from amitui.config import Profile
from amitui.protocol import Action
from amitui.store import EventRing
from amitui.ui.bridge import StoreBridge
from amitui.ui.fleet import Fleet, Target
from amitui.ui.widgets.statusbar import StatusFacts, status_text
from tests.ui.fakes import FakeSession


def fleet(*names: str) -> Fleet:
    bridge = StoreBridge(EventRing(100))
    servers = [(ServerSpec(host=f"10.0.0.{i}", user="u", name=n), Profile(name=n))
               for i, n in enumerate(names, start=1)]  # fmt: skip
    return Fleet.of_servers(servers, bridge)


def test_actions_cycle_through_the_servers() -> None:
    f = fleet("a", "b", "c")
    assert f.target == Target("a")
    assert [f.cycle().member for _ in range(4)] == ["b", "c", "a", "b"]
    assert f.cycle(-1) == Target("a")


def test_behind_a_proxy_an_action_names_its_asterisk() -> None:
    f = fleet("px")
    member = f.first
    member.behind_proxy = True
    f.learn([("px", "east"), ("px", "west"), ("px", "east")])
    assert member.upstreams == ["east", "west"] and f.several
    assert f.targets() == [Target("px", "east"), Target("px", "west")]
    west = Target("px", "west")
    routed = f.route(Action.of("Originate", Channel="Local/1@default"), west)
    assert routed.headers[-1] == ("Server", "west")
    assert f.describe(west) == "west via px" and f.label(west) == "west"
    # A `Server:` the user wrote is theirs; a direct server gets none.
    mine = Action.of("Ping", Server="east")
    assert f.route(mine, west) is mine
    plain = Action("Ping")
    assert f.route(plain, Target("px")) is plain


def test_one_asterisk_behind_a_proxy_is_just_the_server() -> None:
    f = fleet("px")
    f.first.behind_proxy = True
    f.learn([("px", "127.0.0.1")])
    assert not f.several and f.targets() == [Target("px")]


def test_the_status_forms_degrade_to_a_dot_each() -> None:
    f = fleet("a", "b")
    a, b = f
    a.session = FakeSession(a.spec)
    a.session.state = SessionState(Phase.READY, a.spec.address, "u")
    b.session = FakeSession(b.spec)
    b.session.state = SessionState(Phase.RECONNECTING, b.spec.address, "u", attempt=2,
                                   reason="connection refused")  # fmt: skip
    b.session.ping_ms = None
    wide, middle, narrow = f.status_forms(0.0, lambda m: 12.0 if m is a else 0.0)
    assert wide == (
        "a ● ready 0 ms 12.0 ev/s · b ○ reconnecting (attempt 2): connection refused 0.0 ev/s"
    )
    assert middle == "a ● ready · b ○ reconnecting"
    assert narrow == "a ● b ○"
    assert f.worst_state() is b.session.state
    facts = StatusFacts(state=f.worst_state(), servers=(wide, middle, narrow), total=1234,
                        extra=["● REC"])  # fmt: skip
    assert status_text(facts, 0.0).startswith(wide)
    at_80 = status_text(facts, 0.0, 80)
    assert at_80.startswith("a ● ready · b ○ reconnecting │") and len(at_80) <= 80
    at_40 = status_text(facts, 0.0, 40)
    assert at_40 == "a ● b ○ │ following │ ● REC"
