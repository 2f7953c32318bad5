"""Item 9 (journal): a hand-edited or damaged journal is one line naming journal.json:LINE, exit 2,
and the last good journal is kept as journal.json.prev, named in the error with how to recover."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.safety.conftest import ATTACKS, cli, one_line, wizard_argv
from wizard.pipeline.journal import Journal


def _steps(tmp: Path) -> Path:
    path = tmp / "steps.yaml"
    runs = tmp / "runs"
    path.write_text(
        yaml.safe_dump(
            [
                {"id": "one", "title": "One", "commands": [["sh", "-c", f"echo one >> {runs}"]]},
                {"id": "two", "title": "Two", "commands": [["sh", "-c", f"echo two >> {runs}"]]},
            ]
        )
    )
    return path


def _run(tmp: Path) -> list[str]:
    return wizard_argv(tmp, "run", "--steps-file", str(_steps(tmp)), "--non-interactive")


@pytest.mark.parametrize("attack", ATTACKS["bad_journals"], ids=lambda a: a["name"])
def test_a_journal_of_the_wrong_shape_is_one_line_exit_2_and_runs_nothing(tmp_path, attack):
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    text = attack["text"]
    (state / "journal.json").write_bytes(text if isinstance(text, bytes) else text.encode())
    res = cli(_run(tmp_path))
    assert res.returncode == 2, res.stdout + res.stderr
    line = one_line(res.stderr)
    assert f"{state / 'journal.json'}:" in line and attack["message"] in line
    assert "move it away to start over" in line
    assert not (tmp_path / "runs").exists()  # nothing ran, nothing re-ran


def test_a_damaged_journal_names_its_last_good_copy_and_the_copy_resumes(tmp_path):
    assert cli(_run(tmp_path)).returncode == 0
    assert cli(_run(tmp_path)).returncode == 0  # a second run: journal.json.prev is the first run's
    state = tmp_path / "state"
    prev = state / "journal.json.prev"
    assert Journal.load(state).status == "done" and json.loads(prev.read_text())["status"] in ("done", "running")
    (state / "journal.json").write_text('{"version": 1, "steps": [')  # hand-edited, torn
    res = cli(_run(tmp_path))
    assert res.returncode == 2
    line = one_line(res.stderr)
    assert f"the last good copy is {prev}" in line and f"cp {prev} {state / 'journal.json'}" in line
    # the recovery the line gives works
    (state / "journal.json").rename(state / "journal.json.damaged")
    (state / "journal.json").write_bytes(prev.read_bytes())
    again = cli(_run(tmp_path))
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "runs").read_text().split() == ["one", "two"]  # resumed: the done steps did not run again


def test_every_save_keeps_the_previous_journal_as_prev(tmp_path):
    from tests.pipeline.conftest import plan_of, sh, step

    j = Journal(tmp_path / "state")
    j.begin(plan_of(step("a", sh("true"))))
    assert not j.previous_path.exists()  # nothing was there before
    j.update_step("a", status="done")
    assert json.loads(j.previous_path.read_text())["steps"]["a"]["status"] == "pending"
    assert j.previous_path.stat().st_mode & 0o777 == 0o600


def test_a_journal_of_a_newer_wizard_is_refused_not_rewritten(tmp_path):
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    text = '{"version": 99, "status": "failed", "steps": {}}\n'
    (state / "journal.json").write_text(text)
    res = cli(_run(tmp_path))
    assert res.returncode == 2
    assert (state / "journal.json").read_text() == text
