"""A scrollable widget's new size, without a layout of the whole screen when its box cannot
change: `SteadySize`, mixed into the event stream and the steady tables and text areas
(steady.py, whose docstring says why). Imports nothing the first screen would not need."""

from __future__ import annotations

from typing import cast

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widget import Widget


def resized(widget: Widget, size: Size) -> None:
    """What a new scrollable size needs: a layout when the box follows the content, else the
    scrollbars told (a layout only when one appears or goes)."""
    styles = widget.styles
    height, width = styles.height, styles.width
    if (height is not None and height.is_auto) or (width is not None and width.is_auto):
        widget.refresh(layout=True)  # its box follows its content: a real layout
    else:
        widget._scroll_update(size)


class SteadySize:
    """Mixed in before a scrollable widget class: its scrollable size stops being a layout
    property, and a new one goes through `resized`."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def watch_virtual_size(self, size: Size) -> None:
        resized(cast(Widget, self), size)
