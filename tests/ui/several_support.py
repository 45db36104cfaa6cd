"""Two fake AMI servers on loopback and a console over both, for the several-servers tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from amitui.client import Phase, ServerSpec
from amitui.config import Profile
from amitui.store import GapMarker, StoredEvent
from amitui.ui.app import AmiApp, Settings
from tests.client.fakeami import FakeAmi
from tests.ui.fakes import FIXED_TIME

SECRET = "s3cret"


def channel_event(name: str, uniqueid: str, channel: str = "PJSIP/100-00000001") -> bytes:
    """An event naming a channel; both servers send the same ids (both count from 1)."""
    return (
        f"Event: {name}\r\nPrivilege: call,all\r\nChannel: {channel}\r\n"
        f"ChannelStateDesc: Up\r\nCallerIDNum: 100\r\nExten: 200\r\n"
        f"Uniqueid: {uniqueid}\r\nLinkedid: {uniqueid}\r\n\r\n"
    ).encode()


def two_server_app(a: FakeAmi, b: FakeAmi, **settings: object) -> AmiApp:
    servers = [
        (ServerSpec(port=a.port, user="admin", secret=SECRET, name="pbx-a"),
         Profile(name="pbx-a", color="red")),
        (ServerSpec(port=b.port, user="admin", secret=SECRET, name="pbx-b"),
         Profile(name="pbx-b", color="#3388ff")),
    ]  # fmt: skip
    defaults: dict[str, object] = {"clock": lambda: FIXED_TIME, "monotonic": lambda: 1000.0}
    return AmiApp(servers, Settings(**(defaults | settings)))  # type: ignore[arg-type]


@pytest.fixture
async def fakes() -> AsyncIterator[tuple[FakeAmi, FakeAmi]]:
    a, b = await FakeAmi(secret=SECRET).start(), await FakeAmi(secret=SECRET).start()
    yield a, b
    await a.stop()
    await b.stop()


async def until(pilot: object, done: Callable[[], bool], what: str) -> None:
    """Wait for the app's background work; bounded by steps, not a timer."""
    for _ in range(500):
        if done():
            return
        await pilot.pause(0.02)  # type: ignore[attr-defined]
    raise AssertionError(f"never happened: {what}")


def both_ready(app: AmiApp) -> bool:
    return all(m.session is not None and m.session.state.phase is Phase.READY for m in app.fleet)


def events(app: AmiApp) -> list[StoredEvent]:
    return [e for e in app.ring if isinstance(e, StoredEvent)]


def gaps(app: AmiApp) -> list[GapMarker]:
    return [e for e in app.ring if isinstance(e, GapMarker)]
