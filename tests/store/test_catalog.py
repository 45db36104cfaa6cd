"""The event catalog and its documentation gaps, on output recorded from the real Asterisk 22
(tests/transcripts/asterisk22-event-docs.json, by scripts/record-event-docs.py) and the events of
a real Local call (asterisk22-call.bin)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from amitui.protocol import Frame, FrameKind, Parser
from amitui.store.catalog import (
    DocResult,
    EventCatalog,
    EventDoc,
    Gaps,
    Limits,
    ReportContext,
    Unavailable,
    catalog_report,
    catalog_to_json,
    catalog_to_markdown,
    gaps,
    parse_event_doc,
    parse_event_list,
)
from amitui.store.eventclasses import (
    ALL_CLASSES,
    EVENT_CLASSES,
    Access,
    Verdict,
    parse_disabled_events,
    parse_event_mask,
    parse_user_perms,
    required_classes,
    why_missing,
)
from tests.store._support import event, parse

TRANSCRIPTS = Path(__file__).resolve().parent.parent / "transcripts"
T0 = 1795833957.25


@cache
def recorded() -> dict[str, dict[str, object]]:
    data: dict[str, dict[str, object]] = json.loads(
        (TRANSCRIPTS / "asterisk22-event-docs.json").read_text("utf-8")
    )
    return data


def output(command: str) -> list[str]:
    lines = recorded()[command]["output"]
    assert isinstance(lines, list)
    return [str(line) for line in lines]


def doc(name: str) -> EventDoc | None:
    return parse_event_doc(name, output(f"manager show event {name}"))


def call_events() -> list[Frame]:
    parser = Parser()
    parser.feed((TRANSCRIPTS / "asterisk22-call.bin").read_bytes())
    return [f for f in parser.frames() if f.kind is FrameKind.EVENT]


def call_catalog() -> EventCatalog:
    catalog = EventCatalog()
    frames = call_events()
    catalog.observe_batch(frames[:5], T0)
    catalog.observe_batch(frames[5:], T0 + 2)
    return catalog


def all_docs(catalog: EventCatalog) -> dict[str, DocResult]:
    return {e.name.lower(): doc(e.name) for e in catalog}


# --- observing --------------------------------------------------------------------------------


def test_counts_types_headers_and_samples_of_a_real_call() -> None:
    catalog = call_catalog()
    newchannel = catalog.get("Newchannel")
    assert newchannel is not None and newchannel.count == 2
    assert (newchannel.first_seen, newchannel.last_seen) == (T0, T0)  # both in the first read
    newexten = catalog.get("Newexten")
    assert newexten is not None and (newexten.first_seen, newexten.last_seen) == (T0, T0 + 2)
    assert "Event" not in newchannel.headers  # the name is the entry, not a header
    channel = newchannel.headers["Channel"]
    assert channel.count == 2
    assert channel.samples == ["Local/200@default-00000000;1", "Local/200@default-00000000;2"]
    assert newchannel.privilege == ("call",)
    assert catalog.get("newexten") is catalog.get("Newexten")  # case-insensitive lookup
    assert catalog.total == len(call_events())


def test_a_repeated_header_counts_once_per_event() -> None:
    test_event = call_catalog().get("TestEvent")
    assert test_event is not None
    state = test_event.headers["State"]  # Asterisk 22 sends it twice in one TestEvent
    assert (state.count, state.repeated, state.samples) == (1, 1, ["CallIDChange"])


def test_only_events_are_catalogued_and_version_moves_per_batch() -> None:
    catalog = EventCatalog()
    frames = parse("Response: Success\nActionID: 1\n\nEvent: Ping\nX: 1\n\n")
    catalog.observe_batch(frames, T0)
    assert [e.name for e in catalog] == ["Ping"]
    assert catalog.version == 1
    catalog.observe_batch([], T0)
    assert catalog.version == 2
    catalog.clear()
    assert len(catalog) == 0


def test_everything_is_bounded_and_drops_are_counted() -> None:
    catalog = EventCatalog(Limits(max_types=2, max_headers=3, max_samples=2, max_sample_len=8))
    frames = [
        event("A", ("H1", str(i)), ("H2", "x" * 20), ("H3", "c"), ("H4", "d")) for i in range(5)
    ]
    frames += [event("B"), event("C"), event("C")]
    catalog.observe_batch(frames, T0)
    a = catalog.get("A")
    assert a is not None
    assert list(a.headers) == ["H1", "H2", "H3"]
    assert a.dropped_headers == 5  # H4, once per event
    assert a.headers["H1"].samples == ["0", "1"]
    assert a.headers["H1"].count == 5  # counting goes on after the samples are full
    assert a.headers["H2"].samples == ["xxxxxxx…"]
    assert [e.name for e in catalog] == ["A", "B"]
    assert catalog.dropped_events == 2


def test_secret_values_never_become_samples() -> None:
    catalog = EventCatalog()
    catalog.observe_batch([event("Odd", ("Secret", "hunter2"), ("Key", "abc"))], T0)
    odd = catalog.get("Odd")
    assert odd is not None
    assert odd.headers["Secret"].samples == ["********"]
    assert odd.headers["Key"].samples == ["********"]


# --- the server's docs ------------------------------------------------------------------------


def test_event_list_from_real_asterisk() -> None:
    names = parse_event_list(output("manager show events"))
    assert len(names) == 171  # "171 events registered."
    assert {"NewExten", "Newchannel", "AOC-D", "UserEvent", "Cdr"} <= names
    assert not {"Events", "events", "registered."} & names
    assert "TestEvent" not in names


def test_newchannel_doc_lists_the_expanded_channel_snapshot() -> None:
    newchannel = doc("Newchannel")
    assert newchannel is not None
    assert newchannel.synopsis == "Raised when a new channel is created."
    names = [h.name for h in newchannel.headers]
    assert names[:3] == ["Channel", "ChannelState", "ChannelStateDesc"]
    assert names[-2:] == ["Uniqueid", "Linkedid"]
    assert all(h.required for h in newchannel.headers)
    state = newchannel.header("channelstate")
    assert state is not None and state.description.startswith("A numeric code")
    assert newchannel.header("Channel").description == ""  # type: ignore[union-attr]
    assert (newchannel.since, newchannel.provided_by) == ("12.0.0", "builtin")
    assert newchannel.see_also == ("Newstate", "Hangup")


def test_doc_quirks_of_asterisk_22() -> None:
    newexten = doc("Newexten")
    assert newexten is not None and newexten.name == "NewExten"  # the docs' own spelling
    bridge = doc("BridgeEnter")
    assert bridge is not None
    video = bridge.header("BridgeVideoSource")
    assert video is not None and not video.required  # `[BridgeVideoSource:] <value>`
    rename = doc("Rename")
    assert rename is not None and not rename.headers_listed and rename.headers == ()
    log = doc("LogChannel")  # two instances, one per situation
    assert log is not None and [h.name for h in log.headers] == ["Channel"]
    assert log.synopsis.count(" / ") == 1
    user, cdr, hangup = doc("UserEvent"), doc("Cdr"), doc("Hangup")
    assert user is not None and user.open_ended
    assert cdr is not None and cdr.open_ended
    assert hangup is not None and not hangup.open_ended
    assert doc("TestEvent") is None  # "Could not find event 'TestEvent'"
    assert parse_event_doc("X", []) is None


# --- gaps -------------------------------------------------------------------------------------


def test_gaps_of_a_real_call_against_real_docs() -> None:
    catalog = call_catalog()
    docs = all_docs(catalog)

    def found(name: str) -> Gaps:
        entry = catalog.get(name)
        assert entry is not None
        result = docs[name.lower()]
        assert not isinstance(result, Unavailable)
        return gaps(entry, result)

    test_event = found("TestEvent")
    assert test_event.undocumented and test_event.mark == "undocumented"
    assert "Privilege" not in test_event.seen_not_documented
    newchannel = found("Newchannel")
    assert newchannel.mark == "ok" and not newchannel.documented_not_seen
    hangup = found("Hangup")
    assert hangup.documented_not_seen == ("TechCause",)
    user = found("UserEvent")
    assert user.free_form == ("Source", "Note") and user.mark == "ok"
    originate = found("OriginateResponse")  # Application set, so no Context/Exten
    assert {"Context", "Exten"} <= set(originate.documented_not_seen)
    assert "ActionID" not in originate.seen_not_documented


def test_a_new_header_and_an_unlisted_doc_are_marked() -> None:
    catalog = EventCatalog()
    catalog.observe_batch(
        [
            event("Newchannel", ("Channel", "a"), ("Mystery", "1")),
            event("Rename", ("Channel", "b")),
        ],
        T0,
    )
    newchannel, rename = catalog.get("Newchannel"), catalog.get("Rename")
    assert newchannel is not None and rename is not None
    assert gaps(newchannel, doc("Newchannel")).mark == "1 new header"
    assert gaps(rename, doc("Rename")).mark == "headers undocumented"


# --- exports ----------------------------------------------------------------------------------


def test_json_report_round_trips_with_gaps_and_never_seen() -> None:
    catalog = call_catalog()
    docs = all_docs(catalog)
    documented = parse_event_list(output("manager show events"))
    context = ReportContext(server="127.0.0.1:15038", generated="2026-11-28T02:45:59Z",
                            documented=documented)  # fmt: skip
    report = json.loads(catalog_to_json(catalog, docs, context))
    assert report == catalog_report(catalog, docs, context)
    by_name = {e["event"]: e for e in report["events"]}
    assert by_name["TestEvent"]["documented"] is False
    assert by_name["TestEvent"]["mark"] == "undocumented"
    assert by_name["Hangup"]["documented_not_seen"] == ["TechCause"]
    privilege = next(h for h in by_name["Hangup"]["headers"] if h["name"] == "Privilege")
    assert privilege["implicit"] and privilege["documented"] is None
    assert "Cdr" in report["documented_never_seen"]
    assert "Newchannel" not in report["documented_never_seen"]
    assert "NewExten" not in report["documented_never_seen"]  # seen as Newexten


def test_markdown_report_marks_gaps() -> None:
    catalog = call_catalog()
    text = catalog_to_markdown(catalog, all_docs(catalog), ReportContext(server="pbx1"))
    assert text.startswith("# AMI event catalog — pbx1\n")
    assert "| TestEvent | 1 | **none** | undocumented |" in text
    assert "- Documented, never seen: `TechCause`" in text
    assert "- Free-form (the docs allow extra headers): `Source`, `Note`" in text
    assert "| Note | 1 | **no** | `a: value with colons` |" in text


def test_reports_say_when_docs_were_unavailable() -> None:
    catalog = call_catalog()
    docs: dict[str, DocResult] = {"hangup": Unavailable("no docs: Permission denied")}
    report = catalog_report(catalog, docs)
    events = report["events"]
    assert isinstance(events, list)
    hangup = next(e for e in events if e["event"] == "Hangup")
    assert hangup["documented"] is None and hangup["mark"] == "docs unavailable"
    assert "Docs unavailable: no docs: Permission denied" in catalog_to_markdown(catalog, docs)


# --- classes and permissions ------------------------------------------------------------------


def test_user_permissions_from_real_asterisk() -> None:
    admin = parse_user_perms(output("manager show user admin"))
    reader = parse_user_perms(output("manager show user reader"))
    assert admin is not None and reader is not None
    assert admin.username == "admin" and admin.read >= ALL_CLASSES
    assert reader.read == {"system", "call"} and reader.write == frozenset()
    assert parse_user_perms(output("manager show user nosuch")) is None
    refused = recorded()["reader: manager show user reader"]
    assert (refused["response"], refused["message"]) == ("Error", "Permission denied")
    assert parse_disabled_events(output("manager show settings")) == frozenset()
    disabled = parse_disabled_events(["  Disabled events:   Newexten, VarSet"])
    assert disabled == {"newexten", "varset"}


@pytest.mark.parametrize(
    ("mask", "classes"),
    [
        ("on", ALL_CLASSES),
        ("", ALL_CLASSES),
        ("off", frozenset()),
        ("call,system", {"call", "system"}),
        ("1", {"system"}),  # a number is a bit mask, not "on"
        ("2050", {"call", "dialplan"}),
        ("all", ALL_CLASSES | {"all"}),
    ],
)
def test_event_mask_is_read_as_asterisk_reads_it(mask: str, classes: frozenset[str]) -> None:
    assert parse_event_mask(mask) == classes


def test_the_static_class_map_agrees_with_observed_privileges() -> None:
    observed = call_catalog().privileges()
    checked = 0
    for name, classes in observed.items():
        if name.lower() in EVENT_CLASSES:
            assert (EVENT_CLASSES[name.lower()],) == classes, name
            checked += 1
    assert checked >= 10
    assert required_classes("newexten", observed) == (("dialplan",), "observed")
    assert required_classes("VarSet") == (("dialplan",), "docs")
    assert required_classes("NoSuch") == ((), "")


def _why(event: str, **access: object) -> tuple[Verdict, str]:
    fields: dict[str, object] = {"read": None, "event_mask": "on", "seen": {}, "observed": {}}
    fields.update(access)
    (found,) = why_missing([event], Access(**fields))  # type: ignore[arg-type]
    return found.verdict, found.reason


def test_why_missing_explains_each_cause() -> None:
    reader = {"system", "call"}
    verdict, reason = _why("Newexten", read=reader)
    assert verdict is Verdict.NO_READ_CLASS and "dialplan" in reason
    verdict, reason = _why("Newexten", read=ALL_CLASSES, event_mask="call,system")
    assert verdict is Verdict.MASKED and "Events: call,system" in reason
    assert _why("Hangup", read=reader, event_mask="off")[0] is Verdict.MASKED
    received = _why("Hangup", read=reader, seen={"Hangup": 3})
    assert received == (Verdict.RECEIVED, "received 3 so far")
    assert _why("Hangup", read=reader)[0] is Verdict.ALLOWED
    verdict, reason = _why("Cdr", read=ALL_CLASSES)
    assert verdict is Verdict.ALLOWED and "cdr_manager.conf" in reason
    assert _why("VarSet", read=ALL_CLASSES, disabled={"varset"})[0] is Verdict.DISABLED
    assert _why("Mystery", read=ALL_CLASSES)[0] is Verdict.UNKNOWN


def test_why_missing_without_the_users_classes_uses_what_arrived() -> None:
    observed = {"Newchannel": ("call",)}
    assert _why("Hangup", observed=observed)[0] is Verdict.ALLOWED  # call events did arrive
    verdict, reason = _why("Newexten", observed=observed)
    assert verdict is Verdict.UNKNOWN and "cannot be checked" in reason
