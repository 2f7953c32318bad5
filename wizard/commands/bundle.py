"""``aio-wizard bundle [-o FILE]``: a redacted support bundle (tar.gz, 0600) to attach to a bug report.

Read-only apart from the file it writes; works without Docker and on a half-installed box (what
could not be collected is listed in the bundle's MANIFEST.txt). See :mod:`wizard.support.bundle`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wizard.errors import UserError
from wizard.support.bundle import MIB, bundle_builder, check_output, write_bundle


def _size(n: int) -> str:
    return f"{n / MIB:.1f} MiB" if n >= MIB else f"{n / 1024:.0f} KiB"


def run(args: argparse.Namespace) -> int:
    root = Path(getattr(args, "root", None) or "/")

    def facts():
        if args.host_facts:
            from wizard.host.probe import load_facts

            return load_facts(args.host_facts)
        from wizard.host.probe import probe_host

        return probe_host(root=root)

    builder = bundle_builder(state_dir=args.state_dir, log_dir=args.log_dir, load_facts=facts, root=root)
    output = args.output or f"{builder.name}.tar.gz"
    if output != "-" and Path(output).is_dir() and not Path(output).is_symlink():
        output = str(Path(output) / f"{builder.name}.tar.gz")  # -o DIR: the default name in DIR
    if output == "-":
        if sys.stdout.isatty():
            raise UserError("-o -: standard output is a terminal; redirect it to a file (or give -o FILE)")
    else:
        check_output(Path(output))  # before the work: a bad name fails at once
    print("aio-wizard: collecting the support bundle...", file=sys.stderr)
    data = builder.build()
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        write_bundle(Path(output), data)
        print(f"aio-wizard: support bundle written to {output} ({_size(len(data))}, mode 0600)", file=sys.stderr)
        print("  secrets are redacted; what could not be collected is listed in its MANIFEST.txt", file=sys.stderr)
    return 0
