"""Answers that are not the thing asked for, said by their type rather than by a string.

A docs question (the action list, one action's form, the documented events, one event's doc)
answers with the thing, or with `Unavailable(reason)`: the server could not be asked or refused,
and `reason` says so in words for the user. A doc the server simply does not have is None, a
gap the catalog reports, not a failure. Until a question is asked its answer is `NOT_FETCHED`.

So `isinstance(result, Unavailable)` is the test for "why not", and a reason string can never be
mistaken for a name, a doc or the "not fetched yet" marker.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final


class NotFetched(enum.Enum):
    """Not asked yet: the catalog shows "…" while the docs load. One value, NOT_FETCHED."""

    NOT_FETCHED = "not fetched yet"

    def __repr__(self) -> str:
        return "NOT_FETCHED"


NOT_FETCHED: Final = NotFetched.NOT_FETCHED


@dataclass(frozen=True, slots=True)
class Unavailable:
    """Why there is no answer: not connected, no `command` privilege, no answer in time."""

    reason: str
