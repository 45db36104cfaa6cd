"""Memory on disk: the history of sent actions, and the saved-action collections.

History is state, so it lives in the XDG state dir (`config.state_dir()`), one file per server
and user: history of this PBX as this user is one file, bounded on its own, and a busy lab
server cannot push a production server's actions out.

* `history/<user>@<host>_<port>.jsonl` (`history/demo.jsonl` for the demo PBX, whose port
  changes every run; `history/<profile>.jsonl` when the caller names no server): one JSON
  object per sent action, appended as each one completes, so a crash loses nothing but the
  line being written. Each line names its `server` and `user`, so what it shows never depends
  on the file name alone. Records are masked on construction (`ActionRecord`), and masked
  again here before writing, so a Secret or Key never reaches the disk. The file keeps the
  newest `limit` records: past that it is rewritten (temporary file, then rename) with only
  those. Two consoles on one server may lose a few lines to each other's rewrite; history is
  a convenience, not an audit log.
* Before per-server files, history was `history/<profile>.jsonl` in the config dir. That old
  file is merged in read-only (never written, moved or deleted, so an older amitui still finds
  it): its entries come first, each with the server it names and no user, and re-sending one
  recorded elsewhere is confirmed in the history screen. The demo reads no old file.
* `collections/<profile>.toml` in the config dir: named actions, written by hand or saved
  from history::

      [actions.ring-desk]
      name = "Originate"
      headers = [["Channel", "PJSIP/${ext}"], ["Exten", "${dest}"]]

  `${ext}` is asked for when the action is sent (`variables`, `fill`). Asterisk uses `${...}`
  in dialplan expressions too, so `$${X}` is a literal `${X}`, and `${FUNC(arg)}` (not a plain
  name) is never a variable. Saving rewrites the whole file, so comments in it are not kept.

Files are created 0600 and directories 0700: history shows who called whom, and a collection
may hold anything the user typed. Names become file names only after every character outside
`[A-Za-z0-9_.-]` (and `@` in history keys) is replaced, so `../x` cannot escape the directory.
Everything read back is outside text: shown through `safetext`, never trusted.
Tests: tests/store/test_saved.py, tests/store/test_history_origin.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amitui.config import config_dir, state_dir
from amitui.protocol.actions import Action, encode_action
from amitui.protocol.frames import Header, redact
from amitui.store.history import ActionHistory, ActionRecord

HISTORY_LIMIT = 1000
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
_UNSAFE_KEY = re.compile(r"[^A-Za-z0-9_.@-]")  # `@` joins user and server
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
# `$${name}` (escaped) or `${name}`; group 1 is the extra `$` of the escape.
_VAR = re.compile(r"\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}")


class SavedError(Exception):
    """A history or collection file cannot be read or written; the message says why."""


def profile_slug(profile: str | None) -> str:
    """The profile's name as a safe file name; `default` without one."""
    slug = _UNSAFE.sub("_", profile or "").lstrip(".")
    return slug or "default"


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


def _write_private(path: Path, text: str) -> None:
    """Replace `path` with `text` atomically, mode 0600."""
    _private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.partial")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise SavedError(f"cannot write {path}: {exc.strerror or exc}") from None


# -- history ---------------------------------------------------------------------------------

DEMO = "demo"  # the demo PBX's history key and server name: never mixed with a real server


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an action was sent: `host:port` (or `demo`) and the user; "" when not known."""

    server: str = ""
    user: str = ""

    def label(self) -> str:
        if not self.server:
            return "an unknown server"
        return f"{self.user}@{self.server}" if self.user else self.server

    def same_server(self, other: Origin) -> bool:
        return bool(self.server) and self.server == other.server


def history_key(user: str, server: str) -> str:
    """`admin@pbx.example.com_5038`: one server and user as a safe file name."""
    return _UNSAFE_KEY.sub("_", f"{user}@{server}").lstrip(".")


def _record_json(record: ActionRecord, origin: Origin) -> str:
    obj = {
        "id": record.action_id,
        "name": record.name,
        "headers": [list(h) for h in redact(record.headers, record.name)],
        "sent": record.sent,
        "status": record.status,
        "latency_ms": record.latency_ms,
        "server": origin.server,
        "user": origin.user,
    }
    return json.dumps(obj, ensure_ascii=False)


def _record_from(obj: Any) -> tuple[ActionRecord, Origin] | None:
    if not isinstance(obj, dict):
        return None
    try:
        headers = tuple((str(k), str(v)) for k, v in obj.get("headers") or ())
        latency = obj.get("latency_ms")
        status = obj.get("status")
        record = ActionRecord(
            str(obj["id"]),
            str(obj["name"]),
            headers,
            float(obj["sent"]),
            str(status) if status is not None else None,
            float(latency) if latency is not None else None,
        )
    except (KeyError, TypeError, ValueError):
        return None
    return record, Origin(_text(obj.get("server")), _text(obj.get("user")))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


class HistoryFile:
    """The sent actions of one server and user (or one profile), on disk, newest `limit` kept.

    `base` is the state dir and `legacy_base` the config dir (tests pass temporary ones)."""

    def __init__(
        self,
        profile: str | None,
        *,
        server: str | None = None,
        user: str = "",
        demo: bool = False,
        limit: int = HISTORY_LIMIT,
        base: Path | None = None,
        legacy_base: Path | None = None,
    ) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        if demo:
            self.origin, key = Origin(DEMO, user), DEMO
        elif server:
            self.origin, key = Origin(server, user), history_key(user, server)
        else:  # a caller that knows no server: the profile's own file, as before
            self.origin, key = Origin(), profile_slug(profile)
        self.path = (base or state_dir()) / "history" / f"{key}.jsonl"
        legacy = (legacy_base or config_dir()) / "history" / f"{profile_slug(profile)}.jsonl"
        self.legacy_path = None if demo or legacy == self.path else legacy
        self._lines: int | None = None  # lines in the file, once known

    def entries(self) -> list[tuple[ActionRecord, Origin]]:
        """The newest `limit` records with where each was sent, oldest first (the old file's
        first); unreadable lines are skipped."""
        lines = self._legacy_lines() + self._read_lines()
        found = [e for line in lines if (e := _record_from(_loads(line))) is not None]
        return found[-self.limit :]

    def load(self) -> list[ActionRecord]:
        """The newest `limit` records, oldest first."""
        return [record for record, _ in self.entries()]

    def origins(self) -> dict[tuple[str, float], Origin]:
        """Where each stored record was sent, by (ActionID, sent time): the in-memory history
        holds plain records, and an ActionID alone may come back in another session."""
        return {(r.action_id, r.sent): origin for r, origin in self.entries()}

    def load_into(self, history: ActionHistory) -> int:
        """Put the stored records into an in-memory history (oldest first); returns count."""
        records = self.load()
        for r in records:
            history.add(r.action_id, r.name, r.headers, r.sent)
            if r.status is not None:
                history.update(r.action_id, r.status, r.latency_ms)
        return len(records)

    def append(self, record: ActionRecord, server: str = "") -> None:
        """Add one completed action; rewrite the file when it holds more than `limit`.
        `server` only counts for a file that names none (keyed by profile)."""
        origin = self.origin if self.origin.server else Origin(server, self.origin.user)
        line = _record_json(record, origin) + "\n"
        if self._lines is None:
            self._lines = len(self._read_lines())
        _private_dir(self.path.parent)
        if not self._ends_with_newline():
            line = "\n" + line  # a line cut short by a crash must not swallow this one
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as out:
                out.write(line)  # one write of one whole line: appends do not interleave
        except OSError as exc:
            raise SavedError(f"cannot write {self.path}: {exc.strerror or exc}") from None
        self._lines += 1
        if self._lines > self.limit:
            keep = self._read_lines()[-self.limit :]
            _write_private(self.path, "".join(f"{x}\n" for x in keep))
            self._lines = len(keep)

    def clear(self) -> None:
        """Forget this server's history (the old per-profile file is never touched)."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self._lines = 0

    def _ends_with_newline(self) -> bool:
        try:
            with open(self.path, "rb") as f:
                f.seek(-1, os.SEEK_END)
                return f.read(1) == b"\n"
        except OSError:  # missing or empty: nothing to end
            return True

    def _legacy_lines(self) -> list[str]:
        if self.legacy_path is None:
            return []
        try:
            return _lines_of(self.legacy_path)
        except SavedError:
            return []  # an old file we cannot read costs its entries, not the history

    def _read_lines(self) -> list[str]:
        return _lines_of(self.path)


def _lines_of(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise SavedError(f"cannot read {path}: {exc.strerror or exc}") from None
    return [line for line in text.split("\n") if line.strip()]


def _loads(line: str) -> Any:
    try:
        return json.loads(line)
    except ValueError:
        return None  # a line cut short by a crash


# -- saved actions ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SavedAction:
    key: str  # its name in the collection, e.g. "ring-desk"
    name: str  # the AMI action, e.g. "Originate"
    headers: tuple[Header, ...] = ()
    description: str = ""


class MissingValues(ValueError):
    """`fill` was not given a value for every variable."""


def variables(saved: SavedAction) -> list[str]:
    """The `${name}` variables of a saved action, first-seen order, each once."""
    found: dict[str, None] = {}
    for text in (saved.name, *(part for header in saved.headers for part in header)):
        for m in _VAR.finditer(text):
            if not m[1]:
                found.setdefault(m[2], None)
    return list(found)


def _substitute(text: str, values: Mapping[str, str]) -> str:
    return _VAR.sub(lambda m: "${" + m[2] + "}" if m[1] else values[m[2]], text)


def fill(saved: SavedAction, values: Mapping[str, str]) -> Action:
    """The action with every `${name}` replaced. Raises MissingValues, or LocalProtocolError
    when a value would break the message (CR/LF, an over-long line): checked before sending."""
    missing = [v for v in variables(saved) if v not in values]
    if missing:
        raise MissingValues("no value for " + ", ".join(f"${{{v}}}" for v in missing))
    name = _substitute(saved.name, values)
    headers = [(_substitute(k, values), _substitute(v, values)) for k, v in saved.headers]
    action = Action.of(name, headers)
    encode_action(action)  # raises LocalProtocolError for CR/LF injection and the like
    return action


def from_record(key: str, record: ActionRecord, description: str = "") -> SavedAction:
    """A history record as a saved action (its masked values stay masked: fill them in)."""
    return SavedAction(key, record.name, record.headers, description)


def _toml_str(text: str) -> str:
    # A JSON string is a TOML basic string, except that TOML wants DEL escaped too.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _toml_str(key)


def _saved_from(key: str, raw: Any, path: Path) -> SavedAction:
    where = f"{path}: [actions.{key}]"
    if not isinstance(raw, dict):
        raise SavedError(f"{where} must be a table")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SavedError(f'{where} needs name = "ActionName"')
    headers: list[Header] = []
    items = raw.get("headers", [])
    if not isinstance(items, list):
        raise SavedError(f'{where}: headers must be a list of ["Key", "value"] pairs')
    for item in items:
        pair = isinstance(item, list) and len(item) == 2
        if not (pair and all(isinstance(x, str) for x in item)):
            raise SavedError(f'{where}: each header must be ["Key", "value"], not {item!r}')
        headers.append((item[0], item[1]))
    description = raw.get("description", "")
    if not isinstance(description, str):
        raise SavedError(f"{where}: description must be text")
    return SavedAction(key, name, tuple(headers), description)


class Collection:
    """The saved actions of one profile."""

    def __init__(self, profile: str | None, *, base: Path | None = None) -> None:
        self.path = (base or config_dir()) / "collections" / f"{profile_slug(profile)}.toml"

    def load(self) -> dict[str, SavedAction]:
        """Every saved action by key, in file order; {} when there is no file."""
        try:
            data = tomllib.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError) as exc:
            raise SavedError(f"cannot read {self.path}: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise SavedError(f"{self.path} is not valid TOML: {exc}") from None
        actions = data.get("actions", {})
        if not isinstance(actions, dict):
            raise SavedError(f"{self.path}: [actions] must be a table of tables")
        return {key: _saved_from(key, raw, self.path) for key, raw in actions.items()}

    def save(self, saved: SavedAction) -> None:
        """Add or replace one action (by key) and rewrite the file."""
        if not saved.key.strip():
            raise SavedError("a saved action needs a name")
        actions = self.load()
        actions[saved.key] = saved
        self.write(actions.values())

    def remove(self, key: str) -> bool:
        actions = self.load()
        if actions.pop(key, None) is None:
            return False
        self.write(actions.values())
        return True

    def write(self, actions: Iterable[SavedAction]) -> None:
        out = [
            "# amitui saved actions. ${name} is asked for when the action is sent;",
            "# $${name} is a literal ${name}. amitui rewrites this file when saving.",
        ]
        for saved in actions:
            out.append("")
            out.append(f"[actions.{_toml_key(saved.key)}]")
            out.append(f"name = {_toml_str(saved.name)}")
            if saved.description:
                out.append(f"description = {_toml_str(saved.description)}")
            out.append("headers = [")
            out.extend(f"    [{_toml_str(k)}, {_toml_str(v)}]," for k, v in saved.headers)
            out.append("]")
        text = "\n".join(out) + "\n"
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise SavedError("a saved action holds text that is not valid Unicode") from None
        _write_private(self.path, text)
