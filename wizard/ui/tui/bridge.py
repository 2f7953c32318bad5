"""The hand-over between the runner's thread and the UI thread.

The runner calls its listeners from its own thread and blocks in ``decide`` when a step fails
for good. Widgets may only be touched from the UI thread, and writing to the log pane line by
line is ruinously slow (see the Textual notes: 74 s for 300k lines). So:

- :class:`EventPump` queues events under a lock. Consecutive output of one step is merged into
  a single bounded batch of blocks (only the last ``max_lines`` can ever be shown; the full
  output is in the step's log file), so a fast producer costs bounded memory, and the runner's
  thread never splits lines for the UI. When the queue goes from empty
  to non-empty it calls ``notify`` once (the TUI posts one message); the UI drains everything
  queued so far in one go. Under load this batches naturally: the slower the UI, the bigger the
  batches, never more messages.
- :class:`DecisionBox` lets the runner thread wait for the user's Retry / Skip / Abort.

No textual import here: this is plain threading, tested on its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from wizard.pipeline.display import RecentBlocks, line_count
from wizard.pipeline.events import Decision, Event, StepFailure, StepOutput


@dataclass
class OutputBatch:
    """Output of one step merged from consecutive :class:`StepOutput` events (bounded).

    The runner thread only appends blocks and drops whole old blocks once the rest still holds
    ``max_lines``; splitting into display lines happens on the UI thread, for the last
    ``max_lines`` only (:attr:`lines`).
    """

    step_id: str
    max_lines: int = 5000
    total: int = 0  # lines received, including those dropped from the front
    recent: RecentBlocks = field(init=False)

    def __post_init__(self) -> None:
        self.recent = RecentBlocks(self.max_lines, size=line_count)

    def add(self, event: StepOutput) -> None:
        self.total += self.recent.add(event.text)

    @cached_property
    def lines(self) -> list[str]:
        """The last ``max_lines`` lines, ready to show (UI thread, after :meth:`EventPump.drain`)."""
        return self.recent.lines(self.max_lines)

    @property
    def dropped(self) -> int:
        return self.total - len(self.lines)


@dataclass(frozen=True)
class DecisionNeeded:
    """Queued when the runner waits for the user to choose after a failure."""

    failure: StepFailure


QueueItem = Event | OutputBatch | DecisionNeeded


@dataclass
class EventPump:
    """A thread-safe queue of runner events with output coalescing; ``notify`` fires on empty→non-empty."""

    notify: Callable[[], None]
    max_lines: int = 5000
    _items: list[QueueItem] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def put(self, event: Event | DecisionNeeded) -> None:
        """Called from the runner thread (the listener). Quick: no I/O, no UI."""
        with self._lock:
            was_empty = not self._items
            if isinstance(event, StepOutput):
                last = self._items[-1] if self._items else None
                if not (isinstance(last, OutputBatch) and last.step_id == event.step_id):
                    last = OutputBatch(event.step_id, self.max_lines)
                    self._items.append(last)
                last.add(event)
            else:
                self._items.append(event)
        if was_empty:
            self.notify()

    __call__ = put  # the pump itself is a runner listener

    def drain(self) -> list[QueueItem]:
        """Take everything queued so far (UI thread)."""
        with self._lock:
            items, self._items = self._items, []
        return items

    def pending(self) -> int:
        with self._lock:
            return len(self._items)


class DecisionBox:
    """The runner thread asks and waits; the UI thread answers (or :meth:`cancel` answers abort)."""

    def __init__(self, pump: EventPump) -> None:
        self._pump = pump
        self._lock = threading.Lock()
        self._answer: Decision | None = None
        self._ready = threading.Event()
        self._cancelled = False

    def decide(self, failure: StepFailure) -> Decision:
        """The runner's ``decide`` callable: blocks the runner thread until :meth:`answer`."""
        with self._lock:
            if self._cancelled:
                return "abort"
            self._ready.clear()
            self._answer = None
        self._pump.put(DecisionNeeded(failure))
        self._ready.wait()
        with self._lock:
            answer = self._answer or "abort"
        return answer

    def answer(self, decision: Decision) -> None:
        with self._lock:
            self._answer = decision
        self._ready.set()

    def cancel(self) -> None:
        """Abort any pending and future question (the app is closing)."""
        with self._lock:
            self._cancelled = True
            self._answer = "abort"
        self._ready.set()
