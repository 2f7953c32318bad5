"""``<state-dir>/journal.json``: what has been done, so a run can resume and ``status`` can report.

The journal and the step logs are the truth; the UIs only observe them. It is rewritten
atomically (temp file, fsync, rename) at every change, so a ``kill -9`` at any moment leaves
either the previous or the new journal, never a torn one.

Resume rules (see :func:`resume_plan`):
- a step recorded "done" with the same fingerprint is not run again;
- a step left "running" (its process died) is recorded "interrupted" and runs again;
- when a step's fingerprint changed (its commands, or the answers it depends on), it runs again,
  and so does every step after the first changed one;
- ``--from STEP`` runs STEP and everything after it again, whatever the journal says.

Safety: the journal is read without following a symlink or waiting on a FIFO, and its shape is
checked (a hand-edited journal of the wrong shape is one line, exit 2, never a traceback or a
silent rerun of every step; a ``version`` this wizard does not know is refused). Before each
save the journal on disk, always one this wizard wrote and could read, is kept as
``journal.json.prev`` (a hard link: no extra write), so a damaged journal can be recovered.
A save that fails (full disk, read-only) is :class:`wizard.files.StateWriteError` (exit 3).
Every PID recorded (the runner's, each step's process group) comes with its identity
(:mod:`wizard.pipeline.process`) so a resume never signals a process it did not start.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wizard.answers.questions import KEYS, question
from wizard.answers.validation import SECRET_KEY
from wizard.errors import UserError
from wizard.files import StateWriteError, UnsafePathError, atomic_write, ensure_private_dir
from wizard.pipeline.lock import is_locked
from wizard.pipeline.model import Plan
from wizard.pipeline.process import identity, same_process

JOURNAL_NAME = "journal.json"
PREVIOUS_SUFFIX = ".prev"
VERSION = 1
MAX_JOURNAL_BYTES = 16 * 1024 * 1024
STEP_STATUSES = ("pending", "running", "done", "failed", "skipped", "interrupted")
RUN_STATUSES = ("running", "done", "failed", "aborted", "interrupted")


def public_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers without secrets (those never reach the disk): keys the catalog marks secret,
    and any key that looks like one."""
    return {k: v for k, v in answers.items() if not SECRET_KEY.search(k) and not (k in KEYS and question(k).secret)}


def _iso(ts: float | None) -> str | None:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(ts)) if ts else None


@dataclass(frozen=True)
class ResumeEntry:
    """Whether one step runs in this run, and why not when it does not."""

    step_id: str
    run: bool
    reason: str = ""  # why it is not run, e.g. "done in an earlier run (2026-08-01T10:02:03)"
    in_range: bool = True  # False outside --from/--until: this run does not go through the step at all


class Journal:
    """The journal of one state directory. Every mutating method saves immediately."""

    def __init__(self, state_dir: Path | str) -> None:
        self.state_dir = Path(state_dir)
        self.path = self.state_dir / JOURNAL_NAME
        self.data: dict[str, Any] = {}
        self._dir_checked = False
        self._on_disk_good = False  # whether the file at self.path is one this object read or wrote

    # --- reading --------------------------------------------------------------------------

    @classmethod
    def load(cls, state_dir: Path | str) -> Journal:
        """The journal in ``state_dir`` (empty when there is none); UserError (exit 2) when damaged."""
        j = cls(state_dir)
        try:
            raw = _read_regular(j.path)
        except FileNotFoundError:
            return j
        except UserError as exc:
            raise UserError(f"{exc}{j.recovery_hint()}") from None
        except NotADirectoryError:
            ensure_private_dir(j.state_dir, "state directory")  # says what is in the way (exit 3)
            raise
        except OSError as exc:
            raise UserError(f"{j.path}: cannot read the journal: {exc.strerror}") from None
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise UserError(f"{j.path}: the journal is not UTF-8 text{j.recovery_hint()}") from None
        except json.JSONDecodeError as exc:
            where = f"{j.path}:{exc.lineno}"
            raise UserError(f"{where}: the journal is not valid JSON: {exc.msg}{j.recovery_hint()}") from None
        except RecursionError:
            raise UserError(f"{j.path}:1: the journal is nested too deeply{j.recovery_hint()}") from None
        problem = journal_shape_problem(data)
        if problem:
            raise UserError(f"{j.path}:{_line_of(raw, problem[0])}: {problem[1]}{j.recovery_hint()}")
        j.data = data
        j._on_disk_good = True
        return j

    @property
    def previous_path(self) -> Path:
        """The last good journal, kept at every save: what a damaged journal is recovered from."""
        return self.path.with_name(JOURNAL_NAME + PREVIOUS_SUFFIX)

    def recovery_hint(self) -> str:
        """How to recover from a damaged journal, for the end of the error line."""
        moved = f"mv {self.path} {self.path}.damaged"
        if os.path.lexists(self.previous_path):
            return f"; the last good copy is {self.previous_path}: {moved} && cp {self.previous_path} {self.path}"
        return f"; move it away to start over: {moved}"

    @property
    def exists(self) -> bool:
        return bool(self.data)

    @property
    def unfinished(self) -> bool:
        """An install was recorded and did not finish: failed, aborted, interrupted, or its process died,
        or its run stopped where ``--until`` said (a "done" run with planned steps that never ran)."""
        return self.exists and (self.status not in (None, "done") or bool(self.stopped_after))

    @property
    def stopped_after(self) -> str | None:
        """The ``--until`` step a finished run stopped after, while later planned steps have not run; else None.

        Why: ``run --until STEP`` ends "done" (it did what was asked), but the install is not done.
        """
        until = (self.data.get("range") or {}).get("until") if self.exists else None
        if self.status != "done" or not until:
            return None
        return until if self.steps_left() else None

    def steps_left(self) -> list[str]:
        """The planned steps not done yet (pending, failed, skipped...), in plan order."""
        steps = self.data.get("steps") or {}
        return [str(p.get("id")) for p in self.planned() if (steps.get(p.get("id")) or {}).get("status") != "done"]

    @property
    def answers(self) -> dict[str, Any]:
        """The recorded install's answers, as far as the catalog knows them, never a secret."""
        return {k: v for k, v in public_answers(self.data.get("answers") or {}).items() if k in KEYS}

    @property
    def status(self) -> str | None:
        return self.data.get("status")

    @property
    def steps(self) -> dict[str, dict[str, Any]]:
        return self.data.setdefault("steps", {})

    def step(self, step_id: str) -> dict[str, Any]:
        return self.steps.setdefault(step_id, {"status": "pending", "attempts": 0})

    def planned(self) -> list[dict[str, Any]]:
        return list(self.data.get("plan", []))

    # --- writing --------------------------------------------------------------------------

    def save(self) -> None:
        """Write the journal now, keeping the one on disk as ``journal.json.prev`` first.

        atomic_write fsyncs the file and the directory (see the module docstring). Any OS error
        is a :class:`StateWriteError` (exit 3): the caller stops the step, and a run started
        again once the disk is fixed resumes from the journal on disk, which is whole.
        """
        self.data["updated_at"] = time.time()
        text = json.dumps(self.data, indent=2, sort_keys=True) + "\n"
        if not self._dir_checked:
            ensure_private_dir(self.state_dir, "state directory")
            self._dir_checked = True
        try:
            self._keep_previous()
            atomic_write(self.path, text, mode=0o600)
        except UnsafePathError:
            raise
        except OSError as exc:
            raise StateWriteError(
                f"{self.path}: cannot write the journal: {exc.strerror or exc}; "
                "free space or fix the state directory, then run again to resume"
            ) from None

    def _keep_previous(self) -> None:
        """Hard-link the journal on disk to ``journal.json.prev`` (atomically, by rename).

        Only a journal this process loaded or wrote is kept (a damaged one is refused at load),
        so ``.prev`` is always one the wizard can resume from.
        """
        if not self._on_disk_good:
            self._on_disk_good = True  # from now on the file on disk is one we wrote
            return
        tmp = self.path.with_name(f".{JOURNAL_NAME}{PREVIOUS_SUFFIX}.{os.getpid()}.tmp")
        try:
            os.link(self.path, tmp, follow_symlinks=False)
        except FileNotFoundError:
            return
        except FileExistsError:
            os.unlink(tmp)
            os.link(self.path, tmp, follow_symlinks=False)
        except OSError as exc:
            if exc.errno in (errno.EPERM, errno.EXDEV, errno.EMLINK):  # a file system without hard links
                return
            raise
        os.replace(tmp, self.previous_path)

    def begin(self, plan: Plan, *, from_step: str | None = None, until_step: str | None = None) -> list[ResumeEntry]:
        """Record ``plan`` as the current run and return, for each of its steps, whether it runs.

        The previous journal's entries are kept for steps that need not run again.
        """
        entries = resume_plan(plan, self.data, from_step=from_step, until_step=until_step)
        old_steps = self.data.get("steps", {}) if self.data else {}
        old_fp = _fingerprints(self.data)
        resumed = self.unfinished
        keep = {e.step_id for e in entries if not e.run}
        steps: dict[str, dict[str, Any]] = {}
        for s in plan.steps:
            old = old_steps.get(s.id)
            if old and (s.id in keep or old_fp.get(s.id) == s.fingerprint):
                entry = dict(old)
                entry.pop("fingerprint", None)  # kept once, in "plan" (journals before it had a copy here)
                if entry.get("status") == "running":
                    entry["status"] = "interrupted"
                    entry["reason"] = "its process died"
            else:
                entry = {"status": "pending", "attempts": 0}
            steps[s.id] = entry
        self.data = {
            "version": VERSION,
            "release": plan.release,
            "source": plan.source,
            "answers": public_answers(plan.answers),
            "plan": [
                {"id": s.id, "title": s.title, "fingerprint": s.fingerprint, "expected": s.expected_seconds}
                for s in plan.steps
            ],
            "steps": steps,
            "status": "running",
            "pid": os.getpid(),
            "pid_identity": identity(os.getpid()),
            "started_at": time.time(),
            "resumed": resumed,
            "range": {"from": from_step, "until": until_step},
        }
        self.save()
        for stale in self.state_dir.glob(f".{JOURNAL_NAME}.*.tmp"):  # left by a kill -9 mid-write
            stale.unlink(missing_ok=True)
        return entries

    def orphaned_groups(self) -> list[tuple[int, dict[str, Any] | None]]:
        """Process groups of commands whose runner died while they ran (status still "running").

        Each with the identity recorded when it started (None in journals from before that):
        :func:`wizard.pipeline.runner.stop_orphaned_group` acts only on a match.
        """
        out: list[tuple[int, dict[str, Any] | None]] = []
        for entry in self.data.get("steps", {}).values() if self.data else ():
            if entry.get("status") == "running" and isinstance(entry.get("pgid"), int):
                ident = entry.get("pgid_identity")
                out.append((entry["pgid"], ident if isinstance(ident, dict) else None))
        return out

    def live_runner(self) -> int | None:
        """The PID of another wizard still running this journal's install, proven by its identity.

        The lock normally says so; this catches a lock file deleted under a running wizard,
        so a second run neither starts nor stops the first one's step.
        """
        pid = self.data.get("pid") if self.data else None
        if self.status != "running" or not isinstance(pid, int) or pid == os.getpid():
            return None
        return pid if same_process(pid, self.data.get("pid_identity")) else None

    def update_step(self, step_id: str, **fields: Any) -> None:
        self.step(step_id).update(fields)
        self.save()

    def finish(self, status: str, **fields: Any) -> None:
        self.data["status"] = status
        self.data["ended_at"] = time.time()
        self.data.update(fields)
        self.save()


def resume_plan(
    plan: Plan, old: Mapping[str, Any] | None, *, from_step: str | None = None, until_step: str | None = None
) -> list[ResumeEntry]:
    """Which steps of ``plan`` run, given the previous journal ``old`` (see the module docstring).

    Steps outside ``from_step``..``until_step`` do not run (reason "outside --from/--until").
    """
    ids = plan.step_ids
    start = plan.index(from_step) if from_step else 0
    stop = plan.index(until_step) if until_step else len(ids) - 1
    if stop < start:
        raise UserError(f"--until {until_step} comes before --from {from_step}")
    old_steps: Mapping[str, Any] = (old or {}).get("steps", {}) or {}
    old_fp = _fingerprints(old)
    first_changed = len(ids)
    for i, s in enumerate(plan.steps):
        if old_fp.get(s.id) != s.fingerprint:
            first_changed = i
            break
    out: list[ResumeEntry] = []
    for i, s in enumerate(plan.steps):
        if i < start or i > stop:
            out.append(ResumeEntry(s.id, False, "outside --from/--until", in_range=False))
            continue
        prev = old_steps.get(s.id) or {}
        if from_step is None and i < first_changed and prev.get("status") == "done":
            when = _iso(prev.get("ended_at"))
            out.append(ResumeEntry(s.id, False, f"done in an earlier run ({when})" if when else "done earlier"))
        else:
            out.append(ResumeEntry(s.id, True))
    return out


def _read_regular(path: Path) -> bytes:
    """The bytes of ``path`` if it is a regular file (no symlink followed, no FIFO waited on)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UserError(f"{path} is a symbolic link, not a journal") from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UserError(f"{path} is not a regular file, not a journal")
        if st.st_size > MAX_JOURNAL_BYTES:
            raise UserError(f"{path} is {st.st_size} bytes, too big for a journal")
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def journal_shape_problem(data: Any) -> tuple[str, str] | None:
    """``(key, message)`` for the first thing in ``data`` a journal cannot hold, else None.

    The runner trusts what :meth:`Journal.load` returns, so a hand-edited journal of the wrong
    shape is refused here rather than crashing later or silently making every step run again.
    """
    if not isinstance(data, dict):
        return "", "the journal is not a JSON object"
    version = data.get("version", VERSION)
    if not isinstance(version, int) or isinstance(version, bool):
        return "version", f"version: {version!r} is not a journal version"
    if version != VERSION:
        return "version", f"version: {version}: written by another aio-wizard (this one reads version {VERSION})"
    status = data.get("status")
    if status is not None and status not in RUN_STATUSES:
        return "status", f"status: {status!r} is not one of {', '.join(RUN_STATUSES)}"
    for key, kind in (("answers", dict), ("steps", dict), ("plan", list), ("range", dict)):
        if key in data and data[key] is not None and not isinstance(data[key], kind):
            return key, f"{key}: must be a JSON {'object' if kind is dict else 'array'}"
    for key in ("pid",):
        if key in data and (not isinstance(data[key], int) or isinstance(data[key], bool)):
            return key, f"{key}: must be a whole number"
    for i, p in enumerate(data.get("plan") or ()):
        if not isinstance(p, dict) or not isinstance(p.get("id"), str):
            return "plan", f'plan[{i}]: must be an object with a string "id"'
        if p.get("fingerprint") is not None and not isinstance(p["fingerprint"], str):
            return "fingerprint", f"plan[{i}].fingerprint: must be a string"
    for sid, entry in (data.get("steps") or {}).items():
        if not isinstance(entry, dict):
            return sid, f"steps.{sid}: must be a JSON object"
        st = entry.get("status", "pending")
        if st not in STEP_STATUSES:
            return sid, f"steps.{sid}.status: {st!r} is not one of {', '.join(STEP_STATUSES)}"
        for key in ("attempts", "pgid", "exit_code"):
            v = entry.get(key)
            if v is not None and (not isinstance(v, int) or isinstance(v, bool)):
                return sid, f"steps.{sid}.{key}: must be a whole number"
        for key in ("started_at", "ended_at"):
            v = entry.get(key)
            if v is not None and (not isinstance(v, (int, float)) or isinstance(v, bool)):
                return sid, f"steps.{sid}.{key}: must be a number"
    return None


def _line_of(raw: bytes, key: str) -> int:
    """The line of the first ``"key"`` in the journal text (1 when not found): for FILE:LINE."""
    if not key:
        return 1
    at = raw.find(json.dumps(key).encode())
    return raw.count(b"\n", 0, at) + 1 if at != -1 else 1


def _fingerprints(data: Mapping[str, Any] | None) -> dict[Any, Any]:
    """Each step's fingerprint as a journal recorded it (in its "plan" list)."""
    return {p.get("id"): p.get("fingerprint") for p in (data or {}).get("plan", []) if isinstance(p, dict)}


@dataclass(frozen=True)
class UnfinishedInstall:
    """An install the journal says did not finish: what the front ends offer to resume.

    ``done`` counts the planned steps recorded "done"; ``next_step_id``/``next_title`` name the
    first planned step that is not (where a resume continues), ``next_status`` its status;
    ``locked_by`` is the PID holding the pipeline lock (a run still going), else None.
    """

    journal: Journal
    done: int
    total: int
    next_step_id: str | None
    next_title: str | None
    next_status: str | None
    locked_by: int | None

    @property
    def release(self) -> str:
        return str(self.journal.data.get("release") or "?")

    @property
    def status(self) -> str:
        """The run's status, or "stopped after STEP (--until)" for a run that ended where asked."""
        if self.journal.stopped_after:
            return f"stopped after {self.journal.stopped_after} (--until)"
        return self.journal.status or "?"


def unfinished_install(state_dir: Path | str) -> UnfinishedInstall | None:
    """The install in ``state_dir`` that did not finish, or None (no journal, or it finished).

    One answer for every front end: how far it got, where a resume continues, and whether a
    pipeline still holds the lock. Raises UserError for an unreadable or corrupt journal.
    """
    journal = Journal.load(state_dir)
    if not journal.unfinished:
        return None
    plan = journal.planned()
    steps = journal.data.get("steps", {}) or {}

    def status_of(p: Mapping[str, Any]) -> str:
        return str((steps.get(p.get("id")) or {}).get("status", "pending"))

    done = sum(1 for p in plan if status_of(p) == "done")
    nxt = next((p for p in plan if status_of(p) != "done"), None)
    return UnfinishedInstall(
        journal=journal,
        done=done,
        total=len(plan),
        next_step_id=nxt.get("id") if nxt else None,
        next_title=str(nxt.get("title") or nxt.get("id")) if nxt else None,
        next_status=status_of(nxt) if nxt else None,
        locked_by=_lock_holder(journal.state_dir),
    )


def _lock_holder(state_dir: Path) -> int | None:
    """:func:`is_locked`, None when the lock file cannot even be opened (nobody we can see holds it)."""
    try:
        return is_locked(state_dir)
    except OSError:
        return None
