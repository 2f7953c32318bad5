"""``aio-wizard plan --json``: the machine-readable plan the kolla contract tests check."""

from __future__ import annotations

import json
import os
import sys

import yaml

from tests.pipeline.conftest import cli_files, plan_of, sh, step
from tests.pipeline.hosts import DEBIAN_12_ARM64
from tests.support.guide import GUIDE_ANSWERS
from wizard.answers.resolve import resolve_answers
from wizard.pipeline.model import Command, FileWrite
from wizard.pipeline.plan import build_plan, plan_as_json
from wizard.pipeline.runner import command_env


def test_plan_json_is_one_object_with_every_step_command_and_file(tmp_path, wizard_cli, state_dirs):
    facts, answers = cli_files(tmp_path)
    res = wizard_cli("--host-facts", facts, *state_dirs, "plan", "--answers", answers, "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["release"] == "2025.1"
    assert data["problems"] == []
    ids = [s["id"] for s in data["steps"]]
    assert ids[0] == "preflight" and "deploy" in ids
    for s in data["steps"]:
        assert set(s) >= {"id", "title", "optional", "depends_on", "done_check", "commands", "files"}
        for c in s["commands"]:
            assert isinstance(c["argv"], list) and all(isinstance(a, str) for a in c["argv"])
            assert "PATH" in c["env"] and "$PATH" not in c["env"]["PATH"]
        for f in s["files"]:
            assert set(f) >= {"path", "mode", "content"}
            if f["content"] is None and not f["directory"]:
                assert f["copy_from"] or f.get("error") or f["transform"]
    runonce = next(s for s in data["steps"] if s["id"] == "init-runonce")
    assert runonce["commands"][0]["cwd"] == "/var/cache/aio-wizard"  # where it downloads CirrOS
    assert "cwd" not in runonce["commands"][1]
    deploy = next(s for s in data["steps"] if s["id"] == "deploy")
    env = deploy["commands"][0]["env"]
    assert env["PATH"].startswith("/opt/kolla-venv/bin:")
    assert env["DEBIAN_FRONTEND"] == "noninteractive"
    globals_step = next(s for s in data["steps"] if s["id"] == "globals")
    assert 'network_interface: "enp1s0"' in globals_step["files"][0]["content"]
    kolla_config = next(s for s in data["steps"] if s["id"] == "kolla-config")
    passwords = next(f for f in kolla_config["files"] if f["path"] == "/etc/kolla/passwords.yml")
    assert passwords["content"] is None and passwords["copy_from"].endswith("/passwords.yml")
    assert passwords["mode"] == "0600"
    venv = next(s for s in data["steps"] if s["id"] == "virtualenv")
    assert venv["done_check"] == "/opt/kolla-venv/bin/python and /opt/kolla-venv/bin/pip exist"
    assert next(s for s in data["steps"] if s["id"] == "deploy")["done_check"] is None


def test_plan_json_env_is_exactly_what_the_runner_passes(tmp_path):
    facts = DEBIAN_12_ARM64
    answers = resolve_answers(facts, {**GUIDE_ANSWERS, "openstack_release": "2025.1"}).values
    plan = build_plan(answers, facts, root=tmp_path)
    base = {"PATH": "/usr/bin:/bin", "HOME": "/root", "TERM": "xterm"}
    data = plan_as_json(plan, base)
    for planned, shown in zip(plan.steps, data["steps"], strict=True):
        for cmd, c in zip(planned.commands, shown["commands"], strict=True):
            assert {**base, **c["env"]} == command_env(cmd, base)


def test_the_runner_really_runs_a_command_with_the_environment_plan_json_shows(tmp_path, make_runner):
    out = tmp_path / "env.json"
    cmd = Command(
        (sys.executable, "-c", f"import json, os; json.dump(dict(os.environ), open({str(out)!r}, 'w'))"),
        env={"VIRTUAL_ENV": "/opt/v"},
        path_prepend=("/opt/v/bin",),
    )
    plan = plan_of(step("s", cmd))
    shown = plan_as_json(plan)["steps"][0]["commands"][0]["env"]
    runner, _, _ = make_runner(plan)
    runner.run()
    seen = json.loads(out.read_text())
    for key, value in shown.items():
        assert seen[key] == value, key
    assert seen["PATH"] == "/opt/v/bin:" + os.environ["PATH"]


def test_plan_json_shows_the_full_content_of_an_edit_of_the_current_file(tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/motd").write_text("hello\n")
    edit = FileWrite("/etc/motd", transform=lambda text: (text or "") + "more\n", backup=True)
    plan = plan_of(step("s", sh("true"), files=(edit,)), root=tmp_path)
    f = plan_as_json(plan)["steps"][0]["files"][0]
    assert f["content"] == "hello\nmore\n" and f["backup"] is True and f["mode"] is None


def test_a_dry_run_saves_the_plan_as_json_when_the_name_ends_in_json(tmp_path):
    from wizard.ui.tui.session import Session

    steps = tmp_path / "steps.yaml"
    steps.write_text(yaml.safe_dump([{"id": "a", "title": "A", "commands": [["true"]]}]))
    session = Session.create(
        DEBIAN_12_ARM64, dry_run=True, state_dir=tmp_path / "state", log_dir=tmp_path / "log", steps_file=str(steps)
    )
    saved = session.save_plan(tmp_path / "plan.json")
    assert json.loads(saved.read_text())["steps"][0]["id"] == "a"
    assert session.save_plan(tmp_path / "plan.txt").read_text().startswith("Plan from")
