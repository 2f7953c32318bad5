"""`aio-wizard validate FILE`: every problem of an answers file at once, nothing written anywhere.

Problems go to standard error as ``FILE:LINE: key: message`` (warnings marked ``warning:``) so an
editor or CI log can jump to them; exit 2 when there is an error, 0 when the file is usable. The
file is checked against this host (or ``--host-facts``): its interfaces, its Debian, its arch.
"""

from __future__ import annotations

import argparse
import sys

from wizard.answers.answers_file import check_file
from wizard.host.probe import load_facts


def run(args: argparse.Namespace) -> int:
    facts = load_facts(args.host_facts)
    problems = check_file(args.file, facts, allow_templates=bool(getattr(args, "allow_templates", False)))
    for problem in problems:
        print(problem.text, file=sys.stderr)
    errors = sum(1 for p in problems if p.is_error)
    if errors:
        warnings = len(problems) - errors
        tail = f", {warnings} warning{'s' * (warnings != 1)}" if warnings else ""
        print(f"{args.file}: {errors} error{'s' * (errors != 1)}{tail}", file=sys.stderr)
        return 2
    print(f"{args.file}: ok" + (f" ({len(problems)} warning{'s' * (len(problems) != 1)})" if problems else ""))
    return 0
