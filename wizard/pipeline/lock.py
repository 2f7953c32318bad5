"""One pipeline at a time: an fcntl lock on ``<state-dir>/lock``.

The kernel drops the lock when its holder dies (even by ``kill -9``), so there is never a
stale lock to clean up by hand. The holder writes its PID into the file so a second
``aio-wizard`` can say who is running.

The lock is held on an open file, not on its name: someone deleting or replacing
``state/lock`` during a run would let a second run take a new lock next to ours. So the file
is opened with ``O_NOFOLLOW`` (a ``lock`` symlink must not make root truncate its target) and
``O_NONBLOCK`` (a FIFO must not hang the open), must be a regular file, and :meth:`verify`
checks that the file at the path is still the one we hold (same ``st_dev``/``st_ino``): the
runner calls it before every step and stops when it is not.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
from pathlib import Path

from wizard.errors import UserError
from wizard.files import StateWriteError, UnsafePathError, ensure_private_dir

LOCK_NAME = "lock"


def _open_lock(path: Path, flags: int) -> int:
    """Open the lock file without following a symlink or waiting on a FIFO; a regular file or UserError."""
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafePathError(f"{path} is a symbolic link, not the wizard's lock file; remove it") from None
        if exc.errno in (errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.ENOTDIR, errno.EIO):
            raise StateWriteError(f"{path}: cannot open the lock file: {exc.strerror}") from None
        raise
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise UnsafePathError(f"{path} is not a regular file, not the wizard's lock file; remove it")
    return fd


class PipelineLock:
    """``with PipelineLock(state_dir):`` — held for the life of the block, or UserError (exit 2)."""

    def __init__(self, state_dir: Path | str) -> None:
        self.path = Path(state_dir) / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        ensure_private_dir(self.path.parent, "state directory")
        fd = _open_lock(self.path, os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            os.close(fd)
            who = f"process {holder}" if holder else "another process"
            raise UserError(
                f"another aio-wizard ({who}) is running the install (lock {self.path}); "
                "wait for it, or watch it with `aio-wizard status`"
            ) from None
        self._fd = fd
        if not self.holds():  # replaced between our open and our lock: someone else's file now
            self.release()
            raise UserError(f"{self.path} was replaced while aio-wizard was taking the lock; run again")
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError as exc:
            self.release()
            raise StateWriteError(f"{self.path}: cannot write the lock file: {exc.strerror}") from None

    def holds(self) -> bool:
        """Whether the file at the path is still the one this lock holds (not deleted or replaced)."""
        if self._fd is None:
            return False
        try:
            at_path = os.stat(self.path, follow_symlinks=False)
        except OSError:
            return False
        held = os.fstat(self._fd)
        return (at_path.st_dev, at_path.st_ino) == (held.st_dev, held.st_ino)

    def verify(self) -> None:
        """UserError when the lock file was deleted or replaced: another run could take the lock now."""
        if not self.holds():
            raise UserError(
                f"{self.path} was deleted or replaced during the run, so another aio-wizard could start; "
                "stopping here: run again to resume"
            )

    def release(self) -> None:
        if self._fd is not None:
            if self.holds():
                with contextlib.suppress(OSError):
                    os.ftruncate(self._fd, 0)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> PipelineLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def holder_pid(path: Path | str) -> int | None:
    """The PID written in the lock file, if any (it may be stale when nobody holds the lock)."""
    try:
        fd = _open_lock(Path(path), os.O_RDONLY)
    except (OSError, UserError):
        return None
    try:
        return _read_pid(fd)
    finally:
        os.close(fd)


def is_locked(state_dir: Path | str) -> int | None:
    """The PID holding the pipeline lock now, or None when no pipeline runs.

    UserError (one line) when the lock is a symlink or not a regular file: never follows or
    waits on it.
    """
    path = Path(state_dir) / LOCK_NAME
    try:
        fd = _open_lock(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return _read_pid(fd) or -1
    finally:
        os.close(fd)
    return None
