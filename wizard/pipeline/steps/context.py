"""What a step builder may look at (:class:`Ctx`), what it returns (:class:`StepBody`) and how a step
is declared (:class:`StepSpec`), with the host paths and package lists several steps share.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wizard.host.facts import HostFacts
from wizard.kolla.releases import Release
from wizard.pipeline.model import (
    NO_RETRY,
    Command,
    FileWrite,
    RetryPolicy,
)

INVENTORY = "/etc/kolla/ansible/inventory/all-in-one"  # the 19.0.0+ CLI's default inventory path
PASSWORDS = "/etc/kolla/passwords.yml"
HOSTS = "/etc/hosts"
APPARMOR_LIBVIRTD = "/etc/apparmor.d/usr.sbin.libvirtd"  # the argv form of services.APPARMOR_LIBVIRTD
APT_GET = ("apt-get", "-o", "DPkg::Lock::Timeout=120")
DOCKER_IO_PACKAGES = ("docker.io", "docker-doc", "docker-compose", "podman-docker", "containerd", "runc")
LIBVIRT_UNITS = (
    "libvirtd.service",
    "libvirtd.socket",
    "libvirtd-ro.socket",
    "libvirtd-admin.socket",
    "libvirtd-tcp.socket",
    "libvirtd-tls.socket",
    "libvirt-guests.service",
    "virtqemud.service",
    "virtqemud.socket",
    "virtqemud-ro.socket",
    "virtqemud-admin.socket",
    "virtlockd.service",
    "virtlockd.socket",
    "virtlockd-admin.socket",
    "virtlogd.service",
    "virtlogd.socket",
    "virtlogd-admin.socket",
)
ISCSI_UNITS = ("open-iscsi.service", "iscsid.service", "iscsid.socket")
PYTHON_PACKAGES = ("python3-dev", "python3-venv", "python3-pip", "libffi-dev", "gcc", "libssl-dev", "git")



# --- context ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ctx:
    """What a step builder may look at: the answers, the host facts, the release.

    Not the root: builders make host paths, and done-checks get the root they look under.
    """

    answers: Mapping[str, Any]
    facts: HostFacts
    release: Release
    python: str = field(default_factory=lambda: sys.executable)

    def a(self, key: str, default: Any = None) -> Any:
        value = self.answers.get(key)
        return default if value is None else value

    @property
    def venv(self) -> str:
        return str(self.a("venv_path", "/opt/kolla-venv")).rstrip("/") or "/opt/kolla-venv"

    def bin(self, name: str) -> str:
        return f"{self.venv}/bin/{name}"

    @property
    def share(self) -> str:
        return f"{self.venv}/share/kolla-ansible"

    @property
    def build(self) -> bool:
        return self.a("image_source", "pull") == "build"

    @property
    def from_git(self) -> bool:
        return self.a("kolla_ansible_source", "pypi") == "git"

    @property
    def git_ref(self) -> str:
        return str(self.a("kolla_ansible_git_ref") or self.release.git_branch)

    @property
    def arm64(self) -> bool:
        return bool(getattr(self.facts, "is_arm64", False))

    def in_venv(self, *argv: str) -> Command:
        """A command of the virtualenv, run as if it were activated: its ``bin`` first on PATH and
        ``VIRTUAL_ENV`` set. The bash kolla-ansible CLI (≤ 18) finds its playbooks and requirements
        under ``$VIRTUAL_ENV/share/kolla-ansible`` only when VIRTUAL_ENV names the venv of the
        script; without it install-deps says "The requirements file … does not exist" and every
        action "the playbook … could not be found". Set for every release: the 19+ CLI ignores it.
        """
        return Command(argv, env={"VIRTUAL_ENV": self.venv}, path_prepend=(f"{self.venv}/bin",))

    def kolla_ansible(self, action: str, *extra: str) -> Command:
        """``kolla-ansible ACTION [extra] -i INVENTORY`` in the virtualenv (:meth:`in_venv`)."""
        return self.in_venv(self.bin("kolla-ansible"), action, *extra, "-i", INVENTORY)

    def action(self, *args: str, explain: str = "") -> Command:
        """An internal action (``python3 -m wizard.pipeline.actions ...``), explained in the plan."""
        return Command((self.python, "-m", "wizard.pipeline.actions", *args), explain=explain)


@dataclass(frozen=True)
class StepBody:
    commands: tuple[Command, ...] = ()
    files: tuple[FileWrite, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class StepSpec:
    """One step, declared once. ``applies`` decides per release and answers; ``done`` inspects the host.

    ``done_files``, for a step that only writes files, replaces ``done``: the step is done when
    every one of its files is already as planned (:func:`wizard.pipeline.model.files_as_wanted`,
    the same answer the plan and the runner use); the text is the reason, ``{paths}`` the files.
    ``done_when`` says in a line what ``done`` looks for (``{venv}`` the virtualenv), for a plan
    that is not checked against a host (``plan --json``, the plain review).
    """

    id: str
    title: str
    why: str
    build: Callable[[Ctx], StepBody]
    depends_on: tuple[str, ...] = ()
    retry: RetryPolicy = NO_RETRY
    optional: bool = False
    applies: Callable[[Ctx], bool] = lambda ctx: True
    done: Callable[[Ctx, Path], str | None] | None = None
    done_files: str = ""
    expected: float = 20.0  # seconds on a typical server with a fast mirror: the front ends' estimate
    done_when: str = ""
