"""Recorded and hand-made AMI transcripts parse to the same frames however they are cut.

asterisk22-*.bin were recorded from a real Asterisk 22. quirks-*.bin are hand-made from the
parser-breaking quirks of older and odder servers (legacy `Response: Follows` Command output,
bare LF line ends, `Message: ...\\n` acks, extra blank lines, colon-less lines, CP1251 bytes).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from amitui.protocol import Action, Correlator, Frame, FrameKind, Parser, Role

TRANSCRIPTS = Path(__file__).resolve().parent.parent / "transcripts"
FILES = sorted(TRANSCRIPTS.glob("*.bin"))
SEEDS = [1, 7, 42, 2024, 31337]


def frames_of(data: bytes, sizes: list[int] | None = None) -> list[Frame]:
    """Feed `data` in pieces of the given sizes (cycled), or whole; then EOF."""
    parser = Parser()
    out: list[Frame] = []
    if sizes is None:
        parser.feed(data)
        out.extend(parser.frames())
    else:
        pos = 0
        i = 0
        while pos < len(data):
            size = sizes[i % len(sizes)]
            parser.feed(data[pos : pos + size])
            out.extend(parser.frames())
            pos += size
            i += 1
    parser.feed_eof()
    out.extend(parser.frames())
    assert parser.buffered == 0
    assert parser.bytes_in == len(data)
    assert parser.frames_out == len(out)
    return out


def load(name: str) -> list[Frame]:
    return frames_of((TRANSCRIPTS / name).read_bytes())


def test_the_transcripts_are_there() -> None:
    names = {f.name for f in FILES}
    assert {"asterisk22-basics.bin", "asterisk22-call.bin"} <= names
    assert len([n for n in names if n.startswith("quirks-")]) >= 2


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_whole_bytewise_and_random_chunks_agree(path: Path) -> None:
    data = path.read_bytes()
    whole = frames_of(data)
    assert len(whole) > 3
    assert whole[0].kind is FrameKind.BANNER
    assert not [f for f in whole if f.kind is FrameKind.MALFORMED]
    assert frames_of(data, [1]) == whole
    for seed in SEEDS:
        rng = random.Random(seed)
        sizes = [rng.choice((1, 2, 3, rng.randint(1, 64), rng.randint(1, 4096))) for _ in range(64)]
        assert frames_of(data, sizes) == whole, f"seed {seed}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_raw_bytes_account_for_the_whole_transcript(path: Path) -> None:
    """Every non-blank byte of the file ends up in some frame's raw bytes, in order."""
    data = path.read_bytes()
    frames = frames_of(data)
    joined = b"".join(f.raw for f in frames)
    assert joined.replace(b"\r", b"").replace(b"\n", b"") == (
        data.replace(b"\r", b"").replace(b"\n", b"")
    )


# -- facts from the real Asterisk 22 recordings -----------------------------------------------


def test_asterisk22_banner() -> None:
    for name in ("asterisk22-basics.bin", "asterisk22-call.bin"):
        first = load(name)[0]
        assert first.kind is FrameKind.BANNER
        assert first.version == "11.0.0"


def test_asterisk22_command_output_and_errors() -> None:
    frames = load("asterisk22-basics.bin")
    commands = [f for f in frames if f.output is not None]
    assert commands, "no Command response in the recording"
    assert any("[Syntax]" in line for f in commands for line in f.output or ())
    assert all(f.get("Message") == "Command output follows" for f in commands)
    assert all(f.get_all("Output") == list(f.output or ()) for f in commands)
    failed = [f for f in commands if f.name == "Error"]
    assert failed and "No such command" in (failed[0].output or ("",))[0]

    listing = [f for f in frames if f.kind is FrameKind.RESPONSE and "Originate" in f]
    assert len(listing) == 1
    assert "(Priv: originate,all)" in (listing[0].get("Originate") or "")
    assert listing[0].get("Ping") is not None  # an action named Ping, not a Ping reply

    unknown = [f for f in frames if f.name == "Error" and f.output is None]
    assert len(unknown) == 1
    assert "Invalid/unknown command" in (unknown[0].get("Message") or "")
    assert frames[-1].name == "Goodbye"


def test_asterisk22_call_correlates() -> None:
    """Drive the real call recording through the correlator as the client would have."""
    frames = load("asterisk22-call.bin")
    correlator = Correlator()
    exchanges = {
        aid: correlator.expect(Action("X", action_id=aid))
        for aid in ("l1", "o1", "cs", "h1", "bye")
    }
    roles = [correlator.route(f).role for f in frames]
    assert roles.count(Role.RESPONSE) == 5
    assert roles.count(Role.LIST_END) == 2
    assert Role.STRAY not in roles and Role.LATE not in roles
    assert correlator.pending == []
    originate = exchanges["o1"]
    assert originate.response is not None and originate.response.get("Message") == (
        "Originate successfully queued"
    )
    assert [f.name for f in originate.follow_ups] == ["OriginateResponse"]
    assert originate.follow_ups[0].get("Response") == "Success"
    assert exchanges["cs"].is_list and exchanges["cs"].items == []
    assert exchanges["cs"].list_end is not None
    assert exchanges["cs"].list_end.name == "CoreShowChannelsComplete"


# -- facts from the hand-made quirk transcripts ------------------------------------------------


def by_id(frames: list[Frame]) -> dict[str, list[Frame]]:
    out: dict[str, list[Frame]] = {}
    for f in frames:
        out.setdefault(f.action_id or "", []).append(f)
    return out


def test_quirks_legacy_follows() -> None:
    frames = load("quirks-legacy-follows.bin")
    assert frames[0].version == "1.3"
    ids = by_id(frames)
    peer = ids["c1"][0]
    assert peer.output == (
        "",
        "",
        "  * Name       : 1001",
        "  Secret       : <Set>",
        "Status: OK (5 ms)",
        "",
    )
    assert peer.get("Status") is None
    assert ids["c2"][0].output == (
        "Asterisk 11.25.3 built by root @ pbx on a x86_64 running Linux on 2019-01-01 12:00:00 UTC",
    )
    assert ids["c3"][0].output == ()
    assert ids["c4"][0].name == "Follows" and "No such command" in (ids["c4"][0].output or ("",))[0]
    assert [f.name for f in frames[-2:]] == ["PeerStatus", "Goodbye"]


def test_quirks_bare_lf() -> None:
    frames = load("quirks-bare-lf.bin")
    ids = by_id(frames)
    agent = ids["ag"][1]
    assert agent.get("CallStarted") == "1700000000"
    assert agent.get("LoggedInTime") == "1699999000"
    assert ids["ag"][2].get("EventList") == "Complete"
    assert ids["pk"][0].get("Message") == "Park successful"
    assert ids["gc"][0].loose == ("No categories found",)
    user = ids["ue"][0]
    assert user.kind is FrameKind.EVENT
    assert user.get("Foo") == "bar"
    assert user.get("Filter") == "Event: Newchannel"
    assert user.loose == ("just a line without colon",)
    rtcp = next(f for f in frames if f.name == "RTCPSent")
    assert rtcp.get("ReportBlock") == "" and rtcp.get("To") == "10.0.0.2:4001"
    assert len([f for f in frames if f.name == "TestEvent"]) == 1


def test_quirks_encoding() -> None:
    frames = load("quirks-encoding.bin")
    cp1251 = next(f for f in frames if f.name == "Newchannel")
    assert cp1251.replaced == 10  # "Иван Петров" in CP1251: ten bytes, each invalid UTF-8
    assert cp1251.get("CallerIDName") == "\ufffd" * 4 + " " + "\ufffd" * 6
    assert cp1251.get("Uniqueid") == "1700000000.1"
    varset = next(f for f in frames if f.name == "VarSet")
    assert varset.replaced == 0
    assert varset.get("Value") == "Jos\ufffd Müller \u2013 日本"
    status = by_id(frames)["st"]
    assert status[1].get_all("Variable") == ["A=1", "B=2", "C=3"]
    assert status[2].name == "StatusComplete" and status[2].get("EventList") is None
