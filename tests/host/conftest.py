"""Fixture hosts for the probe: a root directory of real files, and a command runner double.

The runner double stands in only for programs that cannot run here with the answer a test needs
(kvm-ok on a box with or without KVM, timedatectl without systemd). It returns the real programs'
recorded output and records every argv, so tests assert what the probe asked to run.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from tests.support.netns import NetnsHost, netns_unavailable
from wizard.host.commands import CommandResult
from wizard.host.facts import Address, DefaultRoute, HostFacts, Nic, Virtualization
from wizard.host.reach import Endpoint, Reach

# --- facts built in code (defaults and checks) ----------------------------------------------------

LO = Nic("lo", state="up", kind="loopback", ipv4=(Address("127.0.0.1", 8, 4),))
LINK_LOCAL = (Address("fe80::5054:ff:fe12:3456", 64, 6),)


def nic(name: str, ipv4: str | None = None, *, kind: str = "physical", state: str = "up", **kw) -> Nic:
    addrs = ()
    if ipv4:
        ip, prefix = ipv4.split("/")
        addrs = (Address(ip, int(prefix), 4),)
    return Nic(name, state=state, kind=kind, ipv4=addrs, ipv6=kw.pop("ipv6", LINK_LOCAL), **kw)


def host(*nics: Nic, gateway: str | None = "10.1.1.1", via: str = "enp1s0", kvm: bool = True) -> HostFacts:
    route = DefaultRoute(via, gateway, "netifaces.gateways()") if gateway else None
    virt = Virtualization(kvm, "kvm-ok says: KVM acceleration can be used" if kvm else "/dev/kvm does not exist")
    return HostFacts(arch="aarch64", nics=(LO, *nics), default_route=route, virt=virt)


GUIDE_HOST = host(nic("enp1s0", "10.1.1.88/24"), nic("enx00051bb122ed"))


class StubLive:
    """The live network probe (:class:`wizard.host.reach.NetworkProbe`), answered by the test: no packet leaves.

    ``vip``: what the VIP probe says; ``down``: host -> "STAGE detail" for endpoints that fail.
    """

    def __init__(self, vip: bool | None = False, down: dict[str, str] | None = None) -> None:
        self.vip, self.down = vip, dict(down or {})
        self.asked: list[tuple[str, str | None]] = []
        self.endpoints: list[Endpoint] = []

    def reach(self, endpoints: Sequence[Endpoint]) -> tuple[Reach, ...]:
        self.endpoints = list(endpoints)
        return tuple(
            Reach(e, False, *self.down[e.host].split(" ", 1)) if e.host in self.down else Reach(e, True)
            for e in endpoints
        )

    def vip_answers(self, vip: str, interface: str | None) -> tuple[bool | None, str]:
        self.asked.append((vip, interface))
        return self.vip, "stub"


# --- recorded outputs ---------------------------------------------------------------------------

KVM_OK_YES = "INFO: /dev/kvm exists\nKVM acceleration can be used\n"
KVM_OK_NO_DEV_ARM = "INFO: /dev/kvm does not exist\nHINT:   sudo modprobe kvm\nKVM acceleration can NOT be used\n"
KVM_OK_NO_CPU = "INFO: Your CPU does not support KVM extensions\nKVM acceleration can NOT be used\n"

OS_RELEASE = {
    "10": (
        'PRETTY_NAME="Debian GNU/Linux 10 (buster)"\nNAME="Debian GNU/Linux"\nVERSION_ID="10"\n'
        'VERSION="10 (buster)"\nVERSION_CODENAME=buster\nID=debian\nHOME_URL="https://www.debian.org/"\n'
    ),
    "12": (
        'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\n'
        'VERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\nHOME_URL="https://www.debian.org/"\n'
    ),
    "13": (
        'PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nNAME="Debian GNU/Linux"\nVERSION_ID="13"\n'
        'VERSION="13 (trixie)"\nVERSION_CODENAME=trixie\nDEBIAN_VERSION_FULL=13.1\nID=debian\n'
    ),
    "ubuntu": (
        'PRETTY_NAME="Ubuntu 24.04.1 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nVERSION_CODENAME=noble\n'
        "ID=ubuntu\nID_LIKE=debian\n"
    ),
}

_ARM_CORE = (
    "processor\t: {n}\nBogoMIPS\t: 50.00\n"
    "Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop "
    "asimddp ssbs\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x3\nCPU part\t: 0xd0c\n"
    "CPU revision\t: 1\n\n"
)
_X86_CORE = (
    "processor\t: {n}\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\n"
    "model name\t: Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz\nflags\t\t: fpu vme de pse tsc msr pae mce cx8 apic "
    "sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ss ht syscall nx lm constant_tsc {virt}"
    "sse4_1 sse4_2 x2apic aes avx\n\n"
)


def arm64_cpuinfo(cores: int = 4) -> str:
    """An Ampere Altra (Neoverse-N1 cores): arm64 kernels print no "model name"."""
    return "".join(_ARM_CORE.format(n=n) for n in range(cores))


def x86_cpuinfo(cores: int = 2, virt: str = "vmx") -> str:
    return "".join(_X86_CORE.format(n=n, virt=f"{virt} " if virt else "") for n in range(cores))


MEMINFO_32G = "MemTotal:       32617856 kB\nMemFree:        30000000 kB\nMemAvailable:   31000000 kB\n"

DPKG_DOCKER_IO = (
    "Package: bash\nStatus: install ok installed\nPriority: required\nVersion: 5.2.15-2+b2\n\n"
    "Package: docker.io\nStatus: install ok installed\nPriority: optional\nSection: admin\n"
    "Version: 20.10.24+dfsg1-1+b3\nDescription: Linux container runtime\n Docker complements kernel namespacing\n\n"
)
DPKG_DOCKER_IO_REMOVED = "Package: docker.io\nStatus: deinstall ok config-files\nVersion: 20.10.24+dfsg1-1+b3\n\n"
DPKG_BASE = "Package: bash\nStatus: install ok installed\nVersion: 5.2.15-2+b2\n\n"

HOSTS_DEBIAN_INSTALLER = (
    "127.0.0.1\tlocalhost\n127.0.1.1\taio1.example.org\taio1\n\n"
    "# The following lines are desirable for IPv6 capable hosts\n::1     localhost ip6-localhost ip6-loopback\n"
)
HOSTS_COMMENTED = "127.0.0.1\tlocalhost\n#127.0.1.1\taio1.example.org\taio1\n10.1.1.88\taio1\n"

PROC_NET_ROUTE = (
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
    "enp1s0\t00000000\t0101010A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
    "enp1s0\t0001010A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n"
)


class FakeRunner:
    """Returns recorded outputs by argv; 127 (not installed) for anything else. Records every call."""

    def __init__(self, responses: dict[tuple[str, ...], tuple[int, str]] | None = None) -> None:
        self.responses = dict(responses or {})
        self.calls: list[tuple[str, ...]] = []

    def __call__(self, argv: Sequence[str]) -> CommandResult:
        key = tuple(argv)
        self.calls.append(key)
        code, out = self.responses.get(key, (127, f"{key[0]}: command not found\n"))
        return CommandResult(key, code, out)


def build_root(
    root: Path,
    *,
    debian: str = "12",
    cpuinfo: str | None = None,
    meminfo: str = MEMINFO_32G,
    dev_kvm: bool = True,
    dpkg_status: str = DPKG_BASE,
    hosts: str = "127.0.0.1\tlocalhost\n10.1.1.88\taio1\n",
    hostname: str = "aio1",
    route: str | None = PROC_NET_ROUTE,
    libvirt_socket: str | None = None,
    apparmor_profile: bool = False,
) -> Path:
    """Write the files the probe reads under ``root`` and return it."""

    def put(rel: str, text: str) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    put("etc/os-release", OS_RELEASE[debian])
    put("proc/cpuinfo", cpuinfo if cpuinfo is not None else arm64_cpuinfo())
    put("proc/meminfo", meminfo)
    put("var/lib/dpkg/status", dpkg_status)
    put("etc/hosts", hosts)
    put("etc/hostname", hostname + "\n")
    if route is not None:
        put("proc/net/route", route)
    if dev_kvm:
        put("dev/kvm", "")  # a plain file stands in for the character device: it opens read-write
    if libvirt_socket:
        put(libvirt_socket, "")
    if apparmor_profile:
        put("etc/apparmor.d/usr.sbin.libvirtd", "#include <tunables/global>\n")
    return root


@pytest.fixture
def host_root(tmp_path: Path):
    """``host_root(**options)`` → a fixture root directory (see :func:`build_root`)."""

    def make(**options) -> Path:
        return build_root(tmp_path / "root", **options)

    return make


@pytest.fixture
def netns_host() -> Iterator:
    """``netns_host("name")`` → a created :class:`NetnsHost`; all are deleted after the test, pass or fail."""
    reason = netns_unavailable()
    if reason:
        pytest.skip(reason)
    made: list[NetnsHost] = []

    def make(name: str = "host") -> NetnsHost:
        host = NetnsHost(name)
        made.append(host)
        return host.create()

    try:
        yield make
    finally:
        for host in made:
            host.close()
