"""``python -m wizard.service.runnerd --state-dir DIR``: the runner daemon, one per install.

Started by :func:`wizard.service.launch.launch`, never by hand: as a transient systemd unit, or
with ``--daemonize`` as a process in its own session (the launcher already called setsid; this
forks once more so the daemon is no session leader and can never get a controlling terminal, and
once again: the middle process only waits for the daemon and cleans up if it is killed, see
:func:`supervise`; under systemd the unit's cgroup does that part).
It rebuilds the plan from the inputs in the state dir (:mod:`wizard.service.inputs`), records
itself in ``runner.pid`` (PID, boot id, start time), runs the plan with the ordinary
:class:`~wizard.pipeline.runner.Runner`, and waits for decision records when a step fails
(:mod:`wizard.service.control`). Signals: :func:`wizard.service.signals.daemon_policy`.
Its stdout and stderr go to ``<log-dir>/runner.log``; its debug log is ``<state-dir>/debug.log``.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from wizard.errors import UserError
from wizard.pipeline.events import Decision, Event, PlanStarted, StepFailure, exit_code
from wizard.pipeline.journal import Journal
from wizard.pipeline.lock import PipelineLock
from wizard.pipeline.runner import DEFAULT_GRACE, Runner, stop_orphaned_group
from wizard.service import control
from wizard.service.debuglog import setup_debug_log
from wizard.service.inputs import RunInputs
from wizard.service.procs import ProcessIdentity, write_pid_file
from wizard.service.signals import daemon_policy, handling

log = logging.getLogger("wizard.service.runnerd")
DECISION_POLL = 0.2


class DecisionWaiter:
    """The daemon's ``decide``: say in the journal what waits, then wait for a decision record (or a stop)."""

    def __init__(self, state_dir: Path, journal: Journal, stopped: Callable[[], bool]) -> None:
        self.state_dir = state_dir
        self.journal = journal
        self.stopped = stopped

    def __call__(self, failure: StepFailure) -> Decision:
        self.journal.data["waiting"] = {
            "step": failure.step_id,
            "title": failure.title,
            "attempt": failure.attempts,
            "exit_code": failure.exit_code,
            "hint": failure.hint,
            "tail": list(failure.tail),
            "log_path": failure.log_path,
            "optional": failure.optional,
            "since": time.time(),
        }
        self.journal.save()
        log.info("waiting for a decision on %s (attempt %d)", failure.step_id, failure.attempts)
        try:
            while not self.stopped():
                decision = control.take_decision(self.state_dir, failure.step_id, failure.attempts)
                if decision is not None:
                    log.info("decision on %s: %s", failure.step_id, decision)
                    return decision
                time.sleep(DECISION_POLL)
            return "abort"
        finally:
            self.journal.data.pop("waiting", None)
            self.journal.save()


def run_daemon(state_dir: Path, unit: str = "") -> int:
    """Run the install described by the state dir's inputs; the exit code of the run."""
    os.umask(0o077)
    try:
        inputs = RunInputs.load(state_dir)
    except UserError as exc:
        print(f"aio-wizard runner: {exc}", file=sys.stderr)
        return exc.exit_code
    identity = ProcessIdentity.current(unit, inputs.run_id)
    write_pid_file(state_dir, identity)
    try:
        setup_debug_log(state_dir, debug=inputs.debug)
        log.info("runner %d started (run %s)", identity.pid, inputs.run_id)
        plan = inputs.plan(state_dir)
        journal = Journal.load(state_dir)
        control.clear_decisions(state_dir)

        def stamp(event: Event) -> None:
            """Right after the journal is begun: which run (and which process) it belongs to."""
            if isinstance(event, PlanStarted):
                journal.data["run_id"] = inputs.run_id
                journal.data["runner"] = {"pid": identity.pid, "unit": identity.unit}
                journal.save()

        runner: Runner
        waiter = DecisionWaiter(state_dir, journal, lambda: runner.cancelled)
        runner = Runner(plan, journal, inputs.log_dir, [stamp], waiter)
        with handling(daemon_policy(runner.cancel)):
            status = runner.run(inputs.from_step, inputs.until_step)
        log.info("runner %d finished: %s", identity.pid, status)
        return exit_code(status)
    except UserError as exc:
        log.error("runner %d: %s", identity.pid, exc)
        print(f"aio-wizard runner: {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception:
        log.exception("runner %d crashed", identity.pid)
        raise


def supervise(state_dir: Path, daemon_pid: int) -> int:
    """Wait for the daemon; if a signal it cannot handle killed it (SIGKILL, the OOM killer), clean up after it.

    Its step's process group is stopped (identified as the runner does before resuming) and the
    journal records the step and the install "interrupted": nothing is orphaned, and the journal
    never says "running" for a step whose processes are gone. Under the pipeline lock, so a new
    start cannot race the repair (if one already holds it, that run stops the orphans itself).
    """
    _, status = os.waitpid(daemon_pid, 0)
    if not os.WIFSIGNALED(status):
        return os.waitstatus_to_exitcode(status)
    setup_debug_log(state_dir)
    log.error("runner %d was killed by signal %d: stopping its step and recording the install interrupted",
              daemon_pid, os.WTERMSIG(status))  # fmt: skip
    try:
        with PipelineLock(state_dir):
            journal = Journal.load(state_dir)
            if journal.status != "running":
                return 1
            for pgid, recorded in journal.orphaned_groups():
                stop_orphaned_group(pgid, DEFAULT_GRACE, recorded)
            running = [sid for sid, entry in journal.steps.items() if entry.get("status") == "running"]
            for sid in running:
                journal.steps[sid].update(status="interrupted", reason="its runner was killed", ended_at=time.time())
            journal.data.pop("waiting", None)
            journal.finish("interrupted", failed_step=running[0] if running else None)
    except UserError as exc:
        log.error("cannot clean up after runner %d: %s", daemon_pid, exc)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wizard.service.runnerd")
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--unit", default="")
    parser.add_argument("--daemonize", action="store_true", help="fork once more (the launcher already did setsid)")
    ns = parser.parse_args(argv)
    state_dir = Path(ns.state_dir)
    if ns.daemonize:
        if os.fork() > 0:
            os._exit(0)  # the launcher's child exits at once: what remains is re-parented to init
        daemon = os.fork()
        if daemon > 0:  # this process only watches the daemon (see supervise)
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            os._exit(supervise(state_dir, daemon))
    return run_daemon(state_dir, ns.unit)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
