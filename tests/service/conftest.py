"""Fixtures for the install service tests: real runner daemons over plans of harmless real steps."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.guide import GUIDE_HOST_FILE
from tests.support.steps import write_steps
from wizard.service.options import InstallOptions
from wizard.service.procs import read_pid_file

REPO = Path(__file__).resolve().parents[2]
SLOW = 6  # seconds the slow step lasts: long enough to hit it mid-step on a loaded machine

#: A step that lasts SLOW seconds and leaves a marker at its very end, then another.
SLOW_STEPS = """\
- id: slow
  title: A slow step
  commands:
    - [sh, -c, "echo started; i=0; while [ $i -lt {n} ]; do sleep 0.5; i=$((i+1)); echo tick $i; done; {end}"]
- id: after
  title: The step after it
  commands: [[sh, -c, "echo after >> {tmp}/after.count"]]
"""

#: A quick step, then one that fails until ``fixed`` exists.
FLAKY_STEPS = """\
- id: first
  title: Create the marker
  commands: [[sh, -c, "echo made >> {tmp}/first.count"]]
- id: flaky
  title: Fail until fixed
  commands: [[sh, -c, "echo trying; test -e {tmp}/fixed || {{ echo it broke; exit 3; }}"]]
"""


class Install:
    """One temporary install: its directories, its steps file, and ways to look at it from outside."""

    def __init__(self, tmp: Path, steps: str) -> None:
        self.tmp = tmp
        self.state = tmp / "state"
        self.log = tmp / "log"
        self.steps = write_steps(tmp / "steps.yaml", steps.format(tmp=tmp, n=SLOW * 2, end=f"touch {tmp}/marker"))
        self.global_args = [
            "--state-dir", str(self.state), "--log-dir", str(self.log), "--host-facts", str(GUIDE_HOST_FILE),
        ]  # fmt: skip

    @property
    def options(self) -> InstallOptions:
        return InstallOptions(
            state_dir=self.state, log_dir=self.log, host_facts=str(GUIDE_HOST_FILE), steps_file=str(self.steps)
        )

    def argv(self, *args: str, steps: bool = True) -> list[str]:
        extra = ["--steps-file", str(self.steps)] if steps else []
        return [sys.executable, "-m", "wizard", *self.global_args, *args, *extra]

    def journal(self) -> dict:
        try:
            return json.loads((self.state / "journal.json").read_text())
        except (OSError, ValueError):
            return {}

    def step(self, step_id: str) -> dict:
        return (self.journal().get("steps") or {}).get(step_id) or {}

    def runner_pid(self) -> int | None:
        found = read_pid_file(self.state)
        return found.pid if found is not None and found.alive() else None

    def wait(self, what: Callable[[], object], timeout: float = 60.0, message: str = "") -> object:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            got = what()
            if got:
                return got
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {message or what}; journal: {self.journal()}")

    def wait_running(self, step_id: str) -> int:
        """Until ``step_id`` runs and has printed; the PGID of its command."""
        self.wait(lambda: self.step(step_id).get("status") == "running" and self.step(step_id).get("pgid"))
        log = Path(self.step(step_id)["log_path"])
        self.wait(lambda: "started" in log.read_text() or "trying" in log.read_text(), message=f"{log} to start")
        return int(self.step(step_id)["pgid"])

    def wait_ended(self, timeout: float = 60.0) -> str:
        """Until the journal says the install ended and no runner holds the lock; its status."""
        self.wait(
            lambda: self.journal().get("status") in ("done", "failed", "aborted", "interrupted")
            and self.runner_pid() is None,
            timeout,
            "the install to end",
        )
        return str(self.journal()["status"])

    def start(self) -> str:
        """Start the install in the detached runner, as a front end does; the run id."""
        from wizard.service.service import InstallService

        service = InstallService.open(self.options)
        return service.start(service.plan())


def group_alive(pgid: int) -> bool:
    """Any process of group ``pgid`` still runs (zombies do not count)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if fields[2] == str(pgid) and fields[0] != "Z":
                return True
    return False


@pytest.fixture
def slow_install(tmp_path: Path) -> Install:
    return Install(tmp_path, SLOW_STEPS)


@pytest.fixture
def flaky_install(tmp_path: Path) -> Install:
    return Install(tmp_path, FLAKY_STEPS)


@pytest.fixture
def spawn():
    """Start processes in their own session (signals reach only them); all are killed at teardown."""
    procs: list[subprocess.Popen] = []

    def start(argv: list[str], **kw) -> subprocess.Popen:
        kw.setdefault("stdin", subprocess.DEVNULL)
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("stderr", subprocess.STDOUT)
        proc = subprocess.Popen(argv, cwd=REPO, start_new_session=True, text=True, **kw)
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
