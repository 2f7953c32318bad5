"""Teardown for tests that start the detached runner: every runner under a test's directory is stopped."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

from wizard.service.procs import read_pid_file


def stop_runners_under(root: Path, grace: float = 5.0) -> list[int]:
    """SIGTERM each live runner whose pid file is under ``root`` (it stops its step's group), SIGKILL after ``grace``.

    Returns the PIDs that were still running: a test that expects its runner to have ended can assert on it.
    """
    found = []
    for pid_file in root.rglob("runner.pid"):
        identity = read_pid_file(pid_file.parent)
        if identity is not None and identity.alive():
            found.append(identity)
            identity.terminate()
    deadline = time.monotonic() + grace
    for identity in found:
        while identity.alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        if identity.alive():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(identity.pid, signal.SIGKILL)
    return [i.pid for i in found]
