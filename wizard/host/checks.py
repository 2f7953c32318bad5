"""Preflight checks: what would make the install fail, said before anything is changed.

Kolla's own prechecks run 20 minutes in, after bootstrap-servers has already changed the host,
and they skip RAM, disk and KVM entirely. These checks read only :class:`HostFacts`, so they run
on a ``--host-facts`` file as well as on the live host, and each says pass / warn / fail with a
one-line reason and a hint the user can act on. "fail" means the install will not work as the
host stands; "warn" means it can work (the wizard fixes it, or it only hurts performance).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from wizard.host.facts import HostFacts

Status = Literal["pass", "warn", "fail"]

GIB = 1024**3
MIN_RAM = 8 * GIB  # the Kolla quickstart minimum ("8 GB main memory")
RAM_ALLOWANCE = 0.05  # MemTotal excludes what firmware and kernel reserve: an 8 GiB box shows ~7.7 GiB
LOW_RAM = 4 * GIB  # below this, ~40 containers do not fit at all
MIN_DISK = 40 * GIB  # the quickstart minimum ("40 GB disk space")
LOW_DISK = 20 * GIB  # the images alone take about 15 GiB
ARCHES = {"aarch64": "arm64", "arm64": "arm64", "x86_64": "x86_64", "amd64": "x86_64"}


@dataclass(frozen=True)
class Check:
    """One preflight result: ``status`` is "pass", "warn" or "fail"; ``hint`` says how to fix it."""

    id: str
    title: str
    status: Status
    reason: str
    hint: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "title": self.title, "status": self.status, "reason": self.reason, "hint": self.hint}


def _gib(n: int) -> str:
    return f"{n / GIB:.1f} GiB"


def _release(release: Any) -> Any:
    """A Release, a release name, or None."""
    if release is None or not isinstance(release, str):
        return release
    from wizard.kolla.releases import get_release

    return get_release(release)


def _debians(release: Any) -> str:
    """ "Debian 12 (bookworm) or 13 (trixie)" for the versions a release supports."""
    from wizard.kolla.releases import debian_codename

    names = [f"{v} ({debian_codename(v)})" if debian_codename(v) else v for v in release.debian]
    return "Debian " + " or ".join(names)


def check_root(facts: HostFacts) -> Check:
    if facts.is_root:
        return Check("root", "running as root", "pass", "the wizard runs as root")
    return Check(
        "root",
        "running as root",
        "fail",
        "not running as root: the install changes /etc, apt and systemd",
        "run it as root: sudo aio-wizard (probe and plan work without root)",
    )


def check_os(facts: HostFacts, release: Any = None) -> Check:
    from wizard.kolla import releases as catalog

    title = "Debian version"
    os_ = facts.os
    newest = catalog.newest_release()
    if os_.id != "debian":
        name = os_.pretty_name or os_.id
        return Check("os", title, "fail", f"{name} is not Debian", f"install {_debians(newest)} (for {newest.name})")
    major = os_.major
    shown = f"Debian {major}" + (f" ({os_.codename})" if os_.codename else "") if major else "Debian (unknown version)"
    if release is not None:
        if release.supports_debian(major):
            return Check("os", title, "pass", f"{shown} is supported by {release.name}")
        wanted = " or ".join(release.debian)
        fit = catalog.newest_release_for(major, facts.arch) if major else None
        other = f", or install {fit.name} (the newest for {shown})" if fit else ""
        return Check(
            "os",
            title,
            "fail",
            f"{release.name} supports Debian {wanted}, not {shown}",
            f"install Debian {release.debian[-1]} for {release.name}{other}",
        )
    best = catalog.newest_release_for(major, facts.arch) if major else None
    if best is None:
        return Check(
            "os",
            title,
            "fail",
            f"no OpenStack release in the catalog supports {shown}",
            f"install {_debians(newest)} (for {newest.name})",
        )
    if best.name == newest.name:
        return Check("os", title, "pass", f"{shown}: the newest release {best.name} supports it")
    stale = "" if best.images_pullable else "; its images may no longer be downloadable (build them)"
    return Check(
        "os",
        title,
        "warn",
        f"{shown} runs at most {best.name}, not the newest {newest.name}{stale}",
        f"install {_debians(newest)} for {newest.name}",
    )


def check_arch(facts: HostFacts, release: Any = None) -> Check:
    title = "CPU architecture"
    arch = ARCHES.get(facts.arch)
    if arch is None:
        return Check(
            "arch",
            title,
            "fail",
            f"{facts.arch}: Kolla publishes images for arm64 and x86_64 only",
            "use an arm64 or x86_64 machine",
        )
    if release is not None and not release.supports_arch(facts.arch):
        return Check(
            "arch",
            title,
            "fail",
            f"{release.name} publishes no {arch} images for Debian",
            "choose another release, or build the images (image_source: build)",
        )
    model = f" ({facts.cpu_model}, {facts.cpu_cores} cores)" if facts.cpu_model else ""
    return Check("arch", title, "pass", f"{arch}{model}")


def check_ram(facts: HostFacts) -> Check:
    title = "memory (8 GiB)"
    have = facts.ram_bytes
    if have >= MIN_RAM * (1 - RAM_ALLOWANCE):
        return Check("ram", title, "pass", f"{_gib(have)} of RAM")
    hint = "give the machine at least 8 GiB of RAM"
    if have >= LOW_RAM:
        return Check("ram", title, "warn", f"{_gib(have)} of RAM, under 8 GiB: services may be killed", hint)
    return Check("ram", title, "fail", f"only {_gib(have)} of RAM: Kolla's ~40 containers will not fit", hint)


def check_disk(facts: HostFacts) -> Check:
    title = "free disk (40 GiB)"
    free = facts.disk_docker_free_bytes
    where = f"on {facts.disk_docker_path} (holds /var/lib/docker)"
    hint = f"free space or grow the filesystem mounted at {facts.disk_docker_path}"
    if free >= MIN_DISK:
        return Check("disk", title, "pass", f"{_gib(free)} free {where}")
    if free >= LOW_DISK:
        return Check("disk", title, "warn", f"{_gib(free)} free {where}: images and logs will fill it", hint)
    return Check("disk", title, "fail", f"only {_gib(free)} free {where}: the images alone take ~15 GiB", hint)


def check_kvm(facts: HostFacts) -> Check:
    title = "KVM"
    if facts.virt.usable:
        return Check("kvm", title, "pass", f"usable: {facts.virt.reason}")
    return Check(
        "kvm",
        title,
        "warn",
        f"not usable, guests will be emulated with qemu (slow): {facts.virt.reason}",
        "enable virtualization in the firmware (or nested virtualization for a VM), then modprobe kvm",
    )


def check_external_nic(facts: HostFacts) -> Check:
    """The NIC the neutron_external_interface default would take, judged: the check and the default
    come from the one choice (:func:`~wizard.answers.defaults.detect_external_interface`)."""
    from wizard.answers.defaults import (
        NO_EXTERNAL_NIC,
        detect_external_interface,
        external_interface_candidates,
        external_nic_hint,
    )

    title = "a second NIC for Neutron"
    found = detect_external_interface(facts)
    nic = facts.nic(found.value) if isinstance(found.value, str) else None
    if nic is None:
        _, down = external_interface_candidates(facts)
        return Check("external_nic", title, "fail", NO_EXTERNAL_NIC, external_nic_hint(down))
    if not nic.is_physical:
        return Check(
            "external_nic",
            title,
            "warn",
            f"{nic.name} is up with no IP, but it is a {nic.kind}, not a physical NIC",
            "fine for a test host; floating IPs reach the LAN only through a physical NIC",
        )
    return Check("external_nic", title, "pass", f"{nic.name} is up, physical and has no IP address")


def check_etc_hosts(facts: HostFacts) -> Check:
    title = "127.0.1.1 in /etc/hosts"
    line = facts.hosts_127_0_1_1
    if line is None:
        return Check("etc_hosts", title, "pass", "no 127.0.1.1 line in /etc/hosts")
    return Check(
        "etc_hosts",
        title,
        "warn",
        f"/etc/hosts has '{line}': the hostname resolves to loopback (breaks RabbitMQ)",
        "the wizard comments it out (the guide: sed -i 's/^127.0.1.1/#127.0.1.1/' /etc/hosts)",
    )


def check_libvirt(facts: HostFacts) -> Check:
    title = "host libvirt stopped"
    if not facts.libvirt_running:
        return Check("libvirt", title, "pass", "no host libvirt socket")
    return Check(
        "libvirt",
        title,
        "warn",
        "host libvirt is running: nova's precheck fails while its socket exists",
        "the wizard stops and disables it: systemctl disable --now libvirtd libvirtd.socket libvirtd-ro.socket",
    )


def check_docker_io(facts: HostFacts) -> Check:
    title = "no Debian docker.io"
    if not facts.docker_io_installed:
        return Check("docker_io", title, "pass", "docker.io is not installed")
    return Check(
        "docker_io",
        title,
        "warn",
        "Debian's docker.io is installed: it conflicts with the docker-ce bootstrap installs",
        "let the wizard remove it (remove_docker_io: true), or apt-get purge docker.io containerd runc",
    )


def check_clock(facts: HostFacts) -> Check:
    title = "clock synchronized"
    hint = "apt-get install systemd-timesyncd (or chrony) and wait for the first sync"
    if facts.clock_synchronized is True:
        return Check("clock", title, "pass", "the system clock is NTP-synchronized")
    if facts.clock_synchronized is False:
        return Check("clock", title, "fail", "the clock is not NTP-synchronized: Kolla's prechecks fail", hint)
    return Check("clock", title, "warn", "cannot tell whether the clock is synchronized (no timedatectl/systemd)", hint)


def check_nscd(facts: HostFacts) -> Check:
    title = "nscd not running"
    if not facts.nscd_running:
        return Check("nscd", title, "pass", "nscd is not running")
    return Check(
        "nscd",
        title,
        "fail",
        "nscd is running: Kolla's prechecks fail (it caches stale names for containers)",
        "systemctl disable --now nscd, or apt-get purge nscd",
    )


def preflight_checks(facts: HostFacts, release: Any = None) -> list[Check]:
    """Every check, in the order a user fixes them. ``release``: a Release, its name, or None (the newest fit)."""
    rel = _release(release)
    return [
        check_root(facts),
        check_os(facts, rel),
        check_arch(facts, rel),
        check_ram(facts),
        check_disk(facts),
        check_kvm(facts),
        check_external_nic(facts),
        check_etc_hosts(facts),
        check_libvirt(facts),
        check_docker_io(facts),
        check_clock(facts),
        check_nscd(facts),
    ]
