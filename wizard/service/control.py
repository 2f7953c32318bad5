"""The control channel: how a front end answers a failed step, and how the runner asks.

Decision records, not a socket: ``<state-dir>/decision-<step>-<attempt>.json``, written
atomically with mode 0600 into the 0700 state directory, so only root (the owner) can give one.
Records are simpler than a socket to get right across processes that come and go: no listener
to keep alive, nothing lost when nobody is attached, and several front ends can race safely
(the first record for a given attempt wins; the runner deletes it when it takes it).

While it waits, the runner puts ``waiting`` in the journal: the failure's step, attempt, exit
code, hint, last lines and log. Front ends and ``status`` read it from there.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import cast, get_args

from wizard.files import atomic_write
from wizard.pipeline.events import Decision

DECISIONS: tuple[str, ...] = get_args(Decision)


def decision_path(state_dir: Path, step_id: str, attempt: int) -> Path:
    return state_dir / f"decision-{step_id}-{attempt}.json"


def write_decision(state_dir: Path, step_id: str, attempt: int, decision: Decision) -> Path:
    """Answer the failure of ``step_id``'s attempt ``attempt`` (the runner picks it up within 0.2 s)."""
    if decision not in DECISIONS:
        raise ValueError(f"not a decision: {decision!r}")
    path = decision_path(state_dir, step_id, attempt)
    atomic_write(path, json.dumps({"step": step_id, "attempt": attempt, "decision": decision}) + "\n", mode=0o600)
    return path


def take_decision(state_dir: Path, step_id: str, attempt: int) -> Decision | None:
    """The decision recorded for this attempt, removing the record; None when there is none (yet).

    A record someone other than our user wrote, or that group or others could write, is refused
    (and removed): the channel is for root only.
    """
    path = decision_path(state_dir, step_id, attempt)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    try:
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o022:
            return None
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    finally:
        path.unlink(missing_ok=True)
    decision = data.get("decision") if isinstance(data, dict) else None
    return cast(Decision, decision) if decision in DECISIONS else None


def clear_decisions(state_dir: Path) -> None:
    """Remove stale records (a new run must not take an answer given to an old one)."""
    for path in state_dir.glob("decision-*.json"):
        path.unlink(missing_ok=True)
