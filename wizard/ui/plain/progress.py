"""Follow the install with the console printer, and ask Retry / Skip / Abort / Show log on a failure.

The install runs in the detached runner; this front end follows it through an
:class:`~wizard.service.attach.Attachment` in the main thread, which also asks the decision
(line prompts own the main thread). SIGHUP and SIGTERM detach (:mod:`wizard.service.signals`);
Ctrl+C asks "detach, or stop the install?". The printer's ticker is the only other thread; it is
held while a question is open.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from wizard.pipeline.events import Decision, StepFailure, exit_code
from wizard.pipeline.journal import UnfinishedInstall
from wizard.service.service import InstallService
from wizard.service.signals import front_end_policy, handling
from wizard.ui.choices import DESTROY
from wizard.ui.console import ConsolePrinter
from wizard.ui.plain.ask import wrap
from wizard.ui.plain.destroy import DestroyOffer
from wizard.ui.plain.prompter import Option, Prompter, discard_typeahead
from wizard.ui.runs import last_lines

SHOW_LOG_LINES = 60  # about 5 s at 9600 baud; the whole log stays in the file


def make_decide(
    prompter: Prompter,
    printer: ConsolePrinter,
    bundle: Callable[[], Path] | None = None,
    destroy: Callable[[], bool] | None = None,
) -> Callable[[StepFailure], Decision]:
    """The runner's ``decide``: show the failure, then ask until Retry, Skip or Abort.

    With ``bundle`` (writes a support bundle, returns its path) the menu also offers it: a failure
    is when one is wanted, and the journal and logs it collects are all there now. With ``destroy``
    (shows the destroy plan, asks for the host name: True when confirmed) it offers Destroy and
    start over, which aborts the install once confirmed; the caller destroys after it ended."""

    def decide(failure: StepFailure) -> Decision:
        printer.show_failure(failure)
        skip_label = "Skip it (optional step)" if failure.optional else "Skip it (recorded, repeated in the summary)"
        options = [
            Option("retry", "Retry the step"),
            Option("skip", skip_label),
            Option("abort", "Abort (run the wizard again later to resume)"),
            Option("log", f"Show the last {SHOW_LOG_LINES} lines of the log"),
        ]
        if bundle is not None:
            options.append(Option("bundle", "Write a support bundle (logs, journal, host facts; secrets masked)"))
        if destroy is not None:
            options.append(Option(DESTROY.value, DESTROY.menu_line))
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
                if choice == "bundle" and bundle is not None:
                    try:
                        prompter.say(f"Support bundle written: {bundle()}")
                    except Exception as exc:  # the menu must stay: the step's failure is the point
                        prompter.say(wrap(f"Could not write the support bundle: {exc}", ""))
                    continue
                if choice == DESTROY.value and destroy is not None:
                    if destroy():
                        return "abort"  # the install ends; then it is destroyed
                    continue
                return choice  # type: ignore[return-value]

    return decide


def bundle_writer(state_dir: str | Path, log_dir: str | Path, host_facts: str | None = None) -> Callable[[], Path]:
    """The failure menu's "support bundle": :func:`wizard.support.bundle.save_bundle` in the current
    directory, with the facts of ``host_facts`` (a `probe --json` file) when given, else probing this host."""

    def write() -> Path:
        from wizard.support.bundle import save_bundle

        def load_facts() -> object:
            if host_facts:
                from wizard.host.probe import load_facts as load

                return load(host_facts)
            from wizard.host.probe import probe_host

            return probe_host()

        return save_bundle(state_dir=state_dir, log_dir=log_dir, load_facts=load_facts)

    return write


def follow_install(
    prompter: Prompter,
    service: InstallService,
    run_id: str | None,
    *,
    verbose: bool = False,
    stream=None,
    interrupted: bool = False,
    destroy: DestroyOffer | None = None,
) -> int:
    """Follow the install until it ends (its exit code) or the user detaches (0).

    ``interrupted``: Ctrl+C came between starting the install and following it; it is asked about
    like one while following (the install runs already: it must not just end the front end).
    ``destroy``: the failure menu offers Destroy and start over; once confirmed the install is
    aborted and ``destroy.pending`` is set for the caller to run.
    """
    printer = ConsolePrinter(stream or sys.stdout, verbose=verbose)
    options = service.options
    bundle = bundle_writer(options.state_dir, options.log_dir, options.host_facts)
    decide = make_decide(prompter, printer, bundle, destroy.confirm if destroy is not None else None)
    try:
        while True:
            try:
                if interrupted:
                    interrupted = False
                    raise KeyboardInterrupt
                # inside the try: a Ctrl+C while attaching is asked about too, not a traceback or an exit
                attachment = service.attach([printer], decide, run_id=run_id, decide_in_thread=False)
                with handling(front_end_policy(attachment.cancel, asks_on_interrupt=True)):
                    status = attachment.run()
            except KeyboardInterrupt:
                choice = _ask_on_interrupt(prompter, printer)
                if choice == "watch":
                    run_id = None  # the journal has our run by now
                    continue
                if choice == "stop":
                    prompter.say(
                        wrap("Stopping the install (the running step is stopped and recorded as interrupted)...", "")
                    )
                    service.stop()
                    continue  # follow it to its end
                status = None
            break
    finally:
        printer.close()
    if status is None:
        prompter.say(
            wrap("Detached: the install goes on. `aio-wizard` shows it again; `aio-wizard stop` stops it.", "")
        )
        return 0
    if status in ("failed", "aborted") and destroy is not None and destroy.pending:
        return exit_code(status, ())  # not to be resumed: the caller destroys it now
    if status in ("failed", "aborted"):
        prompter.say(
            wrap(f"Logs are in {service.options.log_dir}. Run the wizard again to resume at the failed step.", "")
        )
        prompter.say(wrap("For a bug report: `aio-wizard bundle` writes a support bundle (secrets masked).", ""))
    skipped = attachment.data.get("skipped_steps") or []
    if status == "done" and skipped:
        prompter.say(wrap("The install is not complete: run the wizard again to run the skipped steps.", ""))
    return exit_code(status, skipped)


def _ask_on_interrupt(prompter: Prompter, printer: ConsolePrinter) -> str:
    """Ctrl+C while following: detach (the install goes on), stop the install, or keep watching."""
    options = [
        Option("detach", "Detach: the install goes on without this terminal"),
        Option("stop", "Stop the install (resumable later)"),
        Option("watch", "Keep watching"),
    ]
    with printer.hold():
        try:
            return prompter.select("Detach, or stop the install?", options, default="detach")
        except (KeyboardInterrupt, EOFError):
            return "detach"


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
