"""Plain-data state of the console: the event ring, its filtered view, the action history.

Nothing here does I/O, keeps time or knows about the UI: callers pass receive times and read
`version` counters to decide when to redraw.
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
