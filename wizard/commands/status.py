"""``aio-wizard status``: the current install's progress, read from the journal (never from a UI)."""

from __future__ import annotations

import argparse
import time

from wizard.pipeline.status import render_status


def run(args: argparse.Namespace) -> int:
    print(render_status(args.state_dir, now=time.time()), end="")
    return 0
