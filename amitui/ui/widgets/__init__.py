"""Widgets, one module per pane."""
