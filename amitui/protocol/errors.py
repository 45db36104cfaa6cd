"""Errors of the sans-IO layer, split as h11 does: who is at fault."""

from __future__ import annotations


class ProtocolError(Exception):
    """Base class of everything the protocol layer raises."""


class LocalProtocolError(ProtocolError):
    """The caller asked for something AMI cannot carry (CR/LF in a value, a line too long)."""
