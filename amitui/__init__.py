"""amitui: a terminal console for the Asterisk Manager Interface."""

__version__ = "0.1.0"
