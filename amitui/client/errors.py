"""What the session raises. Each message is one line a human understands, never a traceback."""

from __future__ import annotations


class SessionError(Exception):
    """Base class: anything that stops an AMI session from doing what was asked."""


class ConnectError(SessionError):
    """The TCP or TLS connection could not be made or was lost before login."""


class LoginError(SessionError):
    """The server refused the credentials (or the login exchange failed)."""


class NotReady(SessionError):
    """An action was sent while the session is not logged in (connecting, reconnecting)."""


class ReadOnlyRefused(SessionError):
    """A state-changing action was refused because the session is read-only."""
