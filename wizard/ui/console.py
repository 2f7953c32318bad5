"""Progress as plain lines, for ``run --non-interactive`` and ``--plain``.

The operator may be on a serial console, IPMI Serial-over-LAN or a 9600-baud link, so this
printer only ever appends whole lines: no colours, no cursor movement, no carriage-return
rewrites, no spinners. A step is one line when nothing happens in between::

    [ 7/24] Stop and disable host libvirt … done (3 s)

When something must be said while a step runs (an "alive" line, a retry, or every log line
with ``verbose``), the open line is ended first and the step's result is printed on a line of
its own, so no output ever overwrites another. Lines stay within 80 columns except verbatim log
lines, which the terminal wraps.

A silent step (``sleep``, a long ``docker pull``) sends no events, so a small daemon thread
ticks every ``alive_interval`` seconds and prints how long the step has been running and its
last Ansible ``PLAY``/``TASK``: about 80 bytes every 10 seconds, well within 9600 baud.

Listeners are called from the runner thread and the ticker runs in its own thread, so all
printing happens under one lock.
"""

from __future__ import annotations

import contextlib
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from typing import TextIO, assert_never

from wizard.durations import format_duration
from wizard.kolla.verify import VERIFY_STEP, results_from_log
from wizard.pipeline.events import (
    Event,
    PlanFinished,
    PlanStarted,
    StepFailure,
    StepFinished,
    StepOutput,
    StepRetrying,
    StepStarted,
    StepSubstatus,
)

WIDTH = 80
TAIL_LINES = 20
INDENT = "        "  # lines about a step sit under its title, after "[ 7/24] "


def _clip(text: str, width: int) -> str:
    """Cut ``text`` to ``width`` columns, marking the cut with ``...`` so it stays ASCII-safe."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    return text[: max(0, width - 3)].rstrip() + "..."


def _can_encode(stream: TextIO, text: str) -> bool:
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


class ConsolePrinter:
    """A :data:`~wizard.pipeline.events.Listener` that prints the run as plain lines.

    ``clock`` and ``ticker`` exist for tests: with ``ticker=False`` no thread is started and
    :meth:`tick` is called by hand with a fake clock.
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        verbose: bool = False,
        alive_interval: float = 10.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        ticker: bool = True,
        width: int = WIDTH,
    ) -> None:
        self.stream = stream if stream is not None else sys.stdout
        self.verbose = verbose
        self.alive_interval = alive_interval
        self.width = width
        self._clock = clock
        self._use_ticker = ticker and alive_interval > 0
        self._ellipsis = "…" if _can_encode(self.stream, "…") else "..."
        self._lock = threading.RLock()
        self._titles: dict[str, str] = {}
        self._order: list[str] = []  # the step ids of this run, to number steps that never start
        self._offset = 0  # index in the whole plan - position in this run (from PlanStarted)
        self._total = 0  # steps in the whole plan (from PlanStarted)
        self._skipped: list[tuple[str, str]] = []  # (step_id, reason)
        self._verify: list[str] = []  # the verify step's check lines, repeated in the summary
        self._failure_shown: str | None = None  # show_failure() printed this step's tail already
        # the step being run
        self._current: StepStarted | None = None
        self._step_started_at = 0.0
        self._substatus = ""
        self._line_open = False  # "[ 7/24] Title …" printed without its newline yet
        self._last_print = 0.0
        self._held = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- Listener -----------------------------------------------------------------------

    def __call__(self, event: Event) -> None:
        with self._lock:
            match event:  # every kind of event, checked by mypy (assert_never)
                case PlanStarted():
                    self._on_plan_started(event)
                case StepStarted():
                    self._on_step_started(event)
                case StepOutput():
                    self._on_output(event)
                case StepSubstatus():
                    self._on_substatus(event)
                case StepRetrying():
                    self._on_retrying(event)
                case StepFinished():
                    self._on_step_finished(event)
                case PlanFinished():
                    self._on_plan_finished(event)
                case _:
                    assert_never(event)

    # --- public helpers -------------------------------------------------------------------

    def tick(self) -> None:
        """Print an "alive" line if nothing was printed for ``alive_interval`` seconds."""
        with self._lock:
            if self._current is None or self._held:
                return
            now = self._clock()
            if now - self._last_print < self.alive_interval:
                return
            elapsed = format_duration(now - self._step_started_at)
            text = f"still running ({elapsed})"
            if self._substatus:
                text += f": {self._substatus}"
            self._close_line()
            self._write_line(INDENT + _clip(text, self.width - 1 - len(INDENT)))

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """No "alive" lines while a front end asks a question (e.g. Retry / Skip / Abort)."""
        with self._lock:
            self._held += 1
            self._close_line()
        try:
            yield
        finally:
            with self._lock:
                self._held -= 1
                self._last_print = self._clock()

    def show_failure(self, failure: StepFailure) -> None:
        """Print a failure before the front end asks Retry / Skip / Abort.

        The runner calls ``decide`` before it reports the step's end, so the front end shows the
        failure here: the step's line gets its result, then the last lines, the hint and the log.
        No "alive" lines follow (the step is not running any more), and the :class:`StepFinished`
        that comes after an abort does not print the same lines again.
        """
        with self._lock:
            current = self._current
            if current is not None and current.step_id == failure.step_id:
                head = self._head(current)
            else:
                head = self._head(self._unstarted(failure.step_id))
            code = f"exit {failure.exit_code}" if failure.exit_code is not None else "no exit code"
            took = format_duration(self._clock() - self._step_started_at) if current is not None else ""
            result = f"FAILED ({code}, {took})" if took else f"FAILED ({code})"
            if self._line_open and len(head) + 1 + len(result) <= self.width - 1:
                self.stream.write(f" {result}\n")
                self.stream.flush()
                self._line_open = False
            else:
                self._close_line()
                self._write_line(INDENT + result)
            self._print_failure(failure.tail, failure.hint, failure.log_path)
            self._failure_shown = failure.step_id
            self._current = None

    def message(self, text: str) -> None:
        """Print a line of the front end's own between steps, without breaking an open line."""
        with self._lock:
            self._close_line()
            self._write_line(text)

    def close(self) -> None:
        """Stop the ticker thread (also done at :class:`PlanFinished`)."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2)
        self._thread = None

    # --- events ---------------------------------------------------------------------------

    def _on_plan_started(self, event: PlanStarted) -> None:
        self._titles.update(zip(event.step_ids, event.titles, strict=False))
        self._order = list(event.step_ids)
        self._offset = event.first_index - 1
        self._total = event.total or len(event.step_ids)
        self._skipped.clear()
        what = "Resuming" if event.resumed else "Installing"
        release = f"OpenStack {event.release}" if event.release else "the plan"
        count = len(event.step_ids)
        self._close_line()
        self._write_line(f"{what} {release}: {count} step{'s' if count != 1 else ''}.")
        if not self.verbose and self._use_ticker:
            self._write_line(
                f"(a line every {format_duration(self.alive_interval)} while a step runs; --verbose for logs)"
            )

    def _prefix(self, index: int, total: int) -> str:
        digits = len(str(total))
        return f"[{index:>{digits}}/{total}] "

    def _on_step_started(self, event: StepStarted) -> None:
        if event.step_id == VERIFY_STEP:
            self._verify = []  # a retry's lines replace the failed attempt's
        self._titles.setdefault(event.step_id, event.title)
        self._close_line()
        self._current = event
        self._step_started_at = self._clock()
        self._substatus = ""
        head = self._head(event)
        self.stream.write(head)
        self.stream.flush()
        self._line_open = True
        self._last_print = self._clock()
        self._ensure_ticker()

    def _head(self, event: StepStarted) -> str:
        prefix = self._prefix(event.index, event.total)
        attempt = f" (attempt {event.attempt})" if event.attempt > 1 else ""
        # leave room for " … done (59m 59s)"; a longer result goes on a line of its own
        room = self.width - 1 - len(prefix) - len(attempt) - 18
        return f"{prefix}{_clip(event.title, max(room, 20))}{attempt} {self._ellipsis}"

    def _on_output(self, event: StepOutput) -> None:
        if event.step_id == VERIFY_STEP:  # its "ok  ping ..." lines are the proof the cloud works: kept
            self._verify += results_from_log(event.text.splitlines())
        if not self.verbose:
            return
        self._close_line()
        # the whole block as one write and one flush (a flush per line made 10^6 lines take seconds)
        self._write_line("\n".join(f"  | {line.rstrip()}" for line in event.lines))

    def _on_substatus(self, event: StepSubstatus) -> None:
        self._substatus = " ".join(event.text.split())  # shown in the "alive" lines

    def _on_retrying(self, event: StepRetrying) -> None:
        self._close_line()
        reason = f": {event.reason}" if event.reason else ""
        text = f"failed, retrying in {format_duration(event.delay)} (attempt {event.attempt}){reason}"
        self._write_line(INDENT + _clip(text, self.width - 1 - len(INDENT)))

    def _on_step_finished(self, event: StepFinished) -> None:
        current = self._current
        if current is not None and current.step_id == event.step_id:
            head = self._head(current)
        else:  # e.g. a step skipped as already done: it never started
            head = self._head(self._unstarted(event.step_id))
        result = self._result_word(event)
        reason = " ".join(event.reason.split())
        reason_shown = not (reason and event.status in ("skipped", "done"))
        if not reason_shown:
            # "already done: ..." / "done in an earlier run (...)" say it all; else "skipped (why)"
            longer = reason if event.already_done else f"{result} ({reason})"
            if len(head) + 1 + len(longer) <= self.width - 1:
                result, reason_shown = longer, True
        fits = len(head) + 1 + len(result) <= self.width - 1
        if self._line_open and fits:
            self.stream.write(f" {result}\n")
            self.stream.flush()
            self._line_open = False
            self._last_print = self._clock()
        elif fits:
            self._write_line(f"{head} {result}")
        else:  # the result goes under the title
            if not self._line_open:
                self._write_line(head)
            self._close_line()
            self._write_line(INDENT + result)
        if not reason_shown:
            self._write_line(INDENT + _clip(reason, self.width - 1 - len(INDENT)))
        if event.status == "skipped":
            self._skipped.append((event.step_id, event.reason))
        elif event.status == "failed" and self._failure_shown != event.step_id:
            self._print_failure(event.tail, event.hint, event.log_path)
        self._failure_shown = None
        self._current = None

    def _unstarted(self, step_id: str) -> StepStarted:
        title = self._titles.get(step_id, step_id)
        if step_id in self._order:
            index = self._order.index(step_id) + 1 + self._offset
            total = self._total
        else:
            index, total = 0, max(self._total, 1)
        return StepStarted(step_id, index, total, title, 1, "")

    def _result_word(self, event: StepFinished) -> str:
        took = format_duration(event.duration)
        if event.status == "done":
            return "done" if event.reason and not event.duration else f"done ({took})"
        if event.status == "skipped":
            return "skipped"
        if event.status == "interrupted":
            return f"interrupted ({took})"
        code = f"exit {event.exit_code}, " if event.exit_code is not None else ""
        return f"FAILED ({code}{took})"

    def _print_failure(self, tail: tuple[str, ...], hint: str | None, log_path: str) -> None:
        tail = tail[-TAIL_LINES:]
        if tail and not self.verbose:
            self._write_line(f"{INDENT}last {len(tail)} line{'s' if len(tail) != 1 else ''} of output:")
            for line in tail:
                self._write_line("  | " + line.rstrip())
        if hint:
            self._write_wrapped("hint: ", hint)
        if log_path:
            self._write_wrapped("log: ", log_path)

    def _on_plan_finished(self, event: PlanFinished) -> None:
        self._close_line()
        self._current = None
        took = format_duration(event.duration)
        skipped = list(event.skipped_steps) or [sid for sid, _ in self._skipped]
        if event.status == "done" and skipped:
            count = f"{len(skipped)} step{'s' if len(skipped) != 1 else ''}"
            line = f"Finished in {took}, but {count} skipped: not a complete install."
        elif event.status == "done" and self._order and self._offset + len(self._order) < self._total:
            # the run's range ended before the plan did (--until): what was asked is done, the install is not
            left = self._total - self._offset - len(self._order)
            later = f"{left} later step{'s' if left != 1 else ''}"
            line = f"Stopped after {self._title(self._order[-1])} as asked ({took}); {later} not run yet."
        elif event.status == "done":
            line = f"Done in {took}."
        elif event.status == "failed":
            line = f"Stopped: step {self._title(event.failed_step)} failed ({took})."
        elif event.status == "aborted":
            at = f" at {self._title(event.failed_step)}" if event.failed_step else ""
            line = f"Aborted{at} ({took})."
        else:
            line = f"Interrupted ({took}). Run the wizard again to resume."
        self._write_line("")
        for chunk in textwrap.wrap(line, self.width - 1) or [line]:
            self._write_line(chunk)
        if self._verify:
            self._write_line("Verify (a test instance, deleted again):")
            for result in self._verify:
                self._write_line("  " + result)  # whole: the FAIL line's reason is the point
        if skipped:
            reasons = dict(self._skipped)
            self._write_line(f"Skipped steps ({len(skipped)}):")
            for sid in skipped:
                why = reasons.get(sid, "")
                text = f"- {self._titles.get(sid, sid)}" + (f": {why}" if why else "")
                self._write_line("  " + _clip(text, self.width - 3))
        self._stop.set()

    # --- output primitives -----------------------------------------------------------------

    def _title(self, step_id: str | None) -> str:
        if not step_id:
            return "?"
        title = self._titles.get(step_id)
        return f"'{title}'" if title else step_id

    def _close_line(self) -> None:
        if self._line_open:
            self.stream.write("\n")
            self.stream.flush()
            self._line_open = False

    def _write_line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()
        self._last_print = self._clock()

    def _write_wrapped(self, label: str, text: str) -> None:
        lines = textwrap.wrap(
            text,
            self.width - 1,
            initial_indent=INDENT + label,
            subsequent_indent=INDENT + " " * len(label),
            break_long_words=False,
            break_on_hyphens=False,
        )
        for line in lines:
            self._write_line(line)

    # --- ticker ---------------------------------------------------------------------------

    def _ensure_ticker(self) -> None:
        if not self._use_ticker or (self._thread is not None and self._thread.is_alive()):
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._tick_loop, name="console-alive", daemon=True)
        self._thread.start()

    def _tick_loop(self) -> None:
        step = min(1.0, self.alive_interval)
        while not self._stop.wait(step):
            try:
                self.tick()
            except (OSError, ValueError):  # the stream was closed under us
                return
