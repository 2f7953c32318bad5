"""Attaching to a running install: the runner's events, rebuilt from the journal and the step log.

:class:`Attachment` has the :class:`~wizard.pipeline.runner.Runner`'s interface (``run()`` blocks
and emits ``PlanStarted`` / ``StepStarted`` / ``StepOutput`` / ``StepSubstatus`` /
``StepFinished`` / ``PlanFinished`` to listeners; ``decide`` is called for a failed step;
``cancel()``), so the front ends show an install running in another process exactly as they
showed one running in their own. It only observes the truth the runner keeps:

- the journal, re-read only when its (inode, size, mtime) changed: step states, attempts, the
  failure waiting for a decision;
- the running step's log, followed from an offset: only appended bytes are read, whole lines
  at a time, at most ``max_read`` bytes per poll, so a 10^6-line log never stalls a front end.
  Attaching mid-step starts ``tail_bytes`` before the end of the log, never at its beginning.

Decisions go back through :mod:`wizard.service.control`. ``decide`` runs in a thread of its own
(the journal keeps being followed while a front end asks; ``decide_in_thread=False`` asks in
``run()``'s thread instead, for line prompts that must own the main thread), and its answer is written only if the
same failure still waits: an answer another front end gave first wins, and the others see the
retry in the journal. ``decide`` may return None to give no answer (``status --follow``).
Several attachments may follow one install; none of them changes it, except by a decision or
:meth:`stop`.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from wizard.errors import UserError
from wizard.pipeline.events import (
    Decision,
    Event,
    Listener,
    PlanFinished,
    PlanStarted,
    PlanStatus,
    StepFailure,
    StepFinished,
    StepOutput,
    StepStarted,
    StepSubstatus,
)
from wizard.pipeline.journal import JOURNAL_NAME
from wizard.pipeline.lock import is_locked
from wizard.pipeline.output import last_ansible_header  # one parser for PLAY/TASK
from wizard.service import control
from wizard.service.launch import DAEMON_LOG_NAME
from wizard.service.procs import live_runner

log = logging.getLogger("wizard.service.attach")

TAIL_BYTES = 256 * 1024  # attaching mid-step shows the end of the log, read from its end
MAX_READ = 4 * 1024 * 1024  # read per poll at most: a burst is caught up over a few polls
POLL = 0.1
ALIVE_EVERY = 1.0  # how often to check that the runner still holds the lock
START_TIMEOUT = 20.0
FINAL_STATES = ("done", "failed", "aborted", "interrupted")

MaybeDecide = Callable[[StepFailure], Decision | None]


class Attachment:
    """Follow the install of ``state_dir`` (see the module docstring); ``run_id``: wait for that run's journal."""

    def __init__(
        self,
        state_dir: Path | str,
        listeners: Iterable[Listener] = (),
        decide: MaybeDecide | None = None,
        *,
        run_id: str | None = None,
        log_dir: Path | str | None = None,
        poll: float = POLL,
        tail_bytes: int = TAIL_BYTES,
        max_read: int = MAX_READ,
        decide_in_thread: bool = True,
    ) -> None:
        self.state_dir = Path(state_dir)
        self.listeners = list(listeners)
        self.decide = decide
        self.run_id = run_id
        self.log_dir = Path(log_dir) if log_dir is not None else None
        self.poll = poll
        self.tail_bytes = tail_bytes
        self.max_read = max_read
        self.decide_in_thread = decide_in_thread
        self._detach = threading.Event()
        self._journal_sig: tuple[int, int, int] | None = None
        self.data: dict[str, Any] = {}
        self._known: dict[str, tuple[str, int]] = {}
        self._asked: set[tuple[str, int]] = set()
        self._announced: set[tuple[str, int]] = set()
        self._finished: set[tuple[str, int, str]] = set()
        self._follow: _Follow | None = None
        self._started_at = 0.0
        self.status: PlanStatus | None = None

    # --- the Runner interface ---------------------------------------------------------------

    def cancel(self) -> None:
        """Detach: stop following (the install goes on). Thread-safe."""
        self._detach.set()

    @property
    def cancelled(self) -> bool:
        return self._detach.is_set()

    def stop(self) -> bool:
        """Stop the install itself (an explicit Abort / ``aio-wizard stop``): SIGTERM to its runner."""
        runner = live_runner(self.state_dir)
        return runner.terminate() if runner is not None else False

    def run(self, from_step: str | None = None, until_step: str | None = None) -> PlanStatus | None:
        """Follow until the install ends (its status) or :meth:`cancel` (None). The range is the runner's."""
        began = time.monotonic()
        last_alive = 0.0
        while not self.cancelled:
            changed = self._reload()
            if not self.data.get("plan") or (self.run_id and self.data.get("run_id") != self.run_id):
                if time.monotonic() - began > START_TIMEOUT or (
                    time.monotonic() - began > 1.0 and not self._runner_alive()
                ):
                    raise UserError(f"the install's runner did not start: {self._daemon_log_tail()}")
                time.sleep(self.poll)
                continue
            if not self._started_at:
                self._begin()
            self._read_log()
            if changed:
                self._apply_journal()
            status = self.data.get("status")
            if status in FINAL_STATES:
                return self._end(status)
            now = time.monotonic()
            if now - last_alive >= ALIVE_EVERY:
                last_alive = now
                if not self._runner_alive():
                    self._journal_sig = None  # the runner's last write may have come in the same instant
                    self._reload()
                    if self.data.get("status") == "running":
                        return self._end("interrupted", died=True)
            time.sleep(self.poll)
        return None

    # --- the journal ------------------------------------------------------------------------

    def _reload(self) -> bool:
        """Read the journal again if it changed; True if it did."""
        path = self.state_dir / JOURNAL_NAME
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return False
        sig = (st.st_ino, st.st_size, st.st_mtime_ns)
        if sig == self._journal_sig:
            return False
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            return False  # replaced under us: next poll
        if isinstance(data, dict):
            self._journal_sig = sig
            self.data = data
            return True
        return False

    def _runner_alive(self) -> bool:
        try:
            return is_locked(self.state_dir) is not None
        except OSError:
            return False

    def _plan(self) -> list[dict[str, Any]]:
        return [p for p in self.data.get("plan", []) if isinstance(p, dict)]

    def _entry(self, step_id: str) -> dict[str, Any]:
        entry = (self.data.get("steps") or {}).get(step_id)
        return entry if isinstance(entry, dict) else {}

    def _begin(self) -> None:
        plan = self._plan()
        started = float(self.data.get("started_at") or time.time())
        self._started_at = started
        source = str(self.data.get("source", ""))
        self._emit(
            PlanStarted(
                step_ids=tuple(str(p.get("id")) for p in plan),
                titles=tuple(str(p.get("title") or p.get("id")) for p in plan),
                release="" if source.startswith("steps-file:") else str(self.data.get("release") or ""),
                resumed=bool(self.data.get("resumed")),
                total=len(plan),
                first_index=1,
            )
        )

    def _apply_journal(self) -> None:
        """Events for every step whose (status, attempts) changed since the last look.

        A step that started and ended between two looks is still reported as started (with its
        log) before it is reported finished, so a front end never sees an end without a start.
        At the first look, steps that ended earlier are only reported finished, unless this is the
        run we started (``run_id``): then every step it ran is shown with its log.
        """
        plan = self._plan()
        total = len(plan)
        first_look = not self._known and not self.run_id
        for index, p in enumerate(plan, 1):
            sid = str(p.get("id"))
            entry = self._entry(sid)
            state = (str(entry.get("status", "pending")), int(entry.get("attempts") or 0))
            if self._known.get(sid) == state:
                continue
            self._known[sid] = state
            status = state[0]
            began, run_began = entry.get("started_at"), self.data.get("started_at")
            ran = (  # this step ran in this run (not kept from an earlier one, not found done by its check)
                isinstance(began, int | float)
                and (not isinstance(run_began, int | float) or began >= run_began)
                and not str(entry.get("reason") or "").startswith("already done")
            )
            if status == "running" or (status != "pending" and ran and not first_look):
                self._announce(sid, index, total, str(p.get("title") or sid), entry)
            if status in ("done", "skipped", "interrupted"):
                self._finish_step(sid, index, total, status, entry)
        self._check_waiting()

    def _announce(self, sid: str, index: int, total: int, title: str, entry: dict[str, Any]) -> None:
        """StepStarted for this attempt (once), and follow its log."""
        attempt = int(entry.get("attempts") or 0)
        if (sid, attempt) in self._announced:
            return
        self._announced.add((sid, attempt))
        log_path = str(entry.get("log_path") or "")
        self._switch_log(sid, log_path)
        self._emit(StepStarted(sid, index, total, title, attempt, log_path))
        self._read_log(everything=entry.get("status") != "running")

    def _finish_step(self, sid: str, index: int, total: int, status: str, entry: dict[str, Any]) -> None:
        if (sid, int(entry.get("attempts") or 0), status) in self._finished:
            return
        self._finished.add((sid, int(entry.get("attempts") or 0), status))
        if self._follow is not None and self._follow.step_id == sid:
            self._read_log(everything=True)
            self._follow.close()
            self._follow = None
        started, ended = entry.get("started_at"), entry.get("ended_at")
        duration = float(ended - started) if isinstance(started, int | float) and isinstance(ended, int | float) else 0
        reason = str(entry.get("reason") or "")
        already = "checked" if reason.startswith("already done") else ""
        run_began = self.data.get("started_at")
        earlier = isinstance(ended, int | float) and isinstance(run_began, int | float) and ended < run_began
        if status == "done" and earlier and not already:  # kept from an earlier run: say so, as the runner does
            when = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(float(ended)))  # type: ignore[arg-type]
            reason, already, duration = f"done in an earlier run ({when})", "earlier-run", 0
        self._emit(
            StepFinished(
                sid,
                status,  # type: ignore[arg-type]  # a journal status is a StepStatus
                entry.get("exit_code"),
                max(duration, 0.0),
                reason,
                (reason or None) if status == "failed" else None,
                tuple(_tail_lines(str(entry.get("log_path") or ""))) if status != "done" else (),
                str(entry.get("log_path") or ""),
                index=index,
                total=total,
                already_done=already,  # type: ignore[arg-type]  # "", "checked" or "earlier-run"
            )
        )

    def _check_waiting(self) -> None:
        """A failure waits for a decision: ask ``decide`` (once per attempt), in a thread of its own."""
        waiting = self.data.get("waiting")
        if not isinstance(waiting, dict):
            return
        key = (str(waiting.get("step")), int(waiting.get("attempt") or 0))
        if key in self._asked:
            return
        self._asked.add(key)
        if self._follow is not None and self._follow.step_id == key[0]:
            self._read_log(everything=True)
        failure = StepFailure(
            key[0],
            str(waiting.get("title") or key[0]),
            waiting.get("exit_code"),
            key[1],
            str(waiting.get("log_path") or ""),
            tuple(str(x) for x in waiting.get("tail") or ()),
            waiting.get("hint"),
            bool(waiting.get("optional")),
        )
        if self.decide is None:
            return
        if self.decide_in_thread:
            threading.Thread(target=self._ask, args=(failure,), name="attach-decide", daemon=True).start()
        else:  # a line-prompt front end asks in its own thread; following resumes after the answer
            self._ask(failure)

    def _ask(self, failure: StepFailure) -> None:
        assert self.decide is not None
        try:
            decision = self.decide(failure)
        except Exception:
            log.exception("decide failed for %s", failure.step_id)
            return
        if decision is None or self.cancelled:
            return  # no answer, or we detached (a front end's cancel answers "abort": not the user's word)
        self.answer(failure.step_id, failure.attempts, decision)

    def answer(self, step_id: str, attempt: int, decision: Decision) -> bool:
        """Give a decision if that failure still waits (another front end may have answered); True if written."""
        self._journal_sig = None
        self._reload()
        waiting = self.data.get("waiting")
        if not isinstance(waiting, dict) or (waiting.get("step"), waiting.get("attempt")) != (step_id, attempt):
            return False
        control.write_decision(self.state_dir, step_id, attempt, decision)
        return True

    def _end(self, status: str, *, died: bool = False) -> PlanStatus:
        self._read_log(everything=True)
        plan = self._plan()
        self._apply_journal()
        for index, p in enumerate(plan, 1):
            sid = str(p.get("id"))
            entry = self._entry(sid)
            if died and entry.get("status") == "running":  # a runner that died leaves a step "running"
                self._finish_step(sid, index, len(plan), "interrupted", {**entry, "reason": "its runner died"})
            elif entry.get("status") == "failed" and sid == self.data.get("failed_step"):
                self._finish_step(sid, index, len(plan), "failed", entry)
        final: PlanStatus = status if status in FINAL_STATES else "interrupted"  # type: ignore[assignment]
        ended = self.data.get("ended_at")
        duration = float(ended) - self._started_at if isinstance(ended, int | float) else time.time() - self._started_at
        failed = self.data.get("failed_step") if final != "done" else None
        skipped = tuple(str(s) for s in self.data.get("skipped_steps") or ())
        self.status = final
        self._emit(PlanFinished(final, max(duration, 0.0), failed, skipped))
        return final

    # --- the step log -----------------------------------------------------------------------

    def _switch_log(self, step_id: str, path: str) -> None:
        if self._follow is not None and (self._follow.step_id, self._follow.path) == (step_id, path):
            return  # a retry appends to the same log: keep following it
        if self._follow is not None:
            self._read_log(everything=True)
            self._follow.close()
        # the run we started: every line of its steps (--verbose prints them all); else the end of the log
        self._follow = _Follow.open(step_id, path, None if self.run_id else self.tail_bytes)

    def _read_log(self, *, everything: bool = False) -> None:
        follow = self._follow
        if follow is None:
            return
        while True:
            text, more = follow.read(self.max_read)
            if text is not None:
                self._emit(StepOutput(follow.step_id, text))
                header = last_ansible_header(text) if "[" in text else ""
                if header:
                    self._emit(StepSubstatus(follow.step_id, header))
            if not (everything and more):
                return

    # --- listeners --------------------------------------------------------------------------

    def _emit(self, event: Event) -> None:
        for listener in self.listeners:
            try:
                listener(event)
            except Exception:  # a broken front end must not stop the others: logged, not swallowed
                log.exception("listener %r failed on %s", listener, type(event).__name__)

    def _daemon_log_tail(self) -> str:
        if self.log_dir is None:
            return "see the runner's log"
        lines = _tail_lines(str(self.log_dir / DAEMON_LOG_NAME), 3)
        return " / ".join(lines) if lines else f"see {self.log_dir / DAEMON_LOG_NAME}"


class _Follow:
    """A log file followed from an offset: only whole new lines, never the file again from its start."""

    def __init__(self, step_id: str, path: str, offset: int) -> None:
        self.step_id = step_id
        self.path = path
        self.offset = offset
        self._fh: Any = None
        self._partial = b""
        self._skip_partial = False  # started mid-file: the first bytes up to a newline are a cut line

    @classmethod
    def open(cls, step_id: str, path: str, tail_bytes: int | None) -> _Follow:
        """Start at the end minus ``tail_bytes`` (at the next line start), so attaching mid-step is instant;
        at the start of the log when ``tail_bytes`` is None."""
        follow = cls(step_id, path, 0)
        if tail_bytes is None:
            return follow
        try:
            size = os.path.getsize(path)
        except OSError:
            return follow
        if size > tail_bytes:
            follow.offset = size - tail_bytes
            follow._skip_partial = True
        return follow

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def read(self, limit: int) -> tuple[str | None, bool]:
        """The next whole lines (without the last newline) or None; and whether more is waiting."""
        if self._fh is None:
            try:
                self._fh = open(self.path, "rb")  # noqa: SIM115 - kept open while the step runs
            except OSError:
                return None, False
        self._fh.seek(self.offset)
        data = self._fh.read(limit)
        if not data:
            return None, False
        self.offset += len(data)
        more = len(data) == limit
        data = self._partial + data
        if self._skip_partial:
            self._skip_partial = False
            cut = data.find(b"\n")
            data = data[cut + 1 :] if cut >= 0 else b""
        end = data.rfind(b"\n")
        if end < 0:
            self._partial = data
            return None, more
        self._partial = data[end + 1 :]
        return data[:end].decode("utf-8", "replace"), more


def _tail_lines(path: str, count: int = 20) -> list[str]:
    """The last ``count`` lines of a log (read from its end), or nothing when it cannot be read."""
    if not path:
        return []
    try:
        with open(path, "rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - 16384))
            data = fh.read()
    except OSError:
        return []
    return data.decode("utf-8", "replace").splitlines()[-count:]
