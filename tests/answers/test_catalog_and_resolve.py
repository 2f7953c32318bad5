"""The question catalog (one declaration per answer key) and how answers are resolved for a host."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.guide import GUIDE_ANSWERS
from wizard.answers.questions import GROUPS, KEYS, QUESTIONS, question, questions_in
from wizard.answers.resolve import resolve_answers
from wizard.answers.validation import validate_answers

from .conftest import guide_host

ARCHITECTURE = Path(__file__).resolve().parents[2] / "docs" / "ARCHITECTURE.md"


def _architecture_keys() -> list[tuple[str, str]]:
    rows = []
    for line in ARCHITECTURE.read_text().splitlines():
        m = re.match(r"^\| (install|management network|globals|external network) \| (.+?) \|", line)
        if m:
            for key in re.findall(r"`([a-z_]+)`", m.group(2)):
                rows.append((m.group(1), key))
    return rows


def test_catalog_has_exactly_the_architecture_keys_in_their_groups():
    expected = _architecture_keys()
    assert sorted(expected) == sorted((q.group, q.key) for q in QUESTIONS)
    assert len(set(KEYS)) == len(KEYS)
    assert GROUPS == ("install", "management network", "globals", "external network")


def test_every_question_explains_itself_and_its_example_passes_its_own_checks():
    for q in QUESTIONS:
        assert q.prompt and len(q.help) > 40, q.key
        assert q.group in GROUPS
        assert q.check(q.example) is None, q.key
        assert not q.secret


def test_interface_choices_are_the_hosts_nics_labelled_with_address_state_and_kind():
    choices = question("network_interface").choices_for(guide_host())
    labels = {c.value: c.label for c in choices}
    assert "lo" not in labels
    assert labels["enp1s0"] == "enp1s0  up  physical  10.1.1.88/24"
    assert labels["enx00051bb122ed"] == "enx00051bb122ed  up  physical  no IPv4"


def test_git_ref_is_asked_only_with_a_git_source():
    q = question("kolla_ansible_git_ref")
    assert not q.ask_when({"kolla_ansible_source": "pypi"})
    assert q.ask_when({"kolla_ansible_source": "git"})


def test_questions_in_group_keep_catalog_order():
    assert [q.key for q in questions_in("external network")] == [
        "ext_net_cidr",
        "ext_net_gateway",
        "ext_net_range",
        "demo_net_cidr",
        "run_init_runonce",
        "verify_cloud",
    ]


def test_guide_host_resolves_to_the_guides_answers_with_reasons():
    resolved = resolve_answers(guide_host())
    values = resolved.values
    for key, value in GUIDE_ANSWERS.items():
        assert values[key] == value, key
    assert values["openstack_release"] == "2026.1"
    assert values["openstack_tag_suffix"] == "-aarch64"
    assert values["debug_tools"] == ["aptitude", "screen", "rsync", "git", "curl", "byobu", "asciinema", "tcpdump"]
    assert resolved.origin("network_interface") == "detected"
    assert resolved.description("network_interface") == "detected: interface of the default route via 10.1.1.1"
    assert resolved.origin("venv_path") == "default"
    assert validate_answers(values, guide_host()) == []


def test_given_answers_win_and_dependent_defaults_follow_them():
    facts = guide_host()
    resolved = resolve_answers(facts, given={"enable_haproxy": "yes", "openstack_release": "2024.1"})
    values = resolved.values
    assert resolved.origin("enable_haproxy") == "answers"
    assert values["kolla_internal_vip_address"] == "10.1.1.254"
    assert values["kolla_ansible_git_ref"] == "unmaintained/2024.1"  # stable/2024.1 is gone
    start, end = values["ext_net_range"]["start"], values["ext_net_range"]["end"]
    assert (start, end) == ("10.1.1.210", "10.1.1.240")
    assert validate_answers(values, facts) == []


def test_journal_answers_come_between_given_and_detected():
    resolved = resolve_answers(
        guide_host(), given={"venv_path": "/srv/venv"}, journal={"venv_path": "/opt/x", "debug_tools": []}
    )
    assert resolved["venv_path"].value == "/srv/venv"
    assert resolved["debug_tools"].value == []
    assert resolved.origin("debug_tools") == "journal"


def test_choosing_another_management_nic_moves_vip_and_external_network():
    facts = guide_host()
    values = resolve_answers(facts, given={"network_interface": "eth2"}).values
    assert values["kolla_internal_vip_address"] == "192.168.5.10"
    assert values["ext_net_cidr"] == "192.168.5.0/24"
    assert values["ext_net_gateway"] == "192.168.5.1"
    assert values["neutron_external_interface"] == "enx00051bb122ed"


def test_host_without_anything_resolves_every_key_and_says_why_not():
    from wizard.host.facts import HostFacts

    resolved = resolve_answers(HostFacts())
    assert set(resolved.values) == set(KEYS)
    assert resolved.values["network_interface"] is None
    assert "no interface" in resolved.reason("network_interface")


def test_resolved_values_are_copies():
    resolved = resolve_answers(guide_host())
    resolved.values["debug_tools"].append("vim")
    assert "vim" not in resolved.values["debug_tools"]


def test_readme_answers_reference_is_generated_from_the_catalog():
    import subprocess
    import sys

    tool = Path(__file__).resolve().parents[2] / "tools" / "gen_answers_doc.py"
    proc = subprocess.run([sys.executable, str(tool)], capture_output=True, text=True, check=True)
    for q in QUESTIONS:
        assert f"| `{q.key}` | {q.prompt}" in proc.stdout
        assert q.help in proc.stdout
    for group in GROUPS:
        assert f"### {group[0].upper()}{group[1:]}" in proc.stdout
