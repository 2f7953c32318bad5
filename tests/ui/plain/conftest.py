"""Drive the real ``python -m wizard --plain`` through a pseudo-terminal, as an operator on a serial console would.

TERM=linux (the Linux console, and what most serial setups announce), NO_COLOR=1, 80 columns.
Everything the wizard writes goes under the test's tmp_path (--state-dir, --log-dir, steps).
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pexpect
import pytest

REPO = Path(__file__).resolve().parents[3]
FIXTURES = Path(__file__).with_name("fixtures")
GUIDE_HOST = FIXTURES / "guide-host.json"

DOWN = "\x1b[B"
CTRL_U = "\x15"  # discard the line typed so far (a prefilled default)


class Wizard:
    """A running wizard on a pty, with the whole transcript kept for failure messages."""

    def __init__(self, child: pexpect.spawn, transcript: io.StringIO) -> None:
        self.child = child
        self.transcript = transcript

    def expect(self, pattern, timeout: float = 30):
        try:
            return self.child.expect(pattern, timeout=timeout)
        except (pexpect.TIMEOUT, pexpect.EOF) as exc:
            tail = self.transcript.getvalue()[-3000:]
            raise AssertionError(f"did not see {pattern!r}; last output:\n{tail}") from exc

    def send(self, text: str) -> None:
        self.child.send(text)

    def exit_code(self, timeout: float = 30) -> int:
        self.expect(pexpect.EOF, timeout=timeout)
        self.child.close()
        return self.child.exitstatus if self.child.exitstatus is not None else 128 + self.child.signalstatus

    @property
    def output(self) -> str:
        return self.transcript.getvalue()


@pytest.fixture
def spawn_wizard(tmp_path: Path):
    """``spawn_wizard("--dry-run", ...)`` → :class:`Wizard` running ``python -m wizard --plain`` on a pty."""
    children: list[pexpect.spawn] = []

    def spawn(*args: str, term: str = "linux", env: dict[str, str] | None = None) -> Wizard:
        full_env = {k: v for k, v in os.environ.items() if k not in ("AIO_WIZARD_LINE_PROMPTS", "INSIDE_EMACS")}
        full_env.update({"TERM": term, "NO_COLOR": "1", "COLUMNS": "80", "LINES": "24", "PYTHONPATH": str(REPO)})
        full_env.update(env or {})
        argv = [
            "-m",
            "wizard",
            "--plain",
            "--state-dir",
            str(tmp_path / "state"),
            "--log-dir",
            str(tmp_path / "log"),
            "--host-facts",
            str(GUIDE_HOST),
            *args,
        ]
        transcript = io.StringIO()
        child = pexpect.spawn(
            sys.executable,
            argv,
            env=full_env,
            cwd=str(tmp_path),
            dimensions=(24, 80),
            encoding="utf-8",
            codec_errors="replace",
            timeout=30,
        )
        child.logfile_read = transcript
        children.append(child)
        return Wizard(child, transcript)

    yield spawn
    for child in children:
        if child.isalive():
            child.terminate(force=True)


def write_steps(path: Path, text: str) -> Path:
    path.write_text(text)
    return path
