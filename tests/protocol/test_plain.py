"""The stream's fast output (amitui.protocol.plain) gives the same bytes as the general path.

`amitui events` formats a plain event from its bytes, and a whole socket read at once; the
general path parses each event, masks it (`redact`) and encodes it (`frame_to_json` and
`json_line`, or `ami_text`). For every packet, hostile or generated or recorded, alone or in
a batch with others, both must write the same: masking, escapes, repeated names as arrays,
wire order, loose lines and all.
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from amitui.commands.scripting import ami_text, events_text, format_frame
from amitui.protocol import Frame, Parser, frame_to_json
from amitui.protocol.jsonform import event_json_line, events_json
from amitui.protocol.plain import plain_event, plain_events
from amitui.protocol.safetext import json_line

ROOT = Path(__file__).resolve().parent.parent.parent
RECORDED = [
    ROOT / "bench" / "data" / "asterisk22-events.bin",
    *sorted((ROOT / "tests" / "transcripts").glob("*.bin")),
]
EXAMPLES = int(os.environ.get("AMITUI_FUZZ_EXAMPLES", "300"))


def parse(data: bytes, *, banner: bool = False) -> list[Frame]:
    parser = Parser(expect_banner=banner)
    parser.feed(data)
    parser.feed_eof()
    return list(parser.frames())


def general_json(frames: list[Frame]) -> str:
    return "\n".join(json_line(frame_to_json(frame)) for frame in frames)


def general_text(frames: list[Frame]) -> str:
    return "\n\n".join(ami_text(frame) for frame in frames)


def assert_same(data: bytes, *, banner: bool = False) -> None:
    """Fast and general agree on `data`, frame by frame and as one batch. The frames are
    parsed afresh for each side, so that neither sees headers the other has split."""
    fast = parse(data, banner=banner)
    general = parse(data, banner=banner)
    assert events_json(fast) == general_json(general)
    assert [event_json_line(f) for f in parse(data, banner=banner)] == [
        json_line(frame_to_json(f)) for f in general
    ]
    fast = parse(data, banner=banner)
    assert events_text(fast) == general_text(general)
    assert [format_frame(f) for f in parse(data, banner=banner)] == [ami_text(f) for f in general]


def packet(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_recorded_asterisk_traffic_is_the_same() -> None:
    for path in RECORDED:
        data = path.read_bytes()
        assert_same(data, banner=data.startswith(b"Asterisk"))


def test_most_recorded_events_take_the_fast_path() -> None:
    # Not a speed claim: that the shortcut applies to real Asterisk 22 events at all.
    frames = parse(RECORDED[0].read_bytes())
    plain = [f for f in frames if plain_event(f) is not None]
    assert len(plain) > 0.9 * len(frames)


def test_credentials_are_masked_on_the_fast_path_too() -> None:
    data = packet(
        "Event: AuthDetail", "ObjectName: 1001", "Password: s3cr3t", "md5_cred: 0123abcd"
    ) + packet("Event: Newchannel", "Channel: PJSIP/1")
    for out in (events_json(parse(data)), events_text(parse(data))):
        assert "s3cr3t" not in out and "0123abcd" not in out
    assert plain_events(parse(data)) is None
    assert_same(data)


def test_db_key_is_data_and_login_key_is_not() -> None:
    db = packet("Event: DBGetResponse", "Family: cid", "Key: 4930", "Val: Alice")
    other = packet("Event: UserEvent", "Key: 0123456789abcdef")
    assert '"Key": "4930"' in events_json(parse(db))
    assert "0123456789abcdef" not in events_json(parse(other))
    assert_same(db + other)


def test_update_config_pairs_are_masked() -> None:
    for name in ("updateconfig ", " UpdateConfig"):  # `redact` strips the event name
        data = packet(f"Event: {name}", "Var-000001: secret", "Value-000001: hunter2")
        data += packet("Event: Newchannel", "Channel: PJSIP/1")
        assert "hunter2" not in events_json(parse(data))
        assert "hunter2" not in events_text(parse(data))
        assert_same(data)


def test_repeated_names_become_arrays_in_a_batch() -> None:
    data = packet("Event: TestEvent", "State: A", "Type: x", "State: B") + packet(
        "Event: Newchannel", "Channel: PJSIP/1"
    )
    out = events_json(parse(data)).splitlines()
    assert out[0] == '{"Event": "TestEvent", "State": ["A", "B"], "Type": "x"}'
    assert_same(data)


def test_values_with_colons_and_odd_lines() -> None:
    assert_same(
        packet("Event: X", "Message: a: b: c", "Time: 12:00")
        + packet("Event: Y", "a:b: c", "Key2:value", "no colon at all", ": empty name")
        + packet("Event: Z", "Name : spaced", " Lead: space", "Empty: ")
    )


def test_hostile_characters() -> None:
    assert_same(
        packet("Event: X", 'Quote: say "hi"', "Back: a\\b", "Tab: a\tb", "Esc: \x1b]0;x\x07")
        + packet("Event: Y", "Bidi: \u202etxt", "C1: \x9b31m", "Del: \x7f", "Utf: é中")
        + packet("Event: Z", "Cr: a\rb", "Nul: \x00")
        + b"Event: W\nLf: only\n\n"
        + packet("Event: V", "Line: with\nbare lf")
        + b"Event: Bad\r\nUtf8: \xff\xfe\r\n\r\n"
    )


def test_responses_banners_and_malformed_frames_take_the_general_path() -> None:
    data = (
        b"Asterisk Call Manager/11.0.0\r\n"
        + packet("Response: Success", "ActionID: 1", "Output: line one", "Output: line two")
        + packet("Event: OriginateResponse", "Response: Success", "Channel: X")
        + b"Event: Cut\r\nShort: yes\r\n"
    )
    assert_same(data, banner=True)


NAMES = st.sampled_from(
    ["Event", "Channel", "State", "Secret", "Key", "md5_cred", "Line-000001-000002", "JSON",
     "Var-000001", "Value-000001", "Output", "A:b", " Pad", "", "UsingPassword", "ActionID"]
)  # fmt: skip
VALUES = st.lists(
    st.sampled_from(
        ["x", "PJSIP/1", ": ", ":", '"', "\\", "\t", "\x1b", "\x7f", "é", "\u202e", "\r", "\n",
         "secret=1", '{"secret":"x"}', "UpdateConfig", " ", "Event: ", "secret"]
    ),
    max_size=4,
).map("".join)  # fmt: skip
EVENTS = st.sampled_from(
    ["Newchannel", "UpdateConfig", "updateconfig ", " UpdateConfig", "DBGetResponse", "X"]
)
LINES = st.lists(st.tuples(NAMES, VALUES), max_size=6)


@st.composite
def packets(draw: st.DrawFn) -> bytes:
    lines = [f"Event: {draw(EVENTS)}"] + [f"{k}: {v}" for k, v in draw(LINES)]
    if draw(st.booleans()):
        lines[0] = lines[0].replace("Event", draw(st.sampled_from(["event", "Response", "X"])))
    end = draw(st.sampled_from(["\r\n", "\r\n", "\r\n", "\n"]))
    return (end.join(lines) + end + end).encode()


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(packets(), min_size=1, max_size=6))
def test_generated_batches_are_the_same(batch: list[bytes]) -> None:
    assert_same(b"".join(batch))
