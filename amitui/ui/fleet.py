"""Several servers in one console: who they are, where actions go, and how each is doing.

Each server the console opened is a `Member`: its profile, its spec, its session, its own tap
into the shared ring (its events tagged with its name) and its own action policy. Behind
AstManProxy one member carries several Asterisk servers, told apart by the `Server:` header
of each packet; an action reaches one of them by carrying that header too. A `Target` names
one server either way: a member, and behind a proxy the upstream.

Actions always go to one target, `Fleet.target`: the composer shows which and lets the user
pick another, and the keys that act on a selected event (hangup, redirect) move it to the
server that event came from first.

No Textual here (like bridge.py): the app owns the workers and the widgets (ui/servers.py).
Tests: tests/ui/test_fleet.py, tests/ui/test_several_servers.py, tests/ui/test_several_proxy.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from amitui.client import ActionPolicy, Phase, ServerSpec, SessionState, Transcript
from amitui.client.interface import ReplayControl, SessionLike
from amitui.config import Profile
from amitui.protocol import Action, ActionIds
from amitui.protocol.safetext import shown
from amitui.store import Entry, StoredEvent
from amitui.store.servers import Origin, upstream_of
from amitui.ui.bridge import StoreBridge, Tap

MAX_UPSTREAMS = 32  # Asterisk servers named behind one proxy, remembered at most


@dataclass(eq=False)
class Member:
    """One server (or one proxy) the console is connected to."""

    name: str  # the profile's name: what the stream's server column and filters call it
    spec: ServerSpec
    profile: Profile
    tap: Tap  # its way into the ring; `tap.server` is the tag its entries carry
    policy: ActionPolicy
    session: SessionLike | None = None
    connected_once: bool = False
    behind_proxy: bool = False  # once its banner said so: kept while it reconnects
    upstreams: list[str] = field(default_factory=list)  # behind a proxy: `Server:` values seen
    commands_loaded: bool = False

    @property
    def label(self) -> str:
        return self.name or self.spec.address

    @property
    def replay(self) -> ReplayControl | None:
        """The playback controls when this server is a recording played back."""
        return self.session.replay if self.session is not None else None

    @property
    def split_by_upstream(self) -> bool:
        """A proxy carrying several Asterisk servers: each is a server of its own. (Behind a
        proxy with one, that one is simply this server.)"""
        return self.behind_proxy and len(self.upstreams) > 1

    @property
    def state(self) -> SessionState:
        if self.session is not None:
            return self.session.state
        return SessionState(Phase.IDLE, self.spec.address, self.spec.user)

    @property
    def read_only(self) -> bool:
        return self.spec.read_only


@dataclass(frozen=True, slots=True)
class Target:
    """Where an action goes: a member, and behind a proxy one Asterisk there ("": the proxy
    chooses, as it does for an action without `Server:`)."""

    member: str
    upstream: str = ""


class ThroughProxy:
    """A session seen as one Asterisk behind its proxy: every action carries that one's
    `Server:`, and the spec names it, so docs asked and cached are that Asterisk's."""

    def __init__(self, session: SessionLike, upstream: str) -> None:
        self._session = session
        self.upstream = upstream
        self.spec = replace(session.spec, host=f"{session.spec.host}/{upstream}")

    # Read through to the session (settable only because SessionLike declares attributes).

    @property
    def state(self) -> SessionState:
        return self._session.state

    @state.setter
    def state(self, value: SessionState) -> None:
        self._session.state = value

    @property
    def ping_ms(self) -> float | None:
        return self._session.ping_ms

    @ping_ms.setter
    def ping_ms(self, value: float | None) -> None:
        self._session.ping_ms = value

    @property
    def ids(self) -> ActionIds:
        return self._session.ids

    @ids.setter
    def ids(self, value: ActionIds) -> None:
        self._session.ids = value

    @property
    def replay(self) -> ReplayControl | None:
        return self._session.replay

    async def run(self) -> None:
        await self._session.run()

    async def send(self, action: Action, *, timeout: float | None = None) -> Transcript:
        if action.get("Server") is None:
            action = Action(action.name, (*action.headers, ("Server", self.upstream)),
                            action.action_id)  # fmt: skip
        return await self._session.send(action, timeout=timeout)

    async def close(self, *, logoff: bool = True) -> None:
        await self._session.close(logoff=logoff)


def _dot(state: SessionState) -> str:
    if state.phase is Phase.READY:
        return "◐" if state.upstream else "●"  # ready, but an Asterisk behind the proxy is not
    return "○"


class Fleet:
    def __init__(self, members: Sequence[Member]) -> None:
        if not members:
            raise ValueError("a console needs at least one server")
        self.members: dict[str, Member] = {m.name: m for m in members}
        if len(self.members) != len(members):
            raise ValueError("two servers with the same name")
        first = members[0]
        self.target = Target(first.name)

    @classmethod
    def single(cls, spec: ServerSpec, profile: Profile, bridge: StoreBridge) -> Fleet:
        """One server, as the console always was: its entries carry the bridge's own tag."""
        policy = ActionPolicy(profile.confirm_actions, profile.safe_actions)
        return cls([Member(profile.name, spec, profile, bridge.own_tap, policy)])

    @classmethod
    def of_servers(
        cls, servers: Iterable[tuple[ServerSpec, Profile]], bridge: StoreBridge
    ) -> Fleet:
        """Each tagged with its profile's name; the bridge traces them apart."""
        members = [
            Member(p.name, spec, p, bridge.tap(p.name),
                   ActionPolicy(p.confirm_actions, p.safe_actions))
            for spec, p in servers
        ]  # fmt: skip
        bridge.split = len(members) > 1
        return cls(members)

    # -- who --------------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Member]:
        return iter(list(self.members.values()))

    def __len__(self) -> int:
        return len(self.members)

    @property
    def first(self) -> Member:
        return next(iter(self.members.values()))

    def member(self, target: Target | None = None) -> Member:
        """The member of `target` (default: the current target)."""
        name = (target or self.target).member
        return self.members.get(name) or self.first

    def by_tag(self, tag: str) -> Member:
        """The member whose entries carry `tag` (one server: every tag is its own)."""
        if len(self.members) == 1:
            return self.first
        for m in self.members.values():
            if m.tap.server == tag:
                return m
        return self.first

    @property
    def several(self) -> bool:
        """More than one server in sight: then rows, calls and actions name theirs."""
        return len(self.members) > 1 or any(m.split_by_upstream for m in self.members.values())

    def learn(self, origins: Iterable[Origin]) -> bool:
        """The Asterisk servers the bridge has seen behind proxies; True when one is new."""
        new = False
        for tag, upstream in origins:
            if not upstream or upstream == "…":
                continue
            member = self.by_tag(tag) if tag else self.first
            if upstream not in member.upstreams and len(member.upstreams) < MAX_UPSTREAMS:
                member.upstreams.append(upstream)
                new = True
        return new

    # -- where actions go -------------------------------------------------------------------

    def targets(self) -> list[Target]:
        out: list[Target] = []
        for m in self.members.values():
            if m.split_by_upstream:
                out.extend(Target(m.name, up) for up in m.upstreams)
            else:
                out.append(Target(m.name))
        return out

    def cycle(self, step: int = 1) -> Target:
        """The next server for actions (wrapping round)."""
        targets = self.targets()
        try:
            at = targets.index(self.target)
        except ValueError:
            at = -1 if step > 0 else 0
        self.target = targets[(at + step) % len(targets)]
        return self.target

    def target_of(self, entry: Entry) -> Target:
        """The server an entry came from: the one to act on for it."""
        member = self.by_tag(entry.server)
        upstream = ""
        if member.split_by_upstream and isinstance(entry, StoredEvent):
            upstream = upstream_of(entry.frame.peek_headers())
        return Target(member.name, upstream)

    def label(self, target: Target | None = None) -> str:
        """What the console calls a target: the upstream's name behind a proxy, else the
        profile's (the address when it has none)."""
        target = target or self.target
        return target.upstream or self.member(target).label

    def describe(self, target: Target | None = None) -> str:
        """For titles and confirmations: 'pbx-b', or '10.0.0.5 via px' behind a proxy."""
        target = target or self.target
        member = self.member(target)
        if target.upstream:
            return f"{target.upstream} via {member.label}"
        return member.label

    def session(self, target: Target | None = None) -> SessionLike | None:
        """The session to ask things of a target: behind a proxy, seen as that Asterisk."""
        target = target or self.target
        session = self.member(target).session
        if session is None or not target.upstream:
            return session
        return ThroughProxy(session, target.upstream)

    def route(self, action: Action, target: Target | None = None) -> Action:
        """The action as it must be sent: behind a proxy, with `Server:` naming the Asterisk
        (unless the user wrote one)."""
        target = target or self.target
        if not target.upstream or action.get("Server") is not None:
            return action
        return Action(action.name, (*action.headers, ("Server", target.upstream)),
                      action.action_id)  # fmt: skip

    # -- the stream's server column ---------------------------------------------------------

    def origin_of(self, entry: Entry) -> tuple[str, str | None]:
        """(label, colour) of the server an entry came from, for the stream's column."""
        member = self.by_tag(entry.server)
        label = member.label
        if member.split_by_upstream and isinstance(entry, StoredEvent):
            label = upstream_of(entry.frame.peek_headers()) or label
        return label, member.profile.color

    def label_width(self) -> int:
        names = [self.label(t) for t in self.targets()]
        return max((len(shown(n)) for n in names), default=1)

    # -- the status bar ---------------------------------------------------------------------

    def status_forms(self, now: float, rate: Callable[[Member], float]) -> tuple[str, ...]:
        """Each server's state, widest first: with ping and rate; with the state's word;
        only a dot each (`a ● b ○`)."""
        wide, middle, narrow = [], [], []
        for m in self.members.values():
            state, label = m.state, shown(m.label)
            ping = getattr(m.session, "ping_ms", None) if m.session is not None else None
            figures = f" {ping:.0f} ms" if ping is not None else ""
            figures += f" {rate(m):,.1f} ev/s"
            dot = _dot(state)
            wide.append(f"{label} {dot} {shown(state.describe(now))}{figures}")
            middle.append(f"{label} {dot} {state.phase.value}")
            narrow.append(f"{label} {dot}")
        return " · ".join(wide), " · ".join(middle), " ".join(narrow)

    def worst_state(self) -> SessionState:
        """The state the bar is coloured by: the first member not ready, else the first."""
        for m in self.members.values():
            if m.state.phase is not Phase.READY or m.state.upstream:
                return m.state
        return self.first.state
