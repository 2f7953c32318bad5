"""Fixtures for the TUI tests: temporary state and log dirs, plans of real harmless steps, a fixed
clock, and a factory for the app (the guide's host as injected facts: ``facts`` in tests/ui/conftest.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.support.steps import write_steps
from wizard.ui.tui.demo import FixedClock, screen_text

__all__ = ["screen_text"]

SIZE = (100, 30)


@pytest.fixture
def dirs(tmp_path: Path) -> dict[str, str]:
    return {
        "state_dir": str(tmp_path / "state"),
        "log_dir": str(tmp_path / "log"),
        "kolla_dir": str(tmp_path / "etc-kolla"),
    }


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def harmless_steps(tmp_path: Path) -> str:
    """Three real, quick steps: echo, a loop of output, a marker file in the temp dir."""
    marker = tmp_path / "marker"
    body = textwrap.dedent(f"""\
        - id: hello
          title: Say hello
          commands: [[sh, -c, "echo hello; echo world"]]
        - id: count
          title: Count to 200
          commands: [[seq, "1", "200"]]
        - id: touch
          title: Leave a marker
          commands: [[touch, "{marker}"]]
        """)
    return str(write_steps(tmp_path / "steps.yaml", body))


@pytest.fixture
def flaky_steps(tmp_path: Path) -> str:
    """The second step fails until a flag file exists: the test creates it, then presses Retry."""
    flag = tmp_path / "fixed"
    body = textwrap.dedent(f"""\
        - id: first
          title: First step
          commands: [[sh, -c, "echo first"]]
        - id: flaky
          title: Fails until fixed
          commands: [[sh, -c, "echo trying; test -e {flag} || {{ echo 'E: it broke' >&2; exit 3; }}"]]
        - id: last
          title: Last step
          commands: [[sh, -c, "echo last"]]
        """)
    return str(write_steps(tmp_path / "flaky.yaml", body))


@pytest.fixture
def make_app(facts, dirs, clock):
    """``make_app(**overrides)`` → a WizardApp on the guide's host with temp dirs and the fixed clock."""
    from wizard.ui.tui.app import create_app

    def factory(**kw):
        options = {"facts": facts, "clock": clock, **dirs, **kw}
        return create_app(**options)

    return factory


async def wait_for(pilot, condition, timeout: float = 20.0) -> None:
    """Let the app run until ``condition()`` holds (a bound against hangs, not a timing assertion)."""
    import time

    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"condition not met within {timeout}s; screen:\n{screen_text(pilot.app)}")
        await pilot.pause(0.05)


def screen_name(app) -> str:
    return type(app.screen).__name__
