"""Opening the TCP or TLS connection, with errors a human understands.

Certificates are verified by default. `insecure` accepts any certificate (a self-signed one on
a lab PBX), and `fingerprint` pins the server certificate's SHA-256 instead of trusting a CA.
"""

from __future__ import annotations

import asyncio
import hashlib
import socket
import ssl
from dataclasses import dataclass

from amitui.client.errors import ConnectError


@dataclass(frozen=True, slots=True)
class TlsOptions:
    enabled: bool = False
    insecure: bool = False  # accept any certificate: explicit, never the default
    cafile: str | None = None
    fingerprint: str | None = None  # hex SHA-256 of the server's certificate, ':' allowed

    def context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=self.cafile)
        if self.insecure or self.fingerprint:
            # The fingerprint is checked after the handshake instead of the CA chain.
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        return ctx


def _norm_fingerprint(text: str) -> str:
    return text.replace(":", "").replace(" ", "").lower()


def _check_fingerprint(writer: asyncio.StreamWriter, expected: str, where: str) -> None:
    sslobj = writer.get_extra_info("ssl_object")
    der = sslobj.getpeercert(binary_form=True) if sslobj is not None else None
    if not der:
        raise ConnectError(f"TLS to {where}: the server sent no certificate to pin")
    actual = hashlib.sha256(der).hexdigest()
    if actual != _norm_fingerprint(expected):
        raise ConnectError(
            f"TLS to {where}: certificate fingerprint is {actual}, not the pinned one"
        )


async def open_connection(
    host: str, port: int, tls: TlsOptions, timeout: float
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    where = f"{host}:{port}"
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(
                host,
                port,
                ssl=tls.context() if tls.enabled else None,
                server_hostname=host if tls.enabled else None,
                limit=1 << 20,
            )
    except TimeoutError:
        raise ConnectError(f"timed out connecting to {where} after {timeout:g} s") from None
    except ssl.SSLCertVerificationError as exc:
        raise ConnectError(
            f"TLS to {where}: certificate not trusted ({exc.verify_message}); use --tls-ca FILE, "
            "--tls-fingerprint, or --tls-insecure for a self-signed lab server"
        ) from None
    except ssl.SSLError as exc:
        raise ConnectError(f"TLS to {where} failed: {exc.reason or exc}") from None
    except socket.gaierror:
        raise ConnectError(f"cannot connect to {where}: unknown host {host!r}") from None
    except ConnectionRefusedError:
        raise ConnectError(
            f"cannot connect to {where}: connection refused (is AMI enabled on that port?)"
        ) from None
    except OSError as exc:
        raise ConnectError(f"cannot connect to {where}: {exc.strerror or exc}") from None
    if tls.enabled and tls.fingerprint:
        try:
            _check_fingerprint(writer, tls.fingerprint, where)
        except ConnectError:
            writer.close()
            raise
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return reader, writer
