"""Tables and text areas whose new content does not lay out the whole screen.

Textual treats a widget's scrollable size (`virtual_size`) as a layout property: a DataTable
given other rows or a TextArea other text re-arranges every widget on the screen, ~11-17 ms in
the console (bench/console.py), even when the widget's own box cannot change. The inspector
refills its table at every row the user moves to, so each arrow key paid a layout.

Here the size change lays out the screen only when the widget's box follows its content (an
`auto` height or width); otherwise only the widget's scrollbars are told, which still lays out
the screen when a scrollbar appears or goes, as its content area changes then. The event
stream mixes in the same (scrolling.py's `SteadySize`). Textual is pinned
(pyproject.toml): this relies on how 8.2.8 sizes scrollable widgets; tests/ui/test_steady.py
checks it.
"""

from __future__ import annotations

from textual.widgets import DataTable, TextArea
from textual.widgets._data_table import CellType

from amitui.ui.widgets.scrolling import SteadySize


class SteadyTable(SteadySize, DataTable[CellType]):
    """A DataTable (see the module docstring)."""


class SteadyTextArea(SteadySize, TextArea):
    """A TextArea (see the module docstring)."""
