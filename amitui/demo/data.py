"""The recorded Asterisk 22 data the demo replays (written by `record_data.py`).

Loaded once, lazily: importing amitui.demo costs nothing until a server starts.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path

from amitui.demo.wire import classes_of
from amitui.protocol import Header

DATA = Path(__file__).resolve().parent / "data"
_LISTED = re.compile(r"^(?P<name>[^:]+): (?P<synopsis>.*) \(Priv: (?P<priv>[^)]*)\)$")


@dataclass(frozen=True, slots=True)
class ActionInfo:
    name: str
    synopsis: str
    line: str  # the value of its ListCommands header, exactly as recorded
    privilege: frozenset[str]  # write classes that allow it; empty: anyone logged in


@dataclass(frozen=True, slots=True)
class Recorded:
    actions: dict[str, ActionInfo]  # lowercased name -> info, in ListCommands order
    command_docs: dict[str, list[str]]  # lowercased action -> `manager show command` block
    event_docs: dict[str, list[str]]  # lowercased event -> `manager show event` output
    events_listing: list[str]  # `manager show events`
    cli: dict[str, list[str]]
    samples: dict[str, list[Header]]

    def documented(self, event: str) -> bool:
        return event.lower() in self.event_docs

    def sample(self, key: str) -> list[Header]:
        return self.samples[key]

    def event_layouts(self, name: str) -> list[list[str]]:
        """Header names of each recorded layout of an event (or list item), in order."""
        prefix = f"event:{name}:"
        return [[k for k, _ in v] for key, v in self.samples.items() if key.startswith(prefix)]


def _actions(text: str) -> dict[str, ActionInfo]:
    out: dict[str, ActionInfo] = {}
    for line in text.splitlines():
        m = _LISTED.match(line)
        if m is None:
            continue
        name = m["name"]
        priv = m["priv"]
        classes = frozenset() if priv == "<none>" else classes_of(priv.replace(",all", ""))
        out[name.lower()] = ActionInfo(name, m["synopsis"], line.partition(": ")[2], classes)
    return out


def _gz_json(name: str) -> dict[str, list[str]]:
    data: dict[str, list[str]] = json.loads(gzip.decompress((DATA / name).read_bytes()))
    return data


def _command_blocks(raw: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each recorded output is `""`, the block, `""`: keep the block, to join several."""
    return {name.lower(): lines[1:-1] for name, lines in raw.items() if len(lines) > 2}


@functools.cache
def recorded() -> Recorded:
    events = _gz_json("manager_events.json.gz")
    listing = events.pop("", [])
    samples_raw: dict[str, list[list[str]]] = json.loads((DATA / "samples.json").read_text())
    return Recorded(
        actions=_actions((DATA / "listcommands.txt").read_text()),
        command_docs=_command_blocks(_gz_json("manager_commands.json.gz")),
        event_docs={name.lower(): lines for name, lines in events.items()},
        events_listing=listing,
        cli=json.loads((DATA / "cli.json").read_text()),
        samples={k: [(p[0], p[1]) for p in v] for k, v in samples_raw.items()},
    )
