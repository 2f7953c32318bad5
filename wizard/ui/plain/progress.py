"""Run the plan with the console printer, and ask Retry / Skip / Abort / Show log on a failure.

The runner runs in the main thread, exactly as ``aio-wizard run`` does: Ctrl+C and SIGTERM
cancel it through :func:`install_signal_handlers` (the step's process group is stopped and the
journal says "interrupted"), and its ``decide`` callback (called in the same thread) can prompt
directly. The printer's ticker is the only other thread; it is held while a question is open.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from wizard.pipeline.events import Decision, StepFailure, exit_code
from wizard.pipeline.journal import UnfinishedInstall
from wizard.pipeline.model import Plan
from wizard.ui.console import ConsolePrinter, run_with_console
from wizard.ui.plain.prompter import Option, Prompter, discard_typeahead
from wizard.ui.runs import last_lines

SHOW_LOG_LINES = 60  # about 5 s at 9600 baud; the whole log stays in the file


def make_decide(prompter: Prompter, printer: ConsolePrinter) -> Callable[[StepFailure], Decision]:
    """The runner's ``decide``: show the failure, then ask until Retry, Skip or Abort."""

    def decide(failure: StepFailure) -> Decision:
        printer.show_failure(failure)
        skip_label = "Skip it (optional step)" if failure.optional else "Skip it (recorded, repeated in the summary)"
        options = [
            Option("retry", "Retry the step"),
            Option("skip", skip_label),
            Option("abort", "Abort (run the wizard again later to resume)"),
            Option("log", f"Show the last {SHOW_LOG_LINES} lines of the log"),
        ]
        with printer.hold():
            while True:
                discard_typeahead()  # keys typed while the step ran must not answer this
                try:
                    choice = prompter.select(f"Step '{failure.title}' failed. What now?", options, default="retry")
                except KeyboardInterrupt:
                    return "abort"
                if choice == "log":
                    prompter.say(f"--- {failure.log_path} (last lines) ---")
                    for line in last_lines(failure.log_path, SHOW_LOG_LINES):
                        prompter.say(line)
                    prompter.say("--- end of log ---")
                    continue
                return choice  # type: ignore[return-value]

    return decide


def run_plan(
    prompter: Prompter,
    plan: Plan,
    *,
    state_dir: str | Path,
    log_dir: str | Path,
    verbose: bool = False,
    stream=None,
) -> int:
    """Run ``plan`` (resuming from the journal in ``state_dir``); return the exit code."""
    status, journal = run_with_console(
        plan,
        state_dir=state_dir,
        log_dir=log_dir,
        decide=lambda printer: make_decide(prompter, printer),
        verbose=verbose,
        stream=stream or sys.stdout,
    )
    if status in ("failed", "aborted"):
        prompter.say(f"Logs are in {log_dir}. Run the wizard again to resume at the failed step.")
    skipped = journal.data.get("skipped_steps") or []
    if status == "done" and skipped:
        prompter.say("The install is not complete: run the wizard again to run the skipped steps.")
    return exit_code(status, skipped)


def journal_summary(unfinished: UnfinishedInstall) -> list[str]:
    """A few lines saying how far the install got."""
    status = unfinished.status
    if status == "running":
        status = "stopped while running (the process is gone)"
    out = [f"An install is under way: {unfinished.done} of {unfinished.total} steps done, status {status}."]
    if unfinished.next_step_id is not None:
        ids = [p.get("id") for p in unfinished.journal.planned()]
        at = ids.index(unfinished.next_step_id) + 1
        out.append(f"It resumes at step {at}, '{unfinished.next_title}' ({unfinished.next_status}).")
    return out
