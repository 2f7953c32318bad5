"""``aio-wizard destroy [--include-images] [--dry-run] [--yes-i-really-mean-it HOSTNAME]``: start over.

Shows what it removes and what it leaves (with how to revert each host change), asks for this
host's name, then runs kolla-ansible destroy, removes /etc/kolla and the virtualenv and resets the
journal. ``--dry-run`` prints the same and changes nothing. See :mod:`wizard.support.destroy`.
"""

from __future__ import annotations

import argparse
import socket
import sys
import time
from pathlib import Path

from wizard.errors import UserError
from wizard.pipeline.lock import PipelineLock
from wizard.support.common import host_redactor, require_root
from wizard.support.destroy import check_confirmation, execute_destroy, plan_destroy, render_destroy


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
    root = Path(args.root or "/")
    plan = plan_destroy(
        root, args.state_dir, args.log_dir, hostname=socket.gethostname(), include_images=args.include_images
    )
    sys.stdout.write(render_destroy(plan, dry_run=args.dry_run))
    if args.dry_run:
        return 0
    if not plan.changes_anything:
        print("Nothing to destroy here.")
        return 0
    with PipelineLock(args.state_dir):  # never while an install runs
        sys.stdout.flush()
        check_confirmation(plan, args.confirm if args.confirm is not None else _typed_name(plan.hostname))
        log_path = Path(args.log_dir) / f"destroy-{time.strftime('%Y%m%d-%H%M%S')}.log"
        return execute_destroy(plan, log_path=log_path, redact=host_redactor(root), out=sys.stdout)
