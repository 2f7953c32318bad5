"""``aio-wizard run --answers FILE --non-interactive [--from STEP] [--until STEP]``: the install, headless.

One line per step state change (the console printer; ``--verbose`` adds every log line). On a
failure: exit 1 naming the step, its log file and the exact command that resumes. Ctrl+C or
SIGTERM stop the running step's process group and exit 130; running the same command again
resumes from the journal.
"""

from __future__ import annotations

import argparse
import shlex
import sys

from wizard.cli import DEFAULT_LOG_DIR, DEFAULT_STATE_DIR
from wizard.errors import UserError
from wizard.pipeline.events import DecideFn, Decision, StepFailure, always_abort, exit_code
from wizard.pipeline.plan import render_plan
from wizard.pipeline.setup import plan_from_args


def resume_command(args: argparse.Namespace) -> str:
    """The command line that resumes this run (the journal knows where it stopped: no --from)."""
    argv = ["aio-wizard"]
    if args.state_dir != DEFAULT_STATE_DIR:
        argv += ["--state-dir", args.state_dir]
    if args.log_dir != DEFAULT_LOG_DIR:
        argv += ["--log-dir", args.log_dir]
    if args.host_facts:
        argv += ["--host-facts", args.host_facts]
    argv.append("run")
    if args.steps_file:
        argv += ["--steps-file", args.steps_file]
    if args.answers:
        argv += ["--answers", args.answers]
    if args.non_interactive:
        argv.append("--non-interactive")
    if args.until_step:
        argv += ["--until", args.until_step]
    return shlex.join(argv)


def _non_interactive_decide(failure: StepFailure) -> Decision:
    """Headless: an optional step (debug tools) is skipped and reported; anything else aborts."""
    return "skip" if failure.optional else always_abort(failure)


def _prompt_decide(printer) -> DecideFn:
    """Interactive: Retry / Skip / Abort / Show log as line prompts (end of input aborts); headless without a tty."""
    from wizard.ui.plain.progress import make_decide
    from wizard.ui.plain.prompter import make_prompter

    prompt = make_decide(make_prompter(force_lines=True), printer)

    def decide(failure: StepFailure) -> Decision:
        if not sys.stdin.isatty():
            return _non_interactive_decide(failure)
        return prompt(failure)

    return decide


def run(args: argparse.Namespace) -> int:
    if not args.steps_file and not args.answers and args.non_interactive:
        raise UserError("run --non-interactive needs --answers FILE (write one with `aio-wizard export`)")
    plan = plan_from_args(args, complete=True)
    if args.dry_run:
        sys.stdout.write(render_plan(plan))
        return 0
    if plan.problems:
        raise UserError("this host cannot run this plan: " + "; ".join(plan.problems))
    if args.from_step:
        plan.step(args.from_step)  # UserError for an unknown step, before anything runs
    if args.until_step:
        plan.step(args.until_step)

    from wizard.ui.console import run_with_console

    status, journal = run_with_console(
        plan,
        state_dir=args.state_dir,
        log_dir=args.log_dir,
        decide=(lambda printer: _non_interactive_decide) if args.non_interactive else _prompt_decide,
        verbose=bool(args.verbose),
        from_step=args.from_step,
        until_step=args.until_step,
    )
    if status in ("failed", "aborted"):
        failed = journal.data.get("failed_step")
        step = journal.step(failed) if failed else {}
        title = plan.step(failed).title if failed else "?"
        print(f"aio-wizard: step {failed} ({title}) failed", file=sys.stderr)
        if step.get("log_path"):
            print(f"  log: {step['log_path']}", file=sys.stderr)
        print(f"  resume with: {resume_command(args)}", file=sys.stderr)
    elif status == "done" and journal.data.get("skipped_steps"):
        skipped = ", ".join(journal.data["skipped_steps"])
        print(f"aio-wizard: finished with skipped steps ({skipped}): not a complete install", file=sys.stderr)
        print(f"  run them with: {resume_command(args)}", file=sys.stderr)
    elif status == "done" and journal.stopped_after:
        left = len(journal.steps_left())
        rest = argparse.Namespace(**{**vars(args), "until_step": None})
        print(f"aio-wizard: stopped after {journal.stopped_after} (--until); {left} steps left", file=sys.stderr)
        print(f"  continue with: {resume_command(rest)}", file=sys.stderr)
    elif status == "interrupted":
        print(f"aio-wizard: interrupted; resume with: {resume_command(args)}", file=sys.stderr)
    return exit_code(status, journal.data.get("skipped_steps") or ())
