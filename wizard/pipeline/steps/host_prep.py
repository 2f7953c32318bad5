"""Host preparation, the guide's first half: preflight, /etc/hosts, apt (Debian 10's archive, Python
prerequisites, debug tools, docker.io out, virtualization packages), host libvirt, iSCSI and AppArmor off,
time sync. Each builder returns the step's commands and files; each ``*_done`` reads the host.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from wizard.host.services import apparmor_libvirtd_profile, libvirt_running
from wizard.pipeline.hoststate import (
    enabled_units,
    installed_packages,
    packages_done,
)
from wizard.pipeline.model import (
    Command,
    FileWrite,
    host_path,
)
from wizard.pipeline.steps.context import (
    APPARMOR_LIBVIRTD,
    APT_GET,
    DOCKER_IO_PACKAGES,
    HOSTS,
    ISCSI_UNITS,
    LIBVIRT_UNITS,
    PYTHON_PACKAGES,
    Ctx,
    StepBody,
)


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
