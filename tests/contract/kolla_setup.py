"""One plan per release and layout, with its private /etc/kolla and collections, shared by the tier's tests.

A layout is (arch, haproxy, image source). :func:`kolla_setup` builds each once per pytest run
(``plan --json`` and the file writes cost seconds, and three test modules use the same ones);
kolla-genpwd, the slowest part, runs only when a check actually has to run (not when every
result it feeds is already cached).
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.contract import plans
from tests.contract.collections import install_deps_branch
from tests.contract.kolla_env import PrivateEtc, harness_env, install_collection, plan_env, write_plan_files
from tests.contract.venvs import KollaVenv

#: (arch, haproxy, image source): every value of each at least once per release. Three, not all
#: eight: each costs ~50 s of list-tasks on first run, and the commands differ by these three only.
LAYOUTS = [
    ("arm64", False, "pull"),  # the guide's host and layout
    ("amd64", True, "pull"),
    ("arm64", True, "build"),
]


def layout_id(layout: tuple[str, bool, str]) -> str:
    arch, haproxy, source = layout
    return f"{arch}-haproxy-{'on' if haproxy else 'off'}-{source}"


class KollaSetup:
    """One plan for one layout, with its private /etc/kolla and collections ready."""

    def __init__(self, venv: KollaVenv, release: str, layout: tuple[str, bool, str], tmp: Path) -> None:
        arch, haproxy, source = layout
        self.venv = venv
        self.release = release
        self.tmp = tmp
        self.answers = plans.answers(release, venv=str(venv.path), image_source=source, haproxy=haproxy)
        self.facts_file = plans.host_facts_file(arch, tmp)
        self.plan = plans.plan_json(self.answers, self.facts_file, tmp)
        self.etc = PrivateEtc(tmp)
        self.home = tmp / "home"
        self.home.mkdir(exist_ok=True)
        self.collections = tmp / "collections"
        self.collection_tarball: Path | None = None
        self.passwords_done = False

    def refused(self) -> str | None:
        """The plan's problems, when it refuses this layout (build mode where a release cannot)."""
        return "; ".join(self.plan["problems"]) or None

    def prepare_etc(self) -> None:
        """/etc/kolla as the kolla-config and globals steps leave it (see :meth:`ensure_passwords`)."""
        for step_id in ("kolla-config", "globals"):
            write_plan_files(plans.step(self.plan, step_id), self.etc, self.venv)

    def ensure_passwords(self) -> None:
        """passwords.yml as the genpwd step leaves it: the real kolla-genpwd runs (once)."""
        if self.passwords_done:
            return
        for cmd in plans.step(self.plan, "genpwd")["commands"]:
            self.run(cmd, timeout=120).check_returncode()
        self.passwords_done = True

    def prepare_collections(self) -> str:
        """openstack.kolla of the branch install-deps would install (else the release's snapshot)."""
        branch = "unknown"
        tarball = None
        if any(s["id"] == "install-deps" for s in self.plan["steps"]):
            branch = self.install_deps_branch()
            if plans.collection_tarball(branch).exists():
                tarball = plans.collection_tarball(branch)
        # A branch that does not exist is test_install_deps_collection_branch_exists's finding;
        # here the release's own snapshot stands in so the list-tasks check still says its part.
        tarball = tarball or plans.any_collection_for(self.release)
        assert tarball is not None
        install_collection(tarball, self.collections)
        self.collection_tarball = tarball
        return branch

    def install_deps_branch(self) -> str:
        """The openstack.kolla branch the plan's install-deps step would install."""
        return install_deps_branch(
            plans.step(self.plan, "install-deps"),
            self.venv.share,
            lambda path: plans.planned_content(self.answers, self.facts_file, path),
        )

    def env(self, cmd: dict[str, Any], extra: dict[str, str] | None = None) -> dict[str, str]:
        return plan_env(cmd, {**harness_env(self.venv, self.collections, self.home), **(extra or {})})

    def run(self, cmd: dict[str, Any], *, extra_argv=(), extra_env=None, timeout: float = 900):
        return subprocess.run(
            self.etc.argv([*cmd["argv"], *extra_argv]),
            env=self.env(cmd, extra_env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


_SETUPS: dict[tuple[str, tuple[str, bool, str]], KollaSetup] = {}


def kolla_setup(venv: KollaVenv, release: str, layout: tuple[str, bool, str], tmp_root: Path) -> KollaSetup:
    """The prepared setup of ``release`` in ``layout`` (built on first use in this run)."""
    key = (release, layout)
    if key not in _SETUPS:
        directory = tmp_root / f"{release}-{layout_id(layout)}"
        directory.mkdir(parents=True, exist_ok=True)
        setup = KollaSetup(venv, release, layout, directory)
        if not setup.refused():
            setup.prepare_etc()
            setup.prepare_collections()
        _SETUPS[key] = setup
    return _SETUPS[key]


def usable_setup(venv: KollaVenv, release: str, layout: tuple[str, bool, str], tmp_root: Path) -> KollaSetup:
    """:func:`kolla_setup`, skipping a build layout the plan refuses for the release (with its reason)
    and failing on any other problem: the guide's host must be able to run the plan."""
    setup = kolla_setup(venv, release, layout, tmp_root)
    refused = setup.refused()
    if refused and layout[2] == "build" and "image_source" in refused:
        pytest.skip(f"the plan refuses build mode for {release}: {refused}")
    assert not refused, f"the plan has problems for the guide's host: {refused}"
    return setup
