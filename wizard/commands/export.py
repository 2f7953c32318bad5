"""`aio-wizard export [-o FILE] [--answers FILE]`: every answer as commented YAML.

What is exported is what an install would use: the ``--answers`` file's values, then the answers
of the install recorded in the journal (so a running or finished install can be repeated
elsewhere), then what this host suggests. Secrets never appear (the catalog has none, and the
journal's answers are filtered by the pipeline before they reach the disk).

``-o`` goes through :func:`wizard.files.write_output`: ``/dev/null`` or a FIFO is written to,
never replaced by a file; a directory, a block device or an unsafe symlink is refused (exit 2).
"""

from __future__ import annotations

import argparse
import sys

from wizard.answers.answers_file import load_answers
from wizard.files import write_output
from wizard.host.probe import load_facts
from wizard.pipeline.exported import answers_yaml, journal_answers

__all__ = ["answers_yaml", "journal_answers", "run"]


def run(args: argparse.Namespace) -> int:
    facts = load_facts(args.host_facts)
    allow = bool(getattr(args, "allow_templates", False))
    given = load_answers(args.answers, facts, complete=False, allow_templates=allow) if args.answers else {}
    text = answers_yaml(facts, given, args.state_dir)
    output = args.output
    if output and output != "-":
        # a device, a FIFO or a symlink is written to or refused, never replaced (wizard.files.write_output)
        where = write_output(output, text)
        print(f"aio-wizard: answers written to {where}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
