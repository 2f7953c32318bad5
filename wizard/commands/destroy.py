"""``aio-wizard destroy [--include-images] [--dry-run] [--yes-i-really-mean-it HOSTNAME]``: start over.

Shows what it removes and what it leaves (with how to revert each host change), asks for this
host's name, then runs kolla-ansible destroy, removes /etc/kolla and the virtualenv and resets the
journal. ``--dry-run`` prints the same and changes nothing. See :mod:`wizard.support.destroy`; the
lock, the log and the redactor are :func:`wizard.service.destroy.run_destroy`'s, as in both front ends.
"""

from __future__ import annotations

import argparse
import sys

from wizard.errors import UserError
from wizard.service.destroy import destroy_plan, render_destroy, run_destroy
from wizard.service.options import InstallOptions
from wizard.support.common import require_root


def _typed_name(hostname: str) -> str | None:
    """The name typed at the prompt; None without a terminal (no one to ask)."""
    if not sys.stdin.isatty():
        return None
    try:
        return input(f"Type this host's name ({hostname}) to destroy its OpenStack: ")
    except EOFError:
        raise UserError("no confirmation typed: nothing was changed") from None


def run(args: argparse.Namespace) -> int:
    require_root("destroy", dry_run=args.dry_run)
    options = InstallOptions.from_args(args)
    plan = destroy_plan(options, include_images=args.include_images)
    sys.stdout.write(render_destroy(plan, dry_run=options.dry_run))
    if options.dry_run:
        return 0
    if not plan.changes_anything:
        print("Nothing to destroy here.")
        return 0
    sys.stdout.flush()

    def confirmation() -> str | None:
        return args.confirm if args.confirm is not None else _typed_name(plan.hostname)

    return run_destroy(options, plan, confirmation, sys.stdout)
