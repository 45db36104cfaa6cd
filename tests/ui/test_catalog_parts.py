"""The catalog's marks and doc texts tell "not asked yet" from "could not be asked" by type, so
no reason a server or session gives can pass for the other (amitui/store/sentinels.py)."""

from __future__ import annotations

from amitui.store.catalog import NOT_FETCHED, EventCatalog, EventEntry, Unavailable
from amitui.ui.screens.catalog_parts import describe, mark_of
from tests.store._support import event


def _entry() -> EventEntry:
    catalog = EventCatalog()
    catalog.observe_batch([event("Hangup", ("Cause", "16"))], 1.0)
    entry = catalog.get("Hangup")
    assert entry is not None
    return entry


def test_not_fetched_is_a_value_of_its_own() -> None:
    assert mark_of(NOT_FETCHED, None) == ("…", "muted")
    # A reason that reads like the marker is still a reason.
    assert mark_of(Unavailable("not fetched yet"), None) == ("docs unavailable", "muted")


def test_the_doc_pane_words_each_case() -> None:
    entry = _entry()
    asking = describe(entry, NOT_FETCHED)
    assert asking.endswith("asking the server for its docs…")
    refused = describe(entry, Unavailable("not fetched yet"))
    assert refused.endswith("docs unavailable: not fetched yet")
