"""`aio-wizard validate`."""

from __future__ import annotations

import argparse

from wizard.errors import UserError


def run(args: argparse.Namespace) -> int:
    raise UserError("'validate' is not implemented yet")
