"""What every front end reads the same way: the end of a step's log, and whether an install can resume.

Kept free of textual and questionary so the console, the plain front end, ``aio-wizard run`` and
the TUI share it. (A run's exit code is :func:`wizard.pipeline.events.exit_code`.)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from wizard.errors import UserError

if TYPE_CHECKING:
    from wizard.pipeline.journal import UnfinishedInstall

TAIL_BYTES = 256 * 1024  # the end of a log that is read; a multi-GB log costs nothing more


def read_tail(path: str, limit: int = TAIL_BYTES) -> tuple[str, int]:
    """The end of a log file, read from its end: (its text from the first whole line, bytes not read).

    Raises OSError when the file cannot be read.
    """
    with open(path, "rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        if size <= limit:
            fh.seek(0)
            return fh.read().decode("utf-8", "replace"), 0
        fh.seek(size - limit)
        data = fh.read()
    data = data[data.find(b"\n") + 1 :]  # drop the partial first line
    return data.decode("utf-8", "replace"), size - limit


def last_lines(path: str, count: int) -> list[str]:
    """The last ``count`` lines of a log file, or one line saying why it cannot be read."""
    try:
        text, _ = read_tail(path)
    except OSError as exc:
        return [f"cannot read {path}: {exc.strerror}"]
    return text.splitlines()[-count:]


def resumable_install(
    state_dir: str | Path, *, refuse_locked: bool = True, unreadable: Callable[[str], None] | None = None
) -> UnfinishedInstall | None:
    """The unfinished install both front ends offer to resume, or None.

    The same answer in both: a damaged journal is a :class:`UserError` naming the file (exit 2),
    and an install whose pipeline still holds the lock is not offered: the error says which
    process holds it. A dry run changes nothing, so it passes ``refuse_locked=False`` and may
    look at the plan while another aio-wizard installs; it also passes ``unreadable``: a journal
    it cannot read (root's, 0600, for a dry run as another user; or damaged) is then told to
    ``unreadable`` and ignored, since a dry run reads what it can instead of refusing to start.
    """
    from wizard.pipeline.journal import unfinished_install

    try:
        found = unfinished_install(state_dir)
    except UserError as exc:
        if unreadable is None:
            raise
        unreadable(f"{exc}; this dry run ignores it (no resume offer, answers not taken from it)")
        return None
    if found is not None and found.locked_by and refuse_locked:
        raise UserError(
            f"another aio-wizard (process {found.locked_by}) is running the install; watch it with `aio-wizard status`"
        )
    return found
