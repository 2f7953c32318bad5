"""``plan``, ``run`` and ``status`` through the real CLI (``python -m wizard``)."""

from __future__ import annotations

import json

from tests.pipeline.conftest import cli_files
from tests.support.steps import write_steps


def test_plan_for_an_unsupported_release_lists_problems_first_and_exits_0(tmp_path, wizard_cli, state_dirs):
    facts, answers = cli_files(tmp_path)
    res = wizard_cli("--host-facts", facts, *state_dirs, "plan", "--answers", answers, "--release", "train")
    assert res.returncode == 0, res.stderr
    assert res.stdout.index("Problems") < res.stdout.index("[ 1/")
    assert "Debian 12" in res.stdout
    assert not (tmp_path / "state").exists()  # plan changes nothing


def test_run_refuses_a_plan_the_host_cannot_run(tmp_path, wizard_cli, state_dirs):
    facts, answers = cli_files(tmp_path, release="train")
    res = wizard_cli("--host-facts", facts, *state_dirs, "run", "--answers", answers, "--non-interactive")
    assert res.returncode == 2
    assert "openstack_release" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "state" / "journal.json").exists()


def test_run_dry_run_prints_the_plan_and_runs_nothing(tmp_path, wizard_cli, state_dirs):
    marker = tmp_path / "ran"
    steps = write_steps(tmp_path / "steps.yaml", [{"id": "touch", "commands": [["touch", str(marker)]]}])
    res = wizard_cli(*state_dirs, "run", "--steps-file", str(steps), "--non-interactive", "--dry-run")
    assert res.returncode == 0
    assert f"$ touch {marker}" in res.stdout
    assert not marker.exists() and not (tmp_path / "state").exists()


def test_a_bad_steps_file_names_file_and_line(tmp_path, wizard_cli, state_dirs):
    steps = write_steps(tmp_path / "steps.yaml", "- id: ok\n  commands: [[true]]\n- id: bad\n  commands: [echo hi]\n")
    res = wizard_cli(*state_dirs, "run", "--steps-file", str(steps), "--non-interactive")
    assert res.returncode == 2
    assert f"{steps}:3: commands:" in res.stderr


def test_an_unknown_from_step_is_refused_before_anything_runs(tmp_path, wizard_cli, state_dirs):
    steps = write_steps(tmp_path / "steps.yaml", [{"id": "one", "commands": [["true"]]}])
    res = wizard_cli(*state_dirs, "run", "--steps-file", str(steps), "--non-interactive", "--from", "nope")
    assert res.returncode == 2 and "unknown step 'nope'" in res.stderr
    assert not (tmp_path / "state" / "journal.json").exists()


def test_run_prints_one_line_per_step_and_status_reports_each_step(tmp_path, wizard_cli, state_dirs):
    steps = write_steps(
        tmp_path / "steps.yaml",
        [
            {"id": "first", "title": "First step", "commands": [["echo", "one"]]},
            {"id": "second", "title": "Second step", "commands": [["echo", "two"]]},
        ],
    )
    res = wizard_cli(*state_dirs, "run", "--steps-file", str(steps), "--non-interactive")
    assert res.returncode == 0, res.stderr
    assert "[1/2] First step" in res.stdout and "[2/2] Second step" in res.stdout
    status = wizard_cli(*state_dirs, "status")
    assert status.returncode == 0
    lines = status.stdout.splitlines()
    assert lines[0].endswith(": done")
    row = next(line for line in lines if " second " in line)
    assert "done" in row and str(tmp_path / "log" / "02-second.log") in row
    journal = json.loads((tmp_path / "state" / "journal.json").read_text())
    assert journal["steps"]["first"]["exit_code"] == 0


def test_the_until_option_stops_after_that_step(tmp_path, wizard_cli, state_dirs):
    steps = write_steps(tmp_path / "steps.yaml", [{"id": n, "commands": [["touch", str(tmp_path / n)]]} for n in "abc"])
    res = wizard_cli(*state_dirs, "run", "--steps-file", str(steps), "--non-interactive", "--until", "b")
    assert res.returncode == 0
    assert (tmp_path / "b").exists() and not (tmp_path / "c").exists()


def test_a_steps_file_value_yaml_cannot_build_names_file_and_line(tmp_path, wizard_cli, state_dirs):
    steps = write_steps(
        tmp_path / "steps.yaml",
        "- id: ok\n  commands: [[true]]\n- id: bad\n  commands: !!python/object:os.system [x]\n",
    )
    res = wizard_cli(*state_dirs, "run", "--steps-file", str(steps), "--non-interactive")
    assert res.returncode == 2, res.stderr
    assert f"{steps}:3: cannot read the step" in res.stderr and "Traceback" not in res.stderr
