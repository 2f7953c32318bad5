"""``aio-wizard --plain``: the whole wizard as line prompts, for serial consoles and slow links.

The operator whose only way into a new box is a serial console, IPMI Serial-over-LAN or a
terminal where a full-screen app does not work gets the same wizard as the TUI: the same
questions from the same catalog with the same detected defaults, the same validation, a review
of what will be written and run, then progress as plain lines (:mod:`wizard.ui.console`).

This package is a thin layer over :class:`wizard.service.service.InstallService`: the session
(facts, answers with their origins, the journal), the checks, the plan, the export, and the
install itself, which runs in the detached runner; this front end attaches to it (and, started
while an install runs, attaches at once). A dropped connection only ends the front end.
Only this package imports questionary (in :mod:`.prompter`, and only when the terminal can take
it; ``TERM=dumb`` or piped input get ``input()`` prompts instead).

Hidden test hook: ``--steps-file FILE`` replaces the OpenStack plan by a plan of harmless
commands; no questions are asked then (the answers would not change such a plan).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wizard import __version__
from wizard.errors import UserError
from wizard.service.destroy import RUNNER_EXIT_WAIT
from wizard.ui.choices import DESTROY, START_OVER
from wizard.ui.plain.ask import wrap
from wizard.ui.plain.destroy import DestroyOffer
from wizard.ui.plain.prompter import Option, Prompter, discard_typeahead, make_prompter

__all__ = ["main"]


def main(args: argparse.Namespace) -> int:
    """Run the plain wizard; the exit code follows the CLI contract (0, 1, 2, 3, 4, 130: `aio-wizard --help`)."""
    prompter = make_prompter()
    return PlainWizard(args, prompter).run()


class PlainWizard:
    """One session: host → (resume?) → questions → review → plan or install."""

    def __init__(self, args: argparse.Namespace, prompter: Prompter) -> None:
        from wizard.service.options import InstallOptions

        self.args = args
        self.options = InstallOptions.from_args(args)
        self.prompter = prompter
        self.say = prompter.say
        self.dry_run = args.dry_run
        self.state_dir = args.state_dir
        self.log_dir = args.log_dir
        self.steps_plan = None  # a --steps-file plan (or the journal's) instead of the OpenStack one

    # --- the flow ---------------------------------------------------------------------------

    def run(self) -> int:
        from wizard.service.service import InstallService

        self.say(f"aio-wizard {__version__}: OpenStack All-in-One with Kolla-Ansible (plain mode)")
        if self.dry_run:
            self.say(wrap("Dry run: nothing on this host will be changed; the wizard ends with the plan.", ""))
        self.service = service = InstallService.open(self.options)
        self.destroy = DestroyOffer(self.prompter, service)
        self.from_first = False  # Start over: every step runs again, the journal ignored
        if service.running() and not self.dry_run:
            self.say("An install is running: following it (Ctrl+C: detach or stop it).")
            return self._follow(None)
        facts = self.facts = service.facts
        steps_file = self.args.steps_file
        for note in service.notes:  # a dry run reads what it can
            self._could_not_read(note)
        unfinished = service.unfinished
        session = service.answers
        answers_path = self.args.answers
        if not steps_file and answers_path:
            from wizard.answers.answers_file import load_answers

            allow = bool(getattr(self.args, "allow_templates", False))
            session.given = load_answers(
                answers_path, facts, complete=False, allow_templates=allow
            )  # over the journal's
        self._host_summary(session)
        steps_plan = self.steps_plan = self._steps_plan(steps_file) if steps_file else None

        resumed = self._resume_prompt(session, unfinished, steps_plan)
        if resumed is not None:
            return resumed
        return self._new_install(session, steps_plan)

    def _new_install(self, session, steps_plan) -> int:
        """The questions (none for a steps file), then the review."""
        if steps_plan is None:
            if self.args.answers:
                self.say(f"Answers from {self.args.answers} are the defaults.")
            self.say("")
            self.say(wrap("Advanced questions: virtualenv path, haproxy, image distro, registry, extra globals.", ""))
            advanced = self.prompter.confirm("Ask the advanced questions too?", default=False)
            self._ask(session, advanced)
        return self._review(session, steps_plan)

    def _could_not_read(self, what: str) -> None:
        self.say(wrap(f"Could not read: {what}", ""))

    def _ask(self, session, advanced: bool) -> None:
        from wizard.ui.plain.ask import ask_all

        ask_all(self.prompter, session, advanced=advanced)

    # --- host -------------------------------------------------------------------------------

    def _host_summary(self, session) -> None:
        f = self.facts
        os_name = f.os.pretty_name or f"{f.os.id} {f.os.version_id}".strip() or "unknown OS"
        kvm = "KVM usable" if f.virt.usable else "KVM NOT usable"
        self.say(f"Host: {f.hostname or '?'}, {os_name}, {f.arch}, {kvm}.")
        checks = self.service.checks(session.values())
        bad = [c for c in checks if c.status != "pass"]
        passed = len(checks) - len(bad)
        self.say(f"Preflight: {passed} of {len(checks)} checks pass.")
        for c in bad:
            self.say(wrap(f"{c.status.upper()}: {c.title}: {c.reason}", "  "))
            if c.hint:
                self.say(wrap(f"fix: {c.hint}", "      "))

    # --- resume -----------------------------------------------------------------------------

    def _steps_plan(self, path: str):
        self.say("A steps file replaces the OpenStack plan: no questions are asked.")
        return self.service.plan()

    def _resume_prompt(self, session, unfinished, steps_plan) -> int | None:
        """When the journal has an unfinished install: resume it, review its answers, or quit."""
        from wizard.ui.plain.progress import journal_summary

        if unfinished is None:
            return None
        journal = unfinished.journal
        self.say("")
        for line in journal_summary(unfinished):
            self.say(line)
        source = str(journal.data.get("source", ""))
        if steps_plan is None and source.startswith("steps-file:"):
            from wizard.pipeline.plan import plan_from_steps_file

            steps_plan = plan_from_steps_file(source.split(":", 1)[1])
        self.steps_plan = steps_plan
        options = [
            Option("resume", "Resume it with the same answers"),
            Option("review", "Review or change its answers first"),
            Option(START_OVER.value, START_OVER.menu_line),
            Option(DESTROY.value, DESTROY.menu_line),
            Option("quit", "Quit"),
        ]
        if steps_plan is not None:
            options.pop(1)
        while True:
            discard_typeahead()
            choice = self.prompter.select("An unfinished install was found. What now?", options, default="resume")
            if choice != DESTROY.value:
                break
            if self.destroy.confirm():  # else (a dry run, a wrong name): nothing changed, asked again
                return self._destroy_and_start_over(session)
        if choice == "quit":
            return 0
        if choice == "review":
            self._ask(session, advanced=False)
            return self._review(session, steps_plan)
        if choice == START_OVER.value:
            self.say(
                wrap("Starting over: the journal is ignored, the answers are detected again, every step runs.", "")
            )
            session.journal, session.typed = {}, {}
            self.from_first = True
            return self._new_install(session, steps_plan)
        plan = steps_plan if steps_plan is not None else self._kolla_plan(session)
        if self.dry_run:
            return self._finish_dry_run(plan)
        return self._install(plan)

    # --- review -----------------------------------------------------------------------------

    def _kolla_plan(self, session):
        return self.service.plan(session.values())

    def _review(self, session, steps_plan) -> int:
        from wizard.answers.validation import validate_answers
        from wizard.ui.plain import review

        redraw = True
        while True:
            if redraw:  # the first time, and after the answers changed
                errors: list = []
                self.say("")
                self.say("=== Review ===")
                if steps_plan is None:
                    values = session.values()
                    problems = validate_answers(values, self.facts)
                    errors = [p for p in problems if p.is_error]
                    self.say(review.answers_text(values, session.origins()))
                    self.say(review.problems_text(problems))
                    if not errors:
                        self.say(review.globals_text(values))
                        self.say(review.runonce_text(values))
                    plan = None if errors else self._kolla_plan(session)
                else:
                    plan = steps_plan
                if plan is not None:
                    self.say(review.plan_titles_text(plan))
                redraw = False
            choice = self._review_menu(plan, bool(errors), steps_plan is not None)
            if choice == "install":
                discard_typeahead()
                if self.prompter.confirm(
                    f"Start now? This changes this host ({len(plan.steps)} steps).", default=False
                ):
                    return self._install(plan)
            elif choice == "finish":
                return self._finish_dry_run(plan)
            elif choice == "save-plan":
                self._save_plan(plan)
            elif choice == "commands":
                from wizard.pipeline.plan import render_plan

                self.say(render_plan(plan, check_done=False, show_files=False))
            elif choice == "export":
                self._export(session)
            elif choice in ("change", "advanced"):
                self._ask(session, advanced=choice == "advanced")
                redraw = True
            elif choice == "quit":
                self.say("Nothing was changed.")
                return 0

    def _review_menu(self, plan, has_errors: bool, steps_file: bool) -> str:
        options: list[Option] = []
        runnable = plan is not None and not plan.problems
        if self.dry_run and plan is not None:
            options.append(Option("finish", "Show the full plan (commands and files) and finish"))
        elif runnable:
            options.append(Option("install", f"Install now: run the {len(plan.steps)} steps on this host"))
        if plan is not None:
            options.append(Option("commands", "Show each step's commands"))
        if self.dry_run and plan is not None:
            options.append(Option("save-plan", "Save the full plan to a file"))
        if not steps_file:
            options.append(Option("change", "Change the answers"))
            options.append(Option("advanced", "Change the answers, advanced questions too"))
            options.append(Option("export", "Save the answers to a file"))
        options.append(Option("quit", "Quit without changing anything"))
        default = options[0].value if not has_errors else "change"
        return self.prompter.select("What next?", options, default=default)

    def _export(self, session) -> None:
        from wizard.answers.answers_file import dump_answers
        from wizard.files import write_output

        path = self.prompter.text("Save the answers to", default="aio-wizard-answers.yaml", check=_writable_file)
        target = Path(path).expanduser()
        try:
            write_output(target, dump_answers(session.values(), session.origins()), mode=0o600)
        except UserError as exc:  # a directory, an unsafe symlink, a full disk: one line, ask nothing more
            self.say(wrap(str(exc), "  ! "))
            return
        self.say(f"Saved {target}. Re-use it: aio-wizard --answers {target}")
        self.say(f"  or headless: aio-wizard run --answers {target} --non-interactive")

    def _save_plan(self, plan) -> None:
        """Write the full plan (what ``aio-wizard plan`` prints) to a file, as the TUI's Review can."""
        from wizard.files import atomic_write
        from wizard.pipeline.plan import render_plan

        path = self.prompter.text("Save the plan to", default="aio-wizard-plan.txt", check=_writable_file)
        target = Path(path).expanduser().absolute()
        try:
            atomic_write(target, render_plan(plan))
        except OSError as exc:
            self.say(wrap(f"cannot write {target}: {exc.strerror}", "  ! "))
            return
        self.say(wrap(f"Saved the plan to {target} (dry run: nothing on this host was changed).", ""))

    # --- the end ------------------------------------------------------------------------------

    def _finish_dry_run(self, plan) -> int:
        from wizard.pipeline.plan import render_plan

        self.say(render_plan(plan))
        self.say("Dry run: nothing was changed.")
        return 0

    def _install(self, plan) -> int:
        """Start the install in the detached runner, then follow it."""
        if plan.problems:
            raise UserError("this host cannot run this plan: " + "; ".join(plan.problems))
        from_step = plan.steps[0].id if self.from_first else None
        run_id = self.service.start(plan, self.service.answers.values(), from_step=from_step)
        interrupted = False
        try:
            self.say("")
            self.say(
                "The install runs on its own: closing this terminal does not stop it; `aio-wizard` shows it again."
            )
            sys.stdout.flush()
        except KeyboardInterrupt:  # the install runs already: asked about while following, as any Ctrl+C
            interrupted = True
        return self._follow(run_id, interrupted=interrupted)

    def _follow(self, run_id: str | None, *, interrupted: bool = False) -> int:
        from wizard.ui.plain.progress import follow_install

        code = follow_install(
            self.prompter,
            self.service,
            run_id,
            verbose=self.args.verbose,
            interrupted=interrupted,
            destroy=self.destroy,
        )
        if self.destroy.pending:  # Destroy and start over, chosen in the failure menu: the install was aborted
            return self._destroy_and_start_over(self.service.answers, wait=RUNNER_EXIT_WAIT)
        return code

    def _destroy_and_start_over(self, session, *, wait: float = 0.0) -> int:
        """Destroy as confirmed (the output streamed), then a fresh install: the questions with the answers so
        far as defaults, the review. A failed destroy ends here, with its exit code."""
        self.say("")
        self.say("Destroying (the output follows; secrets are masked)...")
        code = self.destroy.run(wait=wait)
        if code != 0:
            self.say(wrap("Nothing more was removed; `aio-wizard destroy` tries again, `aio-wizard` resumes.", ""))
            return code
        self.say("")
        self.say(wrap("Destroyed. A fresh install: the questions again, the answers so far are the defaults.", ""))
        self.from_first = False
        return self._new_install(session, self.steps_plan)


def _writable_file(text: str) -> str | None:
    """Why ``text`` cannot name a file to write (None when it can): asked again, not a traceback."""
    if not text:
        return "type a file name"
    parent = Path(text).expanduser().parent
    if not parent.is_dir():
        return f"{parent} is not a directory"
    if Path(text).expanduser().is_dir():
        return f"{text} is a directory"
    return None
