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


def skip_slow_unless_asked(config: pytest.Config, items: list[pytest.Item], folder: Path, env: str, why: str) -> None:
    """Skip the ``slow``-marked tests below ``folder`` unless ``-m`` names slow or ``env`` is 1.

    Why opt-in: ``./run-tests`` (and CI) must stay well under 30 minutes; the slow tests take many.
    """
    if "slow" in (config.option.markexpr or "") or os.environ.get(env) == "1":
        return
    skip = pytest.mark.skip(reason=f"slow ({why}): run with -m slow or {env}=1")
    for item in items:
        if item.get_closest_marker("slow") and folder in Path(str(item.fspath)).parents:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _no_runner_outlives_its_test(request):
    """Whatever a test does, no detached runner it started under its tmp_path outlives it."""
    # asked for before the test runs, so tmp_path is torn down after this fixture
    tmp = request.getfixturevalue("tmp_path") if "tmp_path" in request.fixturenames else None
    yield
    if tmp is not None:
        from tests.support.daemons import stop_runners_under

        stop_runners_under(tmp)
