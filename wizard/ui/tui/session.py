"""Everything the screens need from the core, in one place.

The TUI holds no install logic: the session (facts, answers, journal), the checks, the plan and
the install itself come from :class:`wizard.service.service.InstallService`; validation from
``wizard.answers``, the rendered init-runonce environment from ``wizard.kolla``. This module is
the only place the screens reach them through, so a change in a core API is absorbed here.

The install runs in the detached runner: :meth:`Session.make_runner` gives the progress screen a
Runner-like object that starts it and follows it, or, when the TUI was started while an install
runs (:attr:`Session.attaching`), one that only follows it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from wizard.answers.session import AnswerSession
from wizard.errors import UserError
from wizard.files import write_output
from wizard.host.facts import HostFacts
from wizard.service.options import DEFAULT_LOG_DIR, DEFAULT_STATE_DIR, InstallOptions
from wizard.service.service import InstallService


@dataclass
class Session:
    """One wizard run: the host, the options it was started with, and the answers so far."""

    facts: HostFacts
    state_dir: Path
    log_dir: Path
    dry_run: bool = False
    answers_path: str | None = None
    steps_file: str | None = None
    kolla_dir: Path = Path("/etc/kolla")
    allow_templates: bool = False  # --allow-templates: keep Jinja in the answers file's values
    values: dict[str, Any] = field(default_factory=dict)
    use_journal: bool = True
    restart: bool = False
    answers: AnswerSession | None = None  # given (--answers), the journal's and the typed answers
    unfinished: Any = None  # the journal's unfinished install (wizard.pipeline.journal.UnfinishedInstall)
    probed_here: bool = False  # the facts are this machine's: the checks that send packets may run
    notes: list[str] = field(default_factory=list)  # what a dry run could not read, shown on the Host screen
    service: InstallService | None = None
    attaching: bool = False  # an install was running when the TUI started: follow it, ask nothing
    _checks: list[Any] | None = None
    _plan: Any = None
    _plan_key: str | None = None

    @classmethod
    def create(
        cls,
        facts: HostFacts | None = None,
        *,
        dry_run: bool = False,
        state_dir: str | Path | None = None,
        log_dir: str | Path | None = None,
        answers_path: str | None = None,
        steps_file: str | None = None,
        kolla_dir: str | Path | None = None,
        host_facts_path: str | None = None,
        allow_templates: bool = False,
        debug: bool = False,
        root: str | Path | None = None,
    ) -> Session:
        options = InstallOptions(
            state_dir=Path(state_dir or DEFAULT_STATE_DIR),
            log_dir=Path(log_dir or DEFAULT_LOG_DIR),
            host_facts=host_facts_path,
            answers=answers_path,
            steps_file=steps_file,
            dry_run=dry_run,
            kolla_dir=Path(kolla_dir or "/etc/kolla"),
            allow_templates=allow_templates,
            debug=debug,
            root=Path(root or "/"),
        )
        service = InstallService.open(options, facts)  # UserError: a damaged journal
        session = cls(
            facts=service.facts,
            state_dir=options.state_dir,
            log_dir=options.log_dir,
            dry_run=dry_run,
            answers_path=answers_path,
            steps_file=steps_file,
            kolla_dir=options.kolla_dir,
            probed_here=service.probed_here,
            allow_templates=allow_templates,
            service=service,
        )
        session.attaching = service.running() and not dry_run
        session.notes.extend(service.notes)  # a dry run reads what it can
        session.unfinished = None if session.attaching else service.unfinished
        recorded = service.unfinished  # also the running install's: its answers are what the Done screen shows
        journal = recorded.journal.answers if recorded else {}
        session.answers = AnswerSession(service.facts, given=session._load_given(), journal=journal)
        session.values = session.resolved().values
        return session

    # --- host ------------------------------------------------------------------------------

    def checks(self) -> list[Any]:
        """The preflight checks (``Check(id, title, status, reason, hint)``) for the chosen release, computed once."""
        if self._checks is None:
            self._checks = list(self._service().checks(self.values))
        return self._checks

    def _service(self) -> InstallService:
        assert self.service is not None, "Session.create makes the service"
        return self.service

    # --- journal ---------------------------------------------------------------------------

    def journal(self) -> Any:
        from wizard.pipeline.journal import Journal

        return Journal.load(self.state_dir)

    def unfinished_install(self) -> str | None:
        """A one-paragraph summary of an unfinished install in the journal, or None."""
        u = self.unfinished
        if u is None or (self.dry_run and u.locked_by):  # a dry run beside a running install: nothing to offer
            return None
        text = f"OpenStack {u.journal.data.get('release', '?')}: {u.done} of {u.total} steps done"
        text += f", status {u.status}."
        if u.next_step_id:
            text += f"\nNext step: {u.next_title}."
        return text

    def start_over(self) -> None:
        """Ignore the unfinished install: answers detected again, and the run starts at the first step."""
        self.use_journal = False
        self.restart = True
        self.answers = AnswerSession(self.facts, given=self.answers.given)
        self.values = self.resolved().values

    def destroy_plan(self) -> Any:
        """What "Destroy and start over" would do (``wizard.support.destroy.DestroyPlan``)."""
        return self._service().destroy_plan()

    def destroy(self, plan: Any, typed: str, out: IO[str], *, wait: float = 0.0) -> int:
        """Destroy (the service holds the lock and redacts; its log: :attr:`destroy_log`); 0 done: then a
        fresh install starts here."""
        code = self._service().destroy(plan, typed, out, wait=wait)
        if code == 0:
            self.unfinished = None  # the journal is gone: nothing to resume, every step runs
            self.use_journal, self.restart = True, False
            self.__dict__.pop("_history", None)
        return code

    @property
    def destroy_log(self) -> Path | None:
        """The log of the last destroy, once kolla-ansible wrote one (None: none ran, or it had nothing to run)."""
        log = self._service().destroy_log
        return log if log is not None and log.exists() else None

    def run_options(self) -> dict[str, Any]:
        """Arguments for ``Runner.run``: from the first step after Start over, else resume per the journal."""
        if self.restart:
            return {"from_step": self.plan().steps[0].id}
        return {}

    def history(self) -> dict[str, float]:
        """Seconds each step took when it was last done (for the estimate, and beside the steps done in an
        earlier run), from the journal; a failed or interrupted attempt says nothing of how long the step takes."""
        if not hasattr(self, "_history"):
            out: dict[str, float] = {}
            try:
                steps = self.journal().steps
            except UserError:
                steps = {}
            for sid, s in steps.items():
                if s.get("status") != "done":
                    continue
                dur = s.get("duration")
                if dur is None and s.get("started_at") and s.get("ended_at"):
                    dur = s["ended_at"] - s["started_at"]
                if isinstance(dur, int | float) and dur > 0:
                    out[sid] = float(dur)
            self._history = out
        return self._history

    # --- answers ---------------------------------------------------------------------------

    def _load_given(self) -> dict[str, Any]:
        """The ``--answers`` file's values (they become the defaults; one this host cannot take is flagged
        on the form, not refused: see :func:`~wizard.answers.answers_file.load_answers_for_form`)."""
        if not self.answers_path:
            return {}
        from wizard.answers.answers_file import load_answers_for_form

        return load_answers_for_form(self.answers_path, allow_templates=self.allow_templates)

    def resolved(self) -> Any:
        """Every answer with its origin and reason (typed and answers file > journal > detected > default)."""
        return self.answers.resolved()

    def redetect(self, typed: dict[str, Any]) -> Any:
        """Defaults again with ``typed`` as the answers typed so far: later defaults follow them."""
        return self.answers.with_typed(typed).resolved()

    def set_answers(self, values: dict[str, Any], typed: dict[str, Any]) -> None:
        """The form's values are accepted (Next): ``typed`` are those the user typed."""
        self.answers = self.answers.with_typed(typed)
        self.values = values

    def questions(self) -> tuple[Any, ...]:
        from wizard.answers.questions import QUESTIONS

        return QUESTIONS

    def groups(self) -> tuple[str, ...]:
        from wizard.answers.questions import GROUPS

        return GROUPS

    def validate(self, values: dict[str, Any]) -> list[Any]:
        """Every problem with ``values`` (``Problem(key, message, severity)``)."""
        from wizard.answers.validation import validate_answers

        return list(validate_answers(values, self.facts))

    def validate_field(self, key: str, value: Any, values: dict[str, Any]) -> list[Any]:
        """Problems with one answer given the others (live, as the user types)."""
        from wizard.answers.validation import validate_field

        return list(validate_field(key, value, values, self.facts))

    def export_answers(self, path: str | Path) -> Path:
        """Write the answers YAML (no secrets) atomically; returns the absolute path."""
        from wizard.answers.answers_file import dump_answers

        target = Path(path).expanduser().absolute()
        write_output(target, dump_answers(self.values, self.answers.origins()))  # never replaces a device
        return target

    # --- plan ------------------------------------------------------------------------------

    def plan(self) -> Any:
        """The plan for the current answers (or the ``--steps-file`` plan), built once per answers by the service."""
        return self._service().plan(self.values)

    def plan_text(self) -> str:
        from wizard.pipeline.plan import render_plan

        return render_plan(self.plan())

    def expected_seconds(self) -> dict[str, float]:
        """How long each step usually takes, as its declaration says (the journal's copy when attaching)."""
        if self.attaching:
            out = {}
            for p in self.journal().planned():
                if isinstance(p.get("expected"), int | float):
                    out[str(p.get("id"))] = float(p["expected"])
            return out
        return {s.id: s.expected_seconds for s in self.plan().steps}

    def step_titles(self) -> list[tuple[str, str]]:
        if self.attaching:  # the running install's steps, as its journal lists them
            return [(str(p.get("id")), str(p.get("title") or p.get("id"))) for p in self.journal().planned()]
        return [(s.id, s.title) for s in self.plan().steps]

    def done_steps(self) -> dict[str, str]:
        """Steps of the plan the journal (or a done-check) says need not run: id -> why."""
        plan = self.plan()
        out: dict[str, str] = {}
        try:
            from wizard.pipeline.journal import resume_plan

            old = self.journal().data if self.use_journal else None
            for entry in resume_plan(plan, old):
                if not entry.run:
                    out[entry.step_id] = entry.reason
        except UserError:
            pass
        return out

    def globals_preview(self) -> tuple[str, str]:
        """(path, unified diff against what is on disk) of the globals the plan's own "globals" step writes.

        The content comes from that step's file write (its content, or its merge into globals.yml on
        releases without globals.d), so the review shows exactly what the runner will write.
        """
        try:
            write = self.plan().step("globals").files[0]
        except (UserError, IndexError):  # a --steps-file plan writes no globals
            return "", "(this plan writes no globals)"
        path = write.path
        old = _read(_host_path(self.kolla_dir, path))
        new = write.content if write.content is not None else write.transform(old) if write.transform else ""
        diff = "".join(
            difflib.unified_diff(
                (old or "").splitlines(keepends=True),
                new.splitlines(keepends=True),
                fromfile=f"{path} (on disk)" if old else "/dev/null (not there yet)",
                tofile=f"{path} (new)",
            )
        )
        return path, diff or "(no change)"

    def runonce_env(self) -> dict[str, str]:
        """The environment init-runonce runs with (EXT_NET_CIDR, EXT_NET_RANGE, EXT_NET_GATEWAY)."""
        from wizard.kolla.runonce import runonce_env

        return dict(runonce_env(self.values))

    def save_plan(self, path: str | Path) -> Path:
        """Write the plan to ``path``: as JSON (``plan --json``'s shape) when it ends in .json, else text."""
        target = Path(path).expanduser().absolute()
        if target.suffix == ".json":
            from wizard.pipeline.plan import render_plan_json

            write_output(target, render_plan_json(self.plan()))  # never replaces a device
        else:
            write_output(target, self.plan_text())
        return target

    # --- run -------------------------------------------------------------------------------

    def make_runner(self, listener: Any, decide: Any) -> Any:
        """What the progress screen runs in its worker: the install started in the detached runner and
        followed (or only followed, when :attr:`attaching`). Its ``cancel()`` detaches; ``stop()`` stops."""
        service = self._service()
        if self.attaching:
            return service.attach([listener], decide)
        return service.install(self.plan(), self.values, [listener], decide)

    # --- done ------------------------------------------------------------------------------

    @property
    def horizon_url(self) -> str:
        return f"http://{self.values.get('kolla_internal_vip_address') or '<VIP>'}"

    def admin_password(self) -> str | None:
        """keystone_admin_password from passwords.yml (read only when the user asks)."""
        import yaml

        try:
            data = yaml.safe_load((self.kolla_dir / "passwords.yml").read_text())
        except (OSError, yaml.YAMLError):
            return None
        value = data.get("keystone_admin_password") if isinstance(data, dict) else None
        return str(value) if value else None


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except (OSError, UnicodeDecodeError):
        return None


def _host_path(kolla_dir: Path, path: str) -> Path:
    """``path`` (e.g. /etc/kolla/globals.d/aio-wizard.yml) under the session's kolla dir."""
    p = Path(path)
    if p.is_relative_to("/etc/kolla"):
        return kolla_dir / p.relative_to("/etc/kolla")
    return p
