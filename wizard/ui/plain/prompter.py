"""Four kinds of question (text, choice, yes/no, pause), asked with questionary or with input().

questionary (prompt_toolkit) works on a serial console under ``TERM=linux`` or ``vt100``: it
only redraws the prompt line while the operator types. Where it cannot work at all (``TERM=dumb``
or unset, Emacs shells, stdin not a terminal, e.g. answers piped in) the same questions are asked
with plain ``input()``: choices become a numbered list, and an invalid answer prints the message
and asks again. Both ask the same way so the rest of the front end does not care which one runs.

Ctrl+C raises KeyboardInterrupt in both (questionary's ``unsafe_ask``), which the CLI turns into
exit code 130; end of input raises it too, so a closed pipe cannot loop forever.
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from wizard.ui.charset import for_terminal

#: A validator returns None when the answer is fine, else the message to show.
Check = Callable[[str], str | None]


@dataclass(frozen=True)
class Option:
    """One entry of a choice list: the value returned and the line shown."""

    value: str
    label: str


class Prompter(Protocol):
    def text(self, message: str, default: str = "", check: Check | None = None) -> str: ...

    def select(self, message: str, options: Sequence[Option], default: str | None = None) -> str: ...

    def confirm(self, message: str, default: bool = True) -> bool: ...

    def say(self, text: str = "") -> None: ...


def questionary_usable(env: dict[str, str] | None = None, stdin=None, stdout=None) -> bool:
    """Whether prompt_toolkit can drive this terminal (a real tty with a known TERM)."""
    env = os.environ if env is None else env
    stdin = sys.stdin if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout
    term = env.get("TERM", "")
    if term in ("", "dumb", "unknown") or env.get("INSIDE_EMACS"):
        return False
    try:
        return stdin.isatty() and stdout.isatty()
    except (AttributeError, ValueError):
        return False


def discard_typeahead(stdin=None) -> None:
    """Throw away keys typed before a decision prompt appears.

    Why: during a long step the operator may press Enter or type (to wake the screen, or by
    habit); those keys sit in the terminal's input queue and would answer the next prompt
    unseen, e.g. choose Retry twice. Called right before every Retry/Skip/Abort and "Start now?"
    question. Only a terminal has such a queue; piped answers are meant to be read.
    """
    stdin = sys.stdin if stdin is None else stdin
    try:
        if not stdin.isatty():
            return
        import termios

        termios.tcflush(stdin.fileno(), termios.TCIFLUSH)
    except (AttributeError, ValueError, OSError):
        return


def wrap_message(text: str, indent: str = "  ! ", width: int | None = None) -> str:
    """A validation message wrapped to the terminal (80 columns at most), never cut."""
    import shutil

    width = width or min(80, shutil.get_terminal_size((80, 24)).columns)
    lines = textwrap.wrap(
        " ".join(text.split()),
        max(width - 1, 20),
        initial_indent=indent,
        subsequent_indent=" " * len(indent),
        break_long_words=False,
        break_on_hyphens=False,
    )
    return "\n".join(lines) or indent.rstrip()


def make_prompter(force_lines: bool = False) -> Prompter:
    """questionary when the terminal can take it, else line prompts (``AIO_WIZARD_LINE_PROMPTS=1`` forces them)."""
    if force_lines or os.environ.get("AIO_WIZARD_LINE_PROMPTS") == "1" or not questionary_usable():
        return LinePrompter()
    return QuestionaryPrompter()


class LinePrompter:
    """``input()`` prompts: work on any terminal and with piped input."""

    def __init__(self, read: Callable[[str], str] = input, write: Callable[[str], None] | None = None) -> None:
        self._read = read
        self._write = write or (lambda s: print(s, flush=True))

    def _input(self, prompt: str) -> str:
        try:
            return self._read(for_terminal(prompt))  # input() writes it past sys.stdout on a tty
        except EOFError:
            raise KeyboardInterrupt from None

    def say(self, text: str = "") -> None:
        self._write(text)

    def text(self, message: str, default: str = "", check: Check | None = None) -> str:
        shown = f" [{default}]" if default else ""
        while True:
            raw = self._input(f"{message}{shown}: ").strip()
            value = raw or default
            problem = check(value) if check else None
            if problem is None:
                return value
            self._write(wrap_message(problem))

    def select(self, message: str, options: Sequence[Option], default: str | None = None) -> str:
        self._write(message)
        default_no: int | None = None  # no default detected: Enter must not pick the first option unseen
        for no, option in enumerate(options, 1):
            mark = "*" if option.value == default else " "
            if option.value == default:
                default_no = no
            self._write(f" {mark}{no:>2}) {option.label}")
        values = [o.value for o in options]
        while True:
            shown = f" [{default_no}]" if default_no else ""
            raw = self._input(f"Number or name{shown}: ").strip()
            if not raw and default_no:
                return options[default_no - 1].value
            if raw.isdigit() and 1 <= int(raw) <= len(options):
                return options[int(raw) - 1].value
            if raw in values:
                return raw
            self._write(f"  ! choose 1 to {len(options)}" + ("" if raw or default_no else " (there is no default)"))

    def confirm(self, message: str, default: bool = True) -> bool:
        hint = "Y/n" if default else "y/N"
        while True:
            raw = self._input(f"{message} ({hint}): ").strip().lower()
            if not raw:
                return default
            if raw in ("y", "yes"):
                return True
            if raw in ("n", "no"):
                return False
            self._write("  ! answer y or n")


class QuestionaryPrompter:
    """questionary prompts in a plain style: no colour, ASCII pointer, redraws only on key presses."""

    def __init__(self) -> None:
        # No cursor-position requests: a serial console or IPMI SOL terminal that does not answer
        # them costs a 1 s wait per prompt and leaves "^[[12;1R" in the input. Nothing here needs them.
        os.environ.setdefault("PROMPT_TOOLKIT_NO_CPR", "1")
        import questionary
        from prompt_toolkit.styles import Style

        self._q = questionary
        # "noinherit" everywhere: no colours or reverse video even where NO_COLOR is unset
        self._style = Style([("qmark", ""), ("question", "bold"), ("answer", ""), ("pointer", ""), ("highlighted", "")])

    def say(self, text: str = "") -> None:
        print(text, flush=True)

    def text(self, message: str, default: str = "", check: Check | None = None) -> str:
        # Checked after Enter and printed as wrapped lines, not in prompt_toolkit's one-line error
        # toolbar, which cuts a message at the terminal's width ("...(e.g. 10.1"). The value typed
        # comes back as the next default, so a typo is fixed, not typed again.
        while True:
            answer = self._q.text(for_terminal(message), default=default, style=self._style).unsafe_ask().strip()
            problem = check(answer) if check else None
            if problem is None:
                return answer
            print(wrap_message(problem), flush=True)
            default = answer

    def select(self, message: str, options: Sequence[Option], default: str | None = None) -> str:
        choices = [self._q.Choice(title=for_terminal(o.label), value=o.value) for o in options]
        chosen = next((c for c in choices if c.value == default), None)
        return self._q.select(
            for_terminal(message),
            choices=choices,
            default=chosen,
            pointer=">",
            style=self._style,
            instruction="(arrows, Enter)",
        ).unsafe_ask()

    def confirm(self, message: str, default: bool = True) -> bool:
        return bool(self._q.confirm(for_terminal(message), default=default, style=self._style).unsafe_ask())
