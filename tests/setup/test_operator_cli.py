"""What the CLI tells an operator in the cases issue 14 found misleading: the plan's last line,
and the probe's words for a missing /etc/hosts and a missing ``python`` command."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from tests.host.conftest import FakeRunner, build_root
from tests.pipeline.hosts import DEBIAN_12_ARM64
from tests.support.guide import GUIDE_ANSWERS, GUIDE_HOST_FILE
from wizard.host.probe import probe_host
from wizard.preflight.checks import preflight_checks
from wizard.preflight.report import render_report


def test_plan_for_a_release_this_host_cannot_run_says_so_on_its_last_line(tmp_path, wizard_cli, state_dirs):
    facts = tmp_path / "facts.json"
    facts.write_text(DEBIAN_12_ARM64.to_json())
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump({**GUIDE_ANSWERS, "openstack_release": "2025.1"}))
    res = wizard_cli("--host-facts", str(facts), *state_dirs, "plan", "--answers", str(answers), "--release", "train")
    assert res.returncode == 0, res.stderr  # a preview for another box is legitimate
    last = res.stdout.rstrip("\n").splitlines()[-1]
    assert last.startswith("this host cannot run this plan: ") and last.endswith(" above")


def test_plan_json_for_a_release_this_host_cannot_run_stays_one_json_document(tmp_path, wizard_cli, state_dirs):
    import json

    facts = tmp_path / "facts.json"
    facts.write_text(DEBIAN_12_ARM64.to_json())
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump({**GUIDE_ANSWERS, "openstack_release": "2025.1"}))
    argv = ("--host-facts", str(facts), *state_dirs, "plan", "--json", "--answers", str(answers), "--release", "train")
    res = wizard_cli(*argv)
    assert res.returncode == 0, res.stderr
    json.loads(res.stdout)  # the warning line is for the text form only
    assert "cannot run this plan:" not in res.stdout.splitlines()[-1]


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
    assert not re.search(r"not readable: \S*etc/hosts", text)
    assert "no `python` command (fine on Debian 11+)" in text
    assert "not Python 3" not in text


def test_the_root_hint_works_on_a_minimal_debian_without_sudo():
    from tests.host.conftest import GUIDE_HOST
    from wizard.preflight.checks import check_root

    hint = check_root(GUIDE_HOST).hint or ""
    assert "sudo aio-wizard" not in hint
    assert "su -" in hint


def _world_readable_path(path: Path) -> bool:
    """Whether any user can read ``path`` (directories on the way: read and enter)."""
    need = [(path, 0o005 if path.is_dir() else 0o004), *((parent, 0o005) for parent in path.parents)]
    return all(p.stat().st_mode & bits == bits for p, bits in need)


def test_a_non_root_dry_run_starts_beside_roots_journal_and_says_what_it_could_not_read(tmp_path):
    """As a real other user (nobody): the system python3 with this venv's packages, root's 0600 journal."""
    site = Path(sysconfig.get_paths()["purelib"])
    system_python = Path("/usr/bin/python3")
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run the wizard as another user")
    if not system_python.exists():
        pytest.skip("needs /usr/bin/python3 to run as another user")
    version = subprocess.run([system_python, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True)
    if version.stdout.decode().strip() != str(tuple(sys.version_info[:2])):
        pytest.skip("/usr/bin/python3 is not this interpreter's version: this venv's packages would not load")
    if not (_world_readable_path(site) and _world_readable_path(REPO) and _world_readable_path(GUIDE_HOST_FILE)):
        pytest.skip(f"{site} or {REPO} is not readable by other users")
    state = Path(tempfile.mkdtemp(prefix="aio-wizard-state-"))  # /tmp/pytest-of-root is 0700: nobody cannot enter
    try:
        state.chmod(0o755)
        (state / "journal.json").write_text('{"status": "failed"}\n')
        (state / "journal.json").chmod(0o600)
        env = {"HOME": "/tmp", "NO_COLOR": "1", "TERM": "dumb", "PYTHONPATH": f"{REPO}:{site}", "PATH": "/usr/bin:/bin"}
        argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", str(system_python), "-m", "wizard"]
        argv += ["--plain", "--dry-run", "--state-dir", str(state), "--log-dir", str(state / "log")]
        argv += ["--host-facts", str(GUIDE_HOST_FILE)]
        done = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(state)
    out = " ".join(done.stdout.split())
    assert "Could not read:" in out and "Permission denied" in out and "this dry run ignores it" in out, done.stderr
    assert "Ask the advanced questions too?" in out  # it went on to the questions
