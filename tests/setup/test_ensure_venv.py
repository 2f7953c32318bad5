"""tools/ensure-venv.sh: one venv serves ./aio-wizard and ./run-tests, and pip runs only when needed.

The venv here is a fake: its ``bin/python`` is a shell script that records how it was called and
succeeds, so the tests see exactly when the launcher would run pip (which needs the package
registries) without installing anything.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import REPO

ENSURE = REPO / "tools" / "ensure-venv.sh"
FAKE_PYTHON = """#!/bin/sh
echo "$*" >> "$(dirname "$0")/../calls"
exit 0
"""


def _checksum() -> str:
    out = subprocess.run(["cksum"], stdin=(REPO / "pyproject.toml").open("rb"), capture_output=True, check=True)
    return out.stdout.split()[0].decode()


@pytest.fixture
def venv(tmp_path: Path) -> Path:
    path = tmp_path / "venv"
    (path / "bin").mkdir(parents=True)
    python = path / "bin" / "python"
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    (path / "lib/python3.11/site-packages/pip").mkdir(parents=True)  # a venv with its pip: not made again
    return path


def ensure(venv: Path, extras: str = "") -> list[str]:
    """Run the script; return the pip installs it made (the fake python's calls other than ``-c``)."""
    calls = venv / "calls"
    calls.unlink(missing_ok=True)
    subprocess.run(["sh", str(ENSURE), str(venv), *([extras] if extras else [])], check=True, capture_output=True)
    lines = calls.read_text().splitlines() if calls.exists() else []
    return [line for line in lines if " install " in f" {line} " and "--upgrade pip" not in line]


def test_a_venv_installed_with_test_extras_serves_the_plain_launcher_without_pip(venv: Path) -> None:
    (venv / ".aio-wizard-installed").write_text(f"{_checksum()} test\n")
    assert ensure(venv) == []
    assert ensure(venv, "test") == []


def test_switching_launchers_installs_once_and_keeps_both_extra_sets(venv: Path) -> None:
    (venv / ".aio-wizard-installed").write_text(f"{_checksum()}\n")  # ./aio-wizard installed it
    installs = ensure(venv, "test")  # then ./run-tests
    assert len(installs) == 1 and installs[0].endswith(f"-e {REPO}[test]")
    assert (venv / ".aio-wizard-installed").read_text().split() == [_checksum(), "test"]
    assert ensure(venv) == []  # back to ./aio-wizard: nothing to do
    assert ensure(venv, "test") == []


def test_a_changed_pyproject_reinstalls_with_the_extras_installed_before(venv: Path) -> None:
    (venv / ".aio-wizard-installed").write_text("123 test\n")
    installs = ensure(venv)
    assert len(installs) == 1 and installs[0].endswith(f"-e {REPO}[test]")


def test_the_stamp_of_older_launchers_is_replaced_by_one_install(venv: Path) -> None:
    (venv / ".aio-wizard-installed").write_text(f"{_checksum()}-test\n")
    assert len(ensure(venv, "test")) == 1
    assert ensure(venv) == []


def test_nothing_to_install_costs_well_under_a_third_of_a_second(venv: Path) -> None:
    (venv / ".aio-wizard-installed").write_text(f"{_checksum()} test\n")
    ensure(venv)
    started = time.monotonic()
    for _ in range(5):
        ensure(venv)
    assert (time.monotonic() - started) / 5 < 0.3
