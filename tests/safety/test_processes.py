"""Items 2 and 10: the wizard signals only processes it started, never runs a step twice at once,
and keeps its log header through a ``kill -9``.

Every process here is one the test starts, and is killed in teardown.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from tests.pipeline.conftest import plan_of, sh, step
from tests.safety.conftest import alive, cli, one_line, wizard_argv
from wizard.errors import UserError
from wizard.pipeline.journal import Journal
from wizard.pipeline.process import boot_id, identity, start_time
from wizard.pipeline.runner import Runner


def _wait_for(predicate, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture
def bystander():
    """An unrelated ``setsid sleep 300``: a process group the wizard never started."""
    proc = subprocess.Popen(["sleep", "300"], start_new_session=True)
    yield proc
    proc.kill()
    proc.wait()


def _forged_journal(tmp: Path, pgid: int, ident: dict | None) -> Path:
    """A journal saying step "one" was running as process group ``pgid`` when its runner died."""
    steps = tmp / "steps.yaml"
    steps.write_text(yaml.safe_dump([{"id": "one", "title": "One", "commands": [["true"]]}]))
    state = tmp / "state"
    state.mkdir(mode=0o700)
    entry: dict = {"status": "running", "attempts": 1, "pgid": pgid}
    if ident is not None:
        entry["pgid_identity"] = ident
    data = {
        "version": 1,
        "status": "running",
        "pid": 999999999,
        "plan": [{"id": "one", "title": "One"}],
        "steps": {"one": entry},
    }
    (state / "journal.json").write_text(json.dumps(data))
    return steps


@pytest.mark.parametrize(
    "forged",
    ["another start time", "another boot", "no identity (an old journal)"],
)
def test_resume_never_kills_a_process_group_that_only_has_the_recorded_pid(tmp_path, bystander, forged):
    real = identity(bystander.pid)
    ident = {
        "another start time": {**real, "start": real["start"] - 1},
        "another boot": {**real, "boot_id": "00000000-0000-0000-0000-000000000000"},
        "no identity (an old journal)": None,
    }[forged]
    steps = _forged_journal(tmp_path, bystander.pid, ident)
    res = cli(wizard_argv(tmp_path, "run", "--steps-file", str(steps), "--non-interactive"))
    assert res.returncode == 0, res.stderr
    assert alive(bystander.pid), "resume killed a process it did not start"


def test_resume_stops_the_left_over_group_when_its_identity_matches(tmp_path, bystander):
    steps = _forged_journal(tmp_path, bystander.pid, identity(bystander.pid))
    res = cli(wizard_argv(tmp_path, "run", "--steps-file", str(steps), "--non-interactive"))
    assert res.returncode == 0, res.stderr
    bystander.wait(timeout=15)  # it was the recorded process: stopped before the step ran again


@pytest.fixture
def leaderless_group():
    """A process group whose leader exited while a member runs on (``apt-get`` killed, ``dpkg`` still going).

    Yields (pgid, the leader's recorded identity, the member's pid); the member is killed in teardown.
    """
    leader = subprocess.Popen(
        ["sh", "-c", "sleep 300 & echo $!; read -r _"],
        start_new_session=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    ident = identity(leader.pid)
    member = int(leader.stdout.readline())
    leader.stdin.close()  # the leader reads EOF and exits; its member stays in the group
    leader.wait(timeout=15)
    yield leader.pid, ident, member
    with contextlib.suppress(ProcessLookupError):
        os.kill(member, signal.SIGKILL)


def test_resume_stops_a_left_over_group_whose_leader_is_gone(tmp_path, leaderless_group):
    pgid, ident, member = leaderless_group
    assert alive(member) and os.getpgid(member) == pgid
    steps = _forged_journal(tmp_path, pgid, ident)
    res = cli(wizard_argv(tmp_path, "run", "--steps-file", str(steps), "--non-interactive"))
    assert res.returncode == 0, res.stderr
    _wait_for(lambda: not alive(member), timeout=15)


def test_resume_leaves_a_leaderless_group_recorded_in_another_boot_alone(tmp_path, leaderless_group):
    pgid, ident, member = leaderless_group
    steps = _forged_journal(tmp_path, pgid, {**ident, "boot_id": "00000000-0000-0000-0000-000000000000"})
    res = cli(wizard_argv(tmp_path, "run", "--steps-file", str(steps), "--non-interactive"))
    assert res.returncode == 0, res.stderr
    assert alive(member), "resume killed a process group it cannot prove it started"


def test_the_identity_is_the_boot_and_the_start_time_of_the_process():
    me = identity(os.getpid())
    assert me == {"start": start_time(os.getpid()), "boot_id": boot_id()}
    assert isinstance(me["start"], int) and me["boot_id"]


_DIE_AT_RECORD = """
import os, signal, sys
sys.path.insert(0, sys.argv[1])
from tests.pipeline.conftest import plan_of, sh, step
from wizard.pipeline.journal import Journal
from wizard.pipeline.runner import Runner

class DiesBeforeTheRecord(Journal):
    def update_step(self, step_id, **fields):
        if "pgid" in fields:  # the moment between starting the command and recording its group
            os.kill(os.getpid(), signal.SIGKILL)
        super().update_step(step_id, **fields)

journal = DiesBeforeTheRecord.load(sys.argv[2])
plan = plan_of(step("one", sh("touch " + sys.argv[4])))
Runner(plan, journal, sys.argv[3]).run()
"""


def test_a_kill_9_before_the_process_group_is_recorded_never_lets_the_command_run(tmp_path):
    ran = tmp_path / "ran"
    proc = subprocess.run(
        [sys.executable, "-c", _DIE_AT_RECORD, str(REPO), str(tmp_path / "state"), str(tmp_path / "log"), str(ran)],
        cwd=REPO,
        timeout=60,
    )
    assert proc.returncode == -signal.SIGKILL
    time.sleep(1.0)  # ample time for an ungated command to have run
    assert not ran.exists(), "the command ran though its process group was never recorded"
    journal = Journal.load(tmp_path / "state")
    assert journal.step("one")["status"] == "running" and "pgid" not in journal.step("one")
    # the next run runs it exactly once
    again = Runner(plan_of(step("one", sh(f"touch {ran}"))), journal, tmp_path / "log").run()
    assert again == "done" and ran.exists()


def test_a_kill_9_mid_step_keeps_the_attempts_header_in_the_log(tmp_path):
    started = tmp_path / "started"
    steps = tmp_path / "steps.yaml"
    steps.write_text(
        yaml.safe_dump([{"id": "one", "title": "One", "commands": [["sh", "-c", f"touch {started}; sleep 60"]]}])
    )
    proc = subprocess.Popen(
        wizard_argv(tmp_path, "run", "--steps-file", str(steps), "--non-interactive"),
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(started.exists)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    log = (tmp_path / "log/01-one.log").read_text()
    assert "=== aio-wizard: one — One, attempt 1" in log
    assert f"$ sh -c 'touch {started}; sleep 60'" in log
    pgid = Journal.load(tmp_path / "state").step("one")["pgid"]
    with contextlib.suppress(ProcessLookupError):  # tidy up the orphaned sleep (a group this test started)
        os.killpg(pgid, signal.SIGKILL)


def test_a_second_run_after_the_lock_file_was_deleted_neither_runs_nor_kills_the_first(tmp_path):
    started, pid_file = tmp_path / "started", tmp_path / "step.pid"
    steps = tmp_path / "steps.yaml"
    steps.write_text(
        yaml.safe_dump(
            [
                {
                    "id": "slow",
                    "title": "Slow",
                    "commands": [["sh", "-c", f"echo $$ > {pid_file}; touch {started}; sleep 30"]],
                }
            ]
        )
    )
    argv = wizard_argv(tmp_path, "run", "--steps-file", str(steps), "--non-interactive")
    first = subprocess.Popen(
        argv, cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_for(started.exists)
        (tmp_path / "state/lock").unlink()  # the careless operator
        second = cli(argv)
        assert second.returncode == 2
        assert f"another aio-wizard (process {first.pid}) is still running this install" in one_line(second.stderr)
        assert alive(int(pid_file.read_text())), "the second run killed the first run's step"
    finally:
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=30) == 130


def test_a_run_whose_lock_file_was_deleted_stops_before_its_next_step(tmp_path):
    lock = tmp_path / "state" / "lock"
    plan = plan_of(step("one", sh(f"rm {lock}")), step("two", sh(f"touch {tmp_path / 'two-ran'}")))
    runner = Runner(plan, Journal.load(tmp_path / "state"), tmp_path / "log")
    with pytest.raises(UserError, match="was deleted or replaced during the run"):
        runner.run()
    assert not (tmp_path / "two-ran").exists()
    assert Journal.load(tmp_path / "state").status == "interrupted"
