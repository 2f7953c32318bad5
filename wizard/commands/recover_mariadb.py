"""``aio-wizard recover-mariadb [--dry-run]``: kolla-ansible's MariaDB recovery for the recorded install
(``mariadb-recovery``, ``mariadb_recovery`` up to 18.x: the release's own name).

The action offered when MariaDB did not come back after a reboot or an interrupted deploy (see
:mod:`wizard.support.mariadb`); afterwards, resume the install as usual.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from wizard.pipeline.lock import PipelineLock
from wizard.support.common import host_redactor, require_root
from wizard.support.mariadb import recover_command


def run(args: argparse.Namespace) -> int:
    require_root("recover-mariadb", dry_run=args.dry_run)
    root = Path(args.root or "/")
    cmd = recover_command(root, args.state_dir)
    if args.dry_run:
        print("aio-wizard recover-mariadb would run (dry run: nothing is changed):")
        print(f"  {cmd.display}")
        return 0
    from wizard.support.common import stream_command

    with PipelineLock(args.state_dir):
        print(f"$ {cmd.display}", flush=True)
        log_path = Path(args.log_dir) / f"mariadb-recovery-{time.strftime('%Y%m%d-%H%M%S')}.log"
        code = stream_command(cmd, log_path=log_path, redact=host_redactor(root), out=sys.stdout)
    if code != 0:
        print(f"aio-wizard: kolla-ansible {cmd.argv[1]} failed (exit code {code}); log: {log_path}", file=sys.stderr)
        print("  a support bundle helps: aio-wizard bundle", file=sys.stderr)
        return 1
    print("MariaDB is recovered; resume the install (aio-wizard, or aio-wizard run ... as before).")
    return 0
