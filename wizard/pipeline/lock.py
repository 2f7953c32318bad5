"""One pipeline at a time: an fcntl lock on ``<state-dir>/lock``.

The kernel drops the lock when its holder dies (even by ``kill -9``), so there is never a
stale lock to clean up by hand. The holder writes its PID into the file so a second
``aio-wizard`` can say who is running.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from wizard.errors import UserError

LOCK_NAME = "lock"


class PipelineLock:
    """``with PipelineLock(state_dir):`` — held for the life of the block, or UserError (exit 2)."""

    def __init__(self, state_dir: Path | str) -> None:
        self.path = Path(state_dir) / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = holder_pid(self.path)
            os.close(fd)
            who = f"process {holder}" if holder else "another process"
            raise UserError(
                f"another aio-wizard ({who}) is running the install (lock {self.path}); "
                "wait for it, or watch it with `aio-wizard status`"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> PipelineLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def holder_pid(path: Path | str) -> int | None:
    """The PID written in the lock file, if any (it may be stale when nobody holds the lock)."""
    try:
        text = Path(path).read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def is_locked(state_dir: Path | str) -> int | None:
    """The PID holding the pipeline lock now, or None when no pipeline runs."""
    path = Path(state_dir) / LOCK_NAME
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return holder_pid(path) or -1
    finally:
        os.close(fd)
    return None
