"""The optional C count of the catalog (amitui/store/_catalog.c) gives exactly the pure-Python
count's answers (catalog_observe.py count_py, HeaderStatsPy): on recorded Asterisk events, on
hostile ones, and on generated headers full of what the rules turn on (repeats, secrets, long
values, the limits on names and samples), in every string width. Without a C compiler they
skip (tests/speedup_support.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amitui.protocol import Parser
from amitui.protocol.frames import REDACTED, is_credential
from amitui.store import catalog_observe
from amitui.store.catalog_observe import EventCatalog, HeaderStatsPy, Limits, count_py
from tests.hostile import HUGE, POISON, events
from tests.speedup_support import built

_catalog = built("amitui.store._catalog")

RECORDED = Path(__file__).parents[2] / "bench" / "data" / "asterisk22-events.bin"
Headers = tuple[tuple[str, str], ...]
Event = tuple[str, Headers]


def run(count: Any, stats_type: Any, batch: Iterable[Event], limits: Limits) -> tuple[Any, ...]:
    """Count `batch` (event name, headers) the way observe_batch does; what came of it."""

    def new(name: str, event: str) -> Any:
        return stats_type(name, is_credential(name, event))

    rules = (limits.max_headers, limits.max_samples, limits.max_sample_len, REDACTED, new)
    tables: dict[str, dict[str, Any]] = {}
    serials: dict[str, int] = {}
    dropped = 0
    for event, headers in batch:
        serial = serials[event] = serials.get(event, 0) + 1
        start = 1 if headers and headers[0][0] == "Event" else 0
        dropped += count(tables.setdefault(event, {}), headers, start, serial, event, rules)
    return dropped, {
        event: [
            (s.name, s.count, s.repeated, s.last, list(s.samples), s.secret) for s in stats.values()
        ]
        for event, stats in tables.items()
    }


def same(batch: list[Event], limits: Limits | None = None) -> None:
    limits = limits or Limits()
    assert run(_catalog.count, _catalog.HeaderStats, batch, limits) == run(
        count_py, HeaderStatsPy, batch, limits
    )


def frames_of(data: bytes) -> list[Event]:
    parser = Parser(expect_banner=False)
    parser.feed(data)
    return [(f.name, f.peek_headers()) for f in parser.frames()]


def test_recorded_asterisk_events() -> None:
    batch = frames_of(RECORDED.read_bytes())
    assert len(batch) > 100
    same(batch)
    same(batch, Limits(max_headers=5, max_samples=2, max_sample_len=6))


def test_hostile_events() -> None:
    batch = frames_of(b"".join(events()))
    batch.append(("UserEvent", (("Event", "UserEvent"), ("Big", HUGE), ("Name", POISON))))
    same(batch)
    same(batch, Limits(max_samples=1, max_sample_len=1))


def test_a_catalog_on_c_says_what_one_on_python_says(monkeypatch: pytest.MonkeyPatch) -> None:
    parser = Parser(expect_banner=False)
    parser.feed(RECORDED.read_bytes())
    parser.feed(b"Event: UserEvent\r\nUserEvent: login\r\nSecret: hunter2\r\n\r\n" * 3)
    frames = list(parser.frames())
    reports = []
    for stats_type, count in ((_catalog.HeaderStats, _catalog.count), (HeaderStatsPy, count_py)):
        monkeypatch.setattr(catalog_observe, "HeaderStats", stats_type)
        monkeypatch.setattr(catalog_observe, "count", count)
        catalog = EventCatalog()
        for i in range(0, len(frames), 50):
            catalog.observe_batch(frames[i : i + 50], 1.0)
        reports.append(
            [
                (
                    e.name,
                    e.count,
                    e.dropped_headers,
                    e.privilege,
                    [
                        (s.name, s.count, s.repeated, s.samples, s.secret)
                        for s in e.headers.values()
                    ],
                )
                for e in catalog
            ]
        )
        assert all(type(s) is stats_type for e in catalog for s in e.headers.values())
    assert reports[0] == reports[1]
    user_events = next(e for e in reports[0] if e[0] == "UserEvent")
    assert ("Secret", 3, 0, [REDACTED], True) in user_events[4]  # masked in both


NAMES = st.sampled_from(["Event", "Channel", "Secret", "Password", "Key", "Variable", "Ü", "中"])
VALUES = st.text(alphabet="ab:é中🎉\x1b", max_size=9)
HEADERS = st.lists(st.tuples(NAMES | st.text(min_size=1, max_size=4), VALUES), max_size=12)


@settings(max_examples=400, deadline=None)
@given(
    batch=st.lists(st.tuples(st.sampled_from(["A", "DBGetResponse", "B"]), HEADERS), max_size=8),
    max_headers=st.integers(0, 6),
    max_samples=st.integers(0, 3),
    max_len=st.integers(0, 6),
)
def test_generated_headers(
    batch: list[tuple[str, list[tuple[str, str]]]], max_headers: int, max_samples: int, max_len: int
) -> None:
    limits = Limits(max_headers=max_headers, max_samples=max_samples, max_sample_len=max_len)
    same([(event, tuple(headers)) for event, headers in batch], limits)


def _rules(new: Callable[[str, str], Any] | None = None) -> tuple[Any, ...]:
    return (10, 4, 80, REDACTED, new or (lambda name, event: _catalog.HeaderStats(name)))


@pytest.mark.parametrize(
    "args",
    [
        ({}, [("A", "b")], 0, 1, "E", _rules()),  # a list, not a tuple
        ({}, (("A",),), 0, 1, "E", _rules()),  # not a pair
        ({}, (("A", 1),), 0, 1, "E", _rules()),  # not a str
        ({"A": HeaderStatsPy("A")}, (("A", "b"),), 0, 1, "E", _rules()),  # the wrong stats
        ({}, (("A", "b"),), 0, 1, "E", _rules(lambda name, event: HeaderStatsPy(name))),
        ({}, (("A", "b"),), 0, 1, "E", (10, 4, 80)),  # rules cut short
        ({}, (("A", "b"),), 0, 1, "E", (10, 4, 80, None, _rules()[4])),  # redacted not a str
        ([], (("A", "b"),), 0, 1, "E", _rules()),  # not a dict
    ],
)
def test_what_is_not_a_catalog_is_refused(args: tuple[Any, ...]) -> None:
    with pytest.raises(TypeError):
        _catalog.count(*args)


def test_its_stats_are_read_only_and_say_what_they_are() -> None:
    stats = _catalog.HeaderStats("Secret", True)
    assert (stats.name, stats.count, stats.repeated, stats.last, stats.samples, stats.secret) == (
        "Secret", 0, 0, 0, [], True
    )  # fmt: skip
    with pytest.raises(AttributeError):
        stats.count = 5  # only count() changes it
    assert repr(stats) == "HeaderStats('Secret', count=0)"
