"""Errors that end a command with a one-line message instead of a traceback.

Bad input must change nothing and exit 2 with a line naming the field or the file and line:
anything the user can fix raises :class:`UserError`; the CLI prints it and exits with its code.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem with the user's input or environment: printed as one line, exit code 2."""

    exit_code = 2

    def __init__(self, message: str, *, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class Interrupted(Exception):
    """Ctrl+C or SIGTERM stopped the pipeline: exit code 130."""

    exit_code = 130
