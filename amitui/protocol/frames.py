"""What the parser produces: one immutable Frame per AMI packet.

A frame keeps its headers as an ordered tuple of (key, value) pairs, exactly as on the wire:
duplicates stay (Variable, ChanVariable, Output), spelling stays (Uniqueid vs UniqueID), and
lookups are case-insensitive because Asterisk's own are. The raw bytes are kept too, so the
inspector can always show what really arrived.
"""

from __future__ import annotations

import enum
import re
import sys
from collections.abc import Callable, Collection, Iterator
from itertools import repeat
from operator import getitem
from typing import cast

from amitui.protocol.lines import Header as Header
from amitui.protocol.lines import parse_lines

REDACTED = "********"
_new = object.__new__
_cut = cast("Callable[[bytes, slice], bytes]", getitem)  # raw[start:stop], mapped in bulk


# The first header of AstManProxy's own packets, and the name they are shown under.
_PROXY_SAYINGS = {"proxymessage": "ProxyMessage", "goodbye": "Goodbye"}


# Event names by their bytes on the wire (`Event: NAME` lines): a look-up instead of decoding
# each event's name. Bounded: a hostile server may invent a name for every event.
_EVENT_NAMES: dict[bytes, str] = {}
_EVENT_NAMES_MAX = 4096


def _event_name(line: bytes) -> str:
    """The name on an `Event: ` line (the bytes after it, up to the LF): the Event header's
    value, so one CR before the LF goes with it, as in the header split (lines.py)."""
    value = line[:-1] if line.endswith(b"\r") else line
    name = sys.intern(value.decode("utf-8", "replace"))  # kept once, not per event
    if len(_EVENT_NAMES) < _EVENT_NAMES_MAX:
        _EVENT_NAMES[line] = name
    return name


class FrameKind(enum.Enum):
    BANNER = "banner"
    RESPONSE = "response"
    EVENT = "event"
    UNKNOWN = "unknown"  # a packet with neither Response nor Event (third-party modules)
    MALFORMED = "malformed"  # bytes that could not be framed (over the size cap, cut short)


class Frame:
    """One packet from the server. Immutable by convention; cheap to create."""

    __slots__ = (
        "_headers", "_index", "_loose", "_name", "_replaced", "error", "kind", "output", "raw",
    )  # fmt: skip

    def __init__(
        self,
        kind: FrameKind,
        headers: tuple[Header, ...],
        raw: bytes,
        *,
        output: tuple[str, ...] | None = None,
        loose: tuple[str, ...] = (),
        replaced: int = 0,
        error: str | None = None,
    ) -> None:
        self.kind = kind
        self._headers: tuple[Header, ...] | None = headers
        self.raw = raw
        self.output = output  # Command output lines, legacy or modern format; None otherwise
        self._loose = loose  # lines that had no colon, kept in order
        self._replaced = replaced  # invalid UTF-8 sequences replaced by U+FFFD
        self.error = error  # why a MALFORMED frame is malformed
        self._index: dict[str, str] | None = None
        self._name: str | None = None

    @classmethod
    def malformed(
        cls, raw: bytes, why: str, *, loose: tuple[str, ...] = (), replaced: int = 0
    ) -> Frame:
        """Bytes that could not be framed as a packet; `why` (shown to the user) says how."""
        return cls(FrameKind.MALFORMED, (), raw, loose=loose, replaced=replaced, error=why)

    @classmethod
    def event_unparsed(cls, raw: bytes, name: str | None = None) -> Frame:
        """An event whose raw bytes start with `Event: `; headers are parsed on first use.
        `name`, when given, is the name `name` reads from them (`events_unparsed`)."""
        return _unparsed_event(raw, name)

    @classmethod
    def events_unparsed(cls, raws: list[bytes]) -> list[Frame]:
        """`event_unparsed` for each of `raws`, with its name read at once: every event's name
        is asked for (the session, the ring's counts), and in bulk that costs less."""
        ends = map(bytes.index, raws, repeat(b"\n"))
        lines = list(map(_cut, raws, map(slice, repeat(7), ends)))
        names: list[str | None] = list(map(_EVENT_NAMES.get, lines))
        if not all(names):  # a name not seen before (or empty)
            names = [
                _event_name(ln) if n is None else n for n, ln in zip(names, lines, strict=True)
            ]
        return list(map(_unparsed_event, raws, names))

    def _parse(self) -> tuple[Header, ...]:
        headers, loose, replaced = parse_lines(self.raw)
        self._headers = headers
        self._loose = loose
        self._replaced = replaced
        return headers

    @property
    def headers(self) -> tuple[Header, ...]:
        headers = self._headers
        return headers if headers is not None else self._parse()

    def peek_headers(self) -> tuple[Header, ...]:
        """The headers, without keeping them on a frame that was stored unparsed.

        For scans over many stored events (call tracing, the catalog, a filter): parsing each
        and keeping the result would multiply what every event in the ring costs in memory.
        """
        headers = self._headers
        if headers is not None:
            return headers
        return parse_lines(self.raw)[0]

    @property
    def loose(self) -> tuple[str, ...]:
        if self._headers is None:
            self._parse()
        return self._loose

    @property
    def replaced(self) -> int:
        if self._headers is None:
            self._parse()
        return self._replaced

    def __repr__(self) -> str:
        return f"Frame({self.kind.value}, {self.name!r}, {len(self.headers)} headers)"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Frame):
            return NotImplemented
        return (
            self.kind is other.kind
            and self.headers == other.headers
            and self.raw == other.raw
            and self.output == other.output
            and self.loose == other.loose
            and self.replaced == other.replaced
            and self.error == other.error
        )

    def __hash__(self) -> int:
        return hash((self.kind, self.raw))

    def get(self, key: str, default: str | None = None) -> str | None:
        """The first value of `key`, compared case-insensitively."""
        index = self._index
        if index is None:
            index = {}
            for k, v in self.headers:
                index.setdefault(k.lower(), v)
            self._index = index
        return index.get(key.lower(), default)

    def get_all(self, key: str) -> list[str]:
        """Every value of `key`, in wire order."""
        low = key.lower()
        return [v for k, v in self.headers if k.lower() == low]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __iter__(self) -> Iterator[Header]:
        return iter(self.headers)

    @property
    def name(self) -> str:
        """The event name, the response status, the banner text, or for AstManProxy's own
        packets their header (`ProxyMessage`, `Goodbye`)."""
        name = self._name  # an event's, once read
        if name is not None:
            return name
        if self.kind is FrameKind.EVENT:
            if self._headers is None:
                # Unparsed: the first line is `Event: NAME`, which is all this needs.
                raw = self.raw
                line = raw[7 : raw.index(b"\n")]
                name = _EVENT_NAMES.get(line)
                if name is None:
                    name = _event_name(line)
            else:
                name = self.get("Event") or ""
            self._name = name
            return name
        if self.kind is FrameKind.RESPONSE:
            return self.get("Response") or ""
        if self.kind is FrameKind.BANNER:
            return self.text
        if self.kind is FrameKind.UNKNOWN and self.headers:
            # AstManProxy speaks for itself in packets of one header and no Event or Response
            # (`ProxyMessage: Proxy Shutting Down`, `Goodbye: ...`): that header names them.
            key = self.headers[0][0]
            if key.lower() in _PROXY_SAYINGS:
                return _PROXY_SAYINGS[key.lower()]
        return ""

    @property
    def action_id(self) -> str | None:
        return self.get("ActionID")

    @property
    def text(self) -> str:
        """The raw bytes as text (invalid UTF-8 replaced)."""
        return self.raw.decode("utf-8", "replace").rstrip("\r\n") if self.raw else ""

    @property
    def version(self) -> str | None:
        """For a banner: the AMI version (not the Asterisk version), e.g. '11.0.0'."""
        if self.kind is not FrameKind.BANNER:
            return None
        _, _, version = self.text.rpartition("/")
        return version.strip() or None

    def redacted_text(self) -> str:
        """The packet as AMI text, with credential values masked."""
        return "\n".join(self.redacted_lines())

    def redacted_lines(self, *, output_as_headers: bool = False) -> list[str]:
        """The packet's AMI text lines (see `ami_lines`), with credential values masked."""
        return ami_lines(redact(self.headers), self.loose, self.output,
                         output_as_headers=output_as_headers)  # fmt: skip


def _unparsed_event(raw: bytes, name: str | None) -> Frame:
    # Module-level, with its constants at hand: one per event on the ingest path.
    frame = _new(Frame)
    frame.kind = _EVENT
    frame.raw = raw
    frame._headers = None
    frame.output = None
    frame._loose = ()
    frame._replaced = 0
    frame.error = None
    frame._index = None
    frame._name = name
    return frame


_EVENT = FrameKind.EVENT


# -- masking credentials -----------------------------------------------------------------------
#
# Which values are credentials depends on their role, not only on their name, so there is one
# decision, `is_credential(name, packet)`, and everything masks through it: `redact` for parsed
# headers (JSON, history, copies, the inspector, the catalog) and `mask_secret_lines` for AMI text
# (recordings, raw copies), which parses each packet of the text into headers and asks the same.

# Names whose values are credentials wherever they appear: as headers, as configuration
# variables in GetConfig lines (`Line-000001-000002: secret=x`), GetConfigJSON objects and
# UpdateConfig `Var-`/`Value-` pairs. Compared lowercased, without `_`, so `md5_cred` (the config
# option) and `Md5Cred` (the PJSIPShowAuths header) are one name. From Asterisk 22's docs: Login's
# Secret; AuthDetail/AuthList's Password, Md5Cred, PasswordDigest, OauthSecret, RefreshToken;
# VoicemailPasswordChange's NewPassword; chan_sip/IAX2 `secret`, `md5secret`, `dbsecret`.
CREDENTIAL_NAMES = frozenset(
    {"secret", "md5secret", "dbsecret", "password", "md5cred", "passworddigest",
     "oauthsecret", "refreshtoken", "newpassword"}
)  # fmt: skip
# `Key` is the MD5 login credential (Login), but an AstDB key in the DB actions and the events
# that answer them: masking it there hid the very key that was asked for. Anywhere else (an
# unknown UserEvent, a response) it stays masked: the safe side.
KEY_IS_DATA = frozenset(
    {"dbget", "dbgettree", "dbput", "dbdel", "dbdeltree", "dbgetresponse", "dbgettreeresponse"}
)
_CONFIG_LINE = re.compile(r"line-\d+-\d+", re.ASCII)  # GetConfig, lowercased
_JSON_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)"(\s*:\s*)"(?:[^"\\]|\\.)*"')
# Only text containing one of these can hold a credential: the fast path of mask_secret_lines.
_MAYBE_CREDENTIAL = re.compile(r"secret|pass|cred|token|key", re.IGNORECASE)


def _norm(name: str) -> str:
    return name.strip().lower().replace("_", "")


def is_credential(name: str, packet: str = "") -> bool:
    """Whether a header called `name` holds a credential in the packet called `packet` (the
    action or event name; "" for a response, or when it is not known)."""
    low = _norm(name)
    if low == "key":
        return packet.strip().lower() not in KEY_IS_DATA
    return low in CREDENTIAL_NAMES


def packet_name(headers: tuple[Header, ...] | list[Header]) -> str:
    """The action or event name among `headers`; "" for a response."""
    for key, value in headers:
        if key.lower() in ("action", "event"):
            return value.strip()
    return ""


def _masked_value(key: str, value: str, packet: str) -> str:
    if is_credential(key, packet):
        return REDACTED
    low = key.strip().lower()
    if _CONFIG_LINE.fullmatch(low):
        name, sep, _ = value.partition("=")
        if sep and _norm(name) in CREDENTIAL_NAMES:
            return f"{name}={REDACTED}"
    elif low == "json":
        return _JSON_PAIR.sub(
            lambda m: f'"{m[1]}"{m[2]}"{REDACTED}"' if _norm(m[1]) in CREDENTIAL_NAMES else m[0],
            value,
        )
    return value


# Header names, spelled as they came, whose value `_masked_value` leaves alone in any packet:
# the fast path of `redact`. Nearly every event has only such headers, and a set lookup per
# header is much cheaper than normalising each name. Bounded: spellings beyond it are judged
# one by one, as before.
_PLAIN_KEYS: set[str] = set()
_PLAIN_KEYS_MAX = 4096


def _plain_key(key: str) -> bool:
    """True when masking never changes a value under this header name, whatever the packet."""
    low = key.strip().lower()
    plain = not (
        _norm(key) in CREDENTIAL_NAMES
        or _norm(key) == "key"
        or low == "json"
        or _CONFIG_LINE.fullmatch(low) is not None
    )
    if plain and len(_PLAIN_KEYS) < _PLAIN_KEYS_MAX:
        _PLAIN_KEYS.add(key)
    return plain


def all_plain_keys(keys: Collection[str]) -> bool:
    """True when none of these header names can hold a credential in any packet (`redact`
    would return such headers unchanged, unless the packet is UpdateConfig)."""
    if _PLAIN_KEYS.issuperset(keys):
        return True
    return all(k in _PLAIN_KEYS or _plain_key(k) for k in keys)


def redact(
    headers: tuple[Header, ...] | list[Header], packet: str | None = None
) -> tuple[Header, ...]:
    """The same headers with every credential value masked, by role (see `is_credential`).

    `packet` is the action or event name when `headers` do not carry it (an ActionRecord's
    headers, `Action.headers`); otherwise it is read from the Action or Event header.
    """
    name = packet_name(headers) if packet is None else packet
    if all_plain_keys([k for k, _ in headers]) and name.strip().lower() != "updateconfig":
        return tuple(headers)  # the common case: nothing here can be a credential
    out = [(k, _masked_value(k, v, name)) for k, v in headers]
    if name.strip().lower() == "updateconfig":
        # `Var-000001: secret` then `Value-000001: x`: the value is named by its pair.
        hidden = {
            f"value-{k.strip()[4:].lower()}"
            for k, v in headers
            if k.strip().lower().startswith("var-") and _norm(v) in CREDENTIAL_NAMES
        }
        if hidden:
            out = [(k, REDACTED if k.strip().lower() in hidden else v) for k, v in out]
    return tuple(out)


def mask_secret_lines(text: str) -> str:
    """AMI text (one or more packets) with every credential value masked by `redact`'s rules.

    Each packet (lines up to a blank line) is split into headers as the parser would (key up
    to the first colon; blanks around it tolerated, the safe side) and masked by role; a
    masked line becomes `Key: ********`. Lines are split on LF only, so a stray CR or other
    control inside a value cannot cut a credential in two. Line ends are kept.
    """
    if _MAYBE_CREDENTIAL.search(text) is None:
        return text
    out: list[str] = []
    block: list[str] = []
    for line in text.split("\n"):
        if line.rstrip("\r"):
            block.append(line)
        else:  # a blank line ends a packet
            out += _mask_block(block)
            block = []
            out.append(line)
    out += _mask_block(block)
    return "\n".join(out)


def _mask_block(block: list[str]) -> list[str]:
    """The lines of one packet (without their LF), credentials masked."""
    pairs = [line.rstrip("\r").partition(":") for line in block]
    masked = iter(redact([(k.strip(), v.strip()) for k, sep, v in pairs if sep]))
    out = []
    for line, (key, sep, value) in zip(block, pairs, strict=True):
        if sep:
            shown = next(masked)[1]
            if shown != value.strip():
                line = f"{key}: {shown}" + ("\r" if line.endswith("\r") else "")
        out.append(line)
    return out


def ami_lines(
    headers: tuple[Header, ...],
    loose: tuple[str, ...] = (),
    output: tuple[str, ...] | None = None,
    *,
    output_as_headers: bool = False,
) -> list[str]:
    """Headers back to AMI text lines, the one renderer of parsed headers (callers mask them
    first, then join and escape). Command output comes as it arrived (`Output:` headers in
    place, or a legacy body and `--END COMMAND--`) or, with `output_as_headers` (the CLI's one
    format), as `Output:` lines after the other headers. Colon-less `loose` lines follow."""
    if output is not None and output_as_headers:
        lines = [f"{k}: {v}" for k, v in headers if k.lower() != "output"]
        lines.extend(f"Output: {line}" for line in output)
        lines.extend(loose)
        return lines
    lines = [f"{k}: {v}" for k, v in headers]
    lines.extend(loose)
    has_output_headers = any(k.lower() == "output" for k, _ in headers)
    if output is not None and not has_output_headers:
        lines.extend(output)  # legacy Follows body
        lines.append("--END COMMAND--")
    return lines


def render_headers(
    headers: tuple[Header, ...], loose: tuple[str, ...] = (), output: tuple[str, ...] | None = None
) -> str:
    """Headers back to AMI text (LF line ends, for display): `ami_lines` joined."""
    return "\n".join(ami_lines(headers, loose, output))
