"""The Kolla-Ansible All-in-One pipeline: every step of the guide, declared once.

Each :class:`StepSpec` says what the step is for (``why``, from the guide), builds its commands
(argv lists) and files from the answers, says when it applies (releases, answers), which answers
it depends on (for the journal's fingerprint), how it is retried, and how to tell from the host
that its work is already done. The order is the guide's, brought up to date by kolla.md:

preflight · hosts file · Python prerequisites · debug tools · remove docker.io · virtualization
packages · host libvirt and iSCSI off · AppArmor libvirtd profile · virtualenv · kolla-ansible ·
install-deps · /etc/kolla · globals · kolla-genpwd · certificates · bootstrap-servers ·
kolla-build · prechecks · pull · deploy · post-deploy · openstackclient · init-runonce · summary.

One deliberate change of order: ``kolla-build`` (image builds only) runs after
``bootstrap-servers``, because it needs Docker and bootstrap-servers is what installs Docker CE
(the guide had installed Debian's docker.io early, which bootstrap-servers' docker-ce conflicts with).

Every kolla-ansible call is ``kolla-ansible ACTION -i INVENTORY``: the action-first order works
on the old getopt CLI and is required by the 19.0.0+ Python CLI.

The package is split by stage so each step's builder is easy to find: :mod:`.catalog` declares every
step in order (its id, title and the builder it calls), :mod:`.host_prep`, :mod:`.kolla_install`,
:mod:`.deploy` and :mod:`.cloud` hold the builders and done-checks, :mod:`.context` what they share,
:mod:`.build` turns the catalog into a plan.
"""

from wizard.pipeline.steps.build import build_kolla_plan, host_problems
from wizard.pipeline.steps.catalog import CATALOG
from wizard.pipeline.steps.context import (
    APPARMOR_LIBVIRTD,
    DOCKER_IO_PACKAGES,
    HOSTS,
    INVENTORY,
    ISCSI_UNITS,
    LIBVIRT_UNITS,
    PASSWORDS,
    Ctx,
    StepBody,
    StepSpec,
)

__all__ = [
    "APPARMOR_LIBVIRTD",
    "CATALOG",
    "DOCKER_IO_PACKAGES",
    "HOSTS",
    "INVENTORY",
    "ISCSI_UNITS",
    "LIBVIRT_UNITS",
    "PASSWORDS",
    "Ctx",
    "StepBody",
    "StepSpec",
    "build_kolla_plan",
    "host_problems",
]
