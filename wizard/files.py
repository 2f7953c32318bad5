"""Writing files as root without harming the host: atomic writes, fresh backups, safe outputs.

Files that matter (/etc/hosts, globals, the journal) must never be seen half written: a crash
or ``kill -9`` leaves either the old or the new content. We write a temporary file in the same
directory, fsync it, rename it over the target and fsync the directory.

The wizard runs as root, so a path is never trusted to be what its name says:

- :func:`atomic_write` replaces only a regular file (or creates one). A symlink, a device, a
  FIFO or a directory at the path is refused: renaming over ``/dev/null`` would replace the
  device node with a file, and a planted symlink would redirect root's write.
- Backups go to a fresh name (``NAME.aio-wizard.bak``, then ``.bak.1``, ``.bak.2``…), created
  with ``O_EXCL|O_NOFOLLOW``: an older backup is never overwritten and a dangling symlink
  named like a backup cannot redirect it.
- :func:`write_output` is for paths the operator names (``export -o``, the TUI's Export and
  Save plan): ``-`` is standard output, a character device or a FIFO is opened and written
  (never renamed over, never waited on), a symlink is written through only when it is safe
  (see :func:`_safe_link_target`), a directory or a block device is refused in one line.
- :func:`ensure_private_dir` makes the state and log directories 0700 whatever the umask and
  refuses an existing one that others could write to.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from wizard.errors import UserError

BACKUP_SUFFIX = ".aio-wizard.bak"
MAX_BACKUPS = 1000


class UnsafePathError(UserError):
    """A path the wizard refuses to write through (a symlink, a device, a directory...): exit 2."""


class StateWriteError(UserError):
    """The wizard could not write its own state or logs (full disk, read-only, not a directory): exit 3."""

    def __init__(self, message: str) -> None:
        super().__init__(message, exit_code=3)


def backup_path(path: Path) -> Path:
    """The first name a backup of ``path`` is kept under (later ones add ``.1``, ``.2``...)."""
    return path.with_name(path.name + BACKUP_SUFFIX)


def _backup_names(path: Path) -> Iterator[Path]:
    """The names a backup of ``path`` may take, in order: NAME.aio-wizard.bak, then .bak.1, .bak.2..."""
    first = backup_path(path)
    yield first
    for n in range(1, MAX_BACKUPS):
        yield first.with_name(f"{first.name}.{n}")


def next_backup_path(path: Path) -> Path:
    """The name :func:`make_backup` would take now: the first of NAME.aio-wizard.bak, .bak.1... that is free.

    Read-only, for the plan to say exactly where the old copy goes.
    """
    for bak in _backup_names(path):
        if not os.path.lexists(bak):
            return bak
    first = backup_path(path)
    return first.with_name(f"{first.name}.{MAX_BACKUPS}")


def make_backup(path: Path) -> Path:
    """Copy ``path`` (a regular file) to a fresh backup name and return it; never overwrite one.

    Each name is created with ``O_CREAT|O_EXCL|O_NOFOLLOW``, so an existing backup, or a
    (dangling) symlink with a backup's name, makes us take the next name instead.
    """
    first = backup_path(path)
    src = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    try:
        st = os.fstat(src)
        if not stat.S_ISREG(st.st_mode):
            raise UnsafePathError(f"{path}: not a regular file, not backed up")
        for bak in _backup_names(path):
            try:
                dst = os.open(bak, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
            except FileExistsError:
                continue
            try:
                while chunk := os.read(src, 1 << 20):
                    os.write(dst, chunk)
                os.fchmod(dst, stat.S_IMODE(st.st_mode))
                with contextlib.suppress(PermissionError):
                    os.fchown(dst, st.st_uid, st.st_gid)
                os.fsync(dst)
            finally:
                os.close(dst)
            return bak
        raise UnsafePathError(f"{path}: {MAX_BACKUPS} backups exist already ({first}.N); remove old ones")
    finally:
        os.close(src)


def _refuse_special(path: Path, st: os.stat_result, *, linked: bool) -> None:
    """UnsafePathError unless ``st`` (an lstat of ``path``) is a regular file."""
    if stat.S_ISLNK(st.st_mode) and not linked:
        raise UnsafePathError(f"{path} is a symbolic link: the wizard does not write through it; remove it")
    if stat.S_ISDIR(st.st_mode):
        raise UnsafePathError(f"{path} is a directory: give a file name")
    if not stat.S_ISREG(st.st_mode) and not stat.S_ISLNK(st.st_mode):
        raise UnsafePathError(f"{path} is not a regular file ({_kind(st.st_mode)}): not replacing it")


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISLNK, "a symbolic link"),
    ):
        if test(mode):
            return name
    return "a special file"


def atomic_write(
    path: Path | str,
    data: str | bytes,
    *,
    mode: int | None = None,
    backup: bool = False,
) -> Path | None:
    """Replace the regular file ``path`` with ``data`` atomically; return the backup path if one was made.

    ``mode`` defaults to the existing file's mode, else 0o644. With ``backup=True`` the current
    content is first copied to a fresh backup name (:func:`make_backup`). A symlink, a device, a
    FIFO or a directory at ``path`` raises :class:`UnsafePathError` and nothing is written.
    """
    path = Path(path)
    raw = data.encode() if isinstance(data, str) else data
    made_backup: Path | None = None
    existing_mode: int | None = None
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    if st is not None:
        _refuse_special(path, st, linked=False)
        existing_mode = stat.S_IMODE(st.st_mode)
        if backup:
            made_backup = make_backup(path)
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


def write_output(path: Path | str, data: str | bytes, *, mode: int | None = None) -> str:
    """Write ``data`` where the operator asked (``-o FILE``); return where it went, for the message.

    - ``-``: standard output.
    - a character device or a FIFO (``/dev/null``, ``/dev/stdout``, ``<(cat)``): opened and
      written, never replaced; a FIFO nobody reads is refused instead of waited on;
    - a block device, a socket or a directory: refused;
    - a symlink: written through to its target only when :func:`_safe_link_target` allows it;
    - anything else: :func:`atomic_write`.

    Every refusal and every OS error is one line (:class:`UnsafePathError`, exit 2).
    """
    raw = data.encode() if isinstance(data, str) else data
    if str(path) == "-":
        sys.stdout.buffer.write(raw)
        sys.stdout.flush()
        return "standard output"
    path = Path(path)
    st = _stat_or_none(path, follow=False, fail=lambda why: UnsafePathError(f"{path}: {why}"))
    target = path
    if st is not None and stat.S_ISLNK(st.st_mode):
        target = _safe_link_target(path, st)
        st = _stat_or_none(target, follow=True, fail=lambda why: UnsafePathError(f"{path}: {why}"))
    if st is not None and (stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode)):
        _write_stream(target, raw)
        return str(path)
    if st is not None:
        _refuse_special(target, st, linked=False)
    try:
        atomic_write(target, raw, mode=mode)
    except OSError as exc:
        raise UnsafePathError(f"cannot write {path}: {exc.strerror or exc}") from None
    return str(path) if target == path else f"{path} (→ {target})"


def _stat_or_none(path: Path, *, follow: bool, fail: Callable[[str], UserError]) -> os.stat_result | None:
    """``stat``/``lstat`` of ``path``; None when it does not exist; any other OS error is ``fail(strerror)``."""
    try:
        return os.stat(path) if follow else os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise fail(exc.strerror or str(exc)) from None


def _write_stream(path: Path, raw: bytes) -> None:
    """Open a character device or FIFO and write to it; never create, rename or wait for a reader."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise UnsafePathError(f"{path} is a FIFO nobody reads: not waiting for a reader") from None
        raise UnsafePathError(f"cannot write {path}: {exc.strerror}") from None
    try:
        st = os.fstat(fd)
        if not (stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode)):  # swapped since the lstat
            raise UnsafePathError(f"{path} changed while being opened: not writing")
        os.set_blocking(fd, True)
        view = memoryview(raw)
        while view:
            view = view[os.write(fd, view) :]
    except OSError as exc:
        raise UnsafePathError(f"cannot write {path}: {exc.strerror}") from None
    finally:
        os.close(fd)


def _safe_link_target(path: Path, st: os.stat_result) -> Path:
    """Where the symlink ``path`` leads, if root may write there; else UnsafePathError.

    Written through only when nobody else could have planted or redirected it: the link (and
    every link on the way) is owned by root or by us, and the final target, when it exists,
    is a character device, a FIFO, or a regular file owned by root or by us whose directory
    others cannot write to (or is sticky, like /tmp, where only its owner can replace it).
    ``/dev/stdout`` (root's link to ``/proc/self/fd/1``) passes; ``/tmp/x → /etc/shadow``
    planted by a user does not.
    """
    me = os.geteuid()
    trusted = {0, me}
    if st.st_uid not in trusted:
        raise UnsafePathError(f"{path} is a symbolic link owned by uid {st.st_uid}: not writing through it")
    try:
        target = Path(os.path.realpath(path, strict=False))
        tst: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        tst = None
    except OSError as exc:
        raise UnsafePathError(f"{path}: {exc.strerror}") from None
    # every link on the way must be trusted too
    hop, seen = path, 0
    while hop.is_symlink() and seen < 40:
        if os.lstat(hop).st_uid not in trusted:
            raise UnsafePathError(f"{path} leads through {hop}, a link owned by another user: not writing")
        hop = hop.parent / os.readlink(hop)
        seen += 1
    if tst is not None and (stat.S_ISCHR(tst.st_mode) or stat.S_ISFIFO(tst.st_mode)):
        return target
    if tst is not None and stat.S_ISDIR(tst.st_mode):
        raise UnsafePathError(f"{path} leads to a directory ({target}): give a file name")
    if tst is not None and not stat.S_ISREG(tst.st_mode):
        raise UnsafePathError(f"{path} leads to {_kind(tst.st_mode)} ({target}): not writing to it")
    if tst is not None and tst.st_uid not in trusted:
        raise UnsafePathError(f"{path} leads to {target}, owned by uid {tst.st_uid}: not writing through it")
    try:
        dst = os.stat(target.parent)
    except OSError as exc:
        raise UnsafePathError(f"{path} leads to {target}: {exc.strerror}") from None
    if dst.st_mode & 0o002 and not dst.st_mode & stat.S_ISVTX:
        raise UnsafePathError(f"{path} leads into {target.parent}, which anyone can write to: not writing")
    return target


def ensure_private_dir(path: Path | str, what: str) -> Path:
    """Make ``path`` (the state or log directory) 0700 if missing, or check an existing one is safe.

    Created 0700 whatever the umask (missing parents 0755). An existing directory must be a
    directory, owned by root or by us, and not writable by others: a world-writable or
    foreign-owned one would let another user plant symlinks or read what root writes, so it is
    refused (UnsafePathError, exit 2) with the command that fixes it. Not being able to create
    it at all (read-only, full, a file in the way) is :class:`StateWriteError` (exit 3).
    """
    path = Path(path)
    st = _stat_or_none(
        path, follow=True, fail=lambda why: StateWriteError(f"{path}: cannot use it as the {what}: {why}")
    )
    if st is None:
        try:
            _makedirs(path.parent)
            os.mkdir(path, 0o700)
            _chmod_dir(path, 0o700)
        except FileExistsError:
            return ensure_private_dir(path, what)  # made meanwhile (another run): check it
        except OSError as exc:
            raise StateWriteError(f"{path}: cannot create the {what}: {exc.strerror}") from None
        return path
    if not stat.S_ISDIR(st.st_mode):
        kind = "a file" if stat.S_ISREG(st.st_mode) else _kind(st.st_mode)
        raise StateWriteError(
            f"{path}: the {what} is {kind}, not a directory; move it away or choose another directory"
        )
    me = os.geteuid()
    if st.st_uid not in (0, me):
        raise UnsafePathError(
            f"{path}: the {what} is owned by uid {st.st_uid}, not by {'root' if me == 0 else f'uid {me}'}; "
            f"fix it with: chown {me} {path} && chmod 700 {path}"
        )
    if st.st_mode & 0o002 or (st.st_mode & 0o020 and st.st_gid not in (0, os.getegid())):
        who = "anyone" if st.st_mode & 0o002 else f"group {st.st_gid}"
        raise UnsafePathError(
            f"{path}: the {what} is writable by {who} (mode {stat.S_IMODE(st.st_mode):04o}); "
            f"fix it with: chmod 700 {path}"
        )
    return path


def _makedirs(path: Path) -> None:
    """``mkdir -p`` with 0755 whatever the umask (parents of the state and log directories)."""
    if path.is_dir():
        return
    _makedirs(path.parent)
    try:
        os.mkdir(path, 0o755)
    except FileExistsError:
        return
    _chmod_dir(path, 0o755)


def _chmod_dir(path: Path, mode: int) -> None:
    """chmod the directory just made, through an fd opened without following a symlink."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        os.fchmod(fd, mode)
    finally:
        os.close(fd)


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
