"""run_command runs real programs: merged output, exit codes, 127 for a missing program, timeouts."""

from __future__ import annotations

import shutil
import sys

import pytest

from wizard.host.commands import NOT_FOUND, TIMED_OUT, CommandResult, run_command


def test_output_and_exit_code_of_a_real_program():
    result = run_command([sys.executable, "-c", "print('hi'); raise SystemExit(3)"])
    assert result == CommandResult((sys.executable, "-c", "print('hi'); raise SystemExit(3)"), 3, "hi\n")
    assert not result.ok and result.found


def test_stderr_is_merged_into_output():
    result = run_command([sys.executable, "-c", "import sys; sys.stderr.write('oops\\n')"])
    assert result.returncode == 0
    assert result.output == "oops\n"


def test_stdin_is_dev_null():
    result = run_command([sys.executable, "-c", "import sys; print(repr(sys.stdin.read()))"])
    assert result.output == "''\n"


def test_missing_program_returns_127_and_never_raises():
    result = run_command(["aio-wizard-no-such-program", "--flag"])
    assert result.returncode == NOT_FOUND
    assert result.argv == ("aio-wizard-no-such-program", "--flag")
    assert "not found" in result.output
    assert not result.found


def test_a_program_that_runs_too_long_is_stopped():
    result = run_command([sys.executable, "-c", "import time; print('started', flush=True); time.sleep(30)"], timeout=1)
    assert result.returncode == TIMED_OUT
    assert "timed out" in result.output


@pytest.mark.skipif(shutil.which("ip", path="/usr/sbin:/sbin") is None, reason="needs iproute2 in /usr/sbin or /sbin")
def test_sbin_programs_are_found_without_sbin_on_path(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # like kvm-ok (/usr/sbin) for a user without sbin on PATH
    result = run_command(["ip", "-V"])
    assert result.returncode == 0
    assert "iproute2" in result.output
