"""What the runner tells its observers.

The runner is the only thing that acts; the TUI, the plain front end and the console printer
only observe these events. Listeners are plain callables ``listener(event)`` invoked from the
runner's thread: they must return quickly and must not touch UI objects directly (the TUI
forwards them with ``post_message``, which is thread-safe).

When a step has failed for good (its automatic retries used up), the runner asks a ``decide``
callable what to do; it blocks the runner thread until the front end answers. Non-interactive
runs pass :func:`always_abort`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from wizard.pipeline.display import display_lines, line_count

StepStatus = Literal["pending", "running", "done", "failed", "skipped", "interrupted"]
Decision = Literal["retry", "skip", "abort"]
PlanStatus = Literal["done", "failed", "aborted", "interrupted"]
#: The process exit code of each way a run ends (``aio-wizard --help``: 0 done, 1 a step failed,
#: 2 bad input or usage, 3 the wizard could not write its state or logs, 4 finished with skipped
#: steps, 130 interrupted).
#: "state-unwritable" is the run stopped by :class:`wizard.files.StateWriteError` (full disk,
#: read-only or missing state/log directory): its own code so scripts can tell it from a failed step.
EXIT_CODES: dict[str, int] = {"done": 0, "failed": 1, "aborted": 1, "state-unwritable": 3, "interrupted": 130}
#: A run that went to its end with skipped steps: never "done" (a skipped step did not happen), not a failure either.
EXIT_SKIPPED = 4


def exit_code(status: str, skipped_steps: Sequence[str] = ()) -> int:
    """The exit code of a run that ended with ``status``: the same for every front end.

    ``skipped_steps`` turns a "done" into :data:`EXIT_SKIPPED`, so a script never reads a run
    with skipped steps as a finished install.
    """
    if status == "done" and skipped_steps:
        return EXIT_SKIPPED
    return EXIT_CODES[status]


AlreadyDone = Literal["", "checked", "earlier-run"]


@dataclass(frozen=True)
class PlanStarted:
    """The run begins. ``step_ids`` are the steps this run will go through, in order."""

    step_ids: tuple[str, ...]
    titles: tuple[str, ...]
    release: str
    resumed: bool = False
    total: int = 0  # steps in the whole plan (step_ids may be a --from/--until range of it)
    first_index: int = 1  # 1-based position of step_ids[0] in the whole plan


@dataclass(frozen=True)
class StepStarted:
    step_id: str
    index: int  # 1-based position in the whole plan
    total: int
    title: str
    attempt: int  # 1 for the first try
    log_path: str


@dataclass(frozen=True)
class StepOutput:
    """A block of output: whole lines joined by ``\n`` (no trailing newline), escape sequences
    stripped, secrets redacted.

    The runner does not split it (see :mod:`wizard.pipeline.output`): a listener that wants lines
    asks :attr:`lines` (all of them, ready to show) or :func:`wizard.pipeline.display.display_lines`
    (just the last few). ``text`` is never empty of lines: ``""`` is one empty line.
    """

    step_id: str
    text: str

    @classmethod
    def of_lines(cls, step_id: str, lines: Iterable[str]) -> StepOutput:
        return cls(step_id, "\n".join(lines))

    @property
    def lines(self) -> list[str]:
        """Every line, cleaned and shortened for display."""
        return display_lines(self.text)

    @property
    def count(self) -> int:
        return line_count(self.text)


@dataclass(frozen=True)
class StepSubstatus:
    """A short status inside a long step, e.g. Ansible's current ``PLAY [..] / TASK [..]``."""

    step_id: str
    text: str


@dataclass(frozen=True)
class StepRetrying:
    """An automatic retry after a transient failure, in ``delay`` seconds."""

    step_id: str
    attempt: int  # the attempt about to start
    delay: float
    reason: str


@dataclass(frozen=True)
class StepFinished:
    step_id: str
    status: StepStatus  # "done", "failed", "skipped" or "interrupted"
    exit_code: int | None
    duration: float  # seconds
    reason: str = ""  # e.g. "already done: 127.0.1.1 is commented out", "skipped by the user"
    hint: str | None = None  # a known failure's explanation and fix
    tail: tuple[str, ...] = ()  # the last lines of output (on failure)
    log_path: str = ""
    index: int = 0  # 1-based position in the whole plan (0: unknown)
    total: int = 0
    # Why a "done" step did not run in this run, set by the runner so front ends need not read
    # ``reason``: "checked" (its done-check found the work on the host), "earlier-run" (the journal
    # says an earlier run finished it); "" when it ran. Truthy exactly when it is already done.
    already_done: AlreadyDone = ""


@dataclass(frozen=True)
class PlanFinished:
    status: PlanStatus
    duration: float
    failed_step: str | None = None
    skipped_steps: tuple[str, ...] = field(default_factory=tuple)


Event = PlanStarted | StepStarted | StepOutput | StepSubstatus | StepRetrying | StepFinished | PlanFinished
Listener = Callable[[Event], None]


@dataclass(frozen=True)
class StepFailure:
    """What a front end needs to decide Retry / Skip / Abort after a step failed for good."""

    step_id: str
    title: str
    exit_code: int | None
    attempts: int
    log_path: str
    tail: tuple[str, ...]
    hint: str | None
    optional: bool


DecideFn = Callable[[StepFailure], Decision]


def always_abort(failure: StepFailure) -> Decision:
    """The decision of a non-interactive run: stop at the first step that fails for good."""
    return "abort"
