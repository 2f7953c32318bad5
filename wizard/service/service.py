""":class:`InstallService`: one install, from the options to a running (or attached) runner.

Every command and both front ends go through it: it opens the session (host facts, the answers
with their origins, the journal), runs the preflight checks, builds the plan (once per set of
answers), exports the answers, and starts, attaches to, decides for and stops the install. It
holds no UI: front ends give it listeners and a ``decide`` callable.

Starting an install saves the plan's inputs in the state dir and launches the detached runner
(:mod:`wizard.service.launch`); the front end then follows it through an
:class:`~wizard.service.attach.Attachment`. Only ``run`` keeps a foreground runner
(:meth:`InstallService.run_foreground`), for automation; see :mod:`wizard.service.signals`.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from wizard.answers.answers_file import dump_answers, load_answers, read_answers_file
from wizard.answers.session import AnswerSession
from wizard.errors import UserError
from wizard.files import atomic_write, ensure_private_dir
from wizard.host.facts import HostFacts
from wizard.host.probe import live_network_probe, load_facts
from wizard.kolla.releases import find_release
from wizard.pipeline.events import DecideFn, Decision, Listener, PlanStatus
from wizard.pipeline.journal import Journal, UnfinishedInstall, unfinished_install
from wizard.pipeline.lock import is_locked
from wizard.pipeline.model import Plan
from wizard.pipeline.plan import render_plan
from wizard.pipeline.runner import Runner
from wizard.preflight.checks import Check, preflight_checks
from wizard.service import control
from wizard.service.attach import Attachment, MaybeDecide
from wizard.service.debuglog import setup_debug_log
from wizard.service.destroy import DestroyPlan, destroy_log_path, destroy_plan, run_destroy
from wizard.service.inputs import RunInputs, plan_for
from wizard.service.launch import launch
from wizard.service.options import InstallOptions
from wizard.service.procs import ProcessIdentity, live_runner
from wizard.service.signals import foreground_policy, handling

log = logging.getLogger("wizard.service")
STOP_WAIT = 30.0


class InstallService:
    """One wizard session over one state directory (see the module docstring)."""

    def __init__(
        self, options: InstallOptions, facts: HostFacts, *, probed_here: bool = False, complete: bool = False
    ) -> None:
        self.options = options
        self.facts = facts
        self.probed_here = probed_here
        self.complete = complete
        self.notes: list[str] = []  # what a dry run could not read and went on without
        self.destroy_log: Path | None = None  # the log of the last destroy started here
        try:
            self.unfinished: UnfinishedInstall | None = unfinished_install(options.state_dir)
        except UserError as exc:  # a damaged journal, or root's (0600) for a dry run as another user
            if not options.dry_run:
                raise
            self.notes.append(f"{exc}; this dry run ignores it (no resume offer, answers not taken from it)")
            self.unfinished = None
        journal_answers = self.unfinished.journal.answers if self.unfinished else {}
        self.answers = AnswerSession(facts, given=self._given(), journal=journal_answers)
        self._plan: Plan | None = None
        self._plan_key: str | None = None
        self._checks: list[Check] | None = None
        setup_debug_log(options.state_dir, debug=options.debug) if options.state_dir.is_dir() else None

    @classmethod
    def open(cls, options: InstallOptions, facts: HostFacts | None = None, *, complete: bool = False) -> InstallService:
        """The session for ``options``: ``facts`` injected (tests), the ``--host-facts`` file, or a probe.

        ``complete`` (``run``): the answers file must hold every answer, valid for this host.
        """
        probed_here = facts is None and not options.host_facts
        if facts is None:
            facts = load_facts(options.host_facts)
        return cls(options, facts, probed_here=probed_here, complete=complete)

    def _given(self) -> dict[str, Any]:
        """The ``--answers`` file's values: all of them valid for ``run --non-interactive``, else as defaults."""
        path = self.options.answers
        if not path or self.options.steps_file:
            return {}
        allow = self.options.allow_templates
        if self.complete:
            return dict(load_answers(path, self.facts, complete=True, allow_templates=allow))
        af = read_answers_file(path, allow_templates=allow)
        if af.problems:
            raise UserError("\n".join(af.problems))
        return dict(af.values)

    # --- what the front ends show -----------------------------------------------------------

    @property
    def values(self) -> dict[str, Any]:
        return self.answers.values()

    def checks(self, values: Mapping[str, Any] | None = None) -> list[Check]:
        """The preflight checks for the chosen release, computed once per session."""
        if self._checks is None:
            vals = dict(values if values is not None else self.values)
            release = find_release(str(vals.get("openstack_release") or ""))
            live = live_network_probe(None, offline=not self.probed_here)
            self._checks = list(preflight_checks(self.facts, release, answers=vals, live=live))
        return self._checks

    def plan(self, values: Mapping[str, Any] | None = None) -> Plan:
        """The plan for ``values`` (default: the session's answers), built once per distinct set of answers."""
        vals = dict(values if values is not None else self.values)
        key = json.dumps(vals, sort_keys=True, default=str)
        if self._plan is None or self._plan_key != key:
            self._plan = plan_for(vals, self.facts, self.options.steps_file, self.options.release)
            self._plan_key = key
        return self._plan

    def plan_text(self, values: Mapping[str, Any] | None = None, **kw: bool) -> str:
        """The review model: the plan with its commands and each file's diff, as the plan itself computes it."""
        return render_plan(self.plan(values), **kw)

    def export(self, path: str | Path, values: Mapping[str, Any] | None = None) -> Path:
        """Write the answers YAML (no secrets, 0600) atomically; the absolute path."""
        target = Path(path).expanduser().absolute()
        vals = dict(values if values is not None else self.values)
        atomic_write(target, dump_answers(vals, self.answers.origins()), mode=0o600)
        return target

    # --- the install ------------------------------------------------------------------------

    def running(self) -> bool:
        """An install runs now (its runner holds the pipeline lock)."""
        try:
            return is_locked(self.options.state_dir) is not None
        except OSError:
            return False

    def runner(self) -> ProcessIdentity | None:
        """The detached runner, if one runs."""
        return live_runner(self.options.state_dir)

    def start(
        self,
        plan: Plan,
        values: Mapping[str, Any] | None = None,
        *,
        from_step: str | None = None,
        until_step: str | None = None,
    ) -> str:
        """Start ``plan`` in the detached runner (resuming from the journal); its run id."""
        if plan.problems:
            raise UserError("this host cannot run this plan: " + "; ".join(plan.problems))
        for step in (from_step, until_step):
            if step:
                plan.step(step)  # UserError for an unknown step, before anything starts
        if self.running():
            raise UserError("an install is already running; follow it: `aio-wizard` or `aio-wizard status --follow`")
        state_dir = ensure_private_dir(self.options.state_dir, "state directory")
        ensure_private_dir(self.options.log_dir, "log directory")
        setup_debug_log(state_dir, debug=self.options.debug)
        inputs = RunInputs(
            log_dir=str(self.options.log_dir.resolve()),
            steps_file=str(Path(self.options.steps_file).resolve()) if self.options.steps_file else None,
            from_step=from_step,
            until_step=until_step,
            release=self.options.release,
            fingerprints=tuple(s.fingerprint for s in plan.steps),
            debug=self.options.debug,
        )
        inputs.save(state_dir, dict(values if values is not None else self.values), self.facts)
        identity = launch(state_dir, self.options.log_dir, inputs.run_id)
        log.info("started the runner %d for run %s", identity.pid, inputs.run_id)
        return inputs.run_id

    def attach(
        self,
        listeners: Iterable[Listener] = (),
        decide: MaybeDecide | None = None,
        *,
        run_id: str | None = None,
        decide_in_thread: bool = True,
    ) -> Attachment:
        """Follow the install (the one just started when ``run_id`` is given)."""
        return Attachment(
            self.options.state_dir,
            listeners,
            decide,
            run_id=run_id,
            log_dir=self.options.log_dir,
            decide_in_thread=decide_in_thread,
        )

    def install(
        self,
        plan: Plan,
        values: Mapping[str, Any] | None,
        listeners: Iterable[Listener],
        decide: MaybeDecide | None,
    ) -> PendingInstall:
        """A Runner-like object that starts ``plan`` in the detached runner when run, then follows it.

        For front ends that run the runner in a worker (the TUI): starting (saving the inputs,
        launching, waiting for the pid file) happens in the worker, not in the UI thread.
        """
        return PendingInstall(self, plan, dict(values if values is not None else self.values), listeners, decide)

    def decide(self, step_id: str, attempt: int, decision: Decision) -> bool:
        """Answer a failure that waits; False when it no longer waits (someone answered first)."""
        return self.attach().answer(step_id, attempt, decision)

    def stop(self, wait: float = STOP_WAIT) -> int | None:
        """Stop the install (SIGTERM to its runner: the step's group is stopped, the journal says interrupted)."""
        return stop_install(self.options.state_dir, wait)

    # --- starting over ------------------------------------------------------------------------

    def destroy_plan(self, *, include_images: bool = False) -> DestroyPlan:
        """What "Destroy and start over" would do on this host (:mod:`wizard.service.destroy`)."""
        return destroy_plan(self.options, include_images=include_images)

    def destroy(self, plan: DestroyPlan, typed: str, out: IO[str], *, wait: float = 0.0) -> int:
        """Destroy as ``plan`` says once ``typed`` is this host's name (UserError, nothing changed, if not);
        0 done (the session then has no unfinished install: a fresh one starts), 1 failed."""
        self.destroy_log = destroy_log_path(self.options)  # what a front end says once it ends
        code = run_destroy(self.options, plan, lambda: typed, out, wait=wait, log_path=self.destroy_log)
        if code == 0:
            self.unfinished = None
        return code

    def run_foreground(
        self,
        plan: Plan,
        listeners: Iterable[Listener],
        decide: DecideFn,
        *,
        from_step: str | None = None,
        until_step: str | None = None,
    ) -> tuple[PlanStatus, Journal]:
        """Run ``plan`` in this process (``run``): see :func:`wizard.service.signals.foreground_policy`."""
        if plan.problems:
            raise UserError("this host cannot run this plan: " + "; ".join(plan.problems))
        for step in (from_step, until_step):
            if step:
                plan.step(step)
        ensure_private_dir(self.options.state_dir, "state directory")
        control.clear_decisions(self.options.state_dir)
        journal = Journal.load(self.options.state_dir)
        runner = Runner(plan, journal, self.options.log_dir, list(listeners), decide)
        with handling(foreground_policy(runner.cancel)):
            status = runner.run(from_step, until_step)
        return status, journal


class PendingInstall:
    """See :meth:`InstallService.install`: ``run()`` starts then follows; ``cancel()`` detaches; ``stop()`` stops."""

    def __init__(
        self,
        service: InstallService,
        plan: Plan,
        values: dict[str, Any],
        listeners: Iterable[Listener],
        decide: MaybeDecide | None,
    ) -> None:
        self.service = service
        self.plan = plan
        self.values = values
        self.listeners = list(listeners)
        self.decide = decide
        self.attachment: Attachment | None = None
        self._detached = False

    def run(self, from_step: str | None = None, until_step: str | None = None) -> PlanStatus | None:
        run_id = self.service.start(self.plan, self.values, from_step=from_step, until_step=until_step)
        self.attachment = self.service.attach(self.listeners, self.decide, run_id=run_id)
        if self._detached:
            return None
        return self.attachment.run()

    def cancel(self) -> None:
        """Detach (the install goes on)."""
        self._detached = True
        if self.attachment is not None:
            self.attachment.cancel()

    def stop(self) -> int | None:
        """Stop the install itself."""
        return self.service.stop()


def stop_install(state_dir: Path, wait: float = STOP_WAIT, poll: float = 0.1) -> int | None:
    """SIGTERM to whatever runs the install of ``state_dir`` (the detached runner, or a foreground ``run``).

    Waits until it let go of the pipeline lock (its step's process group is stopped and the journal
    says "interrupted" by then); the PID that was stopped, or None when nothing ran.
    """
    runner = live_runner(state_dir)
    if runner is not None and runner.terminate():
        pid = runner.pid
    else:
        holder = _lock_holder(state_dir)
        if holder is None or holder <= 0:
            return None
        try:
            os.kill(holder, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            return None
        pid = holder
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and _lock_holder(state_dir) is not None:
        time.sleep(poll)
    return pid


def _lock_holder(state_dir: Path) -> int | None:
    try:
        return is_locked(state_dir)
    except OSError:
        return None
