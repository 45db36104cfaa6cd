"""Completion from the live PBX state for the composer's fields.

`suggester_for(app, field)` gives a composer field's Input a suggester when the field names
something the live view knows: a channel, an endpoint, a queue, a member's interface, a
conference, a bridge. Values are read when asked, so they follow the PBX; values that would
need escaping to be shown are never offered (a suggestion is drawn as typed text).
"""

from __future__ import annotations

from collections.abc import Callable

from textual.suggester import Suggester

from amitui.protocol.safetext import is_safe
from amitui.store.live_more import Conferences, Endpoints, Queues
from amitui.store.live_tables import Bridges, Channels
from amitui.ui.livesync import LiveSync

Source = Callable[[LiveSync], list[str]]


def _endpoints(live: LiveSync) -> list[str]:
    table = live.state["endpoints"]
    return table.names() if isinstance(table, Endpoints) else []


def _channels(live: LiveSync) -> list[str]:
    table = live.state["channels"]
    return table.names() if isinstance(table, Channels) else []


def _endpoint_ids(live: LiveSync) -> list[str]:
    return [name.partition("/")[2] for name in _endpoints(live)]


def _queues(live: LiveSync) -> list[str]:
    table = live.state["queues"]
    return table.names() if isinstance(table, Queues) else []


def _interfaces(live: LiveSync) -> list[str]:
    table = live.state["queues"]
    members = table.interfaces() if isinstance(table, Queues) else []
    return [*members, *(e for e in _endpoints(live) if e not in members)]


def _rooms(live: LiveSync) -> list[str]:
    table = live.state["conferences"]
    return table.rooms() if isinstance(table, Conferences) else []


def _bridges(live: LiveSync) -> list[str]:
    table = live.state["bridges"]
    return list(table.records) if isinstance(table, Bridges) else []


def _dial_targets(live: LiveSync) -> list[str]:
    # Endpoints first: `PJSIP/1001` is a prefix of its channels' names, so typing on past it
    # (`PJSIP/1001-`) reaches the channels.
    return [*_endpoints(live), *_channels(live)]


# Lowercased field name -> where its values come from.
SOURCES: dict[str, Source] = {
    "channel": _dial_targets, "channel1": _channels, "channel2": _channels,
    "extrachannel": _channels, "destchannel": _channels, "endpoint": _endpoint_ids,
    "queue": _queues, "interface": _interfaces, "member": _interfaces,
    "conference": _rooms, "bridgeuniqueid": _bridges, "bridge": _bridges,
}  # fmt: skip


class LiveSuggester(Suggester):
    def __init__(self, live: LiveSync, source: Source) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.live = live
        self.source = source

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        low = value.casefold()
        for candidate in self.source(self.live):
            if candidate.casefold().startswith(low) and candidate != value and is_safe(candidate):
                return value + candidate[len(value) :]  # what was typed stays as typed
        return None


def suggester_for(app: object, field: str) -> Suggester | None:
    """A suggester for this field of the composer, when the app keeps a live state."""
    live = getattr(app, "live", None)
    source = SOURCES.get(field.lower())
    if not isinstance(live, LiveSync) or source is None:
        return None
    return LiveSuggester(live, source)
