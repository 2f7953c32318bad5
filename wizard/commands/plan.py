"""``aio-wizard plan [--answers FILE] [--release R]``: every step, its commands and files; changes nothing.

``--json``: the same plan as one JSON object (:func:`wizard.pipeline.plan.plan_as_json`).
With ``--release R`` the plan is printed even when this host cannot run R: the problems come
first and the exit code is still 0 (planning for another box is legitimate); ``run`` refuses.
"""

from __future__ import annotations

import argparse
import sys

from wizard.pipeline.plan import render_plan, render_plan_json
from wizard.service.options import InstallOptions
from wizard.service.service import InstallService


def run(args: argparse.Namespace) -> int:
    plan = InstallService.open(InstallOptions.from_args(args)).plan()
    if getattr(args, "json", False):
        sys.stdout.write(render_plan_json(plan))  # problems are in the JSON; nothing may follow it
        return 0
    sys.stdout.write(render_plan(plan))
    if plan.problems:  # the last line is where a script (or a tail) looks
        count = len(plan.problems)
        print(f"this host cannot run this plan: {count} problem{'s' if count != 1 else ''} above")
    return 0
