"""Resume rules of the journal: what runs again after a stop, a crash or changed answers."""

from __future__ import annotations

import json
import os

from tests.pipeline.conftest import plan_of, sh, step
from wizard.pipeline.journal import Journal, public_answers, resume_plan


def _plan(**values):
    return plan_of(
        step("a", sh("echo a")),
        step("b", sh("echo b"), depends_on=("vip",), depends_values={"vip": values.get("vip", "10.0.0.5")}),
        step("c", sh("echo c")),
        step("d", sh("echo d")),
    )


def _runs(entries):
    return [e.step_id for e in entries if e.run]


def _journal_after(tmp_path, plan, statuses):
    j = Journal(tmp_path / "state")
    j.begin(plan)
    for sid, st in statuses.items():
        j.update_step(sid, status=st, ended_at=1.0)
    j.finish("failed")
    return Journal.load(tmp_path / "state")


def test_a_fresh_journal_runs_every_step(tmp_path):
    assert _runs(resume_plan(_plan(), {})) == ["a", "b", "c", "d"]


def test_resume_starts_at_the_first_step_that_is_not_done(tmp_path):
    j = _journal_after(tmp_path, _plan(), {"a": "done", "b": "done", "c": "failed"})
    entries = resume_plan(_plan(), j.data)
    assert _runs(entries) == ["c", "d"]
    assert entries[0].reason.startswith("done in an earlier run")


def test_a_step_left_running_runs_again_and_is_recorded_interrupted(tmp_path):
    j = _journal_after(tmp_path, _plan(), {"a": "done", "b": "running"})
    assert _runs(resume_plan(_plan(), j.data)) == ["b", "c", "d"]
    j.begin(_plan())
    assert j.step("b")["status"] == "interrupted" and j.step("a")["status"] == "done"


def test_changed_answers_rerun_the_changed_step_and_everything_after_it(tmp_path):
    j = _journal_after(tmp_path, _plan(), {"a": "done", "b": "done", "c": "done", "d": "done"})
    assert _runs(resume_plan(_plan(), j.data)) == []
    assert _runs(resume_plan(_plan(vip="10.0.0.9"), j.data)) == ["b", "c", "d"]


def test_from_reruns_even_finished_steps(tmp_path):
    j = _journal_after(tmp_path, _plan(), {"a": "done", "b": "done", "c": "done", "d": "done"})
    assert _runs(resume_plan(_plan(), j.data, from_step="c")) == ["c", "d"]
    assert _runs(resume_plan(_plan(), j.data, until_step="b")) == []


def test_skipped_steps_run_again_on_resume(tmp_path):
    j = _journal_after(tmp_path, _plan(), {"a": "done", "b": "skipped", "c": "done", "d": "failed"})
    assert _runs(resume_plan(_plan(), j.data)) == ["b", "d"]


def test_the_journal_keeps_no_secrets_and_records_fingerprints(tmp_path):
    plan = plan_of(step("a", sh("true")), answers={"vip": "10.0.0.5", "keystone_admin_password": "x"})
    j = Journal(tmp_path / "state")
    j.begin(plan)
    data = json.loads(j.path.read_text())
    assert data["answers"] == {"vip": "10.0.0.5"}
    assert data["plan"][0]["fingerprint"] == plan.steps[0].fingerprint
    assert public_answers({"db_password": "x", "token": "y", "a": 1}) == {"a": 1}


def test_the_fingerprint_covers_commands_and_the_answers_a_step_depends_on():
    base = step("x", sh("echo 1"), depends_on=("k",), depends_values={"k": 1})
    assert base.fingerprint == step("x", sh("echo 1"), depends_on=("k",), depends_values={"k": 1}).fingerprint
    assert base.fingerprint != step("x", sh("echo 2"), depends_on=("k",), depends_values={"k": 1}).fingerprint
    assert base.fingerprint != step("x", sh("echo 1"), depends_on=("k",), depends_values={"k": 2}).fingerprint
    # answers the step does not depend on do not change it
    assert base.fingerprint == step("x", sh("echo 1"), depends_on=("k",), depends_values={"k": 1, "z": 3}).fingerprint


def test_steps_outside_from_until_are_flagged_not_guessed_from_the_reason(tmp_path):
    entries = resume_plan(_plan(), {}, from_step="b", until_step="c")
    assert [e.in_range for e in entries] == [False, True, True, False]
    j = _journal_after(tmp_path, _plan(), {"a": "done", "b": "done"})
    assert all(e.in_range for e in resume_plan(_plan(), j.data))  # done earlier is still in this run's range


def test_the_fingerprint_is_computed_once_and_recorded_once(tmp_path):
    plan = _plan()
    s = plan.steps[0]
    assert s.fingerprint is s.fingerprint  # cached on the step
    j = Journal(tmp_path / "state")
    j.begin(plan)
    data = json.loads(j.path.read_text())
    assert [p["fingerprint"] for p in data["plan"]] == [s.fingerprint for s in plan.steps]
    assert all("fingerprint" not in entry for entry in data["steps"].values())
    # a journal written before (a copy in each step entry) still resumes the same way
    data["steps"]["a"].update(status="done", fingerprint=s.fingerprint)
    data["status"] = "failed"
    j.path.write_text(json.dumps(data))
    again = Journal.load(tmp_path / "state")
    assert _runs(again.begin(plan)) == ["b", "c", "d"]
    assert again.step("a")["status"] == "done" and "fingerprint" not in again.step("a")


def test_unfinished_install_says_how_far_it_got_and_who_holds_the_lock(tmp_path):
    from wizard.pipeline.journal import unfinished_install
    from wizard.pipeline.lock import PipelineLock

    state = tmp_path / "state"
    assert unfinished_install(state) is None
    j = _journal_after(tmp_path, _plan(), {"a": "done", "b": "done", "c": "failed"})
    assert j.unfinished
    u = unfinished_install(state)
    assert (u.done, u.total, u.next_step_id, u.next_title, u.next_status) == (2, 4, "c", "C", "failed")
    assert (u.release, u.status, u.locked_by) == ("test", "failed", None)
    with PipelineLock(state):
        assert unfinished_install(state).locked_by == os.getpid()
    j.finish("done")
    assert not Journal.load(state).unfinished and unfinished_install(state) is None
