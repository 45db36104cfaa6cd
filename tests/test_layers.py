"""The headless layers never load Textual or Rich: the scripting commands stay fast and the
protocol code stays usable without a terminal."""

from __future__ import annotations

import subprocess
import sys

from tests import import_graph

# The modules of ui/ that say "no Textual here": the console's plumbing that tests (and the
# scripting path one day) use without a terminal.
HEADLESS_UI = ["amitui.ui.bridge", "amitui.ui.fleet", "amitui.ui.livesync"]


def headless_modules() -> list[str]:
    """Every module outside ui/ (the console's entry in commands/ imports ui/ lazily), and
    the ui/ modules that claim to be headless. Not __main__: importing it runs amitui."""
    modules = import_graph.build().modules
    outside = [m for m in modules if not m.startswith("amitui.ui") and m != "amitui.__main__"]
    return sorted(outside) + HEADLESS_UI


def test_headless_layers_import_neither_textual_nor_rich() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in headless_modules())
        + "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        + "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_cli_help_does_not_import_textual() -> None:
    code = (
        "import sys\nfrom amitui.commands.cli import main\n"
        "try:\n    main(['action', '--help'])\nexcept SystemExit:\n    pass\n"
        "print('textual' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False"


# -- the import graph: layers point one way, and no module imports itself round a loop ---------

# Lower number = lower layer. A module may import its own layer and the ones below it.
LAYERS: dict[str, int] = {
    "amitui": 0,  # the package's __init__: the version string only
    "amitui.exitcodes": 0,  # the commands' exit codes, also the console's
    "amitui.protocol": 0,  # sans-IO
    "amitui.client": 1,  # asyncio sessions
    "amitui.config": 1,  # profiles and settings, headless
    "amitui.connection": 1,  # options + profile -> a server's spec, for commands and ui
    "amitui.settings": 1,  # the [ui] table and every default it holds, headless
    "amitui.demo": 1,  # the simulated PBX speaks the protocol, nothing above it
    "amitui.store": 2,  # plain data, and the files it persists
    "amitui.capture": 3,  # record a session / replay a file as a session
    "amitui.ui": 4,  # Textual
    "amitui.commands": 5,  # the command line: nothing imports it
    "amitui.__main__": 5,
}

# Deferred imports allowed to point upward, each with the function that defers it and why.
UPWARD_ALLOWED: dict[tuple[str, str], str] = {}

# Edges left out of the cycle check, each with the function that defers the import and why.
CYCLE_ALLOWED: dict[tuple[str, str], str] = {}


def _layer(module: str) -> int:
    best = max((k for k in LAYERS if module == k or module.startswith(k + ".")), key=len)
    return LAYERS[best]


def test_every_module_has_a_layer() -> None:
    graph = import_graph.build()
    for module in graph.modules:
        named = [k for k in LAYERS if module == k or module.startswith(k + ".")]
        assert named not in ([], ["amitui"]) or module == "amitui", module


def test_imports_point_down_the_layers() -> None:
    graph = import_graph.build()
    upward = sorted(
        f"{m} -> {t}"
        for m in graph.modules
        for t in graph.imports(m)
        if _layer(t) > _layer(m) and (m, t) not in UPWARD_ALLOWED
    )
    assert upward == []


def test_no_import_cycles_between_modules() -> None:
    graph = import_graph.build()
    assert graph.cycles(set(CYCLE_ALLOWED)) == []


def test_the_graph_sees_deferred_imports_and_cycles() -> None:
    """The checker itself: a deferred import is an edge, a TYPE_CHECKING one is not, and a
    loop of two modules is reported."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "amitui"
        root.mkdir()
        (root / "__init__.py").write_text("")
        (root / "a.py").write_text("def f():\n    from amitui import b\n")
        (root / "b.py").write_text("from amitui.a import f\n")
        (root / "c.py").write_text(
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from amitui import a\n"
        )
        graph = import_graph.build(root)
    assert graph.deferred["amitui.a"] == {"amitui.b"}
    assert graph.edges["amitui.b"] == {"amitui.a"}
    assert "amitui.c" not in graph.edges
    assert graph.cycles(set()) == [["amitui.a", "amitui.b"]]
    assert graph.cycles({("amitui.a", "amitui.b")}) == []


def test_docstring_test_pointers_name_files_that_exist() -> None:
    """A module's "Tests: tests/…" pointer is how a newcomer finds its tests; a stale one
    sends them nowhere."""
    import re

    repo = import_graph.PACKAGE_ROOT.parent
    stale = []
    for module, path in import_graph.build().modules.items():
        for pointer in re.findall(r"\btests/[\w/]+\.py\b", path.read_text(encoding="utf-8")):
            if not (repo / pointer).exists():
                stale.append(f"{module}: {pointer}")
    assert stale == []
