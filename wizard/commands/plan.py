"""``aio-wizard plan [--answers FILE] [--release R]``: every step, its commands and files; changes nothing.

``--json``: the same plan as one JSON object (:func:`wizard.pipeline.plan.plan_as_json`).
With ``--release R`` the plan is printed even when this host cannot run R: the problems come
first and the exit code is still 0 (planning for another box is legitimate); ``run`` refuses.
"""

from __future__ import annotations

import argparse
import sys

from wizard.pipeline.plan import render_plan, render_plan_json
from wizard.pipeline.setup import plan_from_args


def run(args: argparse.Namespace) -> int:
    plan = plan_from_args(args, release=args.release, complete=False)
    sys.stdout.write(render_plan_json(plan) if getattr(args, "json", False) else render_plan(plan))
    return 0
