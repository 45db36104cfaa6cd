"""The bridge with several servers: one ring, each server traced and catalogued apart; behind
a proxy each Asterisk apart by its packets' `Server:` header; a gap ends only its server's."""

from __future__ import annotations

from functools import partial

from amitui.protocol import Frame
from amitui.store import EventRing
from amitui.store.servers import CallBook
from amitui.ui import bridge as bridge_mod
from amitui.ui.bridge import StoreBridge
from tests.store._support import event


def channel(name: str, uid: str, *more: tuple[str, str]) -> Frame:
    return event(name, ("Channel", "Local/100@default-00000000;1"), ("Uniqueid", uid),
                 ("Linkedid", uid), *more)  # fmt: skip


def test_one_server_is_traced_as_it_always_was() -> None:
    b = StoreBridge(EventRing(100), "10.0.0.1:5038")
    b.on_events([channel("Newchannel", "1.1")])
    b.analyse()
    assert b.origins() == [("", "")]
    assert isinstance(b.call_book(), type(b.calls)) and len(b.calls.calls()) == 1
    assert b.calls.calls()[0].server == ""  # no server in its follow filter
    assert "Server" not in b.calls.calls()[0].filter_text()


def test_two_servers_with_the_same_ids_are_two_calls() -> None:
    b = StoreBridge(EventRing(100))
    b.split = True
    a_tap, b_tap = b.tap("a"), b.tap("b")
    a_tap.on_events([channel("Newchannel", "1.1")])
    b_tap.on_events([channel("Newchannel", "1.1"), channel("Newstate", "1.1")])
    b.analyse()
    book = b.call_book()
    assert isinstance(book, CallBook)
    calls = {c.server: c for c in book.calls()}
    assert sorted(calls) == ["a", "b"] and len(calls["b"].seqs) == 2
    assert calls["b"].filter_text().startswith("Server=b ")
    assert b.catalog_for(("a", "")).get("Newstate") is None
    assert b.catalog_for(("b", "")).get("Newstate") is not None
    assert a_tap.meter is not b_tap.meter  # each server's rate


def test_a_gap_ends_the_tracing_boundary_of_its_own_server_only() -> None:
    b = StoreBridge(EventRing(100))
    b.split = True
    for tag in ("a", "b"):
        b.tap(tag).on_events([channel("Newchannel", "1.1")])
    b.analyse()
    marked: list[str] = []
    for (tag, _), tracker in b._trackers.items():
        tracker.mark_gap = partial(marked.append, tag)  # type: ignore[method-assign]
    b.tap("b").on_gap("connection lost")
    b.analyse()
    assert marked == ["b"]


def test_behind_a_proxy_each_asterisk_is_its_own_server() -> None:
    b = StoreBridge(EventRing(100), "px")
    b.proxied.add("px")
    b.on_events([channel("Newchannel", "1.1", ("Server", "east")),
                 channel("Newchannel", "1.1", ("Server", "west"))])  # fmt: skip
    b.analyse()
    assert b.origins() == [("", "east"), ("", "west")]
    assert sorted(c.server for c in b.call_book().calls()) == ["east", "west"]


def test_a_proxy_naming_endless_servers_is_bounded(monkeypatch: object) -> None:
    b = StoreBridge(EventRing(1000), "px")
    b.proxied.add("px")
    n = bridge_mod.MAX_ORIGINS + 10
    b.on_events([channel("Newchannel", f"1.{i}", ("Server", f"s{i}")) for i in range(n)])
    b.analyse()
    assert len(b.origins()) == bridge_mod.MAX_ORIGINS + 1  # the rest traced together
    assert ("", "…") in b.origins()
