"""Stored events are kept out of the cyclic collector's lists (amitui/store/untrack.py).

That is only sound while no stored event can be part of a reference cycle, so the first test
walks everything every kind of entry refers to, after each lazy field has been filled in. The
others need the C module and skip without it, unless AMITUI_REQUIRE_SPEEDUPS is set (CI)."""

from __future__ import annotations

import gc
import os
import sys
from enum import Enum
from pathlib import Path

import pytest

from amitui.protocol import Frame, Parser
from amitui.store import untrack as untrack_module
from amitui.store.ring import EventRing, StoredEvent, TruncatedEvent
from tests.hostile import HUGE, events

RECORDED = Path(__file__).parents[2] / "bench" / "data" / "asterisk22-events.bin"
LEGACY_COMMAND = (
    b"Response: Follows\r\nPrivilege: Command\r\nActionID: c1\r\n"
    b"Channel              Location\r\n1 active channel\r\n--END COMMAND--\r\n\r\n"
)
MODERN_COMMAND = b"Response: Success\r\nActionID: c2\r\nOutput: one\r\nOutput: two\r\n\r\n"
MALFORMED = b"no colon here\r\n\x00\xff\xfe\r\n\r\n"
# Values an entry may reach: none of them can refer back to an entry.
ATOMIC = (str, bytes, int, float, type(None))


def _every_kind() -> list[Frame]:
    parser = Parser()
    parser.feed(b"Asterisk Call Manager/9.0.0\r\n")
    parser.feed(RECORDED.read_bytes()[:200_000].rpartition(b"\r\n\r\n")[0] + b"\r\n\r\n")
    for data in (LEGACY_COMMAND, MODERN_COMMAND, MALFORMED, *events()):
        parser.feed(data)
    parser.feed(f"Event: Big\r\nValue: {HUGE}\r\n\r\n".encode())
    return parser.drain()


def _fill_lazy(frame: Frame) -> None:
    """Touch every public field, so the caches a reader fills are there to be walked."""
    for name in dir(frame):
        if not name.startswith("_") and not callable(getattr(frame, name)):
            getattr(frame, name)
    frame.get("Event")
    frame.get_all("Output")
    frame.redacted_lines()


def _reached(root: object) -> list[object]:
    """Everything `root` refers to, transitively, short of classes and enum members (which live
    as long as their module)."""
    seen: dict[int, object] = {}
    todo = [root]
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, type | Enum):
            continue
        seen[id(obj)] = obj
        todo.extend(gc.get_referents(obj))
    return list(seen.values())


def test_no_entry_can_be_part_of_a_cycle() -> None:
    frames = _every_kind()
    kinds = {frame.kind for frame in frames}
    assert len(kinds) >= 3, kinds  # events, responses and malformed at least
    ring = EventRing(capacity=len(frames), event_cap=64 * 1024)
    ring.append_batch(frames, 1.0, "pbx-a")
    entries = list(ring)
    assert any(isinstance(entry, TruncatedEvent) for entry in entries)
    for entry in entries:
        assert isinstance(entry, StoredEvent)
        _fill_lazy(entry.frame)
        for obj in _reached(entry):
            if obj is entry or obj is entry.frame:
                continue
            if isinstance(obj, tuple | dict | list):
                continue  # their items are walked too, and must pass
            assert isinstance(obj, ATOMIC), (type(obj), entry)


needs_c = pytest.mark.skipif(
    not untrack_module.SPEEDUP and not os.environ.get("AMITUI_REQUIRE_SPEEDUPS"),
    reason="the C module (amitui/store/_untrack.c) was not built here",
)


@needs_c
def test_stored_entries_are_untracked_and_still_freed() -> None:
    frames = _every_kind()
    ring = EventRing(capacity=len(frames), event_cap=64 * 1024)
    ring.append_batch(frames, 1.0)
    for entry in ring:
        assert isinstance(entry, StoredEvent)
        assert not gc.is_tracked(entry), entry
        assert not gc.is_tracked(entry.frame), entry
    del entry
    # Reference counting still frees them: once evicted, the entry lets go of its frame.
    kept = frames[0]
    held = sys.getrefcount(kept)
    ring.append_batch(_every_kind(), 2.0)
    assert sys.getrefcount(kept) == held - 1
    # A StoredEvent made elsewhere is left as Python made it.
    assert gc.is_tracked(StoredEvent(1, 1.0, kept))


@needs_c
def test_untrack_takes_only_a_list() -> None:
    with pytest.raises(TypeError):
        untrack_module.untrack((StoredEvent(1, 1.0, Frame.malformed(b"x", "x")),))  # type: ignore[arg-type]
