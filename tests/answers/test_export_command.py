"""`aio-wizard export`: every answer as commented YAML, from --answers, the journal or the host."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import run_wizard
from tests.support.guide import GUIDE_ANSWERS
from tests.support.netns import NetnsHost, netns_unavailable
from wizard import __version__
from wizard.answers.answers_file import dump_answers
from wizard.answers.questions import QUESTIONS
from wizard.answers.resolve import resolve_answers

from .conftest import guide_host


def _export(facts_file: Path, tmp_path: Path, *extra: str):
    return run_wizard("--host-facts", str(facts_file), "--state-dir", str(tmp_path / "state"), "export", *extra)


def test_export_prints_every_answer_preceded_by_its_question(facts_file, tmp_path):
    proc = _export(facts_file, tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = yaml.safe_load(proc.stdout)
    assert data.pop("schema_version") == 1
    assert data.pop("wizard_version") == __version__
    assert data == resolve_answers(guide_host()).values
    lines = proc.stdout.splitlines()
    for q in QUESTIONS:
        at = next(i for i, line in enumerate(lines) if line.startswith(f"{q.key}:"))
        comments = []
        i = at - 1
        while lines[i].startswith("#"):
            comments.append(lines[i])
            i -= 1
        assert f"# {q.prompt}" in comments, q.key


def test_export_to_a_file_then_validate_is_clean(facts_file, tmp_path):
    out = tmp_path / "answers.yaml"
    proc = _export(facts_file, tmp_path, "-o", str(out))
    assert proc.returncode == 0 and proc.stdout == ""
    check = run_wizard("--host-facts", str(facts_file), "validate", str(out))
    assert check.returncode == 0, check.stderr
    assert check.stdout == f"{out}: ok\n"


def test_export_applies_a_partial_answers_file(facts_file, tmp_path):
    given = tmp_path / "partial.yaml"
    given.write_text("enable_haproxy: 'yes'\nvenv_path: /srv/kolla\n")
    proc = _export(facts_file, tmp_path, "--answers", str(given))
    data = yaml.safe_load(proc.stdout)
    assert data["venv_path"] == "/srv/kolla"
    assert data["kolla_internal_vip_address"] == "10.1.1.254"


def test_export_refuses_a_bad_answers_file_with_exit_2(facts_file, tmp_path):
    given = tmp_path / "bad.yaml"
    given.write_text("venv_path: relative\n")
    proc = _export(facts_file, tmp_path, "--answers", str(given))
    assert proc.returncode == 2
    assert f"{given}:1: venv_path: 'relative' is not an absolute path" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_export_during_an_install_exports_the_journals_answers(facts_file, tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    journal = {"status": "running", "answers": {"venv_path": "/opt/other", "debug_tools": [], "bogus": 1}}
    (state / "journal.json").write_text(json.dumps(journal))
    data = yaml.safe_load(_export(facts_file, tmp_path).stdout)
    assert data["venv_path"] == "/opt/other"
    assert data["debug_tools"] == []
    assert "bogus" not in data


def test_a_damaged_journal_is_ignored_with_a_note(facts_file, tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    (state / "journal.json").write_text("{not json")
    proc = _export(facts_file, tmp_path)
    assert proc.returncode == 0
    assert "ignoring the journal" in proc.stderr
    assert yaml.safe_load(proc.stdout)["venv_path"] == "/opt/kolla-venv"


def test_exported_answers_never_hold_a_secret():
    values = resolve_answers(guide_host()).values
    values["extra_globals"] = {"enable_cinder": "yes", "keystone_admin_password": "hunter2", "horizon_secret_key": "x"}
    text = dump_answers(values)
    assert "hunter2" not in text and "horizon_secret_key" not in text
    assert yaml.safe_load(text)["extra_globals"] == {"enable_cinder": "yes"}


@pytest.mark.root
def test_export_on_a_host_laid_out_like_the_guide_gives_the_guides_answers(tmp_path):
    reason = netns_unavailable()
    if reason:
        pytest.skip(reason)
    with NetnsHost("guide") as host:
        host.add_nic("enp1s0", "10.1.1.88/24", gateway="10.1.1.1").add_nic("enp2s0", None)
        proc = host.run([sys.executable, "-m", "wizard", "--state-dir", str(tmp_path / "state"), "export"])
    assert proc.returncode == 0, proc.stderr
    data = yaml.safe_load(proc.stdout)
    expected = {**GUIDE_ANSWERS, "neutron_external_interface": "enp2s0"}
    del expected["nova_compute_virt_type"], expected["ext_net_range"]  # this machine's KVM; checked below
    assert {k: data[k] for k in expected} == expected
    import ipaddress

    net = ipaddress.IPv4Network("10.1.1.0/24")
    start, end = (ipaddress.IPv4Address(data["ext_net_range"][k]) for k in ("start", "end"))
    assert start in net and end in net and start <= end
    taken = [ipaddress.IPv4Address(a) for a in ("10.1.1.0", "10.1.1.1", "10.1.1.88", "10.1.1.255")]
    assert not any(start <= t <= end for t in taken)
