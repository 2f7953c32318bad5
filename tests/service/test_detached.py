"""The install outlives its terminal: a detached runner, front ends that come and go (real processes).

Every test uses a temporary --state-dir/--log-dir, the guide's host facts and a plan of harmless
real steps; every runner a test starts is stopped at teardown (tests/conftest.py).
"""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import time
from pathlib import Path

import pexpect
import pytest

from tests.service.conftest import REPO, SLOW, Install, group_alive
from wizard.service.launch import systemd_is_init


def _fd_target(pid: int, fd: int) -> str:
    return os.readlink(f"/proc/{pid}/fd/{fd}")


def _session_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[3])


# --- the runner daemon -----------------------------------------------------------------------


def test_the_runner_is_a_daemon_in_its_own_session_with_no_terminal(slow_install: Install):
    slow_install.start()
    pid = slow_install.wait(slow_install.runner_pid)
    slow_install.wait_running("slow")
    assert _session_of(pid) != os.getsid(0)  # a hang-up of our session cannot reach it
    assert _session_of(pid) != pid  # and it is no session leader: it can never get a terminal
    assert _fd_target(pid, 0) == "/dev/null"
    assert _fd_target(pid, 1) == str(slow_install.log / "runner.log")
    assert stat.S_IMODE(slow_install.state.stat().st_mode) == 0o700
    for name in ("runner.pid", "answers.json", "facts.json", "run.json", "journal.json"):
        assert stat.S_IMODE((slow_install.state / name).stat().st_mode) == 0o600, name
    assert slow_install.wait_ended() == "done"
    assert (slow_install.tmp / "marker").exists()


@pytest.mark.skipif(not systemd_is_init(), reason="systemd is not PID 1 here (a container, chroot or CI)")
def test_where_systemd_is_init_the_runner_is_the_transient_unit(slow_install: Install):
    slow_install.start()
    shown = subprocess.run(
        ["systemctl", "show", "-p", "ActiveState", "aio-wizard-install"], capture_output=True, text=True
    ).stdout
    assert "ActiveState=active" in shown
    assert slow_install.wait_ended() == "done"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_or_sigint_to_the_runner_stops_the_step_group_and_the_journal_says_interrupted(
    slow_install: Install, sig: int
):
    slow_install.start()
    pgid = slow_install.wait_running("slow")
    os.kill(slow_install.runner_pid() or 0, sig)
    assert slow_install.wait_ended(timeout=30) == "interrupted"
    assert slow_install.step("slow")["status"] == "interrupted"
    assert not group_alive(pgid)
    assert not (slow_install.tmp / "marker").exists()
    assert not (slow_install.tmp / "after.count").exists()


def test_sighup_to_the_runner_changes_nothing(slow_install: Install):
    slow_install.start()
    slow_install.wait_running("slow")
    os.kill(slow_install.runner_pid() or 0, signal.SIGHUP)
    assert slow_install.wait_ended() == "done"
    assert (slow_install.tmp / "marker").exists()


def test_a_killed_runner_leaves_no_orphan_and_a_journal_the_next_start_resumes(slow_install: Install, wizard_cli):
    slow_install.start()
    pgid = slow_install.wait_running("slow")
    os.kill(slow_install.runner_pid() or 0, signal.SIGKILL)
    assert slow_install.wait_ended(timeout=30) == "interrupted"  # its supervisor cleaned up after it
    assert slow_install.step("slow")["status"] == "interrupted"
    assert slow_install.step("slow")["reason"] == "its runner was killed"
    assert not group_alive(pgid)
    status = wizard_cli(*slow_install.global_args, "status")
    assert "interrupted" in status.stdout
    slow_install.start()  # the next start resumes at the interrupted step
    assert slow_install.wait_ended() == "done"
    assert slow_install.step("slow")["attempts"] == 2
    assert (slow_install.tmp / "after.count").read_text() == "after\n"


# --- run --non-interactive stays in the foreground ------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM, signal.SIGINT])
def test_a_foreground_run_stops_its_step_cleanly_on_hangup_term_or_interrupt(slow_install: Install, spawn, sig):
    run = spawn(slow_install.argv("run", "--non-interactive"))
    pgid = slow_install.wait_running("slow")
    run.send_signal(sig)
    assert run.wait(timeout=30) == 130
    assert slow_install.journal()["status"] == "interrupted"
    assert slow_install.step("slow")["status"] == "interrupted"
    assert not group_alive(pgid)
    again = spawn(slow_install.argv("run", "--non-interactive"))
    assert again.wait(timeout=60) == 0  # the same command resumes
    assert (slow_install.tmp / "marker").exists()


# --- front ends attach, detach, and never take the install with them ------------------------


def _plain(install: Install) -> pexpect.spawn:
    env = {**os.environ, "TERM": "linux", "NO_COLOR": "1", "PYTHONPATH": str(REPO)}
    env.pop("AIO_WIZARD_LINE_PROMPTS", None)
    argv = install.argv("--plain")
    return pexpect.spawn(argv[0], argv[1:], cwd=str(REPO), env=env, encoding="utf-8", dimensions=(24, 80), timeout=30)


def _plain_install(install: Install) -> pexpect.spawn:
    child = _plain(install)
    child.expect("What next?")
    child.send("\r")
    child.expect(re.escape("Start now?"))
    child.send("y")
    return child


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM, signal.SIGKILL])
def test_a_plain_front_end_that_is_hung_up_terminated_or_killed_leaves_the_install_running(
    slow_install: Install, sig: int
):
    child = _plain_install(slow_install)
    child.expect(re.escape("[1/2] A slow step"))
    slow_install.wait_running("slow")
    child.kill(sig)
    child.expect(pexpect.EOF)
    child.close()
    assert slow_install.runner_pid() is not None  # the install goes on without it
    assert slow_install.wait_ended() == "done"
    assert (slow_install.tmp / "marker").exists()


def test_ctrl_c_in_the_plain_front_end_asks_and_detach_leaves_the_install_running(slow_install: Install):
    child = _plain_install(slow_install)
    slow_install.wait_running("slow")
    child.sendintr()
    child.expect("Detach, or stop the install?")
    child.send("\r")  # detach (the default)
    child.expect("Detached: the install goes on")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert slow_install.wait_ended() == "done"


def test_a_plain_front_end_started_while_an_install_runs_attaches_and_shows_it_to_the_end(slow_install: Install):
    slow_install.start()
    slow_install.wait_running("slow")
    child = _plain(slow_install)
    child.expect("An install is running: following it")
    child.expect(r"tick \d+|A slow step")
    child.expect(re.escape("[2/2] The step after it"), timeout=SLOW + 30)
    child.expect("Done in")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_two_front_ends_one_answers_retry_the_other_sees_the_retry(flaky_install: Install):
    plain = _plain_install(flaky_install)
    plain.expect("failed. What now?")
    argv = flaky_install.argv("status", "--follow", steps=False)
    follow = pexpect.spawn(argv[0], argv[1:], cwd=str(REPO), encoding="utf-8", timeout=30, dimensions=(24, 200))
    follow.expect("waiting for a decision on flaky")  # attached, and it sees the failure
    (flaky_install.tmp / "fixed").touch()
    plain.send("\r")  # retry (the default), in the other front end
    plain.expect(re.escape("(attempt 2) … done"))
    follow.expect(re.escape("Fail until fixed (attempt 2) … done"))
    follow.expect(pexpect.EOF)
    follow.close()
    assert follow.exitstatus == 0
    plain.expect(pexpect.EOF)
    plain.close()
    assert plain.exitstatus == 0


# --- status --follow --------------------------------------------------------------------------


def test_status_follow_prints_the_install_from_start_to_end_and_exits_0(slow_install: Install, spawn):
    slow_install.start()
    follow = spawn(slow_install.argv("status", "--follow", steps=False))
    out, _ = follow.communicate(timeout=SLOW + 60)
    assert follow.returncode == 0
    assert "A slow step … done" in out and "The step after it … done" in out and "Done in" in out


def test_status_follow_of_a_failed_install_exits_1_after_another_front_end_aborts(flaky_install: Install, spawn):
    from wizard.service.service import InstallService

    flaky_install.start()
    follow = spawn(flaky_install.argv("status", "--follow", steps=False))
    flaky_install.wait(lambda: isinstance(flaky_install.journal().get("waiting"), dict))
    status = subprocess.run(flaky_install.argv("status", steps=False), capture_output=True, text=True, cwd=REPO)
    assert "waiting for a decision on flaky (attempt 1)" in status.stdout
    assert InstallService.open(flaky_install.options).decide("flaky", 1, "abort")
    out, _ = follow.communicate(timeout=30)
    assert follow.returncode == 1, out
    assert flaky_install.wait_ended() == "failed"


def test_stop_stops_the_install_and_status_follow_exits_130(slow_install: Install, spawn, wizard_cli):
    slow_install.start()
    pgid = slow_install.wait_running("slow")
    follow = spawn(slow_install.argv("status", "--follow", steps=False))
    stopped = wizard_cli(*slow_install.global_args, "stop")
    assert stopped.returncode == 0 and "stopped the install" in stopped.stdout
    assert follow.wait(timeout=30) == 130
    assert slow_install.journal()["status"] == "interrupted"
    assert not group_alive(pgid)


def test_a_failure_with_nobody_attached_waits_and_the_next_front_end_shows_it_and_decides(flaky_install: Install):
    flaky_install.start()  # nobody follows it
    flaky_install.wait(lambda: isinstance(flaky_install.journal().get("waiting"), dict))
    time.sleep(1)
    assert flaky_install.runner_pid() is not None  # it waits, it does not give up
    assert flaky_install.journal()["status"] == "running"
    child = _plain(flaky_install)
    child.expect("An install is running: following it")
    child.expect("it broke")
    child.expect("failed. What now?")
    (flaky_install.tmp / "fixed").touch()
    child.send("\r")  # retry
    child.expect(re.escape("(attempt 2) … done"))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert flaky_install.wait_ended() == "done"
