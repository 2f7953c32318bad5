"""ASCII for a terminal that does not take UTF-8: the one decision and the one translation table.

The core's text (step titles, hints, checks, summaries, the plan) keeps its typography (``…``,
``—``, ``→``), and so do the journal and the logs. What reaches a terminal that is not told to
expect UTF-8 (``LANG=C``, ``LC_ALL=POSIX``, a latin-1 locale) or whose fonts lack the glyphs (the
Linux console, for the TUI) is translated here, at each front end's boundary:

- line output (the CLI commands, ``--plain``, the outcome printed after the TUI):
  :func:`ascii_stdio` puts :class:`AsciiStream` over ``sys.stdout``/``sys.stderr``;
- prompts (``input()``, questionary): :func:`for_terminal` on the text before it is laid out;
- the TUI: a line filter over everything drawn (``wizard.ui.tui.ascii_filter``), with this table.

Python itself prints UTF-8 under ``LANG=C`` (its UTF-8 mode), so the encoding of ``sys.stdout``
alone cannot tell: the locale decides, as the C library and the terminal see it.
"""

from __future__ import annotations

import contextlib
import os
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TextIO

#: Each character the wizard's text uses that is not ASCII, and what an ASCII terminal shows instead.
TABLE: dict[str, str] = {
    "…": "...",
    "—": "-",
    "–": "-",
    "−": "-",
    "→": "->",
    "←": "<-",
    "⇒": "=>",
    "‘": "'",
    "’": "'",
    "‚": ",",
    "“": '"',
    "”": '"',
    "„": '"',
    "«": "<<",
    "»": ">>",
    "≤": "<=",
    "≥": ">=",
    "≠": "!=",
    "×": "x",
    "·": "-",
    "•": "*",
    "✓": "+",
    "✔": "+",
    "✗": "x",
    "✘": "x",
    "⚠": "!",
    "°": " deg",
    "█": "#",
    "▌": "[",
    "▐": "]",
    "░": "-",
    "▒": "-",
    "▓": "#",
    "▼": "v",
    "▲": "^",
    "▶": ">",
    "◀": "<",
    "●": "*",
    "○": "o",
    **dict.fromkeys("▁▂▃▄▅▆▇▔▏▎▍▊▉▕", " "),  # Textual's scrollbar thumbs (drawn by their colour)
    "─": "-",
    "━": "-",
    "│": "|",
    "┃": "|",
    "\u00a0": " ",  # no-break space
    "\u2009": " ",  # thin space
    "\u202f": " ",  # narrow no-break space
    "\u200b": "",  # zero-width space
    "\ufeff": "",
}
_TRANSLATE = str.maketrans(TABLE)


def _fallback(char: str) -> str:
    """A character the table does not name: its base letter (``é`` → ``e``), else ``?``."""
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if c.isascii())
    if base:
        return base
    if unicodedata.category(char) in ("Mn", "Cf"):
        return ""
    return "?"


def to_ascii(text: str) -> str:
    """``text`` with every character an ASCII terminal shows as mojibake replaced (the table first)."""
    if text.isascii():
        return text
    text = text.translate(_TRANSLATE)
    if text.isascii():
        return text
    return "".join(c if c.isascii() else _fallback(c) for c in text)


def _narrow(char: str) -> str:
    """One cell for one cell: the table's first character (``…`` → ``.``, ``→`` → ``-``... ``>``)."""
    wide = to_ascii(char)
    if char == "→":
        return ">"
    if char == "←":
        return "<"
    return wide[:1] or " "


def to_ascii_cells(text: str, room: int = 0) -> tuple[str, int]:
    """``text`` in ASCII for a layout that is already made: each character keeps its cells unless
    ``room`` spare cells (blank ones at the end of the line) allow the table's longer form.

    Returns the text and the spare cells it used up.
    """
    if text.isascii():
        return text, 0
    out: list[str] = []
    used = 0
    for char in text:
        if char.isascii():
            out.append(char)
            continue
        cells = 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
        if unicodedata.combining(char) or unicodedata.category(char) == "Cf":
            cells = 0
        full = to_ascii(char)
        if len(full) - cells <= room - used:
            used += len(full) - cells
            out.append(full)
        else:
            out.append((_narrow(char) * cells)[:cells] if cells else "")
    return "".join(out), used


# --- the decision ----------------------------------------------------------------------------


def terminal_locale(env: Mapping[str, str]) -> str:
    """The character-set locale as the C library picks it (LC_ALL, then LC_CTYPE, then LANG); "" when unset."""
    for var in ("LC_ALL", "LC_CTYPE", "LANG"):
        if env.get(var):
            return env[var]
    return ""


def _is_utf(name: str) -> bool:
    return any(tag in name.lower().replace("-", "").replace("_", "") for tag in ("utf8", "utf16", "utf32"))


def ascii_reason(env: Mapping[str, str] | None = None, encoding: str | None = None) -> str:
    """Why text for this terminal must be ASCII ("" when it takes UTF-8): the locale (``LANG=C``,
    ``LC_ALL=POSIX``, latin-1) or the output stream's ``encoding`` (``PYTHONIOENCODING=ascii``).

    An unset locale keeps UTF-8: a bare ``ssh`` or ``env -i`` is most often a UTF-8 terminal.
    ``TERM`` says nothing about the character set (an Emacs shell is ``dumb`` and UTF-8); the TUI
    draws in ASCII on the Linux console for its fonts' sake (``terminal.detect_profile``).
    """
    env = os.environ if env is None else env
    if encoding and not _is_utf(encoding) and env.get("PYTHONIOENCODING"):
        return f"PYTHONIOENCODING={env['PYTHONIOENCODING']}"
    locale = terminal_locale(env)
    if locale and not _is_utf(locale):
        return f"locale {locale} (not UTF-8)"
    if encoding and not _is_utf(encoding):
        return f"output encoding {encoding}"
    return ""


class AsciiStream:
    """A text stream over another that writes :func:`to_ascii` of everything (and never raises
    UnicodeEncodeError). Everything else (``fileno``, ``isatty``, ``buffer``...) is the stream's own."""

    encoding = "ascii"
    errors = "replace"

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    @property
    def wrapped(self) -> TextIO:
        return self._stream

    def write(self, text: str) -> int:
        self._stream.write(to_ascii(text))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def ascii_output(stream: Any = None, env: Mapping[str, str] | None = None) -> bool:
    """Whether what goes to ``stream`` (standard output by default) must be ASCII."""
    stream = sys.stdout if stream is None else stream
    if isinstance(stream, AsciiStream):
        return True
    return bool(ascii_reason(env, getattr(stream, "encoding", None)))


def for_terminal(text: str, stream: Any = None) -> str:
    """``text`` as it may be laid out for ``stream`` (standard output): ASCII when the terminal needs it."""
    return to_ascii(text) if ascii_output(stream) else text


@contextlib.contextmanager
def ascii_stdio(env: Mapping[str, str] | None = None) -> Iterator[None]:
    """While inside: ``sys.stdout`` and ``sys.stderr`` write ASCII when their terminal needs it."""
    saved = sys.stdout, sys.stderr
    if sys.stdout is not None and not isinstance(sys.stdout, AsciiStream) and ascii_output(sys.stdout, env):
        sys.stdout = AsciiStream(sys.stdout)  # type: ignore[assignment]
    if sys.stderr is not None and not isinstance(sys.stderr, AsciiStream) and ascii_output(sys.stderr, env):
        sys.stderr = AsciiStream(sys.stderr)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
