"""The optional C modules in tests: each is held to its Python twin's answers where it was
built. A machine without a C compiler has none, and those tests skip there, unless
AMITUI_REQUIRE_SPEEDUPS is set (CI sets it: there every C module must have been built)."""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest


def built(module: str) -> ModuleType:
    """The C module `module`, or a skip of the calling test module where it was not built."""
    try:
        return importlib.import_module(module)
    except ImportError:  # pragma: no cover - a machine without a C compiler
        if os.environ.get("AMITUI_REQUIRE_SPEEDUPS"):
            raise
        pytest.skip(f"{module} (optional C) was not built here", allow_module_level=True)
