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
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wizard.host.facts import HostFacts
from wizard.host.services import apparmor_libvirtd_profile, libvirt_running
from wizard.kolla.globals_file import DEFAULT_CONFIG_DIR as KOLLA_DIR
from wizard.kolla.releases import Release
from wizard.pipeline.hoststate import (
    direct_url,
    dist_version,
    enabled_units,
    installed_packages,
    packages_done,
    passwords_filled,
)
from wizard.pipeline.model import (
    NETWORK_RETRY,
    NO_RETRY,
    Command,
    FileWrite,
    Plan,
    PlannedStep,
    RetryPolicy,
    files_as_wanted,
    host_path,
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


# --- builders --------------------------------------------------------------------------------


def _preflight(ctx: Ctx) -> StepBody:
    """The preflight checks, judged against the plan's own answers (NICs, VIP, registry), not re-detected ones."""
    from wizard.pipeline.actions import preflight_options

    return StepBody(
        (
            ctx.action(
                "preflight",
                "--release",
                ctx.release.name,
                *preflight_options(ctx.answers),
                explain="probes this host and runs the preflight checks (`aio-wizard probe`) against these answers; "
                "fails on a failed check",
            ),
        )
    )


CLOUD_INIT_HOSTS_OFF = "/etc/cloud/cloud.cfg.d/99-aio-wizard.cfg"


def _management_address(ctx: Ctx) -> str | None:
    """The IPv4 address of the management interface (kolla's api_interface address), None if unknown."""
    usable = getattr(ctx.facts, "usable_ipv4", None)
    found = usable(ctx.a("network_interface")) if usable else None
    return found.address if found is not None else None


def _hosts(ctx: Ctx) -> StepBody:
    from wizard.pipeline.hostsfile import hosts_for_management

    hostname = str(getattr(ctx.facts, "hostname", "") or "")
    address = _management_address(ctx)

    def edit(text: str | None) -> str:
        return hosts_for_management(text, hostname, address)

    edit.__qualname__ = "hosts_for_management"
    files = [
        FileWrite(
            HOSTS,
            transform=edit,
            backup=True,
            note=f"`getent ahostsv4 {hostname.split('.')[0] or '$(hostname)'}` must give {address or '?'} only "
            "(kolla's rabbitmq precheck): 127.0.1.1 and stale lines for the hostname out, the address in",
        )
    ]
    notes = []
    if getattr(ctx.facts, "cloud_init_manages_etc_hosts", False):
        files.append(
            FileWrite(
                CLOUD_INIT_HOSTS_OFF,
                content="# Written by aio-wizard: cloud-init must not rewrite /etc/hosts (127.0.1.1 back at boot).\n"
                "manage_etc_hosts: false\n",
                note="cloud-init's manage_etc_hosts is set on this host",
            )
        )
        notes.append("cloud-init would rewrite /etc/hosts at the next boot: its manage_etc_hosts is turned off")
    return StepBody(files=tuple(files), notes=tuple(notes))


def _apt_archive_applies(ctx: Ctx) -> bool:
    from wizard.kolla.releases import debian_archived

    major = getattr(getattr(ctx.facts, "os", None), "major", "")
    return bool(major) and debian_archived(major) and bool(ctx.a("apt_archive_for_eol", False))


def _apt_archive(ctx: Ctx) -> StepBody:
    from wizard.pipeline.aptsources import APT_CONF, APT_CONF_CONTENT, to_debian_archive

    codename = ctx.facts.os.codename

    def to_archive(text: str | None) -> str:
        return to_debian_archive(text, codename)

    to_archive.__qualname__ = "to_debian_archive"
    return StepBody(
        files=(
            FileWrite(
                "/etc/apt/sources.list",
                transform=to_archive,
                backup=True,
                note=f"{codename} from archive.debian.org (it left Debian's mirrors)",
            ),
            FileWrite(APT_CONF, content=APT_CONF_CONTENT, note="the archive's Release files have expired"),
        ),
        notes=(
            f"Debian {ctx.facts.os.major} gets no security updates any more; its packages come from the archive",
            "other files in /etc/apt/sources.list.d/ are not changed",
        ),
    )


def _dpkg_repair() -> tuple[Command, ...]:
    """What an interrupted dpkg left behind, repaired before any apt work; nothing on a healthy system.

    A run killed in the middle of dpkg (kill -9, power cut) leaves it half-configured and every
    later apt-get refuses until ``dpkg --configure -a`` runs. Killed while unpacking, a package is
    left half-installed, which that cannot configure: it is reinstalled. Killed half way through
    an upgrade, dependency problems may remain: ``apt-get -f install`` repairs them.
    """
    return (
        Command(
            ("dpkg", "--configure", "-a"), ok_exit=(0, 1), explain="finish what an interrupted dpkg left half done"
        ),
        Command(
            (sys.executable, "-m", "wizard.pipeline.actions", "reinstall-half-installed"),
            explain="apt-get install --reinstall what an interrupted dpkg left half unpacked (nothing when none)",
        ),
        Command((*APT_GET, "-f", "install", "-y"), explain="repair dependencies an interrupted dpkg left broken"),
    )


def _apt_install(packages: tuple[str, ...] | list[str], *, update: bool = True) -> tuple[Command, ...]:
    cmds = list(_dpkg_repair())
    if update:
        cmds.append(Command((*APT_GET, "update")))
    # "--": nothing after it is an option, whatever a package list holds (validation already allows only
    # Debian names that apt cannot read as an operator: no trailing "-", which would mean "remove")
    cmds.append(Command((*APT_GET, "install", "-y", "--", *packages)))
    return tuple(cmds)


def _python_packages(ctx: Ctx) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*PYTHON_PACKAGES, *ctx.release.extra_apt)))


def _python(ctx: Ctx) -> StepBody:
    cmds = list(_apt_install(_python_packages(ctx)))
    notes: tuple[str, ...] = ()
    if _python_is_python2(ctx.facts):
        # The guide's update-alternatives lines, needed only where `python` is Python 2.
        cmds.append(
            Command(("update-alternatives", "--install", "/usr/bin/python", "python", "/usr/bin/python2.7", "1"))
        )
        cmds.append(Command(("update-alternatives", "--install", "/usr/bin/python", "python", "/usr/bin/python3", "2")))
        notes = ("`python` is Python 2 on this host: make it Python 3 (the guide's update-alternatives)",)
    return StepBody(tuple(cmds), notes=notes)


def _python_is_python2(facts: Any) -> bool:
    """`python` runs Python 2: Debian 10 and older (on newer Debians a missing `python` is fine)."""
    if getattr(facts, "python_is_python3", None) is not False:
        return False
    major = getattr(getattr(facts, "os", None), "major", "")
    return major.isdigit() and int(major) <= 10


def _python_done(ctx: Ctx, root: Path) -> str | None:
    if _python_is_python2(ctx.facts):
        return None
    return packages_done(root, _python_packages(ctx))


def _debug_packages(ctx: Ctx) -> tuple[str, ...]:
    return tuple(str(p) for p in (ctx.a("debug_tools", []) or []))


def _debug(ctx: Ctx) -> StepBody:
    return StepBody(_apt_install(_debug_packages(ctx), update=False))


def _docker_io(ctx: Ctx) -> StepBody:
    return StepBody(
        (Command((*APT_GET, "purge", "-y", *DOCKER_IO_PACKAGES)), Command((*APT_GET, "autoremove", "-y"))),
        notes=("bootstrap-servers installs Docker CE from Docker's repository; Debian's docker.io conflicts with it",),
    )


def _docker_io_applies(ctx: Ctx) -> bool:
    return bool(getattr(ctx.facts, "docker_io_installed", False)) and bool(ctx.a("remove_docker_io", False))


def _docker_io_done(ctx: Ctx, root: Path) -> str | None:
    have = installed_packages(root)
    if have is None:  # no readable dpkg database: cannot tell
        return None
    left = sorted(set(DOCKER_IO_PACKAGES) & have)
    return None if left else "none of docker.io, containerd, runc is installed"


def _virt_packages(ctx: Ctx) -> tuple[str, ...]:
    qemu = "qemu-system-arm" if ctx.arm64 else "qemu-system-x86"
    return ("bridge-utils", "cpu-checker", "libvirt-daemon-system", "libvirt-clients", qemu, "qemu-utils", "virtinst")


def _virt(ctx: Ctx) -> StepBody:
    return StepBody(
        _apt_install(_virt_packages(ctx), update=False),
        notes=("not docker.io (the guide's choice): bootstrap-servers installs Docker CE",),
    )


def _libvirt_off(ctx: Ctx) -> StepBody:
    return StepBody(
        (
            ctx.action(
                "disable-units",
                *LIBVIRT_UNITS,
                *ISCSI_UNITS,
                explain="for each of these units that is installed: systemctl disable --now UNIT "
                "(where systemd is not running, e.g. a chroot: systemctl disable, and it says so)",
            ),
        )
    )


def _libvirt_off_done(ctx: Ctx, root: Path) -> str | None:
    if enabled_units(root, (*LIBVIRT_UNITS, *ISCSI_UNITS)):
        return None
    if libvirt_running(host_path(root, "/"))[0]:
        return None
    if not host_path(root, "/etc/systemd/system").is_dir():
        return None
    return "no libvirt or iSCSI unit is enabled and /var/run/libvirt/libvirt-sock does not exist"


def _apparmor(ctx: Ctx) -> StepBody:
    return StepBody(
        (
            ctx.action(
                "apparmor-disable",
                APPARMOR_LIBVIRTD,
                explain=f"when the profile exists: apparmor_parser -R {APPARMOR_LIBVIRTD} (the guide's line), and a "
                "link in /etc/apparmor.d/disable/ so it stays unloaded after a reboot",
            ),
        )
    )


def _apparmor_done(ctx: Ctx, root: Path) -> str | None:
    if not apparmor_libvirtd_profile(host_path(root, "/"))[0]:
        return None  # libvirt is installed by an earlier step of this plan: look again when it runs
    if host_path(root, "/etc/apparmor.d/disable/usr.sbin.libvirtd").exists():
        return "the libvirtd AppArmor profile is disabled (/etc/apparmor.d/disable/usr.sbin.libvirtd)"
    return None


TIME_SYNC_TIMEOUT = 120  # seconds to wait for NTPSynchronized=yes


def _time_sync(ctx: Ctx) -> StepBody:
    major = getattr(getattr(ctx.facts, "os", None), "major", "")
    # Debian 10's systemd-timesyncd is part of systemd; from 11 on it is a package of its own (priority standard)
    package = ("--install", "systemd-timesyncd") if not (major.isdigit() and int(major) <= 10) else ()
    return StepBody(
        (
            *(_dpkg_repair() if package else ()),
            ctx.action(
                "time-sync",
                *package,
                "--timeout",
                str(TIME_SYNC_TIMEOUT),
                explain="uses an installed chrony/ntp, else apt-get install systemd-timesyncd; systemctl enable "
                f"--now it; waits up to {TIME_SYNC_TIMEOUT} s for `timedatectl show -p NTPSynchronized --value` = yes "
                "(where systemd is not running, e.g. a chroot: systemctl enable, and it says so)",
            ),
        ),
        notes=("kolla's prechecks need an active NTP daemon and a synchronized clock; none is active here",),
    )


def _time_sync_done(ctx: Ctx, root: Path) -> str | None:
    from wizard.pipeline.actions import NTP_UNITS, TIMESYNCD

    units = enabled_units(root, NTP_UNITS)
    if not units:
        return None
    if units == [TIMESYNCD]:
        # systemd-timesyncd creates this when it has synchronized the clock (systemd 239+)
        if not host_path(root, "/run/systemd/timesync/synchronized").exists():
            return None
        return "systemd-timesyncd is enabled and has synchronized the clock"
    return f"{', '.join(units)} enabled"


def _venv(ctx: Ctx) -> StepBody:
    return StepBody(
        (
            Command(("python3", "-m", "venv", ctx.venv)),
            Command((ctx.bin("pip"), "install", "-U", "pip")),
        )
    )


def _venv_done(ctx: Ctx, root: Path) -> str | None:
    if host_path(root, ctx.bin("python")).exists() and host_path(root, ctx.bin("pip")).exists():
        return f"the virtualenv {ctx.venv} exists"
    return None


def _git_url(project: str, ref: str) -> str:
    return f"git+https://opendev.org/openstack/{project}@{ref}"


def _constraints(ctx: Ctx) -> tuple[str, Command]:
    """The release's upper-constraints file and the command that fetches it (without the pinned names)."""
    from wizard.kolla.requirements import requirement_name

    out = f"{ctx.venv}/aio-wizard-upper-constraints.txt"
    without = [arg for pin in ctx.release.pins for arg in ("--without", requirement_name(pin))]
    fetch = ctx.action(
        "upper-constraints",
        ctx.release.constraints_url,
        out,
        *without,
        explain=f"downloads {ctx.release.name}'s upper-constraints to {out} for pip -c, without the lines the "
        "catalog pins itself; if it cannot be fetched, goes on without (the pins still apply) and says so",
    )
    return out, fetch


def _kolla_ansible(ctx: Ctx) -> StepBody:
    pip = ctx.bin("pip")
    constraints, fetch = _constraints(ctx)
    c = ("-c", constraints)
    cmds = [fetch]
    if ctx.release.ansible_requirement:
        cmds.append(Command((pip, "install", "-U", ctx.release.ansible_requirement, *c)))
    if ctx.build:
        kolla = _git_url("kolla", ctx.git_ref) if ctx.from_git else ctx.release.kolla_requirement
        cmds.append(Command((pip, "install", kolla, *ctx.release.pins, *c)))
    ka = _git_url("kolla-ansible", ctx.git_ref) if ctx.from_git else ctx.release.kolla_ansible_requirement
    cmds.append(Command((pip, "install", ka, *ctx.release.pins, *c)))
    notes: tuple[str, ...] = ()
    if ctx.release.pins:
        notes = (f"pinned for this release (known breakers): {', '.join(ctx.release.pins)}",)
    return StepBody(tuple(cmds), notes=notes)


def _kolla_ansible_done(ctx: Ctx, root: Path) -> str | None:
    venv = host_path(root, ctx.venv)
    version = dist_version(venv, "kolla-ansible")
    if not version or not host_path(root, ctx.bin("kolla-ansible")).exists():
        return None
    if not _installed_as_wanted(ctx, venv, "kolla-ansible", version):
        return None
    if ctx.release.ansible_requirement and not host_path(root, ctx.bin("ansible-playbook")).exists():
        return None
    if ctx.build:
        kolla = dist_version(venv, "kolla")
        if not kolla or not host_path(root, ctx.bin("kolla-build")).exists():
            return None
        if not _installed_as_wanted(ctx, venv, "kolla", kolla):
            return None
    source = f" from {ctx.git_ref}" if ctx.from_git else ""
    return f"kolla-ansible {version}{source} is installed in {ctx.venv}"


def _installed_as_wanted(ctx: Ctx, venv: Path, project: str, version: str) -> bool:
    """Whether the installed ``project`` is what the step's pip install would install.

    From git: the same repository and ref (pip records both in the dist-info's direct_url.json),
    so a changed release or ``kolla_ansible_git_ref`` installs again. From PyPI: the release's
    major version (the requirement pins ``>=major,<major+1``).
    """
    if not ctx.from_git:
        return version.split(".")[0] == str(ctx.release.kolla_major)
    info = direct_url(venv, project)
    vcs = info.get("vcs_info") if isinstance(info, dict) else None
    if not isinstance(vcs, dict) or not isinstance(info, dict):
        return False
    url = str(info.get("url", "")).removeprefix("git+").removesuffix("/").removesuffix(".git")
    if url != _git_url(project, "").removeprefix("git+").removesuffix("@"):
        return False
    return ctx.git_ref in (vcs.get("requested_revision"), vcs.get("commit_id"))


def _install_deps(ctx: Ctx) -> StepBody:
    """``kolla-ansible install-deps``; where the collection's branch moved, its requirements.yml first
    names where the collection lives now (the catalog's ``collection_ref``), so install-deps itself
    (ansible-galaxy, into the collections path kolla-ansible reads) installs it from there."""
    files: tuple[FileWrite, ...] = ()
    notes: tuple[str, ...] = ()
    ref = ctx.release.collection_ref
    if ctx.release.collection_ref_moved:
        from wizard.kolla.requirements import pin_collection_ref

        def pin(text: str | None) -> str:
            return pin_collection_ref(text, ref or "")  # collection_ref_moved implies a ref

        pin.__qualname__ = "pin_collection_ref"
        requirements = f"{ctx.share}/requirements.yml"
        files = (
            FileWrite(
                requirements,
                copy_from=requirements,
                transform=pin,
                backup=True,
                note=f"the openstack.kolla collection from {ref}: {ctx.release.stable_branch} no longer exists",
            ),
        )
        notes = (f"this release's requirements.yml names {ctx.release.stable_branch}, which is gone: {ref} is used",)
    return StepBody((ctx.in_venv(ctx.bin("kolla-ansible"), "install-deps"),), files=files, notes=notes)


def _kolla_config(ctx: Ctx) -> StepBody:
    examples = f"{ctx.share}/etc_examples/kolla"
    files = [
        FileWrite(f"{KOLLA_DIR}/config", directory=True),
        FileWrite(f"{KOLLA_DIR}/globals.yml", copy_from=f"{examples}/globals.yml", if_absent=True),
        FileWrite(PASSWORDS, copy_from=f"{examples}/passwords.yml", if_absent=True, mode=0o600),
        FileWrite(INVENTORY, copy_from=f"{ctx.share}/ansible/inventory/all-in-one", if_absent=True),
    ]
    if ctx.build:
        files.append(
            FileWrite(
                f"{KOLLA_DIR}/kolla-build.conf",
                copy_from=f"{ctx.venv}/share/kolla/etc_examples/oslo-config-generator/kolla-build.conf",
                if_absent=True,
            )
        )
    return StepBody(files=tuple(files))


def _globals(ctx: Ctx) -> StepBody:
    return StepBody(files=globals_writes(ctx))


def globals_writes(ctx: Ctx) -> tuple[FileWrite, ...]:
    """The wizard's globals, where the release reads them (globals.d, or merged into globals.yml)."""
    from wizard.kolla.globals_file import globals_path, render_globals

    answers, release = ctx.answers, ctx.release
    if release.globals_d:
        rendered = render_globals(answers, release)
        return (FileWrite(rendered.path, content=rendered.content, note="a file of the wizard's own"),)

    def merge(current: str | None) -> str:
        return render_globals(answers, release, current).content

    merge.__qualname__ = "merge_into_globals_yml"
    return (
        FileWrite(
            globals_path(release),
            transform=merge,
            backup=True,
            note="merged into globals.yml (this release has no globals.d); comments kept",
        ),
    )


def _genpwd(ctx: Ctx) -> StepBody:
    return StepBody(
        (
            ctx.in_venv(ctx.bin("kolla-genpwd"), "-p", PASSWORDS),
            Command(("chmod", "0600", PASSWORDS)),  # kolla-genpwd rewrites it 0640; only root needs to read it
        ),
        notes=("kolla-genpwd fills only empty values: existing passwords are kept",),
    )


def _genpwd_done(ctx: Ctx, root: Path) -> str | None:
    path = host_path(root, PASSWORDS)
    if path.exists() and path.stat().st_mode & 0o077:
        return None
    return passwords_filled(path)


def _certificates_done(ctx: Ctx, root: Path) -> str | None:
    d = host_path(root, "/etc/kolla/certificates")
    if d.is_dir() and any(d.iterdir()):
        return "/etc/kolla/certificates exists"
    return None


def _kolla_build(ctx: Ctx) -> StepBody:
    """kolla-build names the images exactly as the globals make kolla-ansible look for them:
    registry and namespace from :func:`wizard.kolla.globals_file.image_location`, the tag the
    release's ``openstack_tag`` comes to (release, distro, codename, suffix)."""
    from wizard.kolla.globals_file import LOCAL_REGISTRY, image_location

    distro = str(ctx.a("kolla_base_distro", "debian"))
    tag = ctx.release.image_tag(distro, str(ctx.a("openstack_tag_suffix", "") or ""))
    registry, namespace = image_location(ctx.answers, ctx.release)
    argv = [ctx.bin("kolla-build"), "-b", distro]
    if ctx.release.install_type:
        argv += ["-t", "source"]  # the guide: build from source
    argv += ["--tag", tag, "--namespace", namespace]
    if registry:
        argv += ["--registry", registry]
    notes = ["runs after bootstrap-servers, which installs the Docker engine kolla-build needs"]
    if registry == LOCAL_REGISTRY:
        notes.append(
            f"images built here are named {LOCAL_REGISTRY}/{namespace}/…:{tag} (and the globals say so): "
            "never confused with the published ones, which nothing pulls"
        )
    return StepBody((ctx.in_venv(*argv),), notes=tuple(notes))


def _prechecks(ctx: Ctx) -> StepBody:
    from wizard.kolla.globals_file import uses_published_images

    test_images = ctx.release.prechecks_test_images and uses_published_images(ctx.answers, ctx.release)
    extra = ("--use-test-images",) if test_images else ()
    return StepBody((ctx.kolla_ansible("prechecks", *extra),))


def _ka(action: str) -> Callable[[Ctx], StepBody]:
    def build(ctx: Ctx) -> StepBody:
        return StepBody((ctx.kolla_ansible(action),))

    return build


def _pull(ctx: Ctx) -> StepBody:
    notes = (ctx.release.images_note,) if ctx.release.images_note else ()
    return StepBody((ctx.kolla_ansible("pull"),), notes=notes)


def _openstackclient(ctx: Ctx) -> StepBody:
    constraints, fetch = _constraints(ctx)
    install = Command((ctx.bin("pip"), "install", "python-openstackclient", *ctx.release.pins, "-c", constraints))
    return StepBody((fetch, install))


def _openstackclient_done(ctx: Ctx, root: Path) -> str | None:
    if host_path(root, ctx.bin("openstack")).exists():
        return f"{ctx.bin('openstack')} exists"
    return None


def _runonce_env_wrap(ctx: Ctx, argv: tuple[str, ...], env: Mapping[str, str], explain: str = "") -> Command:
    """``argv`` with the admin credentials init-runonce uses: clouds.yaml's kolla-admin (Zed+), or
    admin-openrc.sh sourced first (before Zed), and the virtualenv (its ``openstack``) first on PATH."""
    path = (f"{ctx.venv}/bin",)
    if ctx.release.clouds_yaml:
        return Command(argv, env=env, path_prepend=path, explain=explain)
    return Command(
        ("bash", "-c", '. /etc/kolla/admin-openrc.sh && exec "$0" "$@"', *argv),
        env=env,
        path_prepend=path,
        explain=explain,
    )


def _external_network_check(ctx: Ctx, *, create_missing: bool) -> Command:
    """The action that judges init-runonce by OpenStack's state (its exit code says nothing on a retry)."""
    from wizard.kolla.runonce import ext_net_range_text, runonce_env

    answers = ctx.answers
    env = runonce_env(answers, ctx.release)
    argv = [
        ctx.python, "-m", "wizard.pipeline.actions", "external-network",
        "--cidr", str(answers["ext_net_cidr"]), "--range", ext_net_range_text(answers["ext_net_range"]),
        "--gateway", str(answers["ext_net_gateway"]),
    ]  # fmt: skip
    if "DEMO_NET_CIDR" in env:
        argv += ["--demo-cidr", env["DEMO_NET_CIDR"], "--demo-gateway", env["DEMO_NET_GATEWAY"]]
    if create_missing:
        argv.append("--create-missing")
    os_env = {"OS_CLOUD": "kolla-admin", "OS_CLIENT_CONFIG_FILE": f"{KOLLA_DIR}/clouds.yaml"}
    return _runonce_env_wrap(
        ctx,
        tuple(argv),
        os_env if ctx.release.clouds_yaml else {},
        explain=(
            "checks in OpenStack that public1, public1-subnet (CIDR, pool, gateway, no DHCP), demo-router's "
            "gateway and the m1.* flavors are as answered, and creates only what is missing with init-runonce's "
            "own commands (after a partial run init-runonce exits 0 saying it ran already)"
        ),
    )


def _runonce(ctx: Ctx) -> StepBody:
    from wizard.kolla.runonce import PATCHED_RUNONCE_NAME, needs_patched_runonce, patch_runonce, runonce_env

    answers = ctx.answers
    env = runonce_env(answers, ctx.release)
    files: tuple[FileWrite, ...] = ()
    script = f"{ctx.share}/init-runonce"
    notes = []
    if needs_patched_runonce(ctx.release):

        def patch(text: str | None) -> str:
            return patch_runonce(text or "", answers)

        patch.__qualname__ = "patch_runonce"
        copy = f"{KOLLA_DIR}/{PATCHED_RUNONCE_NAME}"
        files = (FileWrite(copy, copy_from=script, transform=patch, mode=0o755, note="EXT_NET_* set in the copy"),)
        script = copy
        notes.append("this release's init-runonce hard-codes the external network: a patched copy is run")
    if not ctx.release.clouds_yaml:
        notes.append("before Zed init-runonce needs the admin credentials in its environment: admin-openrc.sh")
    if "DEMO_NET_CIDR" not in env:
        notes.append("this release's init-runonce hard-codes the demo network 10.0.0.0/24")
    # The runner sets PYTHONUNBUFFERED=1 for live logs. For the openstack client that means one write for the
    # table and another for its last newline, and init-runonce's `image list | grep -q cirros` (under pipefail)
    # can then see the client die of EPIPE after grep matched and exited: the "run once" test reads as false
    # and the script creates everything a second time. Buffered output is one write: no such race.
    script_env = {**env, "PYTHONUNBUFFERED": ""}
    cmds = (_runonce_env_wrap(ctx, (script,), script_env), _external_network_check(ctx, create_missing=True))
    return StepBody(cmds, files=files, notes=tuple(notes))


def _verify(ctx: Ctx) -> StepBody:
    """The verify-cloud action with init-runonce's credentials (it uses init-runonce's image, network,
    flavor and keypair, so it only applies when init-runonce runs)."""
    argv = (ctx.python, "-m", "wizard.pipeline.actions", "verify-cloud", "--boot-timeout", "300")
    os_env = {"OS_CLOUD": "kolla-admin", "OS_CLIENT_CONFIG_FILE": f"{KOLLA_DIR}/clouds.yaml"}
    cmd = _runonce_env_wrap(
        ctx,
        argv,
        os_env if ctx.release.clouds_yaml else {},
        explain=(
            "boots CirrOS (m1.tiny, keypair mykey) on demo-net, waits for ACTIVE (300 s at most), attaches a "
            "floating IP from public1, then from this host: ping, ping -M do -s 1472 (MTU), ssh cirros@IP uname -m; "
            "deletes the server and floating IP afterwards, also after a failure or a cancel"
        ),
    )
    return StepBody((cmd,), notes=("the floating IP must be reachable from this host (public1 is the LAN)",))


def _runonce_done(ctx: Ctx, root: Path) -> str | None:
    """Done when OpenStack already holds the external network as answered (asked with the same action,
    read-only); never from init-runonce's exit code. Only on the real host, with the client installed."""
    import subprocess

    from wizard.kolla.extnet import WantedNetwork, describe
    from wizard.pipeline.runner import command_env

    if str(root) not in ("", "/") or not Path(ctx.bin("openstack")).exists():
        return None
    cmd = _external_network_check(ctx, create_missing=False)
    try:
        res = subprocess.run(
            list(cmd.argv),
            env=command_env(cmd),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=90,  # `plan` runs done-checks too: an unreachable API must not hang it
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if res.returncode != 0:
        return None
    a = ctx.answers
    want = WantedNetwork(
        str(a["ext_net_cidr"]), a["ext_net_range"]["start"], a["ext_net_range"]["end"], str(a["ext_net_gateway"])
    )
    return f"OpenStack holds it: {describe(want)}"


def _summary(ctx: Ctx) -> StepBody:
    vip = str(ctx.a("kolla_internal_vip_address", "?"))
    return StepBody(
        (
            ctx.action(
                "summary",
                "--vip",
                vip,
                "--venv",
                ctx.venv,
                explain="prints where the dashboard and the credentials are (no secret is printed)",
            ),
        )
    )


# --- the catalog -----------------------------------------------------------------------------

KA_RETRY = RetryPolicy(retries=1, delays=(30.0,))

CATALOG: tuple[StepSpec, ...] = (
    StepSpec(
        "preflight",
        "Check the host",
        "the guide assumes a supported Debian, root, a NIC for the API and one for Neutron, and KVM",
        _preflight,
        depends_on=(
            "openstack_release",
            "network_interface",
            "neutron_external_interface",
            "enable_haproxy",
            "kolla_internal_vip_address",
            "docker_registry",
        ),
    ),
    StepSpec(
        "hosts-file",
        "Make the hostname resolve to the management address",
        "a 127.0.1.1 or stale hostname line breaks RabbitMQ (kolla's precheck: the hostname must resolve to "
        "the management address only); fixed before bootstrap-servers changes anything",
        _hosts,
        depends_on=("network_interface",),
        done_files="the hostname already resolves to the management address only: {paths}",
    ),
    StepSpec(
        "apt-archive",
        "Point apt at archive.debian.org",
        "this Debian left Debian's mirrors: apt-get update gets 404 there, so every apt step would fail",
        _apt_archive,
        depends_on=("apt_archive_for_eol",),
        applies=_apt_archive_applies,
        done_files="apt already uses archive.debian.org: {paths}",
    ),
    StepSpec(
        "python-prereqs",
        "Install the Python build prerequisites",
        "kolla and kolla-ansible are Python projects: pip needs a compiler, headers and venv",
        _python,
        retry=NETWORK_RETRY,
        depends_on=("openstack_release",),
        done=_python_done,
        done_when="dpkg lists every one of these packages as installed",
        expected=90.0,
    ),
    StepSpec(
        "debug-tools",
        "Install debugging tools",
        "tools that help when debugging, troubleshooting or collecting output; not mandatory",
        _debug,
        depends_on=("debug_tools",),
        retry=NETWORK_RETRY,
        optional=True,
        applies=lambda ctx: bool(_debug_packages(ctx)),
        done=lambda ctx, root: packages_done(root, _debug_packages(ctx)),
        done_when="dpkg lists every one of these packages as installed",
    ),
    StepSpec(
        "remove-docker-io",
        "Remove Debian's docker.io",
        "bootstrap-servers installs Docker CE from Docker's repository, which conflicts with docker.io",
        _docker_io,
        depends_on=("remove_docker_io",),
        applies=_docker_io_applies,
        done=_docker_io_done,
        done_when="dpkg lists none of docker.io, containerd, runc",
    ),
    StepSpec(
        "virt-packages",
        "Install the virtualization packages",
        "kvm-ok (cpu-checker), bridge-utils and the libvirt/QEMU layout the containers map in",
        _virt,
        retry=NETWORK_RETRY,
        done=lambda ctx, root: packages_done(root, _virt_packages(ctx)),
        done_when="dpkg lists every one of these packages as installed",
        expected=180.0,
    ),
    StepSpec(
        "host-libvirt-off",
        "Stop and disable host libvirt and iSCSI",
        "libvirt runs in the nova_libvirt container and needs the host's libvirt socket free; iscsid likewise",
        _libvirt_off,
        done=_libvirt_off_done,
        done_when="no libvirt or iSCSI unit is enabled and the host libvirt socket is absent",
    ),
    StepSpec(
        "apparmor-libvirtd",
        "Remove the AppArmor libvirtd profile",
        "the host's libvirtd AppArmor profile stops the containerized libvirt from working",
        _apparmor,
        done=_apparmor_done,
        done_when="/etc/apparmor.d/disable/usr.sbin.libvirtd exists",
    ),
    StepSpec(
        "time-sync",
        "Synchronize the clock (NTP)",
        "kolla's prechecks fail without an active NTP daemon and a synchronized clock; a minimal Debian has none",
        _time_sync,
        retry=NETWORK_RETRY,
        applies=lambda ctx: not getattr(ctx.facts, "ntp_active", None),
        done=_time_sync_done,
        done_when="an NTP daemon is enabled (systemd-timesyncd: and has synchronized the clock)",
    ),
    StepSpec(
        "virtualenv",
        "Create the virtualenv and upgrade pip",
        "Debian 12+ refuses system-wide pip installs (PEP 668); the newest pip is best for kolla",
        _venv,
        depends_on=("venv_path",),
        retry=NETWORK_RETRY,
        done=_venv_done,
        done_when="{venv}/bin/python and {venv}/bin/pip exist",
    ),
    StepSpec(
        "kolla-ansible",
        "Install kolla-ansible",
        "kolla-ansible deploys the containers (kolla builds them; Ansible as the release needs)",
        _kolla_ansible,
        depends_on=("openstack_release", "kolla_ansible_source", "kolla_ansible_git_ref", "image_source", "venv_path"),
        retry=NETWORK_RETRY,
        done=_kolla_ansible_done,
        done_when="{venv} holds kolla-ansible (and kolla for builds) of this release, from this source",
        expected=120.0,
    ),
    StepSpec(
        "install-deps",
        "Install kolla-ansible's Ansible collections",
        "kolla-ansible 14.0.0+ needs its Ansible Galaxy collections (install-deps)",
        _install_deps,
        depends_on=("openstack_release", "venv_path"),
        retry=NETWORK_RETRY,
        applies=lambda ctx: bool(ctx.release.install_deps),
        expected=90.0,
    ),
    StepSpec(
        "kolla-config",
        "Create /etc/kolla from the examples",
        "kolla-ansible reads /etc/kolla: globals.yml, passwords.yml (never overwritten) and the inventory",
        _kolla_config,
        depends_on=("venv_path", "image_source"),
        done_files="/etc/kolla holds globals.yml, passwords.yml and the all-in-one inventory",
    ),
    StepSpec(
        "globals",
        "Write the globals",
        "the guide's globals.yml settings: interfaces, VIP, distro, virt type, haproxy",
        _globals,
        depends_on=(
            "openstack_release",
            "network_interface",
            "kolla_internal_vip_address",
            "enable_haproxy",
            "neutron_external_interface",
            "kolla_base_distro",
            "nova_compute_virt_type",
            "openstack_tag_suffix",
            "docker_registry",
            "docker_namespace",
            "extra_globals",
            "image_source",
        ),
        done_files="the globals already hold these answers: {paths}",
    ),
    StepSpec(
        "genpwd",
        "Generate the passwords",
        "kolla-genpwd fills /etc/kolla/passwords.yml with random passwords",
        _genpwd,
        depends_on=("venv_path",),
        done=_genpwd_done,
        done_when="/etc/kolla/passwords.yml is mode 0600 with every value set",
    ),
    StepSpec(
        "certificates",
        "Generate the certificates",
        "the guide generates the deployment's certificates before bootstrapping",
        _ka("certificates"),
        done=_certificates_done,
        done_when="/etc/kolla/certificates is not empty",
    ),
    StepSpec(
        "bootstrap-servers",
        "Bootstrap the host (Docker CE and kolla-ansible's requirements)",
        "installs Docker CE and the host packages and settings kolla-ansible needs",
        _ka("bootstrap-servers"),
        retry=KA_RETRY,
        expected=300.0,
    ),
    StepSpec(
        "kolla-build",
        "Build the container images",
        "the guide builds the OpenStack images with kolla-build from source",
        _kolla_build,
        depends_on=(
            "openstack_release",
            "image_source",
            "kolla_base_distro",
            "openstack_tag_suffix",
            "docker_registry",
            "docker_namespace",
        ),
        retry=RetryPolicy(retries=1, delays=(60.0,)),
        applies=lambda ctx: ctx.build,
        expected=10800.0,
    ),
    StepSpec(
        "prechecks",
        "Run the prechecks",
        "validates the host and the globals before deploying",
        _prechecks,
        depends_on=("image_source", "docker_registry", "docker_namespace"),
        expected=120.0,
    ),
    StepSpec(
        "pull",
        "Pull the container images",
        "downloads every image before deploy: the long, retryable part on its own",
        _pull,
        retry=RetryPolicy(retries=3, delays=(30.0, 90.0, 180.0)),
        applies=lambda ctx: not ctx.build,
        expected=900.0,
    ),
    StepSpec(
        "deploy", "Deploy OpenStack", "starts every OpenStack service in its container", _ka("deploy"), expected=1500.0
    ),
    StepSpec(
        "post-deploy",
        "Write the admin credentials",
        "post-deploy writes /etc/kolla/admin-openrc.sh (and clouds.yaml)",
        _ka("post-deploy"),
        expected=60.0,
    ),
    StepSpec(
        "openstackclient",
        "Install the OpenStack client",
        "init-runonce and the operator need the `openstack` command",
        _openstackclient,
        depends_on=("openstack_release", "venv_path"),
        retry=NETWORK_RETRY,
        done=_openstackclient_done,
        done_when="{venv}/bin/openstack exists",
        expected=60.0,
    ),
    StepSpec(
        "init-runonce",
        "Create the demo network, image, flavors and keys",
        "init-runonce makes the cloud usable: external network from the EXT_NET_* answers, CirrOS, flavors",
        _runonce,
        depends_on=("ext_net_cidr", "ext_net_range", "ext_net_gateway", "demo_net_cidr", "run_init_runonce"),
        # No automatic retry: init-runonce runs once (a rerun exits 0 doing nothing). The step is judged by
        # OpenStack's state, and a user's Retry finishes what is missing (the external-network action).
        retry=NO_RETRY,
        applies=lambda ctx: bool(ctx.a("run_init_runonce", True)),
        done=_runonce_done,
        expected=120.0,
    ),
    StepSpec(
        "verify",
        "Verify the cloud: boot an instance and reach it",
        "boots CirrOS on demo-net, pings and SSHes it through a floating IP from public1, then deletes it",
        _verify,
        depends_on=("run_init_runonce", "verify_cloud"),
        # No automatic retry: a failure here is a cloud problem (no valid host, MTU, an external network
        # that is not the LAN) that a rerun does not fix; the user's Retry is there after a fix.
        retry=NO_RETRY,
        optional=True,
        applies=lambda ctx: bool(ctx.a("verify_cloud", True)) and bool(ctx.a("run_init_runonce", True)),
    ),
    StepSpec(
        "summary",
        "Show how to reach the cloud",
        "where Horizon and the admin credentials are",
        _summary,
        depends_on=("kolla_internal_vip_address",),
    ),
)


# --- plan ------------------------------------------------------------------------------------


def _release_of(release: Any, answers: Mapping[str, Any]) -> Any:
    from wizard.kolla.releases import get_release

    if release is None:
        release = answers.get("openstack_release")
    if isinstance(release, str):
        return get_release(release)
    if release is None:
        from wizard.errors import UserError

        raise UserError("openstack_release: no release given and none could be chosen for this host")
    return release


def host_problems(answers: Mapping[str, Any], facts: Any, release: Any) -> list[str]:
    """Why this host cannot run ``release`` with these answers (empty when it can).

    The answers' validation says it (release against the host's Debian and architecture
    included), for ``release`` even when ``--release`` overrides the answers' own, so there is
    one wording of each problem. Added here only what validation does not check: docker.io
    installed without the answer that lets the wizard remove it, and a Debian that left the
    mirrors (buster) without the answer that lets the plan use archive.debian.org.
    """
    from wizard.answers.validation import validate_answers

    validated = {**answers, "openstack_release": release.name}
    problems: list[str] = []
    keys: set[str] = set()
    for p in validate_answers(validated, facts):
        if getattr(p, "is_error", True) and str(p) not in problems:
            problems.append(str(p))
            keys.add(getattr(p, "key", ""))
    from wizard.kolla.releases import debian_archived

    os_release = getattr(facts, "os", None)
    major = getattr(os_release, "major", "")
    if (
        major
        and debian_archived(major)
        and not answers.get("apt_archive_for_eol")
        and "apt_archive_for_eol" not in keys
    ):
        problems.append(
            f"apt_archive_for_eol: Debian {major} ({getattr(os_release, 'codename', '')}) left Debian's mirrors, so "
            "apt-get update fails (404) and no package can be installed: answer true to use archive.debian.org"
        )
    if (
        getattr(facts, "docker_io_installed", False)
        and not answers.get("remove_docker_io")
        and ("remove_docker_io" not in keys)
    ):
        problems.append(
            "remove_docker_io: Debian's docker.io is installed and bootstrap-servers installs Docker CE over it: "
            "answer true to let the wizard remove it"
        )
    return problems


def _done_check(spec: StepSpec, ctx: Ctx, body: StepBody) -> Callable[[Path], str | None] | None:
    """The step's done-check: its own, or for a file-only step "every file already as planned"."""
    if spec.done_files:
        reason = spec.done_files.format(paths=", ".join(f.path for f in body.files))
        return lambda root: reason if files_as_wanted(body.files, root) else None
    if spec.done is not None:
        done = spec.done
        return lambda root: done(ctx, root)
    return None


def _done_when(spec: StepSpec, ctx: Ctx, body: StepBody) -> str:
    """What the step's done-check looks for, in a line ("" when the step has none)."""
    if spec.done_files:
        return spec.done_files.format(paths=", ".join(f.path for f in body.files))
    if spec.done is None:
        return ""
    return spec.done_when.format(venv=ctx.venv)


def build_kolla_plan(answers: Mapping[str, Any], facts: Any, release: Any = None, *, root: Path = Path("/")) -> Plan:
    """The concrete plan: every applicable step of :data:`CATALOG` for these answers on this host."""
    rel = _release_of(release, answers)
    ctx = Ctx(answers=dict(answers), facts=facts, release=rel)
    steps = []
    for spec in CATALOG:
        if not spec.applies(ctx):
            continue
        body = spec.build(ctx)
        steps.append(
            PlannedStep(
                id=spec.id,
                title=spec.title,
                why=spec.why,
                commands=body.commands,
                files=body.files,
                retry=spec.retry,
                depends_on=spec.depends_on,
                depends_values={k: answers.get(k) for k in spec.depends_on},
                optional=spec.optional,
                done_check=_done_check(spec, ctx, body),
                done_check_display=_done_when(spec, ctx, body),
                notes=body.notes,
                expected_seconds=spec.expected,
            )
        )
    return Plan(
        steps=tuple(steps),
        release=rel.name,
        answers=dict(answers),
        problems=tuple(host_problems(answers, facts, rel)),
        root=Path(root),
        secret_files=(PASSWORDS,),
        source="kolla",
    )
