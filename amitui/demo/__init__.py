"""The built-in demo PBX: a simulated Asterisk 22 behind a real AMI socket.

No Asterisk needed: `serve()` starts a PBX whose phones call each other in the background,
and an AMI server on 127.0.0.1 that answers like Asterisk 22 (formats recorded from a real
one, see record_data.py). Only asyncio, the standard library and amitui.protocol are used.
"""

from __future__ import annotations

from amitui.demo.pbx import DemoPbx
from amitui.demo.server import DEFAULT_USERS, DemoServer, DemoUser, main, serve
from amitui.demo.wire import PbxEvent

__all__ = ["DEFAULT_USERS", "DemoPbx", "DemoServer", "DemoUser", "PbxEvent", "main", "serve"]
