"""The exit codes of the `amitui` command, defined once, so that scripts can rely on `$?`.

    0  OK              done as asked (also when the reader of our output left: `| head`)
    1  ACTION_FAILED   the server answered the action with an error (Response: Error)
    2  CONNECTION      connection, login, timeout or usage problem; nothing (more) was done
  130  INTERRUPTED     stopped with Ctrl-C

A one-line reason goes to stderr with every code but 0 and 130.
"""

from __future__ import annotations

OK = 0
ACTION_FAILED = 1
CONNECTION = 2
INTERRUPTED = 130
