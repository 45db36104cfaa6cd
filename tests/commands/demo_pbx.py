"""Built-in demo PBXs as subprocesses (`amitui demo-server --port 0`), and a config file with a
profile for each, for the commands over several servers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def demo_pbx() -> Iterator[int]:
    """A demo PBX on 127.0.0.1 (user demo, secret demo, and readonly/readonly): its port."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "amitui", "demo-server", "--port", "0", "--seed", "7"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()  # its one line, where it listens
        found = re.search(r"127\.0\.0\.1:(\d+)", line)
        assert found, f"no port in the demo server's first line: {line!r}"
        yield int(found.group(1))
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def write_config(path: Path, profiles: dict[str, dict[str, object]]) -> Path:
    """A config file of `profiles` (TOML tables), private since it holds secrets."""
    lines = []
    for name, values in profiles.items():
        lines.append(f"[profiles.{name}]")
        for key, value in values.items():
            lines.append(f"{key} = {value!r}" if isinstance(value, int) else f'{key} = "{value}"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.chmod(path, 0o600)
    return path


def run_amitui(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "amitui", *argv],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )  # fmt: skip
