"""Plan golden files, checked by hand against the guide and kolla.md.

Regenerate after an intended change with ``UPDATE_GOLDEN=1 python -m pytest tests/pipeline/test_plan_golden.py``
and read the diff: every command in these files is what a real run would execute.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.pipeline.hosts import DEBIAN_10_ARM64, DEBIAN_12_ARM64, DEBIAN_13_X86
from tests.support.guide import GUIDE_ANSWERS
from wizard.answers.resolve import resolve_answers
from wizard.pipeline.plan import build_plan, render_plan

GOLDEN = Path(__file__).with_name("golden")
BUSTER_SOURCES = (
    "deb http://deb.debian.org/debian buster main\n"
    "deb http://security.debian.org/debian-security buster/updates main\n"
    "deb http://deb.debian.org/debian buster-updates main\n"
)
DEBIAN_HOSTS = "127.0.0.1\tlocalhost\n127.0.1.1\taio.example.org\taio\n\n::1     localhost ip6-localhost ip6-loopback\n"

CASES = {
    "2025.1-debian12-arm64": (DEBIAN_12_ARM64, {"openstack_release": "2025.1"}),
    "2026.1-debian13-x86_64": (DEBIAN_13_X86, {"openstack_release": "2026.1"}),
    "train-debian10-arm64": (DEBIAN_10_ARM64, {"openstack_release": "train", "image_source": "build"}),
}


def _fake_root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc/hosts").write_text(DEBIAN_HOSTS)
    (root / "etc/apt").mkdir()
    (root / "etc/apt/sources.list").write_text(BUSTER_SOURCES)  # only the Debian 10 plan edits it
    return root


def render_case(name: str, root: Path) -> str:
    facts, given = CASES[name]
    answers = resolve_answers(facts, {**GUIDE_ANSWERS, **given}).values
    plan = build_plan(answers, facts, root=root)
    return render_plan(plan).replace(sys.executable, "python3")


@pytest.mark.parametrize("name", sorted(CASES))
def test_plan_matches_its_golden_file(name, tmp_path):
    text = render_case(name, _fake_root(tmp_path))
    golden = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text()


def test_every_kolla_ansible_call_is_action_first_with_the_inventory(tmp_path):
    for name in CASES:
        facts, given = CASES[name]
        answers = resolve_answers(facts, {**GUIDE_ANSWERS, **given}).values
        for step in build_plan(answers, facts, root=tmp_path).steps:
            for cmd in step.commands:
                if cmd.argv[0].endswith("/kolla-ansible") and cmd.argv[1] != "install-deps":
                    assert cmd.argv[2:][-2:] == ("-i", "/etc/kolla/ansible/inventory/all-in-one"), cmd.display
                    assert not cmd.argv[1].startswith("-")


def test_train_plan_follows_the_guide_era(tmp_path):
    facts, given = CASES["train-debian10-arm64"]
    plan = build_plan(resolve_answers(facts, {**GUIDE_ANSWERS, **given}).values, facts, root=tmp_path)
    ids = plan.step_ids
    assert "install-deps" not in ids and "pull" not in ids
    assert ids.index("bootstrap-servers") < ids.index("kolla-build") < ids.index("prechecks")
    pip = [c.argv for c in plan.step("kolla-ansible").commands]
    assert pip[1][:4] == ("/opt/kolla-venv/bin/pip", "install", "-U", "ansible>=2.6,<2.10")
    build = plan.step("kolla-build").commands[0].argv
    assert build[1:5] == ("-b", "debian", "-t", "source")
    py = [c.argv for c in plan.step("python-prereqs").commands]
    assert ("update-alternatives", "--install", "/usr/bin/python", "python", "/usr/bin/python3", "2") in py


def test_2026_1_prechecks_use_test_images_only_with_the_published_images(tmp_path):
    facts, given = CASES["2026.1-debian13-x86_64"]
    published = build_plan(resolve_answers(facts, {**GUIDE_ANSWERS, **given}).values, facts, root=tmp_path)
    assert "--use-test-images" in published.step("prechecks").commands[0].argv
    mirror = resolve_answers(facts, {**GUIDE_ANSWERS, **given, "docker_registry": "registry.local:5000"}).values
    assert "--use-test-images" not in build_plan(mirror, facts, root=tmp_path).step("prechecks").commands[0].argv


def test_plan_for_a_release_the_host_cannot_run_lists_the_problems_first(tmp_path):
    facts = DEBIAN_12_ARM64
    answers = resolve_answers(facts, {**GUIDE_ANSWERS, "openstack_release": "train"}).values
    plan = build_plan(answers, facts, root=tmp_path)
    assert any("Debian 12" in p for p in plan.problems)
    text = render_plan(plan)
    assert text.index("Problems") < text.index("[ 1/")


def test_passwords_yml_is_never_overwritten(tmp_path):
    facts, given = CASES["2025.1-debian12-arm64"]
    plan = build_plan(resolve_answers(facts, {**GUIDE_ANSWERS, **given}).values, facts, root=tmp_path)
    writes = [f for s in plan.steps for f in s.files if f.path == "/etc/kolla/passwords.yml"]
    assert writes and all(f.if_absent for f in writes)


def test_each_host_problem_is_said_once_in_the_answers_own_words(tmp_path):
    facts = DEBIAN_12_ARM64
    given = {**GUIDE_ANSWERS, "openstack_release": "2025.1", "kolla_base_distro": "ubuntu"}
    plan = build_plan(resolve_answers(facts, given).values, facts, root=tmp_path)
    arm64 = [p for p in plan.problems if "arm64" in p or "aarch64" in p]
    assert arm64 == [
        'openstack_release: 2025.1 publishes no arm64 images for ubuntu (only debian); use kolla_base_distro "debian" '
        'or image_source "build"'
    ]


def test_a_release_given_apart_from_the_answers_is_checked_against_the_host(tmp_path):
    facts = DEBIAN_12_ARM64
    answers = resolve_answers(facts, {**GUIDE_ANSWERS, "openstack_release": "2025.1"}).values
    assert build_plan(answers, facts, root=tmp_path).problems == ()
    plan = build_plan(answers, facts, "train", root=tmp_path)
    assert plan.release == "train"
    assert any(p.startswith("openstack_release: train does not support Debian 12") for p in plan.problems)


def test_the_plan_names_the_backup_a_rerun_will_take(tmp_path):
    """The first run keeps /etc/hosts.aio-wizard.bak; a second must say .bak.1, not the name already taken."""
    root = _fake_root(tmp_path)
    (root / "etc/hosts.aio-wizard.bak").write_text(DEBIAN_HOSTS)
    text = render_case("2025.1-debian12-arm64", root)
    assert "the current one kept as /etc/hosts.aio-wizard.bak.1 " in text
    assert "NAME.aio-wizard.bak" not in text


def test_the_plan_ends_with_the_ways_out_bundle_and_destroy(tmp_path):
    text = render_case("2025.1-debian12-arm64", _fake_root(tmp_path))
    tail = text[text.index("[24/24] summary") :]
    assert "`aio-wizard bundle`" in tail and "`aio-wizard destroy --dry-run`" in tail


def test_the_plans_prose_fits_80_columns_and_its_commands_stay_one_line(tmp_path):
    text = render_case("2025.1-debian12-arm64", _fake_root(tmp_path))
    verbatim = ("$ ", "| ", "+", "-", " ")  # commands, and the files' content and diff lines, stay as they are
    long_lines = [line for line in text.splitlines() if len(line) > 80]
    prose = [line for line in long_lines if not line[4:].startswith(verbatim) and not line.startswith(("      ", "["))]
    assert long_lines and not prose, prose
