"""Helpers for the root-safety tests: the CLI as a subprocess, root and namespace checks, the attack corpus."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO

HERE = Path(__file__).parent
ATTACKS: dict[str, Any] = yaml.safe_load((HERE / "attacks.yaml").read_text())

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (mknod, chown, mount namespaces)")


def can_unshare() -> bool:
    """Whether this machine lets us make a private mount namespace (root, unshare present, allowed)."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode == 0


needs_mount_ns = pytest.mark.skipif(not can_unshare(), reason="needs root and `unshare -m` (private mount namespace)")


def wizard_argv(tmp: Path, *args: str, state: Path | None = None, log: Path | None = None) -> list[str]:
    """``python -m wizard --state-dir .. --log-dir .. ARGS`` with the dirs in ``tmp`` unless given."""
    return [
        sys.executable,
        "-m",
        "wizard",
        "--state-dir",
        str(state or tmp / "state"),
        "--log-dir",
        str(log or tmp / "log"),
        *args,
    ]


def cli(argv: list[str], timeout: float = 60, **kw) -> subprocess.CompletedProcess:
    """Run the CLI; a hang fails the test through the timeout instead of blocking the suite."""
    return subprocess.run(
        argv,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "NO_COLOR": "1"},
        **kw,
    )


def in_mount_ns(script: str, timeout: float = 90) -> subprocess.CompletedProcess:
    """Run a shell ``script`` in a private mount namespace: its mounts vanish with it, the host's stay."""
    return cli(["unshare", "-m", "--propagation", "private", "sh", "-ec", script], timeout=timeout)


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie does not)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def one_line(stderr: str) -> str:
    """The single ``aio-wizard: ...`` line a refusal prints (asserting there is exactly one, no traceback)."""
    assert "Traceback" not in stderr, stderr
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("aio-wizard: "), stderr
    return lines[0]


@pytest.fixture
def steps_file(tmp_path: Path) -> Path:
    """A one-step steps file (harmless ``echo``)."""
    path = tmp_path / "steps.yaml"
    path.write_text(yaml.safe_dump([{"id": "one", "title": "One", "commands": [["sh", "-c", "echo one"]]}]))
    return path
