"""Done-checks read the host under a root: fake virtualenvs, dpkg databases and sockets in temp dirs.

The runner asks a step's done-check before running it, so a check that says "done" too easily
skips work the answers changed (another release, another git ref).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.pipeline.hosts import DEBIAN_12_ARM64
from tests.support.guide import GUIDE_ANSWERS
from wizard.answers.resolve import resolve_answers
from wizard.pipeline.hoststate import installed_packages, packages_done
from wizard.pipeline.plan import build_plan

VENV = "opt/kolla-venv"
URL = "https://opendev.org/openstack/{}"


def _install(root: Path, project: str, version: str, *, git_ref: str | None = None, commit: str = "") -> None:
    """A fake pip install of ``project`` into the virtualenv, as pip leaves it (PEP 610 for git)."""
    info = root / VENV / f"lib/python3.11/site-packages/{project.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Name: {project}\nVersion: {version}\n")
    if git_ref is not None:
        vcs = {"vcs": "git", "requested_revision": git_ref, "commit_id": commit or "0" * 40}
        (info / "direct_url.json").write_text(json.dumps({"url": URL.format(project), "vcs_info": vcs}))
    binary = {"kolla-ansible": "kolla-ansible", "kolla": "kolla-build"}[project]
    (root / VENV / "bin").mkdir(parents=True, exist_ok=True)
    (root / VENV / "bin" / binary).write_text("#!/bin/sh\n")


def _step(root: Path, **given):
    answers = resolve_answers(DEBIAN_12_ARM64, {**GUIDE_ANSWERS, "openstack_release": "2025.1", **given}).values
    return build_plan(answers, DEBIAN_12_ARM64, root=root).step("kolla-ansible")


GIT = {"kolla_ansible_source": "git"}


def test_from_pypi_the_release_major_decides(tmp_path):
    _install(tmp_path, "kolla-ansible", "20.1.0")
    assert _step(tmp_path).is_done(tmp_path) == "kolla-ansible 20.1.0 is installed in /opt/kolla-venv"
    assert _step(tmp_path, openstack_release="2025.2").is_done(tmp_path) is None


def test_from_git_the_installed_ref_must_be_the_wanted_one(tmp_path):
    _install(tmp_path, "kolla-ansible", "20.1.1.dev3", git_ref="stable/2025.1")
    assert _step(tmp_path, **GIT).is_done(tmp_path) == (
        "kolla-ansible 20.1.1.dev3 from stable/2025.1 is installed in /opt/kolla-venv"
    )
    assert _step(tmp_path, **GIT, kolla_ansible_git_ref="master").is_done(tmp_path) is None
    assert _step(tmp_path, **GIT, openstack_release="2025.2").is_done(tmp_path) is None


def test_from_git_a_pypi_install_or_a_commit(tmp_path):
    _install(tmp_path, "kolla-ansible", "20.1.0")  # no direct_url.json: not from git
    assert _step(tmp_path, **GIT).is_done(tmp_path) is None
    other = tmp_path / "other"
    sha = "3f2c1e" + "0" * 34
    _install(other, "kolla-ansible", "20.1.1.dev3", git_ref=sha, commit=sha)
    assert _step(other, **GIT, kolla_ansible_git_ref=sha).is_done(other) is not None


@pytest.mark.parametrize(("kolla", "done"), [("20.0.1", True), ("19.4.0", False), (None, False)])
def test_image_builds_need_kolla_of_the_release(tmp_path, kolla, done):
    _install(tmp_path, "kolla-ansible", "20.1.0")
    if kolla:
        _install(tmp_path, "kolla", kolla)
    assert (_step(tmp_path, image_source="build").is_done(tmp_path) is not None) is done


def test_image_builds_from_git_need_kolla_from_the_same_ref(tmp_path):
    _install(tmp_path, "kolla-ansible", "20.1.1.dev3", git_ref="stable/2025.1")
    _install(tmp_path, "kolla", "20.0.1.dev1", git_ref="stable/2024.2")
    assert _step(tmp_path, image_source="build", **GIT).is_done(tmp_path) is None


def test_without_a_dpkg_database_nothing_is_said_about_packages(tmp_path):
    assert installed_packages(tmp_path) is None
    assert packages_done(tmp_path, ["git"]) is None
    (tmp_path / "var/lib/dpkg").mkdir(parents=True)
    (tmp_path / "var/lib/dpkg/status").write_text("Package: git\nStatus: install ok installed\n")
    assert installed_packages(tmp_path) == {"git"}
    assert packages_done(tmp_path, ["git"]) == "1 packages already installed (git)"


def test_the_libvirt_socket_keeps_the_libvirt_step_to_do(tmp_path):
    answers = resolve_answers(DEBIAN_12_ARM64, {**GUIDE_ANSWERS, "openstack_release": "2025.1"}).values
    step = build_plan(answers, DEBIAN_12_ARM64, root=tmp_path).step("host-libvirt-off")
    (tmp_path / "etc/systemd/system").mkdir(parents=True)
    assert step.is_done(tmp_path) is not None
    (tmp_path / "run/libvirt").mkdir(parents=True)
    (tmp_path / "run/libvirt/libvirt-sock").write_text("")
    assert step.is_done(tmp_path) is None
