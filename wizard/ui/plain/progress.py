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

from wizard.pipeline.events import Decision, StepFailure
from wizard.pipeline.journal import Journal
from wizard.pipeline.model import Plan
from wizard.pipeline.runner import Runner, install_signal_handlers
from wizard.ui.console import ConsolePrinter
from wizard.ui.plain.prompter import Option, Prompter

EXIT = {"done": 0, "failed": 1, "aborted": 1, "interrupted": 130}
SHOW_LOG_LINES = 60  # about 5 s at 9600 baud; the whole log stays in the file


def last_lines(path: str, count: int = SHOW_LOG_LINES) -> list[str]:
    """The end of a log file (read from its end, so a huge log costs nothing)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - 256 * 1024))
            data = fh.read()
    except OSError as exc:
        return [f"cannot read {path}: {exc.strerror}"]
    return data.decode("utf-8", errors="replace").splitlines()[-count:]


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
                try:
                    choice = prompter.select(f"Step '{failure.title}' failed. What now?", options, default="retry")
                except KeyboardInterrupt:
                    return "abort"
                if choice == "log":
                    prompter.say(f"--- {failure.log_path} (last lines) ---")
                    for line in last_lines(failure.log_path):
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
    printer = ConsolePrinter(stream or sys.stdout, verbose=verbose)
    journal = Journal.load(state_dir)
    runner = Runner(plan, journal, log_dir, [printer], make_decide(prompter, printer))
    restore = install_signal_handlers(runner)
    try:
        status = runner.run()
    finally:
        restore()
        printer.close()
    if status in ("failed", "aborted"):
        prompter.say(f"Logs are in {log_dir}. Run the wizard again to resume at the failed step.")
    return EXIT[status]


def unfinished_install(state_dir: str | Path) -> Journal | None:
    """The journal of an install that did not finish (failed, aborted, interrupted, or died), else None."""
    journal = Journal.load(state_dir)
    if not journal.exists or journal.status in (None, "done"):
        return None
    return journal


def journal_summary(journal: Journal) -> list[str]:
    """A few lines saying how far the install got."""
    plan = journal.planned()
    steps = journal.data.get("steps", {})
    done = sum(1 for p in plan if steps.get(p.get("id"), {}).get("status") == "done")
    status = journal.status or "?"
    if status == "running":
        status = "stopped while running (the process is gone)"
    out = [f"An install is under way: {done} of {len(plan)} steps done, status {status}."]
    for i, p in enumerate(plan, 1):
        st = steps.get(p.get("id"), {}).get("status", "pending")
        if st != "done":
            out.append(f"It resumes at step {i}, '{p.get('title', p.get('id'))}' ({st}).")
            break
    return out
