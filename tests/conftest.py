"""Shared fixtures. Topic fixtures live in each test folder's conftest.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def run_wizard(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120, **kw
) -> subprocess.CompletedProcess:
    """Run the real CLI (``python -m wizard``) as a subprocess, text output captured."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "wizard", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        **kw,
    )


@pytest.fixture
def wizard_cli():
    """``wizard_cli("probe", "--json")`` → CompletedProcess of the real CLI."""
    return run_wizard


@pytest.fixture
def state_dirs(tmp_path: Path) -> list[str]:
    """``--state-dir``/``--log-dir`` options pointing into a temporary directory (never /var)."""
    return ["--state-dir", str(tmp_path / "state"), "--log-dir", str(tmp_path / "log")]
