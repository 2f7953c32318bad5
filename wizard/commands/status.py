"""``aio-wizard status [--follow]``: the current install's progress, read from the journal (never from a UI).

``--follow`` attaches like a front end that never decides: progress lines (the console printer)
until the install ends, then the install's exit code. A failure waiting for a decision is shown
with its hint, and where to answer it. Ctrl+C, SIGTERM or a hang-up only stop the following.
"""

from __future__ import annotations

import argparse
import sys
import time

from wizard.pipeline.status import render_status
from wizard.service.options import InstallOptions


def run(args: argparse.Namespace) -> int:
    options = InstallOptions.from_args(args)
    if not getattr(args, "follow", False):
        print(render_status(options.state_dir, now=time.time()), end="")
        return 0
    return follow(options)


def follow(options: InstallOptions) -> int:
    """Print the install's progress until it ends; its exit code (0 when we stopped following first)."""
    # imported here: plain ``status`` must stay instant, and only --follow needs the printer and the attachment
    from wizard.pipeline.events import StepFailure, exit_code
    from wizard.pipeline.journal import Journal
    from wizard.service.attach import Attachment
    from wizard.service.signals import front_end_policy, handling
    from wizard.ui.console import ConsolePrinter

    if not Journal.load(options.state_dir).exists:
        print(f"no install under way (no journal in {options.state_dir})")
        return 0
    printer = ConsolePrinter(sys.stdout, verbose=options.verbose)

    def waiting(failure: StepFailure) -> None:
        printer.show_failure(failure)
        printer.message(
            f"waiting for a decision on {failure.step_id}: answer it in `aio-wizard` (or --plain); "
            "`aio-wizard stop` stops the install"
        )

    attachment = Attachment(options.state_dir, [printer], waiting, log_dir=options.log_dir)
    try:
        with handling(front_end_policy(attachment.cancel)):
            status = attachment.run()
    finally:
        printer.close()
    if status is None:
        print("stopped following; the install goes on (`aio-wizard status`)")
        return 0
    return exit_code(status, attachment.data.get("skipped_steps") or ())  # 4: finished with skipped steps
