"""A deterministic discrete-event scheduler: the demo PBX's clock.

Simulated time only moves in `run_until`, and tasks due at the same moment run in the order
they were scheduled, so a seed fixes the whole event sequence regardless of how fast the
host is. The server maps wall-clock time onto it; tests drive it directly.

A task is a generator that yields how many seconds to sleep. `wake` resumes a sleeping task
now (a Dial waiting for its callee is woken when the callee answers or goes away); `cancel`
drops it (its channel hung up).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Generator

Script = Generator[float, None, None]
FOREVER = 1e9  # a sleep that only `wake` or `cancel` ends


class Task:
    __slots__ = ("cancelled", "done", "due", "name", "script")

    def __init__(self, script: Script, name: str) -> None:
        self.script = script
        self.name = name
        self.due = 0.0
        self.cancelled = False
        self.done = False

    def __repr__(self) -> str:
        return f"Task({self.name}, due={self.due:.3f})"


class Scheduler:
    def __init__(self) -> None:
        self.now = 0.0
        self._heap: list[tuple[float, int, Task, int]] = []
        self._order = itertools.count()
        self._generation: dict[int, int] = {}  # id(task) -> its current heap entry
        self._running: Task | None = None
        self._woken = False  # the running task was woken while it ran: no sleep after
        self.errors: list[str] = []

    def spawn(self, script: Script, name: str = "", delay: float = 0.0) -> Task:
        task = Task(script, name)
        self._push(task, self.now + max(delay, 0.0))
        return task

    def call_later(self, delay: float, fn: Callable[[], None], name: str = "") -> Task:
        def once() -> Script:
            fn()
            return
            yield  # a generator that runs fn once

        return self.spawn(once(), name or getattr(fn, "__name__", "call"), delay)

    def wake(self, task: Task | None) -> None:
        """Resume a sleeping task now (after what is already due now)."""
        if task is None or task.done or task.cancelled:
            return
        if task is self._running:
            self._woken = True
        else:
            self._push(task, self.now)

    def cancel(self, task: Task | None) -> None:
        if task is None or task.done:
            return
        task.cancelled = True
        self._generation.pop(id(task), None)
        if task is not self._running:  # a running generator cannot be closed; _step does it
            task.script.close()

    def next_due(self) -> float | None:
        while self._heap and self._stale(self._heap[0]):
            heapq.heappop(self._heap)
        return self._heap[0][0] if self._heap else None

    def run_until(self, when: float) -> None:
        """Run everything due up to `when`, in time order; then the clock reads `when`."""
        while (due := self.next_due()) is not None and due <= when:
            _, _, task, _ = heapq.heappop(self._heap)
            self.now = max(self.now, due)
            self._step(task)
        self.now = max(self.now, when)

    def _push(self, task: Task, when: float) -> None:
        # Re-scheduling leaves the old heap entry behind; its generation marks it stale.
        generation = next(self._order)
        self._generation[id(task)] = generation
        task.due = when
        heapq.heappush(self._heap, (when, generation, task, generation))

    def _stale(self, entry: tuple[float, int, Task, int]) -> bool:
        _, _, task, generation = entry
        return task.cancelled or task.done or self._generation.get(id(task)) != generation

    def _step(self, task: Task) -> None:
        self._running, self._woken = task, False
        try:
            delay = next(task.script)
        except StopIteration:
            self._finish(task)
            return
        except Exception as exc:  # a bug in one call must not stop the PBX
            self.errors.append(f"{task.name}: {exc!r}")
            del self.errors[:-20]
            self._finish(task)
            return
        finally:
            self._running = None
        if task.cancelled:
            task.script.close()
        else:
            self._push(task, self.now if self._woken else self.now + max(delay, 0.0))

    def _finish(self, task: Task) -> None:
        task.done = True
        self._generation.pop(id(task), None)
