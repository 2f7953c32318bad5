"""The full-screen wizard (Textual).

``main(args)`` is called by ``wizard.commands.interactive`` with the parsed command line. It
checks the terminal first (no tty: refuse and point to ``--plain``; Linux console or serial:
the console profile; SSH without tmux/screen: a warning), then builds the app with
:func:`wizard.ui.tui.app.create_app` and runs it. Textual is imported only after those checks.
"""

from __future__ import annotations

import argparse


def main(args: argparse.Namespace) -> int:
    """Run the TUI; the exit code follows the CLI contract (0, 1, 2, 3, 4, 130: `aio-wizard --help`)."""
    from wizard.ui.tui.terminal import detect_profile, require_tty, ssh_warning

    require_tty()
    profile = detect_profile()
    warning = ssh_warning()

    from wizard.ui.tui.app import create_app
    from wizard.ui.tui.session import Session

    session = Session.create(
        dry_run=args.dry_run,
        state_dir=args.state_dir,
        log_dir=args.log_dir,
        answers_path=args.answers,
        steps_file=args.steps_file,
        host_facts_path=args.host_facts,
        allow_templates=bool(getattr(args, "allow_templates", False)),
        debug=args.debug,
        root=getattr(args, "root", None),
    )
    notes = [f"could not read {note}" for note in session.notes]  # a dry run's unreadable journal
    warning = "; ".join(filter(None, [warning, *notes])) or None
    app = create_app(session=session, profile=profile, cursor_blink=not profile.console, warning=warning)
    app.run()
    for line in app.outcome:  # the alternate screen is gone: the result stays in the scrollback
        print(line)
    if app.detached:
        print("aio-wizard: detached; the install goes on. `aio-wizard` shows it again, `aio-wizard stop` stops it.")
    code = app.return_code
    return int(code if code is not None else app.exit_code)
