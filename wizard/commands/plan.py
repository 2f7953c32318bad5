"""``aio-wizard plan [--answers FILE] [--release R]``: every step, its commands and files; changes nothing.

With ``--release R`` the plan is printed even when this host cannot run R: the problems come
first and the exit code is still 0 (planning for another box is legitimate); ``run`` refuses.
"""

from __future__ import annotations

import argparse
import sys

from wizard.pipeline.plan import render_plan
from wizard.pipeline.setup import plan_from_args


def run(args: argparse.Namespace) -> int:
    plan = plan_from_args(args, release=args.release, complete=False)
    sys.stdout.write(render_plan(plan))
    return 0
