"""Both front ends answer "is there an unfinished install?" the same way (wizard.ui.runs.resumable_install)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.guide import GUIDE_HOST_FILE
from tests.ui.plain.conftest import ScriptedPrompter, default_questions, make_args
from wizard.errors import UserError
from wizard.host.facts import HostFacts
from wizard.pipeline.lock import PipelineLock
from wizard.ui.plain import PlainWizard


def _journal(state: Path, **answers) -> None:
    """An install that failed at its second step, with these answers."""
    state.mkdir(parents=True, exist_ok=True)
    data = {
        "status": "failed",
        "release": "2025.1",
        "answers": answers,
        "plan": [{"id": "one", "title": "One"}, {"id": "two", "title": "Two"}],
        "steps": {"one": {"status": "done"}, "two": {"status": "failed"}},
        "failed_step": "two",
    }
    (state / "journal.json").write_text(json.dumps(data))


def _tui_session(tmp_path: Path, answers: str | None = None, *, dry_run: bool = False):
    from wizard.ui.tui.session import Session

    return Session.create(
        HostFacts.load(GUIDE_HOST_FILE),
        dry_run=dry_run,
        state_dir=tmp_path / "state",
        log_dir=tmp_path / "log",
        answers_path=answers,
    )


def test_both_front_ends_follow_an_install_that_runs_instead_of_offering_to_resume_it(tmp_path):
    _journal(tmp_path / "state")
    with PipelineLock(tmp_path / "state"):
        session = _tui_session(tmp_path)
        assert session.attaching and session.unfinished_install() is None
        assert session.step_titles() == [("one", "One"), ("two", "Two")]
        prompter = ScriptedPrompter([])
        code = PlainWizard(make_args(tmp_path, dry_run=False), prompter).run()
    assert code == 1  # the journal says the install failed: the follower ends with its code
    assert "An unfinished install was found. What now?" not in prompter.asked
    assert any("An install is running" in line for line in prompter.shown)


def test_a_dry_run_may_look_while_another_aio_wizard_holds_the_lock(tmp_path):
    from wizard.ui.runs import resumable_install
    from wizard.ui.tui.session import Session

    _journal(tmp_path / "state")
    with PipelineLock(tmp_path / "state"):
        found = resumable_install(tmp_path / "state", refuse_locked=False)
        session = Session.create(
            HostFacts.load(GUIDE_HOST_FILE), dry_run=True, state_dir=tmp_path / "state", log_dir=tmp_path / "log"
        )
    assert found is not None and found.locked_by
    assert session.unfinished_install() is None  # a dry run offers no Resume


def test_a_damaged_journal_is_the_same_error_in_both_front_ends(tmp_path):
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "journal.json").write_text("{not json")
    with pytest.raises(UserError, match="the journal is not valid JSON") as tui:
        _tui_session(tmp_path)
    with pytest.raises(UserError) as plain:
        PlainWizard(make_args(tmp_path, dry_run=False), ScriptedPrompter([])).run()
    assert str(plain.value) == str(tui.value)
    assert tui.value.exit_code == 2


def test_a_dry_run_in_both_front_ends_starts_beside_a_damaged_journal_and_says_so(tmp_path):
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "journal.json").write_text("{not json")
    session = _tui_session(tmp_path, dry_run=True)
    assert session.unfinished is None
    assert session.notes and "the journal is not valid JSON" in session.notes[0]
    prompter = ScriptedPrompter([False, *([None] * 40)])  # every default, then the plan
    assert PlainWizard(make_args(tmp_path), prompter).run() == 0
    shown = " ".join(" ".join(prompter.shown).split())  # messages are wrapped to 80 columns
    assert "Dry run: nothing was changed." in shown
    assert "Could not read:" in shown and "the journal is not valid JSON" in shown


def test_answers_given_with_the_option_override_the_journal_in_both_front_ends(tmp_path):
    _journal(tmp_path / "state", venv_path="/from/journal", nova_compute_virt_type="qemu")
    answers = tmp_path / "given.yaml"
    answers.write_text("venv_path: /from/answers\n")

    session = _tui_session(tmp_path, str(answers))
    assert session.values["venv_path"] == "/from/answers"
    assert session.values["nova_compute_virt_type"] == "qemu"
    assert "1 of 2 steps done" in session.unfinished_install()

    prompter = ScriptedPrompter(["review", *([None] * len(default_questions())), "quit"])  # every default
    assert PlainWizard(make_args(tmp_path, answers=str(answers)), prompter).run() == 0
    review = "\n".join(prompter.shown)
    assert "An install is under way: 1 of 2 steps done, status failed." in review
    assert "It resumes at step 2, 'Two' (failed)." in review
    assert "venv_path: /from/answers" in review
    assert "nova_compute_virt_type: qemu" in review


def test_the_host_checks_of_both_front_ends_use_the_chosen_release(tmp_path):
    """The release of the answers (here a resumable install's) decides the checks, in both front ends."""
    _journal(tmp_path / "state", openstack_release="zed")  # not for Debian 12: the OS check fails for it
    tui = {c.id: c.status for c in _tui_session(tmp_path).checks()}
    assert tui["os"] == "fail"
    prompter = ScriptedPrompter(["quit"])
    assert PlainWizard(make_args(tmp_path), prompter).run() == 0
    shown = "\n".join(prompter.shown)
    passed = sum(1 for s in tui.values() if s == "pass")
    assert f"Preflight: {passed} of {len(tui)} checks pass." in shown
    assert "FAIL: " in shown
