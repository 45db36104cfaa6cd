"""The event catalog against the server's docs: where what was observed and what is documented
disagree, for one event type.

Gaps compare a type with its doc (eventclasses.parse_event_doc): undocumented event, headers
seen but not documented, documented but never seen. Headers the manager core adds to every event
(Privilege, ActionID, Timestamp, SystemName, ChanVariable), and the Server that AstManProxy adds,
are never gaps, and extra headers of an event whose docs allow them (UserEvent, Cdr) are
"free-form", not gaps. Pure functions of an EventEntry and an EventDoc.
Tests: tests/store/test_catalog.py pins each rule on output recorded from the real Asterisk 22.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from amitui.store.catalog_observe import EventEntry
from amitui.store.eventclasses import DocResult, EventDoc
from amitui.store.sentinels import NOT_FETCHED, NotFetched

# Added by the manager core, not by the event, so never a documentation gap: Privilege on every
# event, ActionID on events answering an action, Timestamp (timestampevents) and SystemName; and
# Server, which AstManProxy adds to every event it forwards (no Asterisk event documents one).
IMPLICIT_HEADERS = frozenset(
    {"event", "privilege", "actionid", "timestamp", "systemname", "server"}
)


def is_implicit(header: str) -> bool:
    """Headers the manager core adds to any event; ChanVariable ones come from `channelvars`."""
    low = header.lower()
    return low in IMPLICIT_HEADERS or low.endswith("chanvariable")


@dataclass(frozen=True, slots=True)
class Gaps:
    """Where observation and documentation disagree, for one event type."""

    undocumented: bool = False  # the server has no doc for this event
    unlisted: bool = False  # documented, but its headers are not
    seen_not_documented: tuple[str, ...] = ()
    documented_not_seen: tuple[str, ...] = ()
    free_form: tuple[str, ...] = ()  # extra headers the docs say may appear (UserEvent)

    @property
    def mark(self) -> str:
        if self.undocumented:
            return "undocumented"
        if self.unlisted:
            return "headers undocumented"
        n = len(self.seen_not_documented)
        if n:
            return f"{n} new header{'s' if n != 1 else ''}"
        return "ok"


def gaps(entry: EventEntry, doc: EventDoc | None) -> Gaps:
    seen = [h for h in entry.headers if not is_implicit(h)]
    if doc is None:
        return Gaps(undocumented=True, seen_not_documented=tuple(seen))
    if not doc.headers_listed:
        return Gaps(unlisted=True, seen_not_documented=tuple(seen))
    documented = {h.name.lower() for h in doc.headers}
    extra = tuple(h for h in seen if h.lower() not in documented)
    seen_low = {h.lower() for h in entry.headers}
    unseen = tuple(
        h.name for h in doc.headers if h.name.lower() not in seen_low and not is_implicit(h.name)
    )
    if doc.open_ended:
        return Gaps(documented_not_seen=unseen, free_form=extra)
    return Gaps(seen_not_documented=extra, documented_not_seen=unseen)


def doc_for(docs: Mapping[str, DocResult], name: str) -> DocResult | NotFetched:
    """The doc result for an event name (keys are lowercased names); NOT_FETCHED until asked."""
    return docs.get(name.lower(), NOT_FETCHED)
