"""What the probe found about a host, each fact with where it came from.

These are plain dataclasses with a JSON round trip: ``aio-wizard probe --json`` prints them,
and tests, screenshots and demos inject a host with ``--host-facts FILE`` (the ``facts`` part of
that JSON). Everything downstream (defaults, validation, plan, UIs) reads a :class:`HostFacts`,
never the live machine, so any host can be described by a file.
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

#: platform.machine() names of 64-bit ARM, whose published Kolla images carry the "-aarch64" tag.
ARM64_ARCHES = ("aarch64", "arm64")


@dataclass(frozen=True)
class Address:
    """One IP address on an interface, with its prefix length."""

    address: str
    prefixlen: int
    family: int  # 4 or 6

    @property
    def interface(self) -> ipaddress.IPv4Interface | ipaddress.IPv6Interface:
        return ipaddress.ip_interface(f"{self.address}/{self.prefixlen}")

    @property
    def network(self) -> str:
        """The subnet this address is in, as a CIDR (``10.1.1.0/24``)."""
        return str(self.interface.network)

    @property
    def is_link_local(self) -> bool:
        return self.interface.ip.is_link_local

    def __str__(self) -> str:
        return f"{self.address}/{self.prefixlen}"


@dataclass(frozen=True)
class Nic:
    """A network interface as psutil, netifaces and sysfs describe it."""

    name: str
    mac: str | None = None
    state: str = "unknown"  # "up", "down", "unknown" (operstate / psutil isup)
    carrier: bool | None = None
    speed_mbps: int | None = None
    mtu: int | None = None
    ipv4: tuple[Address, ...] = ()
    ipv6: tuple[Address, ...] = ()
    # Only "physical" is a real port; "loopback", "bridge", "bond", "bond-member", "veth", "docker",
    # "ovs", "vlan" and "virtual" are not.
    kind: str = "virtual"
    master: str | None = None  # bridge/bond/OVS this NIC is enslaved to

    @property
    def is_up(self) -> bool:
        return self.state == "up"

    @property
    def is_physical(self) -> bool:
        return self.kind == "physical"

    @property
    def usable_ipv4(self) -> Address | None:
        """The first IPv4 address that is not link-local (169.254/16 is no address to serve APIs on), or None."""
        return next((a for a in self.ipv4 if not a.is_link_local), None)

    @property
    def global_ipv6(self) -> tuple[Address, ...]:
        """IPv6 addresses other than link-local (fe80::/10 does not count as an address)."""
        return tuple(a for a in self.ipv6 if not a.is_link_local)

    def summary(self) -> str:
        """One line for lists: ``enp1s0  up  physical  10.1.1.88/24``."""
        addrs = ", ".join(str(a) for a in self.ipv4) or "no IPv4"
        return f"{self.name}  {self.state}  {self.kind}  {addrs}"


@dataclass(frozen=True)
class DefaultRoute:
    """The IPv4 default route: which interface and which gateway."""

    interface: str
    gateway: str
    source: str  # "netifaces.gateways()" or "/proc/net/route"


@dataclass(frozen=True)
class OsRelease:
    """The fields of /etc/os-release the wizard needs."""

    id: str = "unknown"
    version_id: str = ""
    codename: str = ""
    pretty_name: str = ""

    @property
    def major(self) -> str:
        """Debian's major version as a string ("12"), "" when unknown."""
        return self.version_id.split(".")[0] if self.version_id else ""


@dataclass(frozen=True)
class Virtualization:
    """Whether KVM can be used, and the evidence for the conclusion."""

    usable: bool
    reason: str
    kvm_ok_present: bool = False
    kvm_ok_exit: int | None = None
    kvm_ok_output: str | None = None
    dev_kvm_present: bool = False
    dev_kvm_openable: bool = False
    cpu_flag: str | None = None  # "vmx"/"svm" on x86 when present, None otherwise or not applicable
    kvm_api_version: int | None = None  # KVM_GET_API_VERSION of the real /dev/kvm (12), None when not asked


@dataclass(frozen=True)
class Listener:
    """A TCP socket in LISTEN state and the process holding it (from /proc/net/tcp{,6} and /proc/PID/fd).

    ``in_container`` is true when the holder runs in a container cgroup: on a re-run these are
    Kolla's own services from an earlier deploy, which Kolla's prechecks accept.
    """

    port: int
    address: str
    family: int  # 4 or 6
    pid: int | None = None
    process: str | None = None
    in_container: bool = False

    @property
    def holder(self) -> str:
        """``mysqld (pid 812)``, or "an unknown process" when no /proc/PID/fd holds the socket."""
        if self.pid is None:
            return "an unknown process"
        return f"{self.process or '?'} (pid {self.pid}{', in a container' if self.in_container else ''})"


@dataclass(frozen=True)
class HostFacts:
    """Everything the probe learned about one host. ``sources`` says where each fact came from."""

    arch: str = "unknown"  # platform.machine(): "aarch64", "x86_64"
    cpu_model: str = ""
    cpu_cores: int = 0
    ram_bytes: int = 0
    disk_root_free_bytes: int = 0
    disk_docker_free_bytes: int = 0
    disk_docker_path: str = "/"  # the mount point that holds /var/lib/docker (or would)
    os: OsRelease = field(default_factory=OsRelease)
    virt: Virtualization = field(default_factory=lambda: Virtualization(False, "not probed"))
    nics: tuple[Nic, ...] = ()
    default_route: DefaultRoute | None = None
    hostname: str = ""
    hostname_resolves_to: tuple[str, ...] = ()
    hosts_127_0_1_1: str | None = None  # the uncommented /etc/hosts line starting with 127.0.1.1
    libvirt_running: bool = False
    docker_io_installed: bool = False
    clock_synchronized: bool | None = None
    cloud_init_manages_etc_hosts: bool = False  # cloud-init's manage_etc_hosts is set: it rewrites /etc/hosts
    nscd_running: bool = False
    is_root: bool = False
    python_is_python3: bool | None = None  # does `python` exist and run Python 3?
    apparmor_libvirtd_profile: bool = False  # /etc/apparmor.d/usr.sbin.libvirtd present
    # Preflight facts added later: None means "not probed" (a facts file from an older probe), and the
    # check that needs the fact is then left out rather than guessed.
    swap_bytes: int | None = None  # SwapTotal of /proc/meminfo
    page_size: int | None = None  # bytes: 4096, or 16384 on a Raspberry Pi 5 kernel (ProxySQL breaks)
    listeners: tuple[Listener, ...] | None = None  # TCP listening sockets and who holds them
    ssh_client: str | None = None  # the client address of SSH_CONNECTION, None when not over SSH
    ssh_client_interface: str | None = None  # the NIC the route to ssh_client leaves by (ip route get)
    proxy_env: dict[str, str] = field(default_factory=dict)  # http(s)_proxy/no_proxy, passwords masked
    apt_sources: tuple[str, ...] | None = None  # the URIs of apt's sources (sources.list, .list, .sources)
    ntp_active: tuple[str, ...] | None = None  # the time-sync units that are active (chrony, ntp, timesyncd)
    sources: dict[str, str] = field(default_factory=dict)

    # --- lookups -------------------------------------------------------------------------

    def nic(self, name: str) -> Nic | None:
        for n in self.nics:
            if n.name == name:
                return n
        return None

    def usable_ipv4(self, name: str | None) -> Address | None:
        """The usable IPv4 address (:attr:`Nic.usable_ipv4`) of interface ``name``, None if it has none or is absent."""
        nic = self.nic(name) if name else None
        return nic.usable_ipv4 if nic is not None else None

    def host_ipv4s(self) -> frozenset[ipaddress.IPv4Address]:
        """Every IPv4 address configured on this host, link-local too: none of them is free for a VIP,
        a gateway or a floating IP, whatever the interface."""
        return frozenset(ipaddress.IPv4Address(a.address) for nic in self.nics for a in nic.ipv4)

    @property
    def is_arm64(self) -> bool:
        """True on 64-bit ARM (its images need the "-aarch64" tag); the one list is :data:`ARM64_ARCHES`."""
        return self.arch in ARM64_ARCHES

    # --- JSON round trip -----------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HostFacts:
        """Build facts from :meth:`to_dict` output; unknown keys are ignored, missing ones default."""
        known = {f.name for f in fields(cls)}
        kw: dict[str, Any] = {k: v for k, v in data.items() if k in known}
        if isinstance(kw.get("os"), dict):
            kw["os"] = OsRelease(**_known(OsRelease, kw["os"]))
        if isinstance(kw.get("virt"), dict):
            kw["virt"] = Virtualization(**_known(Virtualization, kw["virt"]))
        if isinstance(kw.get("default_route"), dict):
            kw["default_route"] = DefaultRoute(**_known(DefaultRoute, kw["default_route"]))
        if "nics" in kw:
            kw["nics"] = tuple(_nic_from_dict(n) for n in kw["nics"])
        for name in ("hostname_resolves_to", "apt_sources", "ntp_active"):
            if isinstance(kw.get(name), list):
                kw[name] = tuple(kw[name])
        if isinstance(kw.get("listeners"), list):
            kw["listeners"] = tuple(Listener(**_known(Listener, x)) for x in kw["listeners"])
        return cls(**kw)

    @classmethod
    def load(cls, path: str | Path) -> HostFacts:
        """Read facts from a JSON file: either bare facts or a whole ``probe --json`` document.

        Only a regular file of at most :data:`MAX_FACTS_BYTES` is read (a FIFO would hang the
        wizard, ``/dev/zero`` fill its memory): anything else raises
        :class:`wizard.inputs.InputFileError`; bad JSON raises ValueError.
        """
        from wizard.inputs import read_regular_file, value_problem

        raw = read_regular_file(path, MAX_FACTS_BYTES, "a host facts JSON file")
        try:
            data = json.loads(raw.decode("utf-8"))
        except RecursionError:
            raise ValueError("nested too deeply") from None
        if (problem := value_problem(data)) is not None:
            raise ValueError(problem)
        if isinstance(data, dict) and isinstance(data.get("facts"), dict):
            data = data["facts"]
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        return cls.from_dict(data)


#: A ``probe --json`` document is a few dozen KB, even with many NICs.
MAX_FACTS_BYTES = 1024 * 1024


def _known(kind: type, data: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(kind)}
    return {k: v for k, v in data.items() if k in names}


def _nic_from_dict(data: dict[str, Any]) -> Nic:
    kw = _known(Nic, data)
    for fam in ("ipv4", "ipv6"):
        kw[fam] = tuple(Address(**_known(Address, a)) for a in kw.get(fam, ()))
    return Nic(**kw)
