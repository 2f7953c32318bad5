"""From a block of a step's output to the lines a person sees: no control characters, no endless lines.

The runner hands listeners whole blocks of text (many lines joined by ``\\n``) and does not
split them: splitting a million lines into a million strings costs more than reading them from
the child (see ``benchmarks/bench_runner.py``), and no front end shows them all. A front end
turns just the lines it shows into display lines here: the TUI the last few thousand, the
console printer the ones it prints. Escape sequences and carriage returns are already gone
(the runner strips them, :func:`strip_escapes`, before redaction, so a secret cannot hide behind
a colour code); what is left for display is the rarer binary junk (NUL, BEL, backspace, a
stray ESC...) and lines too long to show.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable

DISPLAY_MAX = 4096  # a display line holds at most this many characters of one output line

ANSI_RE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*\x1b\\|[@-Z\\-_])")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
CR_RE = re.compile(r"[^\n]*\r(?=[^\n])")


def strip_escapes(text: str) -> str:
    """Remove terminal escape sequences and resolve carriage returns (keep what follows the last ``\r``).

    This is what the log file and the listeners get. Other control characters stay (the log
    keeps the output as it was); :func:`display_lines` removes them from what is shown.
    """
    if "\x1b" in text:
        text = ANSI_RE.sub("", text)
    if "\r" in text:
        text = CR_RE.sub("", text.replace("\r\n", "\n")).replace("\r", "")
    return text


def display_lines(text: str, last: int | None = None) -> list[str]:
    """The lines of ``text`` (or only its ``last`` lines) as they may be shown: clean and shortened."""
    if last is None:
        lines = text.split("\n")
        dirty = CONTROL_RE.search(text) is not None
    else:
        lines = text.rsplit("\n", last)[-last:] if last > 0 else []
        dirty = any(CONTROL_RE.search(line) for line in lines)
    if dirty:
        lines = [CONTROL_RE.sub("", line) for line in lines]
    if any(len(line) > DISPLAY_MAX for line in lines):
        lines = [shorten(line) for line in lines]
    return lines


def shorten(line: str) -> str:
    """A line cut to :data:`DISPLAY_MAX` characters, saying how much the log file has beyond it."""
    if len(line) <= DISPLAY_MAX:
        return line
    return f"{line[:DISPLAY_MAX]} … ({len(line) - DISPLAY_MAX} more characters in the log file)"


def line_count(text: str) -> int:
    """How many lines a block holds (``""`` is one empty line)."""
    return text.count("\n") + 1


class RecentBlocks:
    """The most recent blocks of output, bounded: old whole blocks are dropped once the newer ones
    still hold ``limit`` (measured by ``size``: characters by default), so no line is ever cut."""

    def __init__(self, limit: int, size: Callable[[str], int] = len) -> None:
        self.limit = limit
        self._size = size
        self._blocks: deque[str] = deque()
        self._sizes: deque[int] = deque()
        self._held = 0

    def add(self, text: str) -> int:
        """Keep ``text``; return its size."""
        n = self._size(text)
        self._blocks.append(text)
        self._sizes.append(n)
        self._held += n
        while self._held - self._sizes[0] >= self.limit:
            self._held -= self._sizes.popleft()
            self._blocks.popleft()
        return n

    def __bool__(self) -> bool:
        return bool(self._blocks)

    def lines(self, last: int) -> list[str]:
        """The last ``last`` lines held, ready to show."""
        return display_lines("\n".join(self._blocks), last=last) if self._blocks else []
