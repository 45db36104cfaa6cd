"""Frames for store tests, built by the real parser from AMI text."""

from __future__ import annotations

from amitui.protocol.frames import Frame
from amitui.protocol.parser import Parser


def parse(text: str) -> list[Frame]:
    """Every frame in `text` (AMI packets, LF or CRLF line ends)."""
    parser = Parser(expect_banner=False)
    parser.feed(text.replace("\r\n", "\n").replace("\n", "\r\n").encode())
    return list(parser.frames())


def event(name: str, *headers: tuple[str, str]) -> Frame:
    """One event frame with the given extra headers, in order."""
    lines = [f"Event: {name}", *(f"{k}: {v}" for k, v in headers)]
    (frame,) = parse("\n".join(lines) + "\n\n")
    return frame
