"""``aio-wizard [--dry-run] [--plain] [--answers FILE]``: the interactive wizard.

The full-screen TUI by default; ``--plain`` gives line prompts for serial consoles and dumb
terminals. Each front end is imported only here, so other subcommands never load them.
"""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    if args.plain:
        from wizard.ui.plain import main as plain_main

        return plain_main(args)
    from wizard.ui.tui import main as tui_main

    return tui_main(args)
