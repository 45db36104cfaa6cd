"""The "Why don't I see events?" screen at 80x24: every column on screen, the reason cut
with "…" to the room left (the line under the table says it whole), no sideways scroll."""

from __future__ import annotations

from textual.widgets import DataTable

from amitui.client import ServerSpec
from amitui.config import Profile
from amitui.demo import serve
from amitui.ui.app import AmiApp, Settings
from amitui.ui.screens.why import WhyNoEvents


async def test_why_fits_80_columns() -> None:
    spec = ServerSpec(user="demo", secret="demo", port=0)
    settings = Settings(profile=Profile(name="demo"), demo=True)
    app = AmiApp(spec, settings, demo_starter=lambda: serve(port=0, seed=7, rate=2.0))
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(200):
            await pilot.pause(0.05)
            if len(app.ring) > 40:
                break
        await pilot.press("w")
        screen = app.screen
        assert isinstance(screen, WhyNoEvents)
        table = screen.query_one(DataTable)
        for _ in range(200):  # the screen asks the server first (its own worker)
            await pilot.pause(0.05)
            if table.row_count:
                break
        await pilot.pause(0.2)  # and fits the reasons once it has its size
        assert table.row_count > 0
        assert table.virtual_size.width <= table.scrollable_content_region.width
        header = table.render_line(0).text
        assert "Verdict" in header and "Why" in header
        cut = [
            table.render_line(y).text
            for y in range(1, min(table.row_count + 1, table.size.height))
        ]
        assert any("…" in line for line in cut), cut
