"""Opening a session, after the TCP connect: waiting for the AMI banner, then logging in.

Both are the session's (amitui/client/session.py) first steps on every connection, written
as functions of what they need so that the session keeps only the connection's life.

* The banner: the reader task resolves `banner_seen` with the banner's frame (or fails it
  when the first line is no AMI banner). The reader ending first means the peer closed
  before any banner, which Asterisk does past its unauthenticated-session limit.
* The login: with `auth` "auto" or "md5" a Challenge is asked first, and the MD5 key sent
  instead of the secret when the server offers one; "md5" refuses to fall back to plain.
  A refusal is a LoginError (final: reconnecting would be refused again); a connection that
  closes during login is a ConnectError (worth retrying). So is a refusal that says nothing
  of the credentials (TRANSIENT): Asterisk answers every action, Login too, with `Asterisk
  is shutting down` while it stops, and a session reconnecting in that window (a graceful
  restart with calls up lasts) took it as final and never tried again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from amitui.client.errors import ConnectError, LoginError
from amitui.client.spec import ServerSpec
from amitui.client.transcript import Outcome, Transcript
from amitui.protocol import Action, Frame, challenge_key
from amitui.protocol.safetext import shown

Send = Callable[[Action], Awaitable[Transcript]]
# Refusals worth another try after the backoff: the server is stopping, or this user's
# previous session is still open there (`allowmultiplelogin = no`).
TRANSIENT = frozenset({"asterisk is shutting down", "login already in use"})


async def await_banner(
    banner_seen: asyncio.Future[Frame],
    reader: asyncio.Future[Any],
    where: str,
    timeout: float,
) -> Frame:
    """The banner; ConnectError when none comes within `timeout` or the peer closes first."""
    done, _ = await asyncio.wait(
        {banner_seen, reader}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
    )
    if banner_seen in done:
        return banner_seen.result()  # raises ConnectError for a line that is no AMI banner
    if reader in done:
        raise ConnectError(
            f"{where} closed the connection before the AMI banner "
            "(too many unauthenticated sessions, or not an AMI port?)"
        )
    raise ConnectError(f"no AMI banner from {where} within {timeout:g} s (is this an AMI port?)")


async def log_in(spec: ServerSpec, send: Send) -> None:
    """Log in as `spec` says; LoginError when refused, ConnectError when the line drops."""
    where = f"login failed for {spec.user!r} at {spec.address}"
    login: Action | None = None
    if spec.auth in ("auto", "md5"):
        tr = await send(Action.of("Challenge", AuthType="MD5"))
        _retry_if_transient(tr, where)
        challenge = tr.response.get("Challenge") if tr.response is not None else None
        if tr.ok and challenge:
            key = challenge_key(challenge, spec.secret)
            login = Action.of(
                "Login", AuthType="MD5", Username=spec.user, Key=key, Events=spec.events
            )
        elif spec.auth == "md5":
            raise LoginError(f"{where}: the server did not offer an MD5 challenge")
    if login is None:
        login = Action.of("Login", Username=spec.user, Secret=spec.secret, Events=spec.events)
    tr = await send(login)
    if tr.outcome is Outcome.UNKNOWN:
        raise ConnectError(f"{where}: the connection closed during login")
    _retry_if_transient(tr, where)
    if not tr.ok:
        raise LoginError(f"{where}: {shown(tr.message)}")  # the server's words


def _retry_if_transient(tr: Transcript, where: str) -> None:
    if not tr.ok and tr.message.strip().lower() in TRANSIENT:
        raise ConnectError(f"{where}: {shown(tr.message)}")
