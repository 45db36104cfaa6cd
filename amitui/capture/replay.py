"""Offline replay: a recording (or raw capture) played into the console as if it were live.

Theory of operation
-------------------
`ReplaySession` has the part of AmiSession's interface the console uses (`spec`, `state`,
`ping_ms`, `ids`, `run()`, `send()`), so the same app, filters, catalog and call tracing work
on a recording with no server. `send()` always refuses: replaying an Originate from a file by
accident is exactly what an offline mode must never do.

* What reaches `on_events` is what a live session would have streamed. "out" lines register
  their action with a Correlator and "in" frames are routed through it, so responses and list
  items stay out of the stream and OriginateResponse stays in. A raw capture has no "out" lines
  to judge responses by, so its responses are left out and every other frame is streamed.
* Time: `position` is seconds since the first packet. While playing, the replay clock runs at
  `speed` times wall time from an anchor (position, monotonic time) that is reset by every
  pause, resume, speed change, step and seek; packets whose time has come go out in one batch,
  as one socket read would. `speed = 0` means as fast as possible, in chunks of `batch_limit`
  packets with a yield to the loop between them, so the UI stays responsive.
* `step(n)` and `seek(t)` deliver synchronously, in the caller's turn of the loop: a test or a
  key handler sees the effect at once. Delivered events cannot be taken back, so seeking
  backwards restarts from the first packet: `on_rewind` is called (the app may clear its
  ring), a gap note says so, and everything up to `t` is delivered again.
* Notes in the recording (connection lost, restored, packets dropped by a bound) become gap
  markers through `on_gap`, where they were in time.
* A packet recorded as MALFORMED (cut short, oversized, a Command body without its marker) is
  replayed as that MALFORMED frame with its reason, never parsed again into a whole-looking
  one. Lines of the recording that could not be read are counted, and `describe()` (the
  status bar) says how many and where the first was.

Tests: tests/capture/test_replay.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from amitui.client.errors import NotReady
from amitui.client.spec import ServerSpec, hand_over
from amitui.client.state import Phase, SessionState
from amitui.client.transcript import Transcript
from amitui.protocol import Action, ActionIds, Correlator, Frame, FrameKind
from amitui.protocol.correlator import STREAMED_ROLES
from amitui.protocol.parser import build_frame
from amitui.store.recording import (
    RecordedPacket,
    RecordingError,
    RecordingInfo,
    open_recording,
    packet_frames,
    skipped_text,
)

_GAP_PREFIX = "gap: "
OFFLINE = "offline replay: actions cannot be sent"

Source = str | os.PathLike[str] | Iterable[RecordedPacket]


def replay_spec(path: str | os.PathLike[str]) -> ServerSpec:
    """A ServerSpec naming the recorded server, for titles; read-only. Raises RecordingError."""
    with open_recording(path) as reader:
        info = reader.info
    name = f"replay of {Path(path).name}"
    host, sep, port = info.server.rpartition(":")
    if not sep or not port.isdigit():
        host, port = Path(path).name, "0"
    return ServerSpec(host=host, port=int(port), user="replay", name=name, read_only=True)


class ReplaySession:
    def __init__(
        self,
        spec: ServerSpec,
        *,
        recording: Source,
        speed: float = 1.0,
        paused: bool = False,
        spacing: float = 0.0,
        batch_limit: int = 1000,
        on_events: Callable[[list[Frame]], None] | None = None,
        on_state: Callable[[SessionState], None] | None = None,
        on_gap: Callable[[str], None] | None = None,
        on_rewind: Callable[[], None] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if speed < 0:
            raise ValueError("speed must be 0 (as fast as possible) or more")
        self.spec = spec
        self.recording = recording
        self.spacing = spacing
        self.batch_limit = max(1, batch_limit)
        self.on_events = on_events
        self.on_state = on_state
        self.on_gap = on_gap
        self.on_rewind = on_rewind
        self.monotonic = monotonic
        self.ids = ActionIds("replay")
        self.state = SessionState(Phase.IDLE, spec.address, spec.user)
        self.ping_ms: float | None = None  # there is no peer to ping
        self.banner: Frame | None = None
        self.info: RecordingInfo | None = None
        self.events_received = 0
        self.reconnects = 0
        self.callback_errors: list[str] = []
        self.skipped = 0  # recording lines that could not be read
        self.first_skipped: int | None = None  # the line number of the first of them
        self._speed = speed
        self._paused = paused
        self._packets: list[RecordedPacket] = []
        self._rels: list[float] = []  # seconds since the first packet, per packet
        self._i = 0  # index of the next packet to process
        self._correlator = Correlator()
        self._judge_responses = True
        self._base_pos = 0.0
        self._base_wall = monotonic()
        self._wake = asyncio.Event()
        self._closing = False
        self._version: str | None = None

    # -- the session interface the app uses ------------------------------------------------

    async def run(self) -> None:
        """Load the recording, then play it until close(). A recording that cannot be read
        ends with phase FAILED and the reason, as a refused login does."""
        try:
            await asyncio.to_thread(self._load)
        except RecordingError as exc:
            self._set(Phase.FAILED, reason=str(exc))
            return
        self._set(Phase.READY)
        self._anchor(0.0)
        while not self._closing:
            if self._paused or self.finished:
                await self._wait(None)
                continue
            if self._speed == 0:
                self._advance(None, limit=self.batch_limit)
                self._base_pos = self._last_rel()
                await asyncio.sleep(0)
                continue
            self._advance(self._clock(), limit=self.batch_limit)
            if self.finished:
                continue
            delay = (self._rels[self._i] - self._clock()) / self._speed
            if delay > 0:
                await self._wait(delay)
            else:
                await asyncio.sleep(0)  # more is due: let the UI breathe between chunks
        self._set(Phase.CLOSED)

    async def send(self, action: Action, *, timeout: float | None = None) -> Transcript:
        raise NotReady(OFFLINE)

    async def close(self, *, logoff: bool = True) -> None:
        self._closing = True
        self._wake.set()

    # -- playback controls -----------------------------------------------------------------

    @property
    def replay(self) -> ReplaySession:
        """The playback controls: this session itself (client/interface.py ReplayControl)."""
        return self

    @property
    def paused(self) -> bool:
        return self._paused

    def pause(self) -> None:
        if not self._paused:
            self._anchor(self.position)
            self._paused = True
            self._wake.set()

    def resume(self) -> None:
        if self._paused:
            self._paused = False
            self._anchor(self._base_pos)
            self._wake.set()

    @property
    def speed(self) -> float:
        """Recorded seconds per wall second; 0 plays as fast as possible."""
        return self._speed

    @speed.setter
    def speed(self, value: float) -> None:
        if value < 0:
            raise ValueError("speed must be 0 (as fast as possible) or more")
        self._anchor(self.position)
        self._speed = value
        self._wake.set()

    @property
    def duration(self) -> float:
        """Seconds from the first packet to the last."""
        return self._rels[-1] if self._rels else 0.0

    @property
    def position(self) -> float:
        """Seconds since the first packet that the replay has reached."""
        if self._paused or self._speed == 0 or self.state.phase is not Phase.READY:
            return min(self._base_pos, self.duration)
        return min(self._clock(), self.duration)

    @property
    def finished(self) -> bool:
        """Every packet has been played (seek back to play again)."""
        return self._i >= len(self._packets)

    def describe(self) -> str:
        """One line for the status bar: `replay 0:12 / 1:00 x2 playing`."""
        how = "paused" if self._paused else "at the end" if self.finished else "playing"
        pace = "max speed" if self._speed == 0 else f"x{self._speed:g}"
        text = f"replay {_mmss(self.position)} / {_mmss(self.duration)} {pace} {how}"
        skipped = skipped_text(self.skipped, self.first_skipped)
        return f"{text}; {skipped}" if skipped else text

    def recorded_time(self) -> float:
        """The recorded wall-clock time of the latest packet played: a clock for the store,
        so replayed events carry the time they happened, not the time of the replay. A raw
        capture has no times, so there it is the wall clock."""
        if not self._packets or (self.info is not None and self.info.kind == "raw"):
            return time.time()
        return self._packets[max(0, self._i - 1)].t

    def step(self, n: int = 1) -> int:
        """Pause, then deliver the next `n` streamed events now; returns how many went."""
        self.pause()
        delivered = self._advance(None, max_events=max(0, n)) if n > 0 else 0
        self._base_pos = max(self._base_pos, self._last_rel())
        return delivered

    def seek(self, t: float) -> int:
        """Jump to `t` seconds: everything up to it is delivered at once; returns the count.

        Events already delivered cannot be taken back, so seeking backwards restarts from the
        start of the recording (calling `on_rewind` and noting a gap first)."""
        target = min(max(0.0, t), self.duration)
        if self._i > 0 and self._rels[self._i - 1] > target:
            self._rewind(target)
        delivered = self._advance(target)
        self._anchor(target)
        self._wake.set()
        return delivered

    # -- internals -------------------------------------------------------------------------

    def _load(self) -> None:
        source = self.recording
        if isinstance(source, str | os.PathLike):
            with open_recording(source, spacing=self.spacing, server=self.spec.address) as r:
                self._packets = list(r)
                self.info = r.info
                self.skipped = r.skipped
                self.first_skipped = r.first_skipped
        else:
            self._packets = list(source)
        self._judge_responses = self.info is None or self.info.kind == "amirec"
        first = self._packets[0].t if self._packets else 0.0
        self._rels = [max(0.0, p.t - first) for p in self._packets]
        self._version = self.info.ami_version if self.info is not None else None
        firsts = (p for p in self._packets[:50] if p.direction == "in")  # the banner comes first
        for frame in (f for p in firsts for f in packet_frames(p.raw, p.malformed)):
            if frame.kind is FrameKind.BANNER:
                self._version = self._version or frame.version
                break

    def _clock(self) -> float:
        return self._base_pos + (self.monotonic() - self._base_wall) * self._speed

    def _anchor(self, pos: float) -> None:
        self._base_pos = pos
        self._base_wall = self.monotonic()

    def _last_rel(self) -> float:
        return self._rels[self._i - 1] if self._i > 0 else 0.0

    async def _wait(self, timeout: float | None) -> None:
        # Nothing else runs between the caller's checks and here (one loop, no await), so
        # clearing now cannot lose a wake-up from pause/seek/close.
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    def _rewind(self, target: float) -> None:
        self._i = 0
        self._correlator = Correlator()
        if self.on_rewind is not None:
            self.on_rewind()
        self._gap(f"replay restarted from the beginning to seek back to {target:.1f} s")

    def _advance(
        self, until: float | None, *, limit: int | None = None, max_events: int | None = None
    ) -> int:
        """Process packets up to `until` seconds (None: no time bound), at most `limit`
        packets or until `max_events` were streamed. Returns the number of events streamed."""
        batch: list[Frame] = []
        delivered = 0
        processed = 0
        packets, rels = self._packets, self._rels
        while self._i < len(packets) and (until is None or rels[self._i] <= until):
            if limit is not None and processed >= limit:
                break
            if max_events is not None and delivered + len(batch) >= max_events:
                break
            packet = packets[self._i]
            self._i += 1
            processed += 1
            if packet.direction == "in":
                batch.extend(self._route(packet))
            elif packet.direction == "out":
                self._expect(packet.raw)
            elif packet.direction == "note":
                delivered += self._flush(batch)
                self._note(packet.raw.decode("utf-8", "replace"))
            if len(batch) >= self.batch_limit:
                delivered += self._flush(batch)
        return delivered + self._flush(batch)

    def _route(self, packet: RecordedPacket) -> list[Frame]:
        out: list[Frame] = []
        for frame in packet_frames(packet.raw, packet.malformed):
            if frame.kind is FrameKind.BANNER:
                self.banner = frame  # a live session consumes the banner, never streams it
                continue
            if frame.kind is FrameKind.RESPONSE and not self._judge_responses:
                continue
            if self._correlator.route(frame).role in STREAMED_ROLES:
                out.append(frame)
        return out

    def _expect(self, raw: bytes) -> None:
        frame = build_frame(raw.replace(b"\r\n", b"\n").strip(b"\n") + b"\n")
        name = frame.get("Action")
        if not name:
            return
        try:
            action = Action.of(name, [(k, v) for k, v in frame.headers if k.lower() != "action"])
            if action.action_id:
                self._correlator.expect(action)
        except Exception:  # a hand-edited line must not stop the replay
            return

    def _note(self, text: str) -> None:
        if text.startswith(_GAP_PREFIX):
            # The connection changed: nothing pending on the old one will be answered.
            self._correlator.abandon_all()
            text = text[len(_GAP_PREFIX) :]
        self._gap(text)

    def _flush(self, batch: list[Frame]) -> int:
        n = len(batch)
        if n == 0:
            return 0
        frames = list(batch)
        batch.clear()
        self.events_received += n
        if self.on_events is not None:
            hand_over(self.on_events, frames, self.callback_errors)
        return n

    def _gap(self, text: str) -> None:
        if self.on_gap is not None:
            self.on_gap(text)

    def _set(self, phase: Phase, **changes: Any) -> None:
        base = SessionState(phase, self.spec.address, self.spec.user, ami_version=self._version)
        state = replace(base, **changes)
        if state != self.state:
            self.state = state
            if self.on_state is not None:
                self.on_state(state)


def _mmss(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def replay_factory(
    recording: Source, *, speed: float = 1.0, paused: bool = False, spacing: float = 0.0
) -> Callable[..., ReplaySession]:
    """A session factory for AmiApp: `factory(spec, on_events=..., on_gap=..., on_state=...)`."""

    def factory(spec: ServerSpec, **callbacks: Any) -> ReplaySession:
        return ReplaySession(
            spec, recording=recording, speed=speed, paused=paused, spacing=spacing, **callbacks
        )

    return factory
