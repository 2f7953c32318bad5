"""Runs a plan: one subprocess per command, live output to listeners, a log file per step.

The runner is the only part of the wizard that changes the host. It records every state change
in the journal before telling listeners, so the journal and the log files are always the truth
(a later version could run the pipeline detached from the terminal; the UIs only observe).

Each command runs with stdin from /dev/null, stdout and stderr merged into one pipe, in its own
session (so Ctrl+C in the terminal does not reach it half-way: the runner stops the whole
process group itself, TERM then KILL after a grace period). The pipe is enlarged to 1 MiB and read
in chunks that big, never by line; the bytes go through :class:`wizard.pipeline.output.OutputStream`.

Root-safety (see the README's "What the wizard does to your host"):

- every command starts behind a gate: ``sh`` waits on its stdin (a pipe only the runner holds)
  and execs the command only after the journal durably records its process group and that
  group's identity (:mod:`wizard.pipeline.process`). A ``kill -9`` of the runner before that
  closes the pipe, and the command never runs: a step never runs twice at once;
- a resume stops a left-over process group only when its identity (boot id, start time)
  matches the record, and refuses to start while the journal's runner is proven alive (its
  lock file was deleted under it); the lock itself is checked before every step;
- the log directory is made 0700 (an unsafe existing one is refused); logs are opened without
  following symlinks or waiting on FIFOs, and the attempt's header lines are written through
  before its first command starts;
- a journal or log that cannot be written (full disk, read-only) stops the step's process
  group, records the step interrupted where the journal still can be written, and raises
  :class:`wizard.files.StateWriteError` (exit 3): a later run resumes.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import logging
import os
import select
import shutil
import signal
import stat
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from wizard.errors import UserError
from wizard.files import StateWriteError, UnsafePathError, atomic_write, ensure_private_dir
from wizard.pipeline.events import (
    AlreadyDone,
    DecideFn,
    Event,
    Listener,
    PlanFinished,
    PlanStarted,
    PlanStatus,
    StepFailure,
    StepFinished,
    StepRetrying,
    StepStarted,
    StepStatus,
    always_abort,
)
from wizard.pipeline.hints import find_hint
from wizard.pipeline.journal import Journal
from wizard.pipeline.lock import PipelineLock
from wizard.pipeline.model import Command, FileWrite, Plan, PlannedStep, host_path
from wizard.pipeline.output import CHUNK, OutputStream
from wizard.pipeline.process import group_members, identity, is_our_group
from wizard.pipeline.redact import Redactor

log = logging.getLogger("wizard.pipeline.runner")

DEFAULT_GRACE = 10.0
SHOWN_TAIL_LINES = 20  # the last lines of output a failed or interrupted step is shown with
EXIT_DRAIN_SECONDS = 2.0  # after the command exits, how long a grandchild may keep the pipe open
# The gate every command starts behind: wait for the runner's go on stdin, then become the command
# (same PID, so the recorded group and identity are the command's). EOF instead of "go": exit 125.
GATE_SCRIPT = 'IFS= read -r go && [ "$go" = go ] || exit 125; exec "$@" </dev/null'
GATE_ARGV0 = "aio-wizard-gate"
GATE_NOT_STARTED = 125


def log_file_name(index: int, step_id: str) -> str:
    """``<NN>-<id>.log`` with NN the 1-based position in the plan."""
    return f"{index:02d}-{step_id}.log"


class _Cancelled(Exception):
    pass


class _LogFailed(Exception):
    """A step's log could not be written (not an OSError, so a file write's handler cannot mistake it)."""


class _SafeLog:
    """The step's log file; an OS error on write or flush becomes :class:`_LogFailed`."""

    def __init__(self, fh, path: Path) -> None:
        self._fh = fh
        self.path = path

    def write(self, data: bytes | memoryview) -> int:
        try:
            return self._fh.write(data)
        except OSError as exc:
            raise _LogFailed(f"{self.path}: cannot write the step's log: {exc.strerror or exc}") from None

    def flush(self) -> None:
        try:
            self._fh.flush()
        except OSError as exc:
            raise _LogFailed(f"{self.path}: cannot write the step's log: {exc.strerror or exc}") from None


class Runner:
    """Runs ``plan``; see the module docstring. ``run()`` blocks; ``cancel()`` may be called from any thread."""

    def __init__(
        self,
        plan: Plan,
        journal: Journal,
        log_dir: Path | str,
        listeners: Iterable[Listener] = (),
        decide: DecideFn = always_abort,
        *,
        grace: float = DEFAULT_GRACE,
        redactor: Redactor | None = None,
        lock: bool = True,
    ) -> None:
        self.plan = plan
        self.journal = journal
        self.log_dir = Path(log_dir)
        self.listeners = list(listeners)
        self.decide = decide
        self.grace = grace
        self.redactor = redactor or Redactor(host_path(plan.root, f) for f in plan.secret_files)
        self._use_lock = lock
        self._lock: PipelineLock | None = None
        self._cancel = threading.Event()

    # --- control --------------------------------------------------------------------------

    def cancel(self) -> None:
        """Stop the run: the running command's process group gets TERM, then KILL. Thread-safe."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def _emit(self, event: Event) -> None:
        for listener in self.listeners:
            try:
                listener(event)
            except Exception:  # a broken front end must not break the install: logged (debug log), not raised
                log.exception("listener %r failed on %s", listener, type(event).__name__)

    # --- the run --------------------------------------------------------------------------

    def run(self, from_step: str | None = None, until_step: str | None = None) -> PlanStatus:
        """Run the plan (or ``from_step``..``until_step``); return "done", "failed", "aborted" or "interrupted"."""
        if self.plan.problems:
            raise UserError("this plan cannot run on this host: " + "; ".join(self.plan.problems))
        lock = PipelineLock(self.journal.state_dir) if self._use_lock else None
        if lock:
            lock.acquire()
        self._lock = lock
        try:
            other = self.journal.live_runner()
            if other:
                raise UserError(
                    f"another aio-wizard (process {other}) is still running this install, though its lock "
                    f"{self.journal.state_dir / 'lock'} was removed; wait for it or stop it first"
                )
            try:
                return self._run(from_step, until_step)
            except UserError:  # the state or the logs cannot be written, or the lock was lost
                self._abandon()
                raise
        finally:
            self._lock = None
            if lock:
                lock.release()

    def _abandon(self) -> None:
        """After a StateWriteError: the journal says "interrupted" where it can still be written.

        When it cannot (the same full disk), the journal on disk still says "running": the next
        run treats that as an interrupted step whose process died, which is the truth.
        """
        with contextlib.suppress(UserError, OSError):
            if self.journal.status == "running":
                self.journal.finish("interrupted", failed_step=None, skipped_steps=[])

    def _run(self, from_step: str | None, until_step: str | None) -> PlanStatus:
        plan = self.plan
        was_unfinished = self.journal.unfinished
        orphans = self.journal.orphaned_groups()
        entries = self.journal.begin(plan, from_step=from_step, until_step=until_step)
        for pgid, recorded in orphans:
            stop_orphaned_group(pgid, self.grace, recorded)
        # entries are in plan order: (1-based position, step, entry) for the steps of this run's range
        in_range = [(i, s, e) for i, (s, e) in enumerate(zip(plan.steps, entries, strict=True), 1) if e.in_range]
        ensure_private_dir(self.log_dir, "log directory")
        started = time.monotonic()
        self._emit(
            PlanStarted(
                step_ids=tuple(s.id for _, s, _ in in_range),
                titles=tuple(s.title for _, s, _ in in_range),
                release="" if plan.source.startswith("steps-file:") else plan.release,
                resumed=was_unfinished,
                total=len(plan.steps),
                first_index=in_range[0][0] if in_range else 1,
            )
        )
        skipped: list[str] = []
        for index, step, entry in in_range:
            if not entry.run:
                prev = self.journal.step(step.id)
                self._end_step(
                    step.id,
                    index,
                    "done",
                    exit_code=prev.get("exit_code"),
                    reason=entry.reason,
                    log_path=prev.get("log_path", ""),
                    already_done="earlier-run",
                    record=False,  # the earlier run's record stays as it is
                )
                continue
            if self.cancelled:
                return self._finish("interrupted", started, step.id, skipped)
            if self._lock is not None:
                self._lock.verify()
            status = self._run_step(step, index)
            match status:
                case "skipped":
                    skipped.append(step.id)
                case "failed" | "aborted" | "interrupted":
                    return self._finish(status, started, step.id, skipped)
        return self._finish("done", started, None, skipped)

    def _finish(self, status: PlanStatus, started: float, step_id: str | None, skipped: list[str]) -> PlanStatus:
        self.journal.finish(status, failed_step=step_id if status != "done" else None, skipped_steps=skipped)
        self._emit(
            PlanFinished(status, time.monotonic() - started, step_id if status != "done" else None, tuple(skipped))
        )
        return status

    def _end_step(
        self,
        step_id: str,
        index: int,
        status: StepStatus,
        *,
        exit_code: int | None = None,
        duration: float = 0.0,
        reason: str = "",
        hint: str | None = None,
        tail: Sequence[str] = (),
        log_path: str = "",
        already_done: AlreadyDone = "",
        record: bool = True,
    ) -> None:
        """A step's end, told once: the journal first (unless ``record`` is False), then the listeners.

        The one place a :class:`StepFinished` is made, so every one carries the same fields (its
        position in the plan, the last lines, the log) whichever way the step ended.
        """
        if record:
            self.journal.update_step(step_id, status=status, reason=reason, ended_at=time.time(), exit_code=exit_code)
        self._emit(
            StepFinished(
                step_id,
                status,
                exit_code,
                duration,
                reason,
                hint,
                tuple(tail[-SHOWN_TAIL_LINES:]),
                log_path,
                index=index,
                total=len(self.plan.steps),
                already_done=already_done,
            )
        )

    # --- one step -------------------------------------------------------------------------

    def _run_step(self, step: PlannedStep, index: int) -> str:
        """Run one step with its retries; return its final status ("done", "skipped", "failed", "aborted"...)."""
        log_path = self.log_dir / log_file_name(index, step.id)
        try:
            reason = step.is_done(self.plan.root)
        except Exception as exc:  # a done-check that cannot tell means "not done"
            reason = None
            done_check_error = f"done-check failed ({exc}); running the step"
        else:
            done_check_error = ""
        if reason:
            self._end_step(step.id, index, "done", reason=f"already done: {reason}", already_done="checked")
            return "done"

        try:
            return self._run_attempts(step, index, log_path, done_check_error)
        except _LogFailed as exc:
            with contextlib.suppress(UserError):
                self.journal.update_step(
                    step.id, status="interrupted", reason="its log could not be written", ended_at=time.time()
                )
            raise StateWriteError(
                f"{exc}; the step was stopped: free space or fix it, then run again to resume"
            ) from None

    def _run_attempts(self, step: PlannedStep, index: int, log_path: Path, done_check_error: str) -> str:
        """The attempts of one step (see :meth:`_run_step`), its log open."""
        total = len(self.plan.steps)
        attempts = int(self.journal.step(step.id).get("attempts", 0))
        auto_retries = 0
        with _open_log(log_path) as log:
            while True:
                attempts += 1
                t0 = time.time()
                self.journal.update_step(
                    step.id,
                    status="running",
                    attempts=attempts,
                    started_at=t0,
                    ended_at=None,
                    exit_code=None,
                    reason="",
                    log_path=str(log_path),
                )
                self._emit(StepStarted(step.id, index, total, step.title, attempts, str(log_path)))
                self.redactor.refresh()
                stream = OutputStream(step.id, log, self._emit, self.redactor)
                stream.note(f"=== aio-wizard: {step.id} — {step.title}, attempt {attempts}, {time.ctime(t0)} ===")
                if done_check_error:
                    stream.note(done_check_error)
                for note in step.notes:
                    stream.note(f"note: {note}")
                log.flush()  # the header reaches the file before anything runs: a kill -9 keeps it
                ended = functools.partial(self._end_step, step.id, index, log_path=str(log_path))
                try:
                    exit_code = self._attempt(step, stream)
                except _Cancelled:
                    stream.note("=== interrupted: the process group was stopped ===")
                    stream.flush()
                    ended("interrupted", duration=time.time() - t0, reason="interrupted", tail=stream.tail)
                    return "interrupted"
                stream.flush()
                duration = time.time() - t0
                if exit_code == 0:
                    ended("done", exit_code=0, duration=duration)
                    return "done"

                tail = stream.tail
                hint = find_hint(tail)
                hint_text = hint.text if hint else None
                permanent = hint is not None and not hint.transient
                if auto_retries < step.retry.retries and not permanent and not self.cancelled:
                    auto_retries += 1
                    delay = step.retry.delay(auto_retries)
                    self.journal.update_step(step.id, status="failed", ended_at=time.time(), exit_code=exit_code)
                    why = hint_text or f"exit code {exit_code}"
                    stream.note(f"=== failed ({why}); automatic retry {auto_retries} in {delay:g} s ===")
                    stream.flush()
                    self._emit(StepRetrying(step.id, attempts + 1, delay, why))
                    if self._cancel.wait(delay):
                        ended("interrupted", exit_code=exit_code, duration=duration, reason="interrupted", tail=tail)
                        return "interrupted"
                    continue

                stream.note(f"=== failed: exit code {exit_code} ===")
                stream.flush()
                self.journal.update_step(
                    step.id, status="failed", ended_at=time.time(), exit_code=exit_code, reason=hint_text or ""
                )
                failure = StepFailure(
                    step.id,
                    step.title,
                    exit_code,
                    attempts,
                    str(log_path),
                    tail[-SHOWN_TAIL_LINES:],
                    hint_text,
                    step.optional,
                )
                decision = "abort" if self.cancelled else self.decide(failure)
                if decision == "retry" and not self.cancelled:
                    auto_retries = 0
                    continue
                if decision == "skip":
                    ended(
                        "skipped",
                        exit_code=exit_code,
                        duration=duration,
                        reason="skipped by the user",
                        hint=hint_text,
                        tail=tail,
                    )
                    return "skipped"
                # the journal says "failed" since before the question: record=False keeps that record
                ended("failed", exit_code=exit_code, duration=duration, hint=hint_text, tail=tail, record=False)
                return "interrupted" if self.cancelled else "failed"

    def _attempt(self, step: PlannedStep, stream: OutputStream) -> int | None:
        """Write the step's files, then run its commands; the first failing exit code, or 0.

        A file that cannot be written fails the step like a failing command (exit 1): OSError, and
        ValueError from a transform that refuses its input (a changed init-runonce, a globals.yml
        the merge cannot place a key in) or from a file that is not UTF-8, and UnsafePathError (a
        symlink, a device or a directory where the file goes: never written through). So retry, skip and abort
        apply, and the journal and the listeners hear how the step ended.
        """
        for f in step.files:
            if self.cancelled:
                raise _Cancelled
            try:
                done = apply_file(f, self.plan.root)
            except (OSError, ValueError, UnsafePathError) as exc:
                stream.note(f"error: cannot write {f.path}: {exc}")
                return 1
            stream.note(done)  # outside the try: a log that cannot be written is not this file's failure
        for cmd in step.commands:
            if self.cancelled:
                raise _Cancelled
            stream.note(f"$ {cmd.display}")
            stream.log.flush()
            code = self._run_command(cmd, stream, step.id)
            stream.close_partial()
            if code not in cmd.ok_exit:
                return code
        return 0

    def _run_command(self, cmd: Command, stream: OutputStream, step_id: str) -> int:
        """Run one command behind the gate (see the module docstring); its exit code."""
        env = command_env(cmd)
        missing = _not_runnable(cmd.argv[0], env)
        if missing:
            stream.note(missing[1])
            return missing[0]
        cwd: Path | None = None
        if cmd.cwd:
            try:
                cwd = ensure_private_dir(host_path(self.plan.root, cmd.cwd), "working directory")
            except (StateWriteError, UnsafePathError) as exc:
                stream.note(f"error: {exc}")
                return 1
        gate_r, gate_w = os.pipe()
        try:
            proc = subprocess.Popen(
                ["/bin/sh", "-c", GATE_SCRIPT, GATE_ARGV0, *cmd.argv],
                stdin=gate_r,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env=env,
                close_fds=True,
                cwd=cwd,
            )
        except (OSError, ValueError) as exc:
            os.close(gate_w)
            stream.note(f"error: cannot start {cmd.argv[0]}: {getattr(exc, 'strerror', None) or exc}")
            return 126
        finally:
            os.close(gate_r)
        # recorded durably before the command may run: if this process dies (kill -9) from here on,
        # the next run stops the orphaned group, identified, before rerunning the step
        try:
            self.journal.update_step(step_id, pgid=proc.pid, pgid_identity=identity(proc.pid))
        except BaseException:
            os.close(gate_w)  # EOF: the gate exits without running the command
            proc.wait()
            assert proc.stdout is not None
            proc.stdout.close()
            raise
        with contextlib.suppress(BrokenPipeError):
            os.write(gate_w, b"go\n")
        os.close(gate_w)
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        with contextlib.suppress(OSError):  # a bigger pipe: fewer, larger reads (EPERM past the user's limit)
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, CHUNK)
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        exited_at: float | None = None
        try:
            while True:
                if self._cancel.is_set():
                    self._stop_group(proc, drain=lambda: _drain(poller, stream, fd))
                    raise _Cancelled
                if poller.poll(50):
                    if not stream.read_from(fd):
                        break
                    continue
                stream.tick()
                if exited_at is None and proc.poll() is not None:
                    exited_at = time.monotonic()
                elif exited_at is not None and time.monotonic() - exited_at > EXIT_DRAIN_SECONDS:
                    break  # a background grandchild holds the pipe open: stop listening
            return proc.wait()
        except _LogFailed:
            self._stop_group(proc)  # a step nobody can see or resume cleanly must not run on
            raise
        finally:
            proc.stdout.close()

    def _stop_group(self, proc: subprocess.Popen[bytes], drain: Callable[[], bool] | None = None) -> None:
        """TERM the command's process group; KILL it after the grace period.

        ``drain`` (read what the command printed; False at end of output) runs during the grace
        period: what a command does on TERM (verify deletes its test server and floating IP and
        says so) reaches the step's log, and a command blocked on a full pipe can still exit.
        """
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        if drain is not None:
            with contextlib.suppress(OSError, _LogFailed):
                while time.monotonic() < deadline and drain():
                    pass
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _drain(poller: select.poll, stream: OutputStream, fd: int) -> bool:
    """Read what is ready on ``fd`` into ``stream`` (waiting 50 ms at most); False at end of output."""
    if poller.poll(50):
        return bool(stream.read_from(fd))
    return True


def stop_orphaned_group(pgid: int, grace: float, recorded: dict | None = None) -> bool:
    """Stop a process group a killed runner left behind (its step runs again); True if one was stopped.

    Only when ``pgid`` is still the group the journal recorded (``recorded``: boot id and start
    time, :func:`wizard.pipeline.process.is_our_group`), its leader alive or not: after a reboot or
    PID reuse the number belongs to someone else's process, which is never signalled.
    """
    if not is_our_group(pgid, recorded):
        return False
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and group_members(pgid):
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
    return True


def _not_runnable(program: str, env: dict[str, str]) -> tuple[int, str] | None:
    """(exit code, message) when ``program`` cannot be started, as a shell would say: 127 or 126.

    Checked before the gate so the step's log says "command not found" in our words, not sh's.
    """
    if "/" in program:
        if not os.path.exists(program):
            return 127, f"error: {program}: command not found"
        if os.path.isdir(program) or not os.access(program, os.X_OK):
            return 126, f"error: cannot start {program}: Permission denied"
        return None
    if shutil.which(program, path=env.get("PATH", os.defpath)) is None:
        return 127, f"error: {program}: command not found"
    return None


def command_env(cmd: Command, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a command runs with: ours, then :meth:`Command.environment`'s additions."""
    return cmd.environment(os.environ if base is None else base)


def apply_file(f: FileWrite, root: Path) -> str:
    """Write one planned file under ``root``; return the line that says what was done.

    What to write comes from :meth:`FileWrite.wanted`, the same answer the plan shows. Raises
    OSError and ValueError (an unreadable or undecodable file, a transform that refuses its
    input): the runner fails the step with the message.
    """
    target = host_path(root, f.path)
    if target.is_symlink():  # chmod, mkdir and the write would all act on what it points to
        raise UnsafePathError(f"{target} is a symbolic link: the wizard does not write through it; remove it")
    if f.directory:
        existed = target.is_dir()
        target.mkdir(parents=True, exist_ok=True)
        if f.mode is not None:
            os.chmod(target, f.mode)
        return f"{'kept' if existed else 'created'} directory {f.path}"
    change = f.wanted(root)
    if change is None:
        if f.if_absent:
            return f"kept {f.path}: it exists and is never overwritten"
        if not target.exists():
            return f"{f.path} does not exist: nothing to change"
        if f.mode is not None:
            os.chmod(target, f.mode)
        return f"{f.path} already as wanted: unchanged"
    made = atomic_write(target, change[1], mode=f.mode, backup=f.backup)
    source = f" (from {f.copy_from})" if f.copy_from else ""
    backup = f", original kept as {made}" if made else ""
    return f"wrote {f.path}{source}{backup}"


@contextlib.contextmanager
def _open_log(path: Path):
    """The step's log (UTF-8), appended to across attempts and runs, mode 0600.

    Never through a symlink (O_NOFOLLOW), never waiting on a FIFO (O_NONBLOCK), only a regular
    file: a planted ``NN-step.log`` must not make root append to or chmod anything else.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK, 0o600)
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a FIFO nobody reads (or a device): never wait for it
            raise StateWriteError(f"{path}: the step's log is not a regular file; move it away") from None
        why = "it is a symbolic link" if exc.errno == errno.ELOOP else exc.strerror
        raise StateWriteError(f"{path}: cannot open the step's log: {why}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise StateWriteError(f"{path}: the step's log is not a regular file; move it away")
        os.set_blocking(fd, True)
        os.fchmod(fd, 0o600)
    except BaseException:
        os.close(fd)
        raise
    fh = open(fd, "wb", buffering=1 << 16)  # noqa: SIM115 - closed below, errors of a failed log suppressed
    safe = _SafeLog(fh, path)
    try:
        yield safe
        safe.flush()
    finally:
        with contextlib.suppress(OSError):  # a failed write was already raised as _LogFailed
            fh.close()
