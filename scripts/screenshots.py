#!/usr/bin/env python3
"""Regenerate the README's pictures: the console, headless, on the built-in demo PBX.

The demo runs with a fixed seed and the clock starts at a fixed moment, so each run shows the
same kind of traffic; nothing is drawn by hand. Writes SVG (Textual's own screenshot) and PNG
(through rsvg-convert, from Debian's librsvg2-bin, when it is installed) into screenshots/.

    .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import TabbedContent

from amitui.client import ServerSpec
from amitui.config import Profile
from amitui.demo import serve
from amitui.ui.app import AmiApp, Settings
from amitui.ui.widgets.composer import ActionComposer
from amitui.ui.widgets.composer_form import FieldRow
from amitui.ui.widgets.inspector import ResponseInspector

OUT = Path(__file__).resolve().parent.parent / "screenshots"
SIZE = (132, 42)
START = 1795838400.0  # 2026-11-28 04:00:00 UTC


def fixed_clock() -> float:
    return START + time.monotonic() - _T0


_T0 = time.monotonic()


async def until(pilot: Pilot[int], pred: object, timeout: float = 15.0) -> None:
    waited = 0.0
    while not pred():  # type: ignore[operator]
        if waited > timeout:
            raise SystemExit("screenshots: the demo did not reach the expected state")
        await pilot.pause(0.1)
        waited += 0.1


def shoot(app: AmiApp, name: str) -> None:
    svg = OUT / f"{name}.svg"
    app.save_screenshot(path=str(OUT), filename=svg.name)
    if shutil.which("rsvg-convert"):
        subprocess.run(["rsvg-convert", "-o", str(svg.with_suffix(".png")), str(svg)], check=True)
    print(f"screenshots/{name}.svg")


def fill(app: AmiApp, **values: str) -> None:
    for row in app.query_one(ActionComposer).form.rows():
        if isinstance(row, FieldRow) and row.doc.name in values:
            row.value_input.value = values[row.doc.name]


async def main() -> None:
    os.environ["TZ"] = "UTC"
    time.tzset()
    OUT.mkdir(exist_ok=True)
    spec = ServerSpec(user="demo", secret="demo", port=0)
    settings = Settings(profile=Profile(name="demo"), demo=True, clock=fixed_clock)
    app = AmiApp(spec, settings, demo_starter=lambda: serve(port=0, seed=7, rate=2.0))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(app.ring) > 120)
        await pilot.pause(0.3)
        shoot(app, "stream")

        await pilot.press("up", "up", "up", "up")
        await pilot.pause(0.3)
        shoot(app, "inspect-event")

        await pilot.press("slash", *"Event~^(Newchannel|Hangup|DialEnd)$", "enter")
        await pilot.pause(0.3)
        shoot(app, "filter")
        await pilot.press("x")

        await pilot.press("o")
        composer = app.query_one(ActionComposer)
        await until(pilot, lambda: any(isinstance(r, FieldRow) for r in composer.form.rows()))
        fill(app, Channel="Local/100@default", Application="Wait", Data="30")
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        shoot(app, "confirm-originate")
        await pilot.press("y")
        inspector = app.query_one(ResponseInspector)
        await until(pilot, lambda: "Originate →" in str(inspector.border_title))

        await pilot.press("escape", "a", *"CoreShowChannels", "enter")
        await pilot.pause(0.5)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "CoreShowChannels →" in str(inspector.border_title))
        inspector.query_one(TabbedContent).active = "inspector-list"
        await pilot.pause(0.3)
        shoot(app, "list-response")

        await pilot.press("escape", "c")
        await pilot.pause(0.3)
        await pilot.press("down", "down", "enter")
        await pilot.pause(0.5)
        shoot(app, "call-timeline")
        await pilot.press("escape", "escape", "d")
        await pilot.pause(1.5)  # the catalog reads the server's docs for the selected type
        shoot(app, "catalog")
    await several()


async def several() -> None:
    """Two demo PBXs in one console (`amitui --profile pbx-a --profile pbx-b`): the server
    column in each profile's colour, both in the status bar, the composer aimed at one."""
    servers = [await serve(port=0, seed=seed, rate=2.0) for seed in (7, 8)]
    looks = (("pbx-a", "darkorange"), ("pbx-b", "deepskyblue"))
    specs = [
        (ServerSpec(user="demo", secret="demo", port=s.port, name=name), Profile(name, color=c))
        for s, (name, c) in zip(servers, looks, strict=True)
    ]
    app = AmiApp(specs, Settings(clock=fixed_clock))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: len({e.server for e in app.ring if e.server}) == 2)
            await until(pilot, lambda: len(app.ring) > 120)
            await pilot.press("up", "up")
            await pilot.pause(0.3)
            shoot(app, "several")
            await pilot.press("slash", *"Server=pbx-b Event~^(Newchannel|Hangup)$", "enter")
            await pilot.pause(0.3)
            shoot(app, "several-filter")
    finally:
        for server in servers:
            await server.close()


if __name__ == "__main__":
    asyncio.run(main())
