"""Helpers for the pipeline tests: small plans of real, harmless commands in temporary dirs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.pipeline.hosts import DEBIAN_12_ARM64
from tests.support.guide import GUIDE_ANSWERS
from wizard.pipeline.events import Event
from wizard.pipeline.journal import Journal
from wizard.pipeline.model import Command, Plan, PlannedStep, RetryPolicy
from wizard.pipeline.runner import Runner

PY = sys.executable


def sh(script: str, **kw) -> Command:
    return Command(("sh", "-c", script), **kw)


def py(code: str) -> Command:
    return Command((PY, "-c", code))


def step(step_id: str, *commands: Command, **kw) -> PlannedStep:
    return PlannedStep(id=step_id, title=kw.pop("title", step_id.title()), commands=commands, **kw)


def plan_of(*steps: PlannedStep, **kw) -> Plan:
    return Plan(steps=tuple(steps), release=kw.pop("release", "test"), **kw)


def no_delay(retries: int) -> RetryPolicy:
    return RetryPolicy(retries=retries, delays=(0.0,))


class Recorder:
    """A listener that keeps every event."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)

    def of(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]

    def lines(self, step_id: str | None = None) -> list[str]:
        from wizard.pipeline.events import StepOutput

        out: list[str] = []
        for e in self.of(StepOutput):
            if step_id is None or e.step_id == step_id:
                out.extend(e.lines)
        return out


@pytest.fixture
def dirs(tmp_path: Path) -> dict[str, Path]:
    d = {"state": tmp_path / "state", "log": tmp_path / "log", "work": tmp_path / "work"}
    d["work"].mkdir()
    return d


@pytest.fixture
def make_runner(dirs):
    def make(plan: Plan, decide=None, **kw):
        rec = Recorder()
        journal = Journal.load(dirs["state"])
        args = {} if decide is None else {"decide": decide}
        runner = Runner(plan, journal, dirs["log"], [rec], **args, **kw)
        return runner, rec, journal

    return make


def cli_files(tmp_path: Path, release: str = "2025.1") -> tuple[str, str]:
    """``--host-facts`` and ``--answers`` files for the CLI: the guide's answers on a Debian 12 arm64 host."""
    facts = tmp_path / "facts.json"
    facts.write_text(DEBIAN_12_ARM64.to_json())
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump({**GUIDE_ANSWERS, "openstack_release": release}))
    return str(facts), str(answers)


def release_plan(
    release: str, root: Path, arch: str = "x86_64", facts: dict[str, Any] | None = None, **given: Any
) -> Plan:
    """The Kolla plan for ``release`` on a guide-like host of the newest Debian it supports
    (``facts`` changes some of the host's facts), with the guide's answers and ``given``."""
    import dataclasses

    from tests.pipeline.hosts import host_for
    from wizard.answers.resolve import resolve_answers
    from wizard.pipeline.plan import build_plan

    host = dataclasses.replace(host_for(release, arch), **(facts or {}))
    answers = resolve_answers(host, {**GUIDE_ANSWERS, "openstack_release": release, **given}).values
    return build_plan(answers, host, root=root)


def comment_127_0_1_1(text: str | None) -> str:
    """A sample transform for the file-write tests: the guide's ``sed -i 's/^127.0.1.1/#127.0.1.1/'``."""
    from wizard.host.services import is_127_0_1_1_line

    if text is None:
        return ""
    return "".join("#" + line if is_127_0_1_1_line(line) else line for line in text.splitlines(keepends=True))
