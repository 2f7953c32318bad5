"""Item 5: a full disk, a read-only or misplaced state or log dir is one line and exit 3, the step's
process group is stopped, the journal stays consistent, and the install resumes once it is fixed.

The full disk is a small tmpfs mounted in a private mount namespace (``unshare -m``): it vanishes
with the namespace, and nothing outside the test's temporary directory is touched.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
import yaml

from tests.safety.conftest import alive, cli, in_mount_ns, needs_mount_ns, one_line, wizard_argv
from wizard.pipeline.events import exit_code


def _steps(tmp: Path) -> Path:
    """One step that floods its output while ``tmp/big`` exists, and a second one."""
    big, pid, runs = tmp / "big", tmp / "step.pid", tmp / "runs"
    flood = "0123456789" * 10
    script = f"echo $$ > {pid}; echo one >> {runs}; if [ -e {big} ]; then while :; do echo {flood}; done; fi"
    path = tmp / "steps.yaml"
    path.write_text(
        yaml.safe_dump(
            [
                {"id": "one", "title": "One", "commands": [["sh", "-c", script]]},
                {"id": "two", "title": "Two", "commands": [["sh", "-c", f"echo two >> {runs}"]]},
            ]
        )
    )
    return path


def _run(tmp: Path) -> str:
    return shlex.join(wizard_argv(tmp, "run", "--steps-file", str(_steps(tmp)), "--non-interactive"))


def _stderr_of(tmp: Path) -> str:
    return (tmp / "stderr").read_text()


@needs_mount_ns
def test_a_full_log_dir_stops_the_step_exits_3_and_the_install_resumes_once_space_is_free(tmp_path):
    (tmp_path / "big").touch()
    log = tmp_path / "log"
    log.mkdir(mode=0o700)
    res = in_mount_ns(
        f"mount -t tmpfs -o size=256k,mode=700 tmpfs {log}\n{_run(tmp_path)} 2> {tmp_path}/stderr || echo rc=$?\n"
    )
    assert "rc=3" in res.stdout, res.stdout + res.stderr
    line = one_line(_stderr_of(tmp_path))
    assert "cannot write the step's log: No space left on device" in line and "run again to resume" in line
    assert not alive(int((tmp_path / "step.pid").read_text())), "the step kept running"
    journal = json.loads((tmp_path / "state/journal.json").read_text())
    assert journal["steps"]["one"]["status"] == "interrupted" and journal["status"] == "interrupted"
    # space freed (a fresh, empty tmpfs), the flood over: the same command resumes at step one
    (tmp_path / "big").unlink()
    res = in_mount_ns(f"mount -t tmpfs -o size=256k,mode=700 tmpfs {log}\n{_run(tmp_path)}\n")
    assert res.returncode == 0, res.stdout + res.stderr
    assert (tmp_path / "runs").read_text().split() == ["one", "one", "two"]


@needs_mount_ns
def test_a_full_disk_under_state_and_logs_is_exit_3_and_resumes_after_freeing_space(tmp_path):
    fs = tmp_path / "fs"
    fs.mkdir(mode=0o700)
    (tmp_path / "big").touch()
    argv = shlex.join(
        wizard_argv(
            tmp_path,
            "run",
            "--steps-file",
            str(_steps(tmp_path)),
            "--non-interactive",
            state=fs / "state",
            log=fs / "log",
        )
    )
    res = in_mount_ns(
        f"mount -t tmpfs -o size=512k,mode=700 tmpfs {fs}\n"
        f"{argv} 2> {tmp_path}/stderr1 || echo rc1=$?\n"  # the disk fills during step one
        f"cat {fs}/state/journal.json > {tmp_path}/journal1 || true\n"
        f"rm -f {tmp_path}/big {fs}/log/*\n"  # free space
        f"{argv} 2> {tmp_path}/stderr2 && echo rc2=0\n"
        f"cat {fs}/state/journal.json > {tmp_path}/journal2\n"
    )
    assert "rc1=3" in res.stdout and "rc2=0" in res.stdout, res.stdout + res.stderr
    assert "No space left on device" in one_line((tmp_path / "stderr1").read_text())
    first = json.loads((tmp_path / "journal1").read_text())  # whole JSON: never torn
    assert first["steps"]["one"]["status"] in ("running", "interrupted")  # "running": the disk was too full to say
    assert json.loads((tmp_path / "journal2").read_text())["status"] == "done"
    assert (tmp_path / "runs").read_text().split() == ["one", "one", "two"]


@needs_mount_ns
def test_a_state_dir_on_a_full_disk_before_the_run_is_one_line_exit_3(tmp_path):
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    res = in_mount_ns(
        f"mount -t tmpfs -o size=64k,mode=700 tmpfs {state}\n"
        f"dd if=/dev/zero of={state}/filler bs=4k 2>/dev/null || true\n"
        f"{_run(tmp_path)} 2> {tmp_path}/stderr || echo rc=$?\n"
    )
    assert "rc=3" in res.stdout, res.stdout + res.stderr
    assert "No space left on device" in one_line(_stderr_of(tmp_path))  # the lock or the journal
    assert not (tmp_path / "runs").exists()


@needs_mount_ns
@pytest.mark.parametrize("which", ["state", "log"])
def test_a_read_only_state_or_log_dir_is_one_line_exit_3_and_the_journal_is_not_left_running(tmp_path, which):
    ro = tmp_path / which
    ro.mkdir(mode=0o700)
    res = in_mount_ns(
        f"mount -t tmpfs -o size=64k,mode=700 tmpfs {ro}\nmount -o remount,ro {ro}\n"
        f"{_run(tmp_path)} 2> {tmp_path}/stderr || echo rc=$?\n"
    )
    assert "rc=3" in res.stdout, res.stdout + res.stderr
    assert "Read-only file system" in one_line(_stderr_of(tmp_path))
    if which == "log":
        assert json.loads((tmp_path / "state/journal.json").read_text())["status"] == "interrupted"


def test_a_log_dir_that_is_a_file_is_one_line_exit_3(tmp_path):
    (tmp_path / "log").write_text("oops\n")
    res = cli(wizard_argv(tmp_path, "run", "--steps-file", str(_steps(tmp_path)), "--non-interactive"))
    assert res.returncode == 3
    assert "the log directory is a file, not a directory" in one_line(res.stderr)
    assert json.loads((tmp_path / "state/journal.json").read_text())["status"] == "interrupted"


def test_exit_3_is_the_code_of_a_run_that_could_not_write_its_state():
    assert exit_code("state-unwritable") == 3
