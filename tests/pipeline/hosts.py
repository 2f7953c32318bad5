"""Injected hosts for the plan golden files: the guide's Ampere box and two current ones."""

from __future__ import annotations

from wizard.host.facts import Address, DefaultRoute, HostFacts, Nic, OsRelease, Virtualization

GiB = 1024**3


def _host(arch: str, os_release: OsRelease, *, python3: bool | None, hostname: str = "aio") -> HostFacts:
    return HostFacts(
        arch=arch,
        cpu_model="Ampere Altra" if arch == "aarch64" else "AMD EPYC 7443",
        cpu_cores=32,
        ram_bytes=64 * GiB,
        disk_root_free_bytes=400 * GiB,
        disk_docker_free_bytes=400 * GiB,
        os=os_release,
        virt=Virtualization(True, "/dev/kvm can be opened", dev_kvm_present=True, dev_kvm_openable=True),
        nics=(
            Nic("lo", state="up", kind="loopback", ipv4=(Address("127.0.0.1", 8, 4),)),
            Nic(
                "enp1s0",
                mac="52:54:00:00:00:01",
                state="up",
                carrier=True,
                kind="physical",
                ipv4=(Address("10.1.1.88", 24, 4),),
            ),
            Nic("enx00051bb122ed", mac="00:05:1b:b1:22:ed", state="up", carrier=True, kind="physical"),
        ),
        default_route=DefaultRoute("enp1s0", "10.1.1.1", "/proc/net/route"),
        hostname=hostname,
        hostname_resolves_to=("127.0.1.1",),
        hosts_127_0_1_1=f"127.0.1.1 {hostname}",
        is_root=True,
        python_is_python3=python3,
        clock_synchronized=True,
    )


DEBIAN_12_ARM64 = _host(
    "aarch64", OsRelease("debian", "12", "bookworm", "Debian GNU/Linux 12 (bookworm)"), python3=None
)
DEBIAN_13_X86 = _host("x86_64", OsRelease("debian", "13", "trixie", "Debian GNU/Linux 13 (trixie)"), python3=None)
DEBIAN_10_ARM64 = _host("aarch64", OsRelease("debian", "10", "buster", "Debian GNU/Linux 10 (buster)"), python3=False)


def host_for(release: str, arch: str = "x86_64") -> HostFacts:
    """A guide-like host on the newest Debian the release supports (x86_64 or arm64)."""
    from wizard.kolla.releases import debian_codename, get_release

    major = get_release(release).debian[-1]
    os_release = OsRelease("debian", major, debian_codename(major), f"Debian GNU/Linux {major}")
    return _host(arch, os_release, python3=False if major == "10" else None)
