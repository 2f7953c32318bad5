"""What the CLI tells an operator in the cases issue 14 found misleading: the plan's last line,
and the probe's words for a missing /etc/hosts and a missing ``python`` command."""

from __future__ import annotations

import yaml

from tests.host.conftest import FakeRunner, build_root
from tests.pipeline.hosts import DEBIAN_12_ARM64
from tests.support.guide import GUIDE_ANSWERS
from wizard.host.checks import preflight_checks
from wizard.host.probe import probe_host
from wizard.host.report import render_report


def test_plan_for_a_release_this_host_cannot_run_says_so_on_its_last_line(tmp_path, wizard_cli, state_dirs):
    facts = tmp_path / "facts.json"
    facts.write_text(DEBIAN_12_ARM64.to_json())
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump({**GUIDE_ANSWERS, "openstack_release": "2025.1"}))
    res = wizard_cli("--host-facts", str(facts), *state_dirs, "plan", "--answers", str(answers), "--release", "train")
    assert res.returncode == 0, res.stderr  # a preview for another box is legitimate
    last = res.stdout.rstrip("\n").splitlines()[-1]
    assert last.startswith("this host cannot run this plan: ") and last.endswith(" above")


def test_plan_this_host_can_run_ends_without_the_warning(tmp_path, wizard_cli, state_dirs):
    facts = tmp_path / "facts.json"
    facts.write_text(DEBIAN_12_ARM64.to_json())
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump({**GUIDE_ANSWERS, "openstack_release": "2025.1"}))
    res = wizard_cli("--host-facts", str(facts), *state_dirs, "plan", "--answers", str(answers))
    assert res.returncode == 0, res.stderr
    assert "cannot run this plan" not in res.stdout


def _report(root) -> str:
    facts = probe_host(root, FakeRunner(), live_network=False)  # FakeRunner: `python` is not installed
    return render_report(facts, preflight_checks(facts), {})


def test_probe_says_absent_for_a_missing_etc_hosts_and_fine_for_no_python_command(tmp_path):
    root = build_root(tmp_path / "root")
    (root / "etc/hosts").unlink()
    text = " ".join(_report(root).split())
    assert "[absent: " in text and "etc/hosts]" in text
    assert "not readable" not in text
    assert "no `python` command (fine on Debian 11+)" in text
    assert "not Python 3" not in text


def test_the_root_hint_works_on_a_minimal_debian_without_sudo():
    from tests.host.conftest import GUIDE_HOST
    from wizard.host.checks import check_root

    hint = check_root(GUIDE_HOST).hint or ""
    assert "sudo aio-wizard" not in hint
    assert "su -" in hint
