"""Resume after ``kill -9`` of the real ``python -m wizard run``: rerun the interrupted step, never a finished one."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import REPO, run_wizard
from tests.support.steps import write_steps


def _wizard(tmp: Path, steps_file: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "wizard",
        "--state-dir",
        str(tmp / "state"),
        "--log-dir",
        str(tmp / "log"),
        "run",
        "--steps-file",
        str(steps_file),
        "--non-interactive",
    ]


def _start(argv: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        argv, cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _wait_for(path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


def test_kill_9_mid_step_then_rerun_resumes_at_the_interrupted_step(tmp_path):
    runs = tmp_path / "runs"
    first = tmp_path / "first-time"
    child_pid = tmp_path / "child.pid"
    steps = write_steps(
        tmp_path / "steps.yaml",
        [
            {"id": "one", "title": "One", "commands": [["sh", "-c", f"echo one >> {runs}"]]},
            {
                "id": "two",
                "title": "Two",
                "commands": [
                    [
                        "sh",
                        "-c",
                        f"echo two >> {runs}; echo $$ > {child_pid}; "
                        f"if [ ! -e {first} ]; then touch {first}; sleep 60; fi",
                    ]
                ],
            },
            {"id": "three", "title": "Three", "commands": [["sh", "-c", f"echo three >> {runs}"]]},
        ],
    )
    proc = _start(_wizard(tmp_path, steps))
    _wait_for(first)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    orphan = int(child_pid.read_text())

    journal = json.loads((tmp_path / "state/journal.json").read_text())
    assert journal["steps"]["one"]["status"] == "done"
    assert journal["steps"]["two"]["status"] == "running"  # what a kill -9 leaves: the truth at that moment

    status = run_wizard("--state-dir", str(tmp_path / "state"), "status")
    assert "stopped" in status.stdout and "two" in status.stdout

    again = subprocess.run(_wizard(tmp_path, steps), cwd=REPO, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, again.stdout + again.stderr
    assert runs.read_text().split() == ["one", "two", "two", "three"]
    assert "Resuming" in again.stdout
    journal = json.loads((tmp_path / "state/journal.json").read_text())
    assert [journal["steps"][s]["status"] for s in ("one", "two", "three")] == ["done", "done", "done"]
    assert journal["steps"]["two"]["attempts"] == 2
    assert journal["status"] == "done"
    # the orphaned `sleep 60` of the killed run was stopped before the step ran again
    try:
        with open(f"/proc/{orphan}/stat") as fh:
            assert fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        pass


def test_a_finished_run_is_not_run_again(tmp_path):
    runs = tmp_path / "runs"
    steps = write_steps(
        tmp_path / "steps.yaml",
        [{"id": f"s{i}", "commands": [["sh", "-c", f"echo {i} >> {runs}"]]} for i in range(3)],
    )
    for _ in range(2):
        res = subprocess.run(_wizard(tmp_path, steps), cwd=REPO, capture_output=True, text=True, timeout=60)
        assert res.returncode == 0, res.stderr
    assert runs.read_text().split() == ["0", "1", "2"]


def test_a_failed_run_exits_1_naming_the_step_its_log_and_the_resume_command(tmp_path):
    steps = write_steps(
        tmp_path / "steps.yaml",
        [
            {"id": "ok", "commands": [["true"]]},
            {"id": "broken", "title": "Broken step", "commands": [["sh", "-c", "echo nope; exit 5"]]},
        ],
    )
    res = subprocess.run(_wizard(tmp_path, steps), cwd=REPO, capture_output=True, text=True, timeout=60)
    assert res.returncode == 1
    assert "step broken (Broken step) failed" in res.stderr
    assert str(tmp_path / "log/02-broken.log") in res.stderr
    resume = res.stderr.split("resume with: ", 1)[1].strip()
    assert resume.startswith("aio-wizard --state-dir ") and "--steps-file" in resume and "--non-interactive" in resume
    assert "nope" in res.stdout  # the failed step's last lines


def test_kill_9_during_journal_writes_never_leaves_a_corrupt_journal(tmp_path):
    steps = write_steps(
        tmp_path / "steps.yaml",
        [{"id": f"s{i:03d}", "commands": [["true"]]} for i in range(150)],
    )
    journal_path = tmp_path / "state/journal.json"
    rng = random.Random(4)
    kills = 0
    for _ in range(8):
        proc = _start(_wizard(tmp_path, steps))
        time.sleep(rng.uniform(0.3, 0.9))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
        if journal_path.exists():
            data = json.loads(journal_path.read_text())  # never torn
            assert set(data["steps"]) == {f"s{i:03d}" for i in range(150)}
    assert kills >= 1
    res = subprocess.run(_wizard(tmp_path, steps), cwd=REPO, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    data = json.loads(journal_path.read_text())
    assert all(s["status"] == "done" for s in data["steps"].values())
    assert not list((tmp_path / "state").glob(".journal.json.*.tmp"))


def test_a_second_run_while_one_holds_the_lock_exits_2_naming_the_pid(tmp_path):
    started = tmp_path / "started"
    steps = write_steps(
        tmp_path / "steps.yaml",
        [{"id": "slow", "commands": [["sh", "-c", f"touch {started}; sleep 30"]]}],
    )
    proc = _start(_wizard(tmp_path, steps))
    try:
        _wait_for(started)
        second = subprocess.run(_wizard(tmp_path, steps), cwd=REPO, capture_output=True, text=True, timeout=60)
        assert second.returncode == 2
        assert f"process {proc.pid}" in second.stderr
        assert "Traceback" not in second.stderr
        status = run_wizard("--state-dir", str(tmp_path / "state"), "status")
        assert f"running (process {proc.pid})" in status.stdout
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 130
    data = json.loads((tmp_path / "state/journal.json").read_text())
    assert data["steps"]["slow"]["status"] == "interrupted" and data["status"] == "interrupted"


def test_status_on_an_empty_state_dir_says_no_install_under_way(tmp_path):
    res = run_wizard("--state-dir", str(tmp_path / "state"), "status")
    assert res.returncode == 0
    assert "no install under way" in res.stdout
