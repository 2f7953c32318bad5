"""What ``aio-wizard status`` prints: each step's state, attempts, duration and log path.

Read only from the journal and the lock, so it works while another process runs the install
(and after it died).
"""

from __future__ import annotations

import time
from pathlib import Path

from wizard.durations import format_duration
from wizard.pipeline.journal import Journal
from wizard.pipeline.lock import is_locked


def render_status(state_dir: Path | str, *, now: float | None = None) -> str:
    """The status report for ``state_dir``; "no install under way" when there is no journal."""
    now = time.time() if now is None else now
    journal = Journal.load(state_dir)
    if not journal.exists:
        return f"no install under way (no journal in {state_dir})\n"
    data = journal.data
    holder = is_locked(state_dir)
    status = data.get("status", "?")
    if status == "running" and holder is None:
        status = "stopped (the process that ran it is gone; run again to resume)"
    elif holder:
        status = f"running (process {holder})" if holder > 0 else "running"
    elif journal.stopped_after:
        left = len(journal.steps_left())
        status = f"stopped after {journal.stopped_after} (--until); {left} step{'s' if left != 1 else ''} left"
    waiting = data.get("waiting") if holder else None
    if isinstance(waiting, dict):  # the runner waits for Retry / Skip / Abort (wizard.service.control)
        status = f"waiting for a decision on {waiting.get('step')} (attempt {waiting.get('attempt')})"
    out = [f"release {data.get('release', '?')}: {status}"]
    if isinstance(waiting, dict):
        if waiting.get("hint"):
            out.append(f"hint: {waiting['hint']}")
        out.append("answer it in `aio-wizard` (or --plain); `aio-wizard stop` stops the install")
    if data.get("failed_step") and data.get("status") in ("failed", "aborted", "interrupted"):
        out.append(f"stopped at step {data['failed_step']}")
    plan = data.get("plan", [])
    width = max((len(p.get("id", "")) for p in plan), default=4)
    out.append("")
    out.append(f"  {'#':>3}  {'step':<{width}}  {'state':<11}  {'tries':>5}  {'time':>8}  log")
    for i, p in enumerate(plan, 1):
        st = data.get("steps", {}).get(p.get("id"), {})
        state = st.get("status", "pending")
        started, ended = st.get("started_at"), st.get("ended_at")
        if started and ended:
            took = format_duration(ended - started)
        elif started and state == "running":
            took = format_duration(now - started)
        else:
            took = ""
        attempts = st.get("attempts", 0) or ""
        line = (
            f"  {i:>3}  {p.get('id', '?'):<{width}}  {state:<11}  {attempts!s:>5}  {took:>8}  {st.get('log_path', '')}"
        )
        out.append(line.rstrip())
        if st.get("reason") and state in ("done", "skipped", "failed", "interrupted"):
            out.append(f"  {'':>3}  {'':<{width}}  {st['reason']}")
    skipped = data.get("skipped_steps") or []
    if skipped:
        out.append("")
        out.append("skipped: " + ", ".join(skipped))
    out.append("")
    return "\n".join(out)
