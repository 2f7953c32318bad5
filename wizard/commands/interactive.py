"""`aio-wizard interactive`."""

from __future__ import annotations

import argparse

from wizard.errors import UserError


def run(args: argparse.Namespace) -> int:
    raise UserError("'interactive' is not implemented yet")
