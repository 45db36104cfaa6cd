"""The event catalog: every event type seen, its headers and sample values, against the server's
own documentation (`manager show events`, `manager show event NAME`).

Three parts, each its own module, gathered here for the callers that want the whole:
- catalog_observe.py: `EventCatalog.observe_batch`, the hot path that runs once per socket read;
- catalog_gaps.py: where observation and the docs disagree, for one event type (pure);
- catalog_report.py: the documentation-gap report, as Markdown and as JSON text.
The docs themselves are parsed by eventclasses.py and asked for by docs.py.
Tests: tests/store/test_catalog.py.
"""

from __future__ import annotations

from amitui.store.catalog_gaps import IMPLICIT_HEADERS, Gaps, doc_for, gaps, is_implicit
from amitui.store.catalog_observe import EventCatalog, EventEntry, HeaderStats, Limits
from amitui.store.catalog_report import (
    ReportContext,
    catalog_report,
    catalog_to_json,
    catalog_to_markdown,
)
from amitui.store.eventclasses import (
    DocResult,
    EventDoc,
    HeaderDoc,
    parse_event_doc,
    parse_event_list,
)
from amitui.store.sentinels import NOT_FETCHED, NotFetched, Unavailable

__all__ = [
    "IMPLICIT_HEADERS",
    "NOT_FETCHED",
    "DocResult",
    "EventCatalog",
    "EventDoc",
    "EventEntry",
    "Gaps",
    "HeaderDoc",
    "HeaderStats",
    "Limits",
    "NotFetched",
    "ReportContext",
    "Unavailable",
    "catalog_report",
    "catalog_to_json",
    "catalog_to_markdown",
    "doc_for",
    "gaps",
    "is_implicit",
    "parse_event_doc",
    "parse_event_list",
]
