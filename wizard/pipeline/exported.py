"""The answers an export writes (and a support bundle holds): given over the journal's over the host's defaults.

Below the commands and the support package, so both use it (``aio-wizard export`` and
``aio-wizard bundle``) without one importing the other.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from wizard.answers.answers_file import dump_answers
from wizard.answers.resolve import resolve_answers
from wizard.errors import UserError
from wizard.pipeline.journal import Journal


def journal_answers(state_dir: str | Path | None) -> dict[str, Any]:
    """The answers of the install recorded in ``<state-dir>/journal.json``, {} when there is none.

    Read defensively: an unreadable or damaged journal must not stop an export, it only means
    there is no install to take answers from (a note goes to standard error).
    """
    if not state_dir:
        return {}
    try:
        return Journal.load(state_dir).answers
    except UserError as exc:
        print(f"aio-wizard: {exc}: ignoring the journal", file=sys.stderr)
        return {}


def answers_yaml(facts: Any, given: dict[str, Any], state_dir: str | Path | None) -> str:
    """The export's text: ``given`` over the journal's answers over this host's defaults, no secret
    (also what ``aio-wizard bundle`` puts in a support bundle)."""
    resolved = resolve_answers(facts, given=given, journal=journal_answers(state_dir))
    return dump_answers(resolved.values, resolved.descriptions())
