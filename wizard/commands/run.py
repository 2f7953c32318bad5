"""``aio-wizard run --answers FILE --non-interactive [--from STEP] [--until STEP]``: the install, headless.

One line per step state change (the console printer; ``--verbose`` adds every log line). On a
failure: exit 1 naming the step, its log file and the exact command that resumes.

``run`` keeps its runner in the foreground (automation waits for the process it started), through
:meth:`wizard.service.service.InstallService.run_foreground`. Ctrl+C, SIGTERM and SIGHUP (the SSH
session dropped) stop the running step's process group, the journal says "interrupted", exit
130; running the same command again resumes from the journal (:mod:`wizard.service.signals`).
"""

from __future__ import annotations

import argparse
import dataclasses
import shlex
import sys
from pathlib import Path

from wizard.errors import UserError
from wizard.pipeline.events import DecideFn, Decision, StepFailure, always_abort, exit_code
from wizard.service.options import DEFAULT_LOG_DIR, DEFAULT_STATE_DIR, InstallOptions
from wizard.service.service import InstallService
from wizard.ui.console import ConsolePrinter


def resume_command(options: InstallOptions) -> str:
    """The command line that resumes this run (the journal knows where it stopped: no --from)."""
    argv = ["aio-wizard"]
    if options.state_dir != Path(DEFAULT_STATE_DIR):
        argv += ["--state-dir", str(options.state_dir)]
    if options.log_dir != Path(DEFAULT_LOG_DIR):
        argv += ["--log-dir", str(options.log_dir)]
    if options.host_facts:
        argv += ["--host-facts", options.host_facts]
    argv.append("run")
    if options.steps_file:
        argv += ["--steps-file", options.steps_file]
    if options.answers:
        argv += ["--answers", options.answers]
    if options.non_interactive:
        argv.append("--non-interactive")
    if options.until_step:
        argv += ["--until", options.until_step]
    return shlex.join(argv)


def _non_interactive_decide(failure: StepFailure) -> Decision:
    """Headless: an optional step (debug tools) is skipped and reported; anything else aborts."""
    return "skip" if failure.optional else always_abort(failure)


def _prompt_decide(printer, options: InstallOptions) -> DecideFn:
    """Interactive: Retry / Skip / Abort / Show log as line prompts (end of input aborts); headless without a tty."""
    from wizard.ui.plain.progress import bundle_writer, make_decide
    from wizard.ui.plain.prompter import make_prompter

    bundle = bundle_writer(options.state_dir, options.log_dir, options.host_facts)
    prompt = make_decide(make_prompter(force_lines=True), printer, bundle)

    def decide(failure: StepFailure) -> Decision:
        if not sys.stdin.isatty():
            return _non_interactive_decide(failure)
        return prompt(failure)

    return decide


def run(args: argparse.Namespace) -> int:
    options = InstallOptions.from_args(args)
    if not options.steps_file and not options.answers and options.non_interactive:
        raise UserError("run --non-interactive needs --answers FILE (write one with `aio-wizard export`)")
    service = InstallService.open(options, complete=True)
    plan = service.plan()
    if options.dry_run:
        sys.stdout.write(service.plan_text())
        return 0
    printer = ConsolePrinter(sys.stdout, verbose=options.verbose)
    try:
        status, journal = service.run_foreground(
            plan,
            [printer],
            _non_interactive_decide if options.non_interactive else _prompt_decide(printer, options),
            from_step=options.from_step,
            until_step=options.until_step,
        )
    finally:
        printer.close()
    if status in ("failed", "aborted"):
        failed = journal.data.get("failed_step")
        step = journal.step(failed) if failed else {}
        title = plan.step(failed).title if failed else "?"
        print(f"aio-wizard: step {failed} ({title}) failed", file=sys.stderr)
        if step.get("log_path"):
            print(f"  log: {step['log_path']}", file=sys.stderr)
        print(f"  resume with: {resume_command(options)}", file=sys.stderr)
        print("  for a bug report: `aio-wizard bundle` writes a support bundle (logs, journal; secrets masked)",
              file=sys.stderr)  # fmt: skip
    elif status == "done" and journal.data.get("skipped_steps"):
        skipped = ", ".join(journal.data["skipped_steps"])
        print(f"aio-wizard: finished with skipped steps ({skipped}): not a complete install", file=sys.stderr)
        print(f"  run them with: {resume_command(options)}", file=sys.stderr)
    elif status == "done" and journal.stopped_after:
        left = len(journal.steps_left())
        rest = dataclasses.replace(options, until_step=None)
        print(f"aio-wizard: stopped after {journal.stopped_after} (--until); {left} steps left", file=sys.stderr)
        print(f"  continue with: {resume_command(rest)}", file=sys.stderr)
    elif status == "interrupted":
        print(f"aio-wizard: interrupted; resume with: {resume_command(options)}", file=sys.stderr)
    return exit_code(status, journal.data.get("skipped_steps") or ())
