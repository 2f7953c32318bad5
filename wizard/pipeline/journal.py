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
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wizard.answers.questions import KEYS, question
from wizard.answers.validation import SECRET_KEY
from wizard.errors import UserError
from wizard.files import atomic_write
from wizard.pipeline.lock import is_locked
from wizard.pipeline.model import Plan

JOURNAL_NAME = "journal.json"
VERSION = 1


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

    # --- reading --------------------------------------------------------------------------

    @classmethod
    def load(cls, state_dir: Path | str) -> Journal:
        """The journal in ``state_dir`` (empty when there is none)."""
        j = cls(state_dir)
        try:
            raw = j.path.read_text()
        except FileNotFoundError:
            return j
        except OSError as exc:
            raise UserError(f"{j.path}: cannot read the journal: {exc.strerror}") from None
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise UserError(f"{j.path}:{exc.lineno}: the journal is not valid JSON: {exc.msg}") from None
        if not isinstance(data, dict):
            raise UserError(f"{j.path}:1: the journal is not a JSON object")
        j.data = data
        return j

    @property
    def exists(self) -> bool:
        return bool(self.data)

    @property
    def unfinished(self) -> bool:
        """An install was recorded and did not finish: failed, aborted, interrupted, or its process died."""
        return self.exists and self.status not in (None, "done")

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
        """Write the journal now (atomic_write makes the directory and fsyncs: see the module docstring)."""
        self.data["updated_at"] = time.time()
        atomic_write(self.path, json.dumps(self.data, indent=2, sort_keys=True) + "\n", mode=0o600)

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
            "plan": [{"id": s.id, "title": s.title, "fingerprint": s.fingerprint} for s in plan.steps],
            "steps": steps,
            "status": "running",
            "pid": os.getpid(),
            "started_at": time.time(),
            "resumed": resumed,
            "range": {"from": from_step, "until": until_step},
        }
        self.save()
        for stale in self.state_dir.glob(f".{JOURNAL_NAME}.*.tmp"):  # left by a kill -9 mid-write
            stale.unlink(missing_ok=True)
        return entries

    def orphaned_groups(self) -> list[int]:
        """Process groups of commands whose runner died while they ran (status still "running")."""
        out = []
        for entry in self.data.get("steps", {}).values() if self.data else ():
            if entry.get("status") == "running" and isinstance(entry.get("pgid"), int):
                out.append(entry["pgid"])
        return out

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


def _fingerprints(data: Mapping[str, Any] | None) -> dict[str, Any]:
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
