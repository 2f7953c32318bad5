"""The runner daemon's identity: its pid file, and whether the process it names is still the same one.

A PID alone is not an identity: after a reboot or a long uptime another process may hold it. The
pid file therefore also records the boot id and the process's start time
(:mod:`wizard.pipeline.process`); the runner is "alive" only when all three still match, and
nothing is ever signalled otherwise.
"""

from __future__ import annotations

import json
import os
import signal
from dataclasses import asdict, dataclass
from pathlib import Path

from wizard.files import atomic_write
from wizard.pipeline.process import boot_id, start_time

PID_NAME = "runner.pid"


@dataclass(frozen=True)
class ProcessIdentity:
    """A process as it can be recognised again: PID, boot id and start time; ``unit`` when systemd runs it."""

    pid: int
    boot_id: str
    start_time: int
    unit: str = ""
    run_id: str = ""  # the run (RunInputs.run_id) this runner was started for

    @classmethod
    def current(cls, unit: str = "", run_id: str = "") -> ProcessIdentity:
        pid = os.getpid()
        return cls(pid, boot_id() or "", start_time(pid) or 0, unit, run_id)

    def alive(self) -> bool:
        """The process still runs and is the very one recorded (not a reused PID)."""
        return bool(self.boot_id) and self.boot_id == boot_id() and start_time(self.pid) == self.start_time

    def signal(self, sig: int) -> bool:
        """Send ``sig`` if the process is still the recorded one; True if sent."""
        if not self.alive():
            return False
        try:
            os.kill(self.pid, sig)
        except (ProcessLookupError, PermissionError):
            return False
        return True

    def terminate(self) -> bool:
        return self.signal(signal.SIGTERM)


def write_pid_file(state_dir: Path, identity: ProcessIdentity) -> Path:
    """Record the runner (atomically, 0600) so ``stop`` and the front ends can find it.

    The file is left in place when the runner ends: it then names a process that is not alive,
    which every reader checks, and the launcher can still tell that its runner did start.
    """
    path = state_dir / PID_NAME
    atomic_write(path, json.dumps(asdict(identity)) + "\n", mode=0o600)
    return path


def read_pid_file(state_dir: Path) -> ProcessIdentity | None:
    """The recorded runner, alive or not; None without a readable pid file."""
    try:
        data = json.loads((state_dir / PID_NAME).read_text())
        return ProcessIdentity(
            int(data["pid"]),
            str(data["boot_id"]),
            int(data["start_time"]),
            str(data.get("unit", "")),
            str(data.get("run_id", "")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def live_runner(state_dir: Path) -> ProcessIdentity | None:
    """The runner daemon of ``state_dir`` if it runs now, else None."""
    found = read_pid_file(state_dir)
    return found if found is not None and found.alive() else None
