"""Running a read-only command on the host, the one way every probe does it.

Probes never call ``subprocess`` themselves: they take a :data:`CommandRunner`, so a test can
hand in a double that returns the real program's recorded output (and records the argv it was
asked to run) when the real thing cannot run here (``kvm-ok`` on a box without KVM, systemd's
``timedatectl`` in a container). The real runner never raises for a missing program: a fresh
Debian box often lacks ``cpu-checker`` or ``python``, and "not installed" is a fact to report.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# Programs like kvm-ok live in /usr/sbin, which is not on a normal user's PATH (or sudo's on
# some boxes): look there too so "not installed" really means not installed.
_EXTRA_PATH = ("/usr/local/sbin", "/usr/sbin", "/sbin")

NOT_FOUND = 127
TIMED_OUT = 124


@dataclass(frozen=True)
class CommandResult:
    """What a command did: its argv, exit code (127 when not found) and stdout+stderr merged."""

    argv: tuple[str, ...]
    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def found(self) -> bool:
        return self.returncode != NOT_FOUND


CommandRunner = Callable[[Sequence[str]], CommandResult]


def _resolve(program: str) -> str | None:
    if os.sep in program:
        return program if os.access(program, os.X_OK) else None
    path = os.environ.get("PATH", os.defpath)
    extra = [p for p in _EXTRA_PATH if p not in path.split(os.pathsep)]
    return shutil.which(program, path=os.pathsep.join([path, *extra]))


def run_command(argv: Sequence[str], timeout: float = 10) -> CommandResult:
    """Run ``argv`` for real (stdin /dev/null, stderr merged into stdout, C locale).

    Returns exit code 127 with a message when the program is missing and 124 when it ran past
    ``timeout`` seconds; never raises for either.
    """
    args = tuple(str(a) for a in argv)
    if not args:
        raise ValueError("run_command needs a program to run")
    program = _resolve(args[0])
    if program is None:
        return CommandResult(args, NOT_FOUND, f"{args[0]}: command not found\n")
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    try:
        proc = subprocess.run(
            [program, *args[1:]],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.output.decode(errors="replace") if exc.output else ""
        return CommandResult(args, TIMED_OUT, out + f"{args[0]}: timed out after {timeout:g} s\n")
    except OSError as exc:  # not executable, exec format error...
        return CommandResult(args, NOT_FOUND, f"{args[0]}: {exc.strerror}\n")
    return CommandResult(args, proc.returncode, proc.stdout.decode(errors="replace"))
