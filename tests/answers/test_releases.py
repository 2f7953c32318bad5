"""The release catalog is data: releases.yaml read into Release records, looked up by name and host."""

from __future__ import annotations

import dataclasses

import pytest
import yaml

from wizard.errors import UserError
from wizard.kolla.releases import CATALOG_PATH, Release, get_release, load_releases, newest_release_for

EXPECTED = ("train", "ussuri", "victoria", "wallaby", "xena", "yoga", "zed")
EXPECTED += ("2023.1", "2023.2", "2024.1", "2024.2", "2025.1", "2025.2", "2026.1")


def test_catalog_lists_train_through_2026_1_oldest_first():
    assert tuple(r.name for r in load_releases()) == EXPECTED
    majors = [r.kolla_major for r in load_releases()]
    assert majors == list(range(9, 23))


def test_every_release_sets_every_field_from_the_yaml_or_its_defaults():
    raw = yaml.safe_load(CATALOG_PATH.read_text())
    fields = {f.name for f in dataclasses.fields(Release)}
    for entry in raw["releases"]:
        derived = {"action_names"}  # from action_renames, for every release
        assert set(entry) | set(raw["defaults"]) | set(raw["since"]) | derived == fields, entry["name"]


def test_features_since_a_major_are_on_from_that_major_only():
    by_major = {r.kolla_major: r for r in load_releases()}
    assert [m for m, r in by_major.items() if r.proxysql_default] == [19, 20, 21, 22]
    assert [m for m, r in by_major.items() if r.runonce_demo_env] == [16, 17, 18, 19, 20, 21, 22]


def test_a_renamed_action_has_its_old_name_before_the_major_of_the_change():
    """kolla-ansible 19's cliff CLI calls it mariadb-recovery; the bash CLI (<= 18) mariadb_recovery."""
    by_major = {r.kolla_major: r.kolla_action("mariadb-recovery") for r in load_releases()}
    assert {m for m, name in by_major.items() if name == "mariadb-recovery"} == {19, 20, 21, 22}
    assert {m for m, name in by_major.items() if name == "mariadb_recovery"} == set(range(9, 19))
    assert {r.kolla_action("destroy") for r in load_releases()} == {"destroy"}  # not renamed: as asked


def test_release_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        get_release("2026.1").name = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("name", "install_deps", "runonce_env", "globals_d", "python_cli", "test_images", "ansible"),
    [
        ("train", False, False, False, False, False, "ansible>=2.6,<2.10"),
        ("victoria", False, True, True, False, False, "ansible>=2.9,<2.10"),
        ("yoga", True, True, True, False, False, "ansible>=4,<6"),
        ("2024.1", True, True, True, False, False, "ansible-core>=2.15,<2.17"),
        ("2024.2", True, True, True, True, False, None),
        ("2026.1", True, True, True, True, True, None),
    ],
)
def test_release_facts_match_the_kolla_reference(
    name, install_deps, runonce_env, globals_d, python_cli, test_images, ansible
):
    r = get_release(name)
    assert (r.install_deps, r.runonce_env, r.globals_d, r.python_cli) == (
        install_deps,
        runonce_env,
        globals_d,
        python_cli,
    )
    assert r.prechecks_test_images is test_images
    assert r.ansible_requirement == ansible
    assert r.ansible_managed_by_kolla is (ansible is None)


def test_pip_pins_and_branch_follow_the_kolla_major():
    r = get_release("2025.1")
    assert r.kolla_ansible_requirement == "kolla-ansible>=20,<21"
    assert r.kolla_requirement == "kolla>=20,<21"
    assert r.git_branch == "stable/2025.1"


def test_image_tags_use_the_release_format_and_suffix():
    assert get_release("2026.1").image_tag("debian", "-aarch64") == "2026.1-debian-trixie-aarch64"
    assert get_release("zed").image_tag("debian") == "zed-debian-bullseye"
    assert get_release("yoga").image_tag("debian", "-aarch64") == "yoga-aarch64"


def test_registry_moves_to_quay_in_xena():
    assert (get_release("wallaby").docker_registry, get_release("wallaby").docker_namespace) == ("", "kolla")
    assert (get_release("xena").docker_registry, get_release("xena").docker_namespace) == ("quay.io", "openstack.kolla")


def test_get_release_unknown_names_the_release_and_lists_valid_ones():
    with pytest.raises(UserError) as info:
        get_release("2027.1")
    assert "'2027.1'" in str(info.value)
    assert "train" in str(info.value) and "2026.1" in str(info.value)


@pytest.mark.parametrize(
    ("debian", "arch", "expected"),
    [
        ("10", "aarch64", "wallaby"),
        ("11", "x86_64", "2024.1"),
        ("12", "aarch64", "2026.1"),
        ("13", "arm64", "2026.1"),
        ("9", "x86_64", None),
    ],
)
def test_newest_release_for_debian_and_arch(debian, arch, expected):
    found = newest_release_for(debian, arch)
    assert (found.name if found else None) == expected


def test_arm64_images_for_ubuntu_only_from_2026_1():
    assert not get_release("2025.1").supports_arch("aarch64", "ubuntu")
    assert get_release("2026.1").supports_arch("aarch64", "ubuntu")
    assert get_release("2025.1").supports_arch("x86_64", "ubuntu")


def test_no_module_outside_the_catalog_compares_release_names():
    """Nothing about a release is hard-coded elsewhere: no release name literal in wizard/ code."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "wizard"
    names = [n for n in EXPECTED if not n[0].isdigit()]
    offenders = []
    for path in root.rglob("*.py"):
        if path.name == "releases.py":
            continue
        text = path.read_text()
        for name in names:
            if f'"{name}"' in text or f"'{name}'" in text:
                offenders.append(f"{path.relative_to(root)}: {name}")
    assert offenders == []
