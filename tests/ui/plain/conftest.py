"""Helpers for the plain wizard's tests: a scripted operator, its arguments, and the real CLI on a pty.

``spawn_wizard`` drives the real ``python -m wizard --plain`` through a pseudo-terminal, as an
operator on a serial console would: TERM=linux (the Linux console, and what most serial setups
announce), NO_COLOR=1, 80 columns. Everything the wizard writes goes under the test's tmp_path
(--state-dir, --log-dir, steps).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pexpect
import pytest

from tests.conftest import REPO
from tests.support.guide import GUIDE_HOST_FILE
from wizard.answers.questions import QUESTIONS, Question
from wizard.answers.resolve import resolve_answers
from wizard.host.facts import HostFacts
from wizard.ui.plain.ask import should_ask
from wizard.ui.plain.prompter import Option

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
            str(GUIDE_HOST_FILE),
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


class ScriptedPrompter:
    """Answers from a list, the way an operator would type them; records what was shown."""

    def __init__(self, replies: Sequence[object]) -> None:
        self.replies = list(replies)
        self.shown: list[str] = []
        self.asked: list[str] = []

    def _next(self, message: str):
        self.asked.append(message)
        if not self.replies:
            raise AssertionError(f"no reply scripted for {message!r}")
        return self.replies.pop(0)

    def say(self, text: str = "") -> None:
        self.shown.append(text)

    def text(self, message, default="", check=None):
        reply = self._next(message)
        value = default if reply is None else reply
        while check and (problem := check(value)) is not None:
            self.shown.append(f"! {problem}")
            reply = self._next(message)
            value = default if reply is None else reply
        return value

    def select(self, message, options: Sequence[Option], default=None):
        reply = self._next(message)
        return default if reply is None else reply

    def confirm(self, message, default=True):
        reply = self._next(message)
        return default if reply is None else reply


def make_args(tmp_path: Path, **kw) -> argparse.Namespace:
    """The parsed options of ``aio-wizard --plain --dry-run`` on the guide's host, state in tmp_path."""
    base = {
        "dry_run": True,
        "answers": None,
        "state_dir": str(tmp_path / "state"),
        "log_dir": str(tmp_path / "log"),
        "host_facts": str(GUIDE_HOST_FILE),
        "verbose": False,
        "steps_file": None,
    }
    base.update(kw)
    return argparse.Namespace(**base)


def default_questions() -> list[Question]:
    """The questions asked without advanced ones, in order, for the guide's host."""
    values = resolve_answers(HostFacts.load(GUIDE_HOST_FILE)).values
    return [q for q in QUESTIONS if should_ask(q, values, advanced=False)]


def default_prompts() -> list[str]:
    return [q.prompt for q in default_questions()]
