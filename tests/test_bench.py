"""The benchmarks stay runnable: each runs here with a tiny load and must finish cleanly and
print its figures. The real runs (bench/README.md) are not part of the test suite: they take
minutes and their numbers depend on the machine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def run(script: str, *args: str, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def lines_starting(out: str, *prefixes: str) -> None:
    starts = [line.split(":", 1)[0].strip() for line in out.splitlines()]
    for prefix in prefixes:
        assert any(s.startswith(prefix) for s in starts), f"no {prefix!r} line in:\n{out}"


def test_ingest_runs_and_is_lossless() -> None:
    out = run("ingest.py", "--events", "2000", "--rounds", "1")
    lines_starting(
        out,
        "raw socket reads",
        "minimal split-and-decode loop",
        "amitui session -> store",
        "ratio amitui / minimal loop",
        "Parser.feed",
        "lossless",
        "targets",
    )
    assert "lossless: yes" in out
    # panoramisk is a benchmark extra: measured when installed, skipped with a note if not.
    assert "panoramisk 1." in out or "panoramisk: not installed" in out


def test_ingest_without_panoramisk_still_runs(tmp_path: Path) -> None:
    # A stand-in package that fails to import, found before any installed panoramisk.
    (tmp_path / "panoramisk").mkdir()
    (tmp_path / "panoramisk" / "__init__.py").write_text("raise ImportError('hidden')\n")
    env = {"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = run("ingest.py", "--events", "500", "--rounds", "1", "--no-breakdown", env=env)
    assert "panoramisk: not installed" in out
    assert "ratio amitui / panoramisk" not in out
    lines_starting(out, "amitui session -> store", "lossless")


def test_console_runs_without_loss() -> None:
    out = run("console.py", "--seconds", "1", "--rate", "5000")
    lines_starting(
        out, "events", "server", "cpu", "memory", "key latency", "loop lag", "garbage collector"
    )
    assert "no loss except counted evictions" in out


def test_console_counts_ring_evictions() -> None:
    # A ring smaller than the flood: what it lets go is counted, nothing else is lost.
    out = run("console.py", "--seconds", "0.5", "--rate", "4000", "--capacity", "500")
    assert "no loss except counted evictions" in out
    assert "evicted (counted) 0 " not in out


@pytest.mark.skipif(sys.platform != "linux", reason="uses a pseudo-terminal and /proc")
def test_startup_runs_and_scripting_stays_textual_free() -> None:
    out = run("startup.py", "--runs", "1")
    lines_starting(out, "amitui --help", "amitui action Ping", "console first paint")
    assert "start-up checks: passed" in out


def test_cli_runs_and_checks_every_output() -> None:
    out = run("cli.py", "--events", "300", "--rounds", "1")
    lines_starting(
        out,
        "amitui events --json",
        "amitui events (AMI text)",
        "minimal loop",
        "output",
        "ratio amitui / minimal",
        "targets",
    )
    assert "output: correct" in out
    assert "panoramisk 1." in out or "panoramisk: not installed" in out


def test_cli_without_panoramisk_still_runs(tmp_path: Path) -> None:
    (tmp_path / "panoramisk").mkdir()
    (tmp_path / "panoramisk" / "__init__.py").write_text("raise ImportError('hidden')\n")
    env = {"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = run("cli.py", "--events", "200", "--rounds", "1", env=env)
    assert "panoramisk: not installed" in out
    assert "ratio amitui / panoramisk" not in out
    assert "output: correct" in out
