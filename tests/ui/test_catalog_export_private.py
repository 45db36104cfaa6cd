"""The catalog screen's report files are private (0600 from creation), like every export."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tests.ui.test_catalog_screen import call_catalog, catalog_host


async def test_catalog_export_files_are_0600(tmp_path: Path) -> None:
    old = os.umask(0o022)  # a umask that lets others read: the files must be private anyway
    try:
        app, _ = catalog_host(call_catalog(), export_dir=tmp_path)
        async with app.run_test(size=(160, 40)) as pilot:
            await app.settle(pilot)
            await pilot.press("e")
            await app.settle(pilot)
    finally:
        os.umask(old)
    written = sorted(tmp_path.iterdir())
    assert [p.suffix for p in written] == [".json", ".md"]
    assert [stat.S_IMODE(p.stat().st_mode) for p in written] == [0o600, 0o600]
