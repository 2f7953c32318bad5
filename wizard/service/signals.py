"""The one signal policy: what each kind of process does with SIGHUP, SIGTERM and SIGINT.

=================  =========================  ============================  ===========================
process            SIGHUP (terminal gone)     SIGTERM                       SIGINT (Ctrl+C)
=================  =========================  ============================  ===========================
runner daemon      ignored (has no terminal)  stop: step's group TERM/KILL  stop, as SIGTERM
front end (TUI,    detach: the install goes   detach                        ask "detach, or stop the
plain, --follow)   on, the front end exits                                  install?" (TUI: its key)
run (foreground)   stop the step cleanly:     stop, as SIGHUP               stop, as SIGHUP
                   journal "interrupted",
                   exit 130, resumable
=================  =========================  ============================  ===========================

Why the foreground ``run`` stops rather than hands over: automation that runs it wants the
install to end with the process it waits for, and a process whose terminal is gone cannot print
the resume command anyway. It stops the step's process group (nothing is orphaned), records
"interrupted", and the same command resumes. Its stdout and stderr are pointed at /dev/null first,
so writing to the vanished terminal cannot kill it half-way.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable, Iterator

Handler = Callable[[int], None]


def silence_terminal() -> None:
    """Point stdout and stderr at /dev/null: the terminal is gone (SIGHUP), writes would fail with EIO."""
    with contextlib.suppress(OSError):
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)


@contextlib.contextmanager
def handling(handlers: dict[int, Handler | None]) -> Iterator[None]:
    """Install ``handlers`` (None: ignore the signal) for the block; restore the previous ones after.

    Main thread only (Python delivers signals there).
    """
    previous = {}
    for sig, handler in handlers.items():

        def call(signum: int, frame: object, handler: Handler | None = handler) -> None:
            if handler is not None:
                handler(signum)

        previous[sig] = signal.signal(sig, call if handler is not None else signal.SIG_IGN)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def daemon_policy(stop: Callable[[], None]) -> dict[int, Handler | None]:
    """The runner daemon: SIGTERM and SIGINT stop the install; SIGHUP is ignored."""
    return {signal.SIGTERM: lambda s: stop(), signal.SIGINT: lambda s: stop(), signal.SIGHUP: None}


def foreground_policy(stop: Callable[[], None]) -> dict[int, Handler | None]:
    """``run`` in the foreground: any of the three stops the step cleanly (see the module docstring)."""

    def on_signal(signum: int) -> None:
        if signum == signal.SIGHUP:
            silence_terminal()
        stop()

    return {signal.SIGTERM: on_signal, signal.SIGINT: on_signal, signal.SIGHUP: on_signal}


def front_end_policy(detach: Callable[[], None], *, asks_on_interrupt: bool = False) -> dict[int, Handler | None]:
    """An attached front end: SIGHUP and SIGTERM detach.

    SIGINT detaches too (``status --follow``), unless ``asks_on_interrupt``: then it stays Python's
    KeyboardInterrupt, which the front end catches to ask "detach, or stop the install?" (``--plain``;
    the TUI reads Ctrl+C as a key and asks on its own screen).
    """

    def hangup(signum: int) -> None:
        if signum == signal.SIGHUP:
            silence_terminal()
        detach()

    policy: dict[int, Handler | None] = {signal.SIGHUP: hangup, signal.SIGTERM: hangup}
    if not asks_on_interrupt:
        policy[signal.SIGINT] = hangup
    return policy
