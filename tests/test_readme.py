"""The README's Quick start stays true: two commands, both present, and CI runs the test one."""

from __future__ import annotations

import os
import re

from tests.conftest import REPO


def _quick_start_commands() -> list[str]:
    text = (REPO / "README.md").read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "Quick start has a ```sh block"
    return [line.split("#", 1)[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_quick_start_gives_exactly_two_commands_that_exist():
    commands = _quick_start_commands()
    assert commands == ["./aio-wizard --dry-run", "./run-tests"]
    for cmd in commands:
        script = REPO / cmd.split()[0]
        assert script.is_file() and os.access(script, os.X_OK), script


def test_ci_runs_the_readme_test_command_which_runs_ruff():
    assert "./run-tests" in (REPO / ".ci/run").read_text()
    assert "ruff check" in (REPO / "run-tests").read_text()


def test_readme_answers_reference_is_generated_from_the_catalog():
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen_answers_doc", REPO / "tools/gen_answers_doc.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    text = (REPO / "README.md").read_text()
    assert gen.readme_with_reference(text) == text, "run: python tools/gen_answers_doc.py --write"
