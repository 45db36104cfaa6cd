"""The console's state: the event ring, its filtered view, the action history, call tracing,
the live tables, the event catalog and the docs, bounded and free of the UI (tests/test_layers.py).

Most modules are plain data, with no I/O and no clock: callers pass receive times and read
`version` counters to decide when to redraw. A few meet the outside, and their docstrings say
so: saved.py (saved actions and the history, on disk), recording.py (writes and reads `.amirec`
files; its writer reads the wall clock unless given one), exporting.py (writes exports, 0600)
and docs.py (asks the server for its docs through a session, and caches them).
"""

from amitui.store.filter import EventFilter, FilterError, Op, Term, parse_filter
from amitui.store.history import ActionHistory, ActionRecord
from amitui.store.ring import Entry, EventRing, GapMarker, StoredEvent, frame_name
from amitui.store.view import FilteredView

__all__ = [
    "ActionHistory",
    "ActionRecord",
    "Entry",
    "EventFilter",
    "EventRing",
    "FilterError",
    "FilteredView",
    "GapMarker",
    "Op",
    "StoredEvent",
    "Term",
    "frame_name",
    "parse_filter",
]
