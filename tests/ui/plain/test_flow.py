"""The plain wizard's flow (review menu, export, --answers, resume choices) with a scripted operator."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.conftest import REPO, run_wizard
from tests.support.guide import GUIDE_HOST_FILE
from tests.support.steps import write_steps
from tests.ui.plain.conftest import ScriptedPrompter, default_questions, make_args
from wizard.ui.plain import PlainWizard

DEFAULT_KEYS = [q.key for q in default_questions()]  # the questions asked without advanced ones


def defaults_then(*menu: object) -> list[object]:
    """Decline advanced questions, accept every default (None), then the given review choices."""
    return [False, *([None] * len(DEFAULT_KEYS)), *menu]


def test_exported_answers_are_written_and_validate_cleanly(tmp_path: Path):
    target = tmp_path / "answers.yaml"
    prompter = ScriptedPrompter(defaults_then("export", str(target), "quit"))
    assert PlainWizard(make_args(tmp_path), prompter).run() == 0
    data = yaml.safe_load(target.read_text())
    assert data["network_interface"] == "enp1s0"
    assert data["ext_net_range"] == {"start": "10.1.1.210", "end": "10.1.1.240"}
    assert target.stat().st_mode & 0o777 == 0o600
    check = run_wizard("--host-facts", str(GUIDE_HOST_FILE), "validate", str(target), cwd=REPO)
    assert check.returncode == 0, check.stdout + check.stderr


def test_values_from_an_answers_file_become_the_defaults(tmp_path: Path):
    answers = tmp_path / "given.yaml"
    answers.write_text("nova_compute_virt_type: qemu\ndebug_tools: [git]\n")
    prompter = ScriptedPrompter(defaults_then("quit"))
    PlainWizard(make_args(tmp_path, answers=str(answers)), prompter).run()
    review = "\n".join(prompter.shown)
    assert "nova_compute_virt_type: qemu" in review
    assert "debug_tools: git" in review


def test_the_plan_commands_are_shown_on_request(tmp_path: Path):
    prompter = ScriptedPrompter(defaults_then("commands", "quit"))
    PlainWizard(make_args(tmp_path), prompter).run()
    shown = "\n".join(prompter.shown)
    assert "$ apt-get" in shown
    assert prompter.asked.count("What next?") == 2


def test_changing_an_answer_goes_through_the_questions_again(tmp_path: Path):
    answers_again = [None] * len(DEFAULT_KEYS)
    answers_again[DEFAULT_KEYS.index("nova_compute_virt_type")] = "qemu"
    prompter = ScriptedPrompter(defaults_then("change", *answers_again, "quit"))
    PlainWizard(make_args(tmp_path), prompter).run()
    reviews = "\n".join(prompter.shown).split("=== Review ===")
    assert "nova_compute_virt_type: kvm" in reviews[1]
    assert "nova_compute_virt_type: qemu" in reviews[2]


def test_nothing_is_installed_without_the_final_confirmation(tmp_path: Path):
    steps = write_steps(
        tmp_path / "steps.yaml", f"- id: touch\n  title: Touch\n  commands: [[touch, {tmp_path}/touched]]\n"
    )
    prompter = ScriptedPrompter(["install", False, "quit"])
    assert PlainWizard(make_args(tmp_path, dry_run=False, steps_file=str(steps)), prompter).run() == 0
    assert not (tmp_path / "touched").exists()
    assert not (tmp_path / "state" / "journal.json").exists()


def test_quitting_at_the_resume_prompt_changes_nothing(tmp_path: Path):
    steps = write_steps(tmp_path / "steps.yaml", "- id: fail\n  title: Fail\n  commands: [[sh, -c, 'exit 4']]\n")
    args = make_args(tmp_path, dry_run=False, steps_file=str(steps))
    assert PlainWizard(args, ScriptedPrompter(["install", True, "abort"])).run() == 1
    journal = (tmp_path / "state" / "journal.json").read_text()
    prompter = ScriptedPrompter(["quit"])
    assert PlainWizard(make_args(tmp_path, dry_run=False), prompter).run() == 0  # steps file from the journal
    assert "An unfinished install was found. What now?" in prompter.asked
    assert (tmp_path / "state" / "journal.json").read_text() == journal


def test_the_review_is_not_printed_again_when_nothing_changed(tmp_path: Path):
    target = tmp_path / "answers.yaml"
    prompter = ScriptedPrompter(defaults_then("commands", "export", str(target), "quit"))
    assert PlainWizard(make_args(tmp_path), prompter).run() == 0
    assert prompter.shown.count("=== Review ===") == 1
    assert prompter.asked.count("What next?") == 3
