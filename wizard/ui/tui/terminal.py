"""What kind of terminal the TUI is about to take over, decided before textual is imported.

Three situations change how (or whether) the full-screen UI starts:

- stdin or stdout is not a terminal: Textual would spin a CPU and draw into a pipe, so we refuse
  and point to the line-based front ends instead (exit 2).
- the Linux console or a serial line: its fonts lack the box-drawing and block glyphs of the
  default theme and a serial line is slow, so the app switches to a "console" profile (ASCII
  borders, 16 colours, no animations, a lower frame rate).
- SSH without tmux/screen: a dropped connection sends SIGHUP and stops the install, so we warn
  and say how to resume.

Everything here is a pure function of the environment and file descriptors so it is testable
without a terminal.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from wizard.errors import UserError
from wizard.ui.charset import ascii_reason

NO_TTY_MESSAGE = (
    "the full-screen wizard needs a terminal (stdin and stdout must be a tty); "
    "use `aio-wizard --plain` for line prompts, or `aio-wizard run --answers FILE --non-interactive`"
)

SSH_WARNING = (
    "You are connected over SSH without tmux or screen. The install runs on its own, detached from "
    "this terminal: if the connection drops, it goes on (a step that fails waits for your decision). "
    "Log in again and start aio-wizard to see it live; `aio-wizard status` prints where it is. "
    "Only the questions typed so far are lost: `tmux` (or `screen`) keeps this screen too."
)


@dataclass(frozen=True)
class TerminalProfile:
    """How to draw: ``console`` = ASCII borders, ansi theme, no animation, capped frame rate."""

    console: bool
    reason: str = ""


def require_tty(stdin_fd: int = 0, stdout_fd: int = 1) -> None:
    """Raise :class:`UserError` (exit 2) unless both ends are terminals."""
    if not (_isatty(stdin_fd) and _isatty(stdout_fd)):
        raise UserError(NO_TTY_MESSAGE)


def detect_profile(env: Mapping[str, str] | None = None, tty_name: str | None = None) -> TerminalProfile:
    """The console profile on ``TERM=linux``/``vt*``/``dumb``, a locale that is not UTF-8 (``LANG=C``) or a
    serial line (``/dev/ttyS*``, ``ttyAMA*``...)."""
    env = os.environ if env is None else env
    forced = env.get("AIO_WIZARD_PROFILE", "")
    if forced in ("console", "full"):
        return TerminalProfile(console=forced == "console", reason="AIO_WIZARD_PROFILE")
    term = env.get("TERM", "")
    if term == "linux" or term.startswith("vt") or term == "dumb":  # fonts without box and block glyphs
        return TerminalProfile(console=True, reason=f"TERM={term}")
    # LANG=C / POSIX / latin1: the terminal is not told to expect UTF-8, so box glyphs, "…" and "—"
    # come out as mojibake: the console profile draws in ASCII, the core's text included
    # (wizard.ui.charset decides for every front end)
    reason = ascii_reason(env)
    if reason:
        return TerminalProfile(console=True, reason=reason)
    if tty_name is None:
        tty_name = _tty_name()
    if tty_name and any(tty_name.startswith(p) for p in ("/dev/ttyS", "/dev/ttyAMA", "/dev/ttyUSB", "/dev/hvc")):
        return TerminalProfile(console=True, reason=f"serial line {tty_name}")
    return TerminalProfile(console=False)


def ssh_warning(env: Mapping[str, str] | None = None) -> str | None:
    """The warning to show over SSH when neither tmux nor screen holds the session."""
    env = os.environ if env is None else env
    over_ssh = bool(env.get("SSH_CONNECTION") or env.get("SSH_TTY"))
    multiplexed = bool(env.get("TMUX") or env.get("STY"))
    return SSH_WARNING if over_ssh and not multiplexed else None


def _isatty(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False


def _tty_name() -> str | None:
    for fd in (0, 1):
        try:
            return os.ttyname(fd)
        except OSError:
            continue
    return None
