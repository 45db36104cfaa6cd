"""What the response inspector shows, computed without widgets.

The widget (inspector.py) only pours these rows and lines into its tables and text views, so
every rule about *what* is shown (wire order, masking, sections, list columns, the ListItems
check, timing wording) is a plain function that is easy to read and to test.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TypeGuard

from rich.cells import cell_len
from textual.content import Content

from amitui.client.transcript import Outcome, Transcript
from amitui.protocol import safetext
from amitui.protocol.frames import Frame, FrameKind, redact
from amitui.store.formats import describe_frame, frame_as_ami, transcript_as_ami
from amitui.store.ring import GapMarker, StoredEvent
from amitui.ui.units import ms

Subject = StoredEvent | Transcript | GapMarker

# Theme variables, never colours: the inspector follows whatever theme the user picked.
ERROR, WARNING, SUCCESS, MUTED, ACCENT = (
    "$text-error",
    "$text-warning",
    "$text-success",
    "$text-muted",
    "$text-accent",
)


def printable(text: str) -> str:
    """Text safe to paint (safetext.shown): control, C1 and bidi characters (a stray ESC
    would restyle the terminal) are shown as escapes; tabs and line feeds stay."""
    return safetext.shown(text, multiline=True)


def one_line(text: str) -> str:
    """Outside text for a cell or a title: like `printable`, and a line feed is escaped too."""
    return safetext.shown(text)


def clock(epoch: float) -> str:
    """Wall-clock time of day with milliseconds, local time: HH:MM:SS.mmm."""
    whole = int(epoch)
    return time.strftime("%H:%M:%S", time.localtime(whole)) + f".{int((epoch - whole) * 1000):03d}"


# -- Headers tab -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HeaderRow:
    key: str
    value: str
    section: bool = False  # a heading between messages, not a header
    masked: bool = False  # the value shown is the mask, not what was sent or received
    payload: str | None = None  # what `y` copies when it is not the value shown

    @property
    def copy_text(self) -> str:
        return self.value if self.payload is None else self.payload


def _pairs(headers: tuple[tuple[str, str], ...], skip_output: bool) -> list[HeaderRow]:
    rows = []
    for (key, value), (_, visible) in zip(headers, redact(headers), strict=True):
        if skip_output and key.lower() == "output":
            continue  # shown as lines under the table, not as hundreds of rows
        rows.append(HeaderRow(one_line(key), one_line(visible), masked=visible != value))
    return rows


def output_format(frame: Frame) -> str:
    """Which Command output format the server used (they changed in Asterisk 14)."""
    modern = any(k.lower() == "output" for k, _ in frame.headers)
    return "Output: headers, Asterisk 14+" if modern else "legacy Follows body"


def output_summary(frame: Frame) -> HeaderRow | None:
    """One row standing for the Command output lines shown under the table."""
    if frame.output is None:
        return None
    return HeaderRow(
        "Output",
        f"{len(frame.output)} lines below ({output_format(frame)})",
        payload="\n".join(frame.output),
    )


def frame_rows(frame: Frame) -> list[HeaderRow]:
    rows = _pairs(frame.headers, skip_output=frame.output is not None)
    summary = output_summary(frame)
    return [*rows, summary] if summary else rows


def transcript_rows(tr: Transcript) -> list[HeaderRow]:
    """The action as sent, then each message that came back (list items live in List)."""
    sent = f"{one_line(tr.action.name)} at {clock(tr.sent_wall)}"
    rows = [HeaderRow("» sent", sent, section=True)]
    rows += _pairs(tr.action.wire_headers(), skip_output=False)
    ex = tr.exchange
    if ex.response is None:
        rows.append(HeaderRow("» response", f"none ({tr.outcome.value})", section=True))
    else:
        after = f" after {ms(tr.latency_ms)}" if tr.latency_ms is not None else ""
        rows.append(HeaderRow("» response", f"{one_line(ex.response.name)}{after}", section=True))
        rows += frame_rows(ex.response)
    for label, frames in (
        ("» list end", [ex.list_end] if ex.list_end else []),
        ("» late", ex.late),
        ("» follow-up", ex.follow_ups),
    ):
        for frame in frames:
            rows.append(HeaderRow(label, one_line(describe_frame(frame)), section=True))
            rows += frame_rows(frame)
    return rows


def gap_rows(marker: GapMarker) -> list[HeaderRow]:
    rows = [
        HeaderRow("Gap", f"#{marker.seq}"),
        HeaderRow("Received", clock(marker.received)),
        HeaderRow("Reason", one_line(marker.reason)),
    ]
    return rows + ([HeaderRow("Server", one_line(marker.server))] if marker.server else [])


def header_rows(subject: Subject | None) -> list[HeaderRow]:
    if isinstance(subject, Transcript):
        return transcript_rows(subject)
    if isinstance(subject, StoredEvent):
        return frame_rows(subject.frame)
    if isinstance(subject, GapMarker):
        return gap_rows(subject)
    return []


KEY_MIN_CAP = 12  # in a narrow pane the name column may still take this much


def key_width(rows: list[HeaderRow], room: int) -> int:
    """The name column's width for this message: its longest name, but at most a third of
    `room` (the table's width), so one long name never pushes every value off screen."""
    longest = max((cell_len(row.key) for row in rows), default=1)
    return max(1, min(longest, max(KEY_MIN_CAP, room // 3)))


def output_text(subject: Subject | None) -> tuple[str, str] | None:
    """(title, text) for the view under the headers: Command output or a malformed packet."""
    frame = _main_frame(subject)
    if frame is None:
        return None
    if frame.kind is FrameKind.MALFORMED:
        return f"raw bytes ({len(frame.raw)})", printable(frame_as_ami(frame))
    if frame.output is not None:
        title = f"{len(frame.output)} output lines ({output_format(frame)})"
        return title, printable("\n".join(frame.output))
    return None


def _main_frame(subject: Subject | None) -> Frame | None:
    if isinstance(subject, StoredEvent):
        return subject.frame
    if isinstance(subject, Transcript):
        return subject.response
    return None


def notice(subject: Subject | None) -> Content | None:
    """One line above the table for what must not be missed; None when all is ordinary."""
    if subject is None:
        return Content.styled("Select an event or an action to inspect it.", MUTED)
    if isinstance(subject, GapMarker):
        return Content.styled("⚠ Events may be missing here (see Reason)", WARNING)
    if isinstance(subject, Transcript) and subject.response is not None and not subject.ok:
        message = one_line(f"{subject.status}: {subject.message}")
        return Content.styled(f"✗ {message}", ERROR)
    if isinstance(subject, Transcript) and subject.outcome is not Outcome.ANSWERED:
        return Content.styled(f"⚠ {outcome_text(subject)}", WARNING)
    if isinstance(subject, Transcript) and subject.truncated:
        return Content.styled(f"⚠ Possibly incomplete: {one_line(subject.truncated)}", WARNING)
    frame = _main_frame(subject)
    if frame is None:
        return None
    if frame.kind is FrameKind.MALFORMED:
        error = one_line(frame.error or "")
        return Content.styled(f"✗ Malformed packet: {error}. Raw bytes below.", ERROR)
    notes = []
    if frame.replaced:
        notes.append(f"{frame.replaced} invalid UTF-8 sequence(s) replaced with �")
    if frame.loose:
        notes.append(f"{len(frame.loose)} line(s) without a colon (see Raw)")
    return Content.styled("⚠ " + "; ".join(notes), WARNING) if notes else None


# -- Raw tab -----------------------------------------------------------------------------------


def raw_text(subject: Subject | None) -> str:
    if isinstance(subject, StoredEvent):
        return printable(frame_as_ami(subject.frame))
    if isinstance(subject, Transcript):
        return printable(transcript_as_ami(subject))
    return ""


# -- List tab ----------------------------------------------------------------------------------


# What tells one item from another in the channel lists (CoreShowChannels, Status…): these
# lead the table when present, in this order; the other columns follow in first-seen order.
LEAD_COLUMNS = (
    "Channel", "ChannelStateDesc", "CallerIDNum", "Exten", "Context", "Application",
    "Duration", "BridgeId",
)  # fmt: skip
# Hidden when every item carries the same value: a column repeating the list's event name or
# class on every row only pushes the useful ones off screen (the Headers and Raw tabs keep it).
_NOISE_WHEN_CONSTANT = frozenset({"event", "privilege"})


def list_columns(items: list[Frame]) -> list[str]:
    """The union of the items' header keys: LEAD_COLUMNS first, the rest in first-seen order;
    without ActionID (the same on every row, and already on the response), nor an Event or
    Privilege column that would say the same thing on every row."""
    seen: dict[str, str] = {}  # lower-case key -> first spelling seen
    for item in items:
        for key, _ in item.headers:
            low = key.lower()
            if low != "actionid" and low not in seen:
                seen[low] = key
    for low in _NOISE_WHEN_CONSTANT & seen.keys():
        if len({tuple(item.get_all(low)) for item in items}) == 1:
            del seen[low]
    lead = {name.lower(): i for i, name in enumerate(LEAD_COLUMNS)}
    first = sorted((low for low in seen if low in lead), key=lead.__getitem__)
    return [seen[low] for low in first] + [key for low, key in seen.items() if low not in lead]


def list_cells(item: Frame, columns: list[str]) -> list[str]:
    """One item's values under `columns`; repeated keys joined, secrets masked."""
    cells = []
    masked = redact(item.headers)  # by role: DBGetResponse's Key is data, Login's a secret
    for column in columns:
        low = column.lower()
        values = [v for k, v in masked if k.lower() == low]
        cells.append(one_line(", ".join(values)))
    return cells


def list_footer(tr: Transcript) -> Content:
    """Item count against the server's own ListItems, warning when they disagree."""
    n = len(tr.items)
    end = tr.exchange.list_end
    if end is None:
        state = "still arriving" if tr.outcome is Outcome.PENDING else "no Complete event"
        return Content.styled(f"⚠ {n} items so far, {state}: the list may be incomplete", WARNING)
    declared = end.get("ListItems")
    if declared is not None:
        declared = one_line(declared)  # the server's text, quoted in the footer
    if declared is None:
        return Content.styled(f"{n} items; the Complete event has no ListItems", MUTED)
    if declared.strip() != str(n):
        return Content.styled(
            f"⚠ {n} items received, but ListItems={declared} from the Complete event", WARNING
        )
    return Content.styled(f"{n} items, ListItems={declared} from the Complete event", MUTED)


# -- Timing tab --------------------------------------------------------------------------------

_OUTCOME_TEXT = {
    Outcome.PENDING: "pending: waiting for the response",
    Outcome.ANSWERED: "answered",
    Outcome.TIMEOUT: "timeout: no response in time",
    Outcome.INCOMPLETE: "incomplete: the response came, the list did not finish in time",
    Outcome.UNKNOWN: "unknown: the connection was lost before the answer; "
    "the action was NOT re-sent",
}


def outcome_text(tr: Transcript) -> str:
    return _OUTCOME_TEXT[tr.outcome]


def _line(label: str, value: str, style: str = "") -> Content:
    return Content.assemble((f"{label:<11}", MUTED), (value, style))


def transcript_timing(tr: Transcript) -> Content:
    lines = [_line("Sent", f"{clock(tr.sent_wall)} (wall clock)")]
    if tr.latency_ms is not None:
        lines.append(_line("Response", f"{ms(tr.latency_ms)} ({one_line(tr.status)})"))
    if tr.exchange.is_list:
        done = ms(tr.total_ms) if tr.total_ms is not None else "not complete"
        lines.append(_line("List done", f"{done}, {len(tr.items)} items"))
    elif tr.total_ms is not None and tr.latency_ms is None:
        lines.append(_line("Gave up", f"after {ms(tr.total_ms)}"))
    style = {Outcome.ANSWERED: SUCCESS, Outcome.PENDING: ""}.get(tr.outcome, WARNING)
    lines.append(_line("Outcome", outcome_text(tr), style))
    if tr.note:
        lines.append(_line("Note", one_line(tr.note)))
    if tr.truncated:
        lines.append(_line("Truncated", one_line(tr.truncated), WARNING))
    for label, at in tr.timings:
        lines.append(_line("  +" + ms((at - tr.sent) * 1000), label))
    ex = tr.exchange
    for label, frames in (("Late", ex.late), ("Follow-ups", ex.follow_ups)):
        names = ", ".join(one_line(describe_frame(f)) for f in frames) or "none"
        lines.append(_line(label, f"{len(frames)}: {names}" if frames else names))
    return Content("\n").join(lines)


def event_timing(entry: StoredEvent) -> Content:
    lines = [
        _line("Received", f"{clock(entry.received)} (wall clock)"),
        _line("Sequence", f"#{entry.seq}"),
    ]
    if entry.server:
        lines.append(_line("Server", one_line(entry.server)))
    if entry.frame.action_id:
        lines.append(_line("ActionID", one_line(entry.frame.action_id)))
    return Content("\n").join(lines)


def is_list(subject: Subject | None) -> TypeGuard[Transcript]:
    """A list action's exchange: the List tab shows its items."""
    return isinstance(subject, Transcript) and (subject.exchange.is_list or bool(subject.items))


def timing(subject: Subject | None) -> Content:
    if isinstance(subject, Transcript):
        return transcript_timing(subject)
    if isinstance(subject, StoredEvent):
        return event_timing(subject)
    if isinstance(subject, GapMarker):
        return Content("\n").join(
            [_line("Received", clock(subject.received)), _line("Sequence", f"#{subject.seq}")]
        )
    return Content("")


# -- Title -------------------------------------------------------------------------------------


def title(subject: Subject | None) -> str:
    if subject is None:
        return "Inspector"
    if isinstance(subject, GapMarker):
        return f"Gap #{subject.seq}"
    if isinstance(subject, StoredEvent):
        frame = subject.frame
        if frame.kind is FrameKind.EVENT:
            return f"Event #{subject.seq} {one_line(frame.name)}"
        if frame.kind is FrameKind.MALFORMED:
            return f"Malformed packet #{subject.seq}"
        return f"#{subject.seq} {one_line(describe_frame(frame))}"
    parts = [one_line(subject.action.name), "→", one_line(subject.status)]
    if subject.total_ms is not None and subject.exchange.is_list:
        parts.append(f"{ms(subject.total_ms)} · {len(subject.items)} items")
    elif subject.latency_ms is not None:
        parts.append(ms(subject.latency_ms))
    return " ".join(parts)
