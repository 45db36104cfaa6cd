"""The result of one action: what was sent, what came back, and when."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from amitui.protocol import Action, Exchange, Frame


class Outcome(enum.Enum):
    PENDING = "pending"
    ANSWERED = "answered"  # response (and the whole list, for list actions) arrived
    TIMEOUT = "timeout"  # no response within the timeout
    INCOMPLETE = "incomplete"  # the response came, the list did not finish in time
    UNKNOWN = "unknown"  # the connection was lost first; the action was NOT re-sent


@dataclass(slots=True)
class Transcript:
    action: Action
    exchange: Exchange
    sent_wall: float  # epoch seconds
    sent: float  # monotonic seconds, for latency
    answered: float | None = None
    done: float | None = None
    outcome: Outcome = Outcome.PENDING
    note: str | None = None  # why an action did not complete
    internal: bool = False  # sent by the session itself (login, keepalive)
    # Why the reply may lack lines although it looks complete (AstManProxy cuts long packets);
    # None when nothing says so. The CLI and the inspector show it next to the outcome.
    truncated: str | None = None
    timings: list[tuple[str, float]] = field(default_factory=list)

    @property
    def response(self) -> Frame | None:
        return self.exchange.response

    @property
    def items(self) -> list[Frame]:
        return self.exchange.items

    @property
    def status(self) -> str:
        if self.response is not None:
            return self.response.name
        return self.outcome.value

    @property
    def ok(self) -> bool:
        """An answer that is not an error (Success, Goodbye, Follows, ...)."""
        return (
            self.outcome is Outcome.ANSWERED
            and self.response is not None
            and self.response.name.lower() not in ("error", "failure", "failed")
        )

    @property
    def latency_ms(self) -> float | None:
        return None if self.answered is None else (self.answered - self.sent) * 1000

    @property
    def total_ms(self) -> float | None:
        return None if self.done is None else (self.done - self.sent) * 1000

    @property
    def message(self) -> str:
        """The response's Message, or why there is no response."""
        if self.response is not None:
            return self.response.get("Message") or self.response.name
        return self.note or self.outcome.value
