"""Copy text to the user's clipboard, also when amitui runs on a PBX over SSH.

The system clipboard (pyperclip: xclip, wl-copy, pbcopy, clip.exe) is right on a desktop, but
over SSH it either fails (no display) or, worse, succeeds on the *server's* X display where the
user never sees it. There the terminal itself is the only clipboard in reach: OSC 52 asks the
user's terminal emulator to set its clipboard (Textual's `App.copy_to_clipboard`). The toast says
which path was taken, because OSC 52 can be refused silently (tmux needs `set-clipboard on`,
some terminals disable it) and the user should know where to look.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from textual.app import App

from amitui.ui import safe

Copier = Callable[[str], None]


def _pyperclip(text: str) -> None:
    # Imported on first use: it probes for clipboard tools, which a session that never copies
    # should not pay for.
    import pyperclip

    pyperclip.copy(text)


# The system clipboard writer. A module-level name so tests (and a future config option) can
# substitute it without touching subprocesses.
system_copy: Copier = _pyperclip


def over_ssh_without_display(environ: Mapping[str, str] | None = None) -> bool:
    """True when the system clipboard would be the remote host's, or none at all."""
    env = os.environ if environ is None else environ
    remote = bool(env.get("SSH_TTY") or env.get("SSH_CONNECTION"))
    display = bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))
    return remote and not display


def copy_text(
    app: App[Any],
    text: str,
    what: str,
    *,
    copier: Copier | None = None,
    environ: Mapping[str, str] | None = None,
) -> None:
    """Copy `text` to the system clipboard, or the terminal's, and toast `Copied {what}`."""
    fell_back = over_ssh_without_display(environ)
    if not fell_back:
        try:
            (copier or system_copy)(text)
        except Exception:
            # PyperclipException (no xclip/wl-copy) and anything a clipboard tool may raise:
            # a failed copy must never take the console down; the terminal path remains.
            fell_back = True
    if fell_back:
        app.copy_to_clipboard(text)
    suffix = " (terminal clipboard, OSC 52)" if fell_back else ""
    # Not markup, escapes visible: what was copied is arbitrary text ("[Synopsis]", ESC).
    safe.notify(app, f"Copied {what}{suffix}")
