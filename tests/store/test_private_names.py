"""A store module uses another's public names only: what two modules share (the CLI help text
rules of amitui/store/clitext.py) is public where it lives, not borrowed as `_private`."""

from __future__ import annotations

import ast
from pathlib import Path

STORE = Path(__file__).resolve().parents[2] / "amitui" / "store"


def _private(name: str) -> bool:
    return name.startswith("_") and not name.endswith("__")  # __version__ is public


def test_no_store_module_imports_private_names() -> None:
    borrowed = []
    for path in sorted(STORE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("amitui"):
                names = [a.name for a in node.names if _private(a.name)]
                borrowed += [f"{path.name}: {node.module}.{name}" for name in names]
    assert borrowed == []
