"""TLS against the real Asterisk, with a certificate authority the test makes itself:
verification on by default, clear errors, and the explicit ways to trust a lab server."""

from __future__ import annotations

import hashlib
import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

from amitui.client import AmiSession, ConnectError, ServerSpec, TlsOptions
from amitui.protocol import Action
from tests.conftest import Asterisk

pytestmark = pytest.mark.asterisk


@dataclass(frozen=True)
class TlsServer:
    port: int
    ca_file: Path
    fingerprint: str


def _answers_tls(port: int, ca: Path) -> bool:
    ctx = ssl.create_default_context(cafile=str(ca))
    try:
        with (
            socket.create_connection(("127.0.0.1", port), timeout=1) as raw,
            ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
        ):
            return tls.recv(64).startswith(b"Asterisk Call Manager/")
    except (OSError, ssl.SSLError):
        return False


@pytest.fixture(scope="module")
def tls_server(asterisk: Asterisk, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsServer]:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    keys = asterisk.root / "etc" / "asterisk" / "keys"
    keys.mkdir(parents=True, exist_ok=True)
    cert.cert_chain_pems[0].write_to_path(str(keys / "amitui-test.crt"))
    cert.private_key_pem.write_to_path(str(keys / "amitui-test.key"))
    os.chmod(keys / "amitui-test.key", 0o600)
    ca_file = tmp_path_factory.mktemp("tls") / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    reloaded = asterisk.sandbox("reload", timeout=60)
    assert reloaded.returncode == 0, reloaded.stderr
    port = asterisk.port + 1
    deadline = time.monotonic() + 10
    while not _answers_tls(port, ca_file):
        if time.monotonic() > deadline:
            pytest.fail("Asterisk did not start TLS on the AMI after manager reload")
        time.sleep(0.2)
    der = ssl.PEM_cert_to_DER_cert(cert.cert_chain_pems[0].bytes().decode())
    yield TlsServer(port, ca_file, hashlib.sha256(der).hexdigest())


def spec(
    asterisk: Asterisk, server: TlsServer, host: str = "127.0.0.1", **tls: object
) -> ServerSpec:
    user, secret = asterisk.admin
    options = TlsOptions(enabled=True, **tls)  # type: ignore[arg-type]
    return ServerSpec(host=host, port=server.port, user=user, secret=secret, tls=options)


async def test_verified_with_the_right_ca(asterisk: Asterisk, tls_server: TlsServer) -> None:
    session = AmiSession(spec(asterisk, tls_server, cafile=str(tls_server.ca_file)))
    await session.open()
    try:
        assert (await session.send(Action("Ping"))).ok
    finally:
        await session.close()


async def test_verification_is_on_by_default(asterisk: Asterisk, tls_server: TlsServer) -> None:
    with pytest.raises(ConnectError) as info:
        await AmiSession(spec(asterisk, tls_server), reconnect=False).open()
    message = str(info.value)
    assert message.startswith(f"TLS to 127.0.0.1:{tls_server.port}: certificate not trusted")
    assert "--tls-ca" in message and "--tls-insecure" in message


async def test_name_mismatch_is_refused(asterisk: Asterisk, tls_server: TlsServer) -> None:
    bad = spec(asterisk, tls_server, host="localhost", cafile=str(tls_server.ca_file))
    with pytest.raises(ConnectError, match="certificate not trusted"):
        await AmiSession(bad, reconnect=False).open()


async def test_insecure_accepts_a_self_signed_lab_server(
    asterisk: Asterisk, tls_server: TlsServer
) -> None:
    session = AmiSession(spec(asterisk, tls_server, insecure=True))
    await session.open()
    await session.close()


async def test_pinned_fingerprint(asterisk: Asterisk, tls_server: TlsServer) -> None:
    pinned = ":".join(tls_server.fingerprint[i : i + 2] for i in range(0, 64, 2)).upper()
    session = AmiSession(spec(asterisk, tls_server, fingerprint=pinned))
    await session.open()
    await session.close()
    wrong = spec(asterisk, tls_server, fingerprint="00" * 32)
    with pytest.raises(ConnectError, match=r"fingerprint is [0-9a-f]{64}, not the pinned one"):
        await AmiSession(wrong, reconnect=False).open()


def test_cli_over_tls(asterisk: Asterisk, tls_server: TlsServer) -> None:
    env = {**os.environ, "AMITUI_SECRET": asterisk.admin[1]}
    base = [sys.executable, "-m", "amitui", "action", "Ping", "--user", "admin", "--tls",
            "--port", str(tls_server.port)]  # fmt: skip
    ok = subprocess.run([*base, "--tls-ca", str(tls_server.ca_file)], capture_output=True,
                        text=True, env=env, timeout=30)  # fmt: skip
    assert ok.returncode == 0 and "Ping: Pong" in ok.stdout, ok.stderr
    refused = subprocess.run(base, capture_output=True, text=True, env=env, timeout=30)
    assert refused.returncode == 2
    assert "certificate not trusted" in refused.stderr and "Traceback" not in refused.stderr
