"""The headless layers never load Textual or Rich: the scripting commands stay fast and the
protocol code stays usable without a terminal."""

from __future__ import annotations

import subprocess
import sys

HEADLESS = [
    "amitui.protocol",
    "amitui.client",
    "amitui.store",
    "amitui.config",
    "amitui.scripting",
    "amitui.cli",
    "amitui.demo",
    "amitui.recorder",
]


def test_headless_layers_import_neither_textual_nor_rich() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in HEADLESS)
        + "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        + "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_cli_help_does_not_import_textual() -> None:
    code = (
        "import sys\nfrom amitui.cli import main\n"
        "try:\n    main(['action', '--help'])\nexcept SystemExit:\n    pass\n"
        "print('textual' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False"
