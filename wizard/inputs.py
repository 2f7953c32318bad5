"""Reading the files an operator hands the wizard (answers, host facts, steps) without trusting them.

The wizard runs as root, and an answers file may come from someone else: reading one must end in
a value or in one line naming the file, never in a hang, a traceback or unbounded memory. What
Python and PyYAML do by default is not enough for that:

- ``open()`` of a FIFO blocks until a writer comes, and ``read()`` of ``/dev/zero`` never ends:
  :func:`read_regular_file` opens with ``O_NONBLOCK``, checks with ``fstat`` that it got a regular
  file, and reads at most ``limit + 1`` bytes;
- PyYAML's composer recurses once per nesting level, so ~3000 nested ``[`` (a few KB) end in
  RecursionError: :class:`ShallowLoader` stops at :data:`MAX_DEPTH` levels with the line;
- an integer of more than 4300 digits raises ValueError when YAML builds it and again whenever
  it is printed; a lone surrogate (``"\\ud800"``) is a valid Python string that no UTF-8 file,
  terminal or log can hold: :func:`value_problem` finds both in a constructed value, so they are
  refused where they are read instead of crashing whatever writes them later.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

#: Deeper than any answers, steps or facts file has reason to be (extra_globals allows 8 levels).
MAX_DEPTH = 64
#: The largest integer a value may hold: what Python can still print (its 4300-digit limit).
MAX_INT_DIGITS = 4300
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


class InputFileError(Exception):
    """Why a file cannot be read as an input: the message, without the file's name."""


def read_regular_file(path: str | Path, limit: int, what: str) -> bytes:
    """The bytes of the regular file at ``path`` (a symlink to one is fine), at most ``limit``.

    Raises :class:`InputFileError` with one line for anything else: missing, unreadable, a FIFO,
    a device, a directory, or bigger than ``limit`` (``what`` names the kind of file, e.g.
    "an answers file"). Never blocks: the open is non-blocking, and nothing but a regular file
    is read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise InputFileError("no such file") from None
    except PermissionError:
        raise InputFileError("permission denied") from None
    except OSError as exc:
        raise InputFileError(f"cannot read it ({exc.strerror or exc})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = next((name for test, name in _KINDS if test(st.st_mode)), "not a regular file")
            raise InputFileError(f"is {kind}, not {what}")
        chunks: list[bytes] = []
        got = 0
        while got <= limit:
            chunk = os.read(fd, limit + 1 - got)
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    except OSError as exc:
        raise InputFileError(f"cannot read it ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if got > limit:
        raise InputFileError(f"too large for {what} ({max(st.st_size, got)} bytes; at most {_size(limit)})")
    return b"".join(chunks)


def _size(n: int) -> str:
    return f"{n // 1024 // 1024} MiB" if n >= 1024 * 1024 else f"{n // 1024} KiB"


class ShallowLoader(yaml.SafeLoader):
    """The safe loader, refusing documents nested deeper than :data:`MAX_DEPTH` (its composer
    recurses per level: a few KB of ``[[[[`` would otherwise end in RecursionError)."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.MarkedYAMLError(problem=f"nested more than {MAX_DEPTH} levels deep", problem_mark=mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def value_problem(value: Any, depth: int = 0) -> str | None:
    """What in a constructed YAML/JSON value cannot be handled as text: a lone surrogate (in a
    string or a key), an integer too long to print, nesting deeper than :data:`MAX_DEPTH`; or None."""
    if depth > MAX_DEPTH:
        return f"nested more than {MAX_DEPTH} levels deep"
    if isinstance(value, str):
        found = _SURROGATE_RE.search(value)
        if found:
            return f"holds a lone surrogate U+{ord(found.group()):04X}, which is not text (no UTF-8 file can hold it)"
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > 14000:  # ~4200 digits: only numbers that big are tried (a hex one can be)
            try:
                str(value)
            except ValueError:
                return f"holds a number of more than {MAX_INT_DIGITS} digits"
        return None
    if isinstance(value, Mapping):
        items: Any = (x for kv in value.items() for x in kv)
    elif isinstance(value, list | tuple | set | frozenset):
        items = value
    else:
        return None
    for item in items:
        if (problem := value_problem(item, depth + 1)) is not None:
            return problem
    return None
