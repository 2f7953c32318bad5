"""What stays on the normal screen after the TUI has gone: the alternate screen it drew on is
cleared at exit, so the result, and where to go from there, are printed again as plain lines.

Done: the Horizon URL, the credential files, the time of each step. Failed, aborted or
interrupted: the step, its log, and how to resume. Destroyed (Destroy and start over): that, its
log, and how a fresh install starts. Pure functions of the progress rows, the
``PlanFinished`` event and the session (no textual): ``main`` prints what the progress screen kept.
"""

from __future__ import annotations

from typing import Any

from wizard.ui.tui.timing import fmt_duration


def outcome_lines(rows: list[Any], finished: Any, session: Any) -> list[str]:
    """The lines ``aio-wizard`` prints after the TUI for a run that ended with ``finished``."""
    took = fmt_duration(finished.duration)
    titles = {r.step_id: r.title for r in rows}
    skipped = [r for r in rows if r.status == "skipped"]
    if finished.status == "done":
        lines = [
            f"aio-wizard: finished in {took}, but {len(skipped)} skipped: not a complete install (exit 4)."
            if skipped
            else f"aio-wizard: every step is done ({took}; steps from {session.steps_file})."
            if session.steps_file
            else f"aio-wizard: OpenStack is deployed ({took})."
        ]
        if not session.steps_file:
            kolla = session.kolla_dir
            lines += [
                f"  Horizon: {session.horizon_url}  (user admin; password: keystone_admin_password in "
                f"{kolla / 'passwords.yml'})",
                f"  Credentials: {kolla / 'clouds.yaml'} (cloud kolla-admin), {kolla / 'admin-openrc.sh'}",
            ]
        lines += [f"  Skipped: {r.title}" for r in skipped]
        lines.append("  Time per step:")
        for r in rows:
            spent = fmt_duration(r.duration) if r.duration else ""
            earlier = f"done before ({spent})" if spent else "done before"  # what it took then, if the journal says
            shown = earlier if r.status == "already" else spent or "-"
            lines.append(f"    {r.title:<40} {shown}")
        return lines
    step = finished.failed_step
    row = next((r for r in rows if r.step_id == step), None)
    title = f"'{titles.get(step, step)}'" if step else ""
    if finished.status == "failed":
        head = f"aio-wizard: stopped after {took}: step {title} failed."
    elif finished.status == "aborted":
        head = f"aio-wizard: aborted after {took}" + (f" at step {title}." if title else ".")
    else:
        head = f"aio-wizard: the install was interrupted after {took}" + (f" at step {title}." if title else ".")
    lines = [head]
    if row is not None and row.log_path:
        lines.append(f"  Its log: {row.log_path}")
    lines.append(
        "  Start aio-wizard again to resume from there (`aio-wizard status` says where it is; "
        "`aio-wizard bundle` writes a support bundle)."
    )
    return lines


def destroyed_lines(plan: Any, destroy_log: Any) -> list[str]:
    """The lines printed after the TUI once "Destroy and start over" destroyed the install: what happened,
    where its log and the old journal went, and how a fresh install starts (not the failed run's
    "resume" lines: nothing is left to resume)."""
    lines = [f"aio-wizard: destroyed the OpenStack All-in-One on {plan.hostname}; the journal was reset."]
    if destroy_log is not None:
        lines.append(f"  Destroy log: {destroy_log}")
    lines += [f"  The old journal: {copy}" for _, copy in plan.journal_moves[:1]]
    if plan.step_logs:
        lines.append(f"  The old step logs: {plan.logs_aside}")
    lines.append("  Start a fresh install with: aio-wizard")
    return lines
