"""Atomic file writes with a backup of what was there.

Files that matter (/etc/hosts, globals, the journal) must never be seen half written: a crash
or ``kill -9`` leaves either the old or the new content. We write a temporary file in the same
directory, fsync it, rename it over the target and fsync the directory. The first time a file is
replaced, a copy of the original is kept next to it (``NAME.aio-wizard.bak``) so the operator can
always get back to what the host had before the wizard touched it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

BACKUP_SUFFIX = ".aio-wizard.bak"


def backup_path(path: Path) -> Path:
    """Where the backup of ``path`` is (or would be) kept."""
    return path.with_name(path.name + BACKUP_SUFFIX)


def atomic_write(
    path: Path | str,
    data: str | bytes,
    *,
    mode: int | None = None,
    backup: bool = False,
) -> Path | None:
    """Replace ``path`` with ``data`` atomically; return the backup path if one was made.

    ``mode`` defaults to the existing file's mode, else 0o644. With ``backup=True`` the current
    content is copied to :func:`backup_path` once (an existing backup is never overwritten, so it
    always holds the host's original file).
    """
    path = Path(path)
    raw = data.encode() if isinstance(data, str) else data
    made_backup: Path | None = None
    existing_mode: int | None = None
    if path.exists():
        existing_mode = path.stat().st_mode & 0o7777
        if backup:
            bak = backup_path(path)
            if not bak.exists():
                shutil.copy2(path, bak)
                made_backup = bak
    final_mode = mode if mode is not None else (existing_mode if existing_mode is not None else 0o644)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, final_mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)
    return made_backup


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
