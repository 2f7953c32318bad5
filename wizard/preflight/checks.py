"""Preflight checks: what would make the install fail, said before anything is changed.

Kolla's own prechecks run 20 minutes in, after bootstrap-servers has already changed the host,
and they skip RAM, disk and KVM entirely. These checks read only :class:`HostFacts`, so they run
on a ``--host-facts`` file as well as on the live host, and each says pass / warn / fail with a
one-line reason and a hint the user can act on. "fail" means the install will not work as the
host stands; "warn" means it can work (the wizard fixes it, or it only hurts performance).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from wizard.host.facts import HostFacts, Nic

Status = Literal["pass", "warn", "fail"]

GIB = 1024**3
MIN_RAM = 8 * GIB  # the Kolla quickstart minimum ("8 GB main memory")
RAM_ALLOWANCE = 0.05  # MemTotal excludes what firmware and kernel reserve: an 8 GiB box shows ~7.7 GiB
LOW_RAM = 4 * GIB  # below this, ~40 containers do not fit at all
MIN_DISK = 40 * GIB  # the quickstart minimum ("40 GB disk space")
LOW_DISK = 20 * GIB  # the images alone take about 15 GiB
MIN_SWAPLESS_RAM = 16 * GIB  # "16 comfortable": below it, no swap means the OOM killer picks a container
PAGE_4K = 4096
MIN_MTU = 1500
NO = ("no", "false", "0", "off")
TIME_SYNC_HINT = (
    "the wizard's time-sync step installs and enables systemd-timesyncd and waits for the first sync "
    "(by hand: apt-get install systemd-timesyncd, or chrony)"
)
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
        # a minimal Debian has no sudo, and from a checkout the command is ./aio-wizard, not on PATH
        "run it as root (`su -`, or sudo where installed) with the same command (probe and plan work without root)",
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
    """Without KVM guests are emulated; on arm64 QEMU's default CPU ("max"/host) then fails to boot
    them, so kolla's own CI names a model for arm64 QEMU (cpu_mode custom, cortex-a72)."""
    title = "KVM"
    if facts.virt.usable:
        return Check("kvm", title, "pass", f"usable: {facts.virt.reason}")
    hint = "enable virtualization in the firmware (or nested virtualization for a VM), then modprobe kvm"
    reason = f"not usable, guests will be emulated with qemu (slow): {facts.virt.reason}"
    if facts.is_arm64:
        reason += "; arm64 QEMU needs an explicit CPU model"
        hint += (
            "; without KVM on arm64 set an explicit CPU model as kolla's CI does: /etc/kolla/config/nova/"
            "nova-compute.conf [libvirt] cpu_mode = custom, cpu_models = cortex-a72"
        )
    return Check("kvm", title, "warn", reason, hint)


def check_swap(facts: HostFacts) -> Check | None:
    title = "swap"
    if facts.swap_bytes is None:
        return None
    if facts.swap_bytes > 0:
        return Check("swap", title, "pass", f"{_gib(facts.swap_bytes)} of swap")
    if facts.ram_bytes >= MIN_SWAPLESS_RAM * (1 - RAM_ALLOWANCE):
        return Check("swap", title, "pass", f"no swap, but {_gib(facts.ram_bytes)} of RAM is plenty")
    return Check(
        "swap",
        title,
        "warn",
        f"no swap and {_gib(facts.ram_bytes)} of RAM: the OOM killer ends a container (only dmesg says so)",
        "add swap: fallocate -l 8G /swapfile; chmod 600 /swapfile; mkswap /swapfile; swapon /swapfile "
        "(and a line in /etc/fstab)",
    )


@dataclass(frozen=True)
class Context:
    """What the checks need from the answers: given ones, else what the defaults would detect."""

    release: Any  # the chosen Release, else the newest this Debian and arch can run
    network_interface: str | None
    network_interface_why: str  # why there is none, when there is none
    external_interface: str | None
    external_answered: bool  # the user named it (judge that NIC), or the default would pick it
    haproxy: bool
    vip: str | None
    registry: str | None
    extra_globals: Mapping[str, Any]

    @classmethod
    def of(cls, facts: HostFacts, release: Any, answers: Mapping[str, Any] | None) -> Context:
        from wizard.answers.defaults import detect_external_interface, detect_network_interface
        from wizard.kolla import releases as catalog

        given = dict(answers or {})
        if release is None:
            release = catalog.newest_release_for(facts.os.major, facts.arch) or catalog.newest_release()
        mgmt = given.get("network_interface")
        why = ""
        if not mgmt:
            found = detect_network_interface(facts)
            mgmt, why = found.value, found.reason
        external = given.get("neutron_external_interface")
        detected = None if external else detect_external_interface(facts, mgmt).value
        extra = given.get("extra_globals")
        haproxy = str(given.get("enable_haproxy", "no")).lower() not in NO
        vip = given.get("kolla_internal_vip_address")
        if not vip and not haproxy:
            addr = facts.usable_ipv4(mgmt)
            vip = addr.address if addr else None
        return cls(
            release=release,
            network_interface=mgmt,
            network_interface_why=why,
            external_interface=external or detected,
            external_answered=bool(external),
            haproxy=haproxy,
            vip=vip or None,
            registry=given.get("docker_registry"),
            extra_globals=extra if isinstance(extra, Mapping) else {},
        )

    @property
    def proxysql(self) -> bool:
        """Will ProxySQL run? From kolla-ansible 19 it follows MariaDB; with haproxy off the wizard turns it
        off (ProxySQL and MariaDB would share VIP:3306), unless extra_globals turn it on explicitly."""
        if not getattr(self.release, "proxysql_default", False):  # the catalog: kolla-ansible 19.0.0+
            return False
        if str(self.extra_globals.get("enable_mariadb", "yes")).lower() in NO:
            return False
        explicit = self.extra_globals.get("enable_proxysql")
        if explicit is not None:
            return str(explicit).lower() not in NO
        return self.haproxy

    def management_ip(self, facts: HostFacts) -> str | None:
        addr = facts.usable_ipv4(self.network_interface)
        return addr.address if addr else None


def check_management_nic(facts: HostFacts, ctx: Context) -> Check:
    """kolla's precheck: network_interface exists, is up and has an IPv4 address."""
    title = "management NIC"
    name = ctx.network_interface
    hint = "configure the LAN NIC with an IPv4 address and a default route (/etc/network/interfaces), or name it"
    if not name:
        return Check("management_nic", title, "fail", ctx.network_interface_why, hint)
    nic = facts.nic(name)
    if nic is None:
        names = ", ".join(n.name for n in facts.nics if n.kind != "loopback") or "none"
        return Check("management_nic", title, "fail", f"{name} does not exist (NICs: {names})", hint)
    if not nic.is_up:
        return Check("management_nic", title, "fail", f"{name} is {nic.state}", f"ip link set {name} up; {hint}")
    addr = nic.usable_ipv4
    if addr is None:
        return Check("management_nic", title, "fail", f"{name} has no IPv4 address: the APIs listen on it", hint)
    return Check("management_nic", title, "pass", f"{name} is up with {addr}")


def _judge_external(facts: HostFacts, nic: Nic, ctx: Context) -> Check:
    title = "a second NIC for Neutron"
    name = nic.name
    lost = "Neutron adds it to br-ex and any address or route on it stops working (the host may drop off the network)"
    other = "use a second NIC that is up without an IP address, or a veth pair for a host-only external network"
    if name == ctx.network_interface:
        return Check("external_nic", title, "fail", f"{name} is also the management NIC: {lost}", other)
    if nic.ipv4 or nic.global_ipv6:
        addrs = ", ".join(str(a) for a in (*nic.ipv4, *nic.global_ipv6))
        return Check("external_nic", title, "fail", f"{name} carries {addrs}: {lost}", other)
    if facts.default_route is not None and facts.default_route.interface == name:
        return Check("external_nic", title, "fail", f"{name} carries the default route: {lost}", other)
    if nic.master:
        if nic.master in ("ovs-system", "br-ex"):
            return Check("external_nic", title, "pass", f"{name} is already a port of Open vSwitch (br-ex)")
        return Check("external_nic", title, "fail", f"{name} is enslaved to {nic.master}", other)
    if nic.carrier is False:  # the kernel reports carrier only for a NIC set up: it is up, but unplugged
        return Check(
            "external_nic",
            title,
            "fail" if not nic.is_up else "warn",
            f"{name} is up but has no carrier (no cable, or the switch port is off): floating IPs will not answer",
            f"plug {name} into the external network (cat /sys/class/net/{name}/carrier says 1 when linked)",
        )
    if not nic.is_up:
        return Check("external_nic", title, "fail", f"{name} is {nic.state}", f"ip link set {name} up")
    if not nic.is_physical:
        return Check(
            "external_nic",
            title,
            "warn",
            f"{name} is up with no IP, but it is a {nic.kind}, not a physical NIC",
            "fine for a test host; floating IPs reach the LAN only through a physical NIC",
        )
    return Check("external_nic", title, "pass", f"{name} is up, physical and has no IP address")


def check_external_nic(facts: HostFacts, ctx: Context | None = None) -> Check:
    """The answered neutron_external_interface, or the NIC its default would take, judged: the check and
    the default come from the one choice (:func:`~wizard.answers.defaults.detect_external_interface`)."""
    from wizard.answers.defaults import (
        NO_EXTERNAL_NIC,
        detect_external_interface,
        external_interface_candidates,
        external_nic_hint,
    )

    ctx = ctx or Context.of(facts, None, None)
    title = "a second NIC for Neutron"
    if ctx.external_answered:
        nic = facts.nic(str(ctx.external_interface))
        if nic is None:
            return Check(
                "external_nic", title, "fail", f"{ctx.external_interface} does not exist", external_nic_hint([])
            )
        return _judge_external(facts, nic, ctx)
    found = detect_external_interface(facts, ctx.network_interface)
    nic = facts.nic(found.value) if isinstance(found.value, str) else None
    if nic is None:
        _, down = external_interface_candidates(facts, ctx.network_interface)
        unplugged = [n for n in down if n.carrier is False]
        if unplugged:  # set up but without a link: "ip link set up" would not help, a cable would
            return _judge_external(facts, unplugged[0], ctx)
        return Check("external_nic", title, "fail", NO_EXTERNAL_NIC, external_nic_hint(down))
    return _judge_external(facts, nic, ctx)


def check_ssh_route(facts: HostFacts, ctx: Context) -> Check:
    """The SSH session must not come in over the external NIC: it freezes when that NIC joins br-ex."""
    title = "SSH session off the external NIC"
    client = facts.ssh_client
    if not client:
        return Check("ssh_route", title, "pass", "not an SSH session (no SSH_CONNECTION)")
    via = facts.ssh_client_interface
    if via is None:
        return Check(
            "ssh_route",
            title,
            "warn",
            f"cannot tell which NIC the SSH client {client} is reached by",
            f"check with: ip route get {client}; it must not be the external NIC",
        )
    if via == ctx.external_interface:
        return Check(
            "ssh_route",
            title,
            "fail",
            f"the SSH client {client} is reached over {via}, the external NIC: the session freezes "
            "when Neutron adds it to br-ex",
            "connect over the management NIC (or a console), or choose another neutron_external_interface",
        )
    return Check("ssh_route", title, "pass", f"the SSH client {client} is reached over {via}")


def check_mtu(facts: HostFacts, ctx: Context) -> Check:
    title = "MTU 1500"
    small = []
    for name in dict.fromkeys(n for n in (ctx.network_interface, ctx.external_interface) if n):
        nic = facts.nic(name)
        if nic is not None and nic.mtu and nic.mtu < MIN_MTU:
            small.append((nic.name, nic.mtu))
    if not small:
        return Check("mtu", title, "pass", "the management and external NICs have an MTU of at least 1500")
    lowest = min(m for _, m in small)
    shown = ", ".join(f"{n} has MTU {m}" for n, m in small)
    return Check(
        "mtu",
        title,
        "warn",
        f"{shown} (nested virtualization or a tunnel?): large packets of instances get dropped",
        f"tell Neutron: /etc/kolla/config/neutron.conf [DEFAULT] global_physnet_mtu = {lowest}",
    )


def check_page_size(facts: HostFacts, ctx: Context) -> Check | None:
    title = "4 KiB memory pages"
    size = facts.page_size
    if size is None:
        return None
    if size == PAGE_4K:
        return Check("page_size", title, "pass", "4 KiB pages")
    shown = f"{size // 1024} KiB pages"
    if not ctx.proxysql:
        return Check("page_size", title, "pass", f"{shown}: fine, ProxySQL (which breaks on them) is off")
    return Check(
        "page_size",
        title,
        "fail",
        f"{shown} (a Raspberry Pi 5 kernel?): ProxySQL, on in {ctx.release.name}, does not run on them",
        "boot a 4 KiB-page kernel (Raspberry Pi 5: kernel=kernel8.img in config.txt), "
        'or turn ProxySQL off (extra_globals: enable_proxysql: "no")',
    )


def check_hostname(facts: HostFacts, ctx: Context) -> Check:
    """What kolla's rabbitmq precheck checks: ``getent ahostsv4 $(hostname)`` gives exactly the API address."""
    title = "hostname resolves to the management IP"
    name = facts.hostname or "?"
    ip = ctx.management_ip(facts)
    found = facts.hostname_resolves_to
    if ip is None:
        return Check(
            "hostname",
            title,
            "warn",
            f"no management address to compare {name} with",
            "give the management NIC an IPv4 address (see the management NIC check)",
        )
    if tuple(found) == (ip,):
        return Check("hostname", title, "pass", f"{name} resolves to {ip} only")
    shown = ", ".join(found) or "nothing"
    return Check(
        "hostname",
        title,
        "warn",
        f"{name} resolves to {shown}, not only {ip}: kolla's rabbitmq precheck fails",
        f"the wizard's hosts step writes '{ip} {name}' to /etc/hosts and comments out the other lines for "
        f"{name} (with cloud-init, set manage_etc_hosts: false)",
    )


def check_ports(facts: HostFacts, ctx: Context) -> Check | None:
    """Ports kolla's services bind, already taken on the API address or a wildcard; and by whom."""
    from wizard.host.ports import kolla_ports

    title = "ports Kolla needs are free"
    if facts.listeners is None:
        return None
    mine = {a for a in (ctx.management_ip(facts), ctx.vip) if a}
    wanted = {p.port: p.service for p in kolla_ports(haproxy=ctx.haproxy, proxysql=ctx.proxysql)}
    taken = [x for x in facts.listeners if x.port in wanted and (x.address in ("0.0.0.0", "::") or x.address in mine)]
    if not taken:
        return Check("ports", title, "pass", f"none of the {len(wanted)} ports is in use")
    shown = "; ".join(dict.fromkeys(f"{x.port} ({wanted[x.port]}) held by {x.holder}" for x in taken))
    if all(x.in_container for x in taken):
        return Check(
            "ports",
            title,
            "warn",
            f"{shown}: containers, likely Kolla's own from an earlier deploy",
            "fine for a re-run; else stop those containers (docker ps)",
        )
    procs = sorted({x.process for x in taken if x.process and not x.in_container})
    stop = f"stop and disable {', '.join(procs)} (systemctl disable --now ...)" if procs else "stop what holds them"
    return Check("ports", title, "fail", shown, f"{stop}; find holders with: ss -ltnp")


def check_ntp(facts: HostFacts) -> Check | None:
    title = "an NTP daemon"
    if facts.ntp_active is None:
        return None
    if facts.ntp_active:
        return Check("ntp", title, "pass", f"{', '.join(facts.ntp_active)} is active")
    return Check(
        "ntp",
        title,
        "warn",
        "no NTP daemon is active (chrony, ntpd, systemd-timesyncd): Kolla's prechecks would fail",
        TIME_SYNC_HINT,
    )


def check_debian_archive(facts: HostFacts) -> Check | None:
    """Debian 10 left Debian's mirrors: ``apt-get update`` against them gets 404."""
    title = "Debian mirror has this release"
    if facts.os.id != "debian":
        return None
    if facts.os.major != "10":
        return Check("debian_archive", title, "pass", "this Debian release is on Debian's mirrors")
    uris = facts.apt_sources or ()
    debian = [u for u in uris if "debian" in u]
    if debian and all("archive.debian.org" in u for u in debian):
        return Check("debian_archive", title, "pass", "apt already uses archive.debian.org for buster")
    return Check(
        "debian_archive",
        title,
        "warn",
        "Debian 10 (buster) left Debian's mirrors: apt-get update gets 404 (no security updates either)",
        "point apt at the archive: 'deb http://archive.debian.org/debian buster main' and "
        "'deb http://archive.debian.org/debian-security buster/updates main' in /etc/apt/sources.list; "
        "better, install Debian 12 or 13",
    )


def check_no_proxy(facts: HostFacts, ctx: Context) -> Check:
    """With a proxy, the host's own addresses must be in NO_PROXY, or the clients ask the proxy for the VIP."""
    from wizard.host.reach import no_proxy_matches

    title = "NO_PROXY holds the host's addresses"
    proxies = facts.proxy_env
    if not (proxies.get("http_proxy") or proxies.get("https_proxy")):
        return Check("no_proxy", title, "pass", "no proxy is set")
    needed = [a for a in dict.fromkeys((ctx.management_ip(facts), ctx.vip)) if a]
    missing = [a for a in needed if not no_proxy_matches(a, proxies.get("no_proxy", ""))]
    if not missing:
        return Check("no_proxy", title, "pass", f"a proxy is set and NO_PROXY holds {', '.join(needed)}")
    return Check(
        "no_proxy",
        title,
        "warn",
        f"a proxy is set but NO_PROXY lacks {', '.join(missing)}: the clients would ask the proxy for the APIs",
        f"export no_proxy=localhost,127.0.0.1,{','.join(needed)} (and NO_PROXY) before running the wizard",
    )


def check_egress(facts: HostFacts, ctx: Context, live: Any) -> Check:
    """Resolve and connect to every endpoint the release downloads from (bounded; see wizard.host.reach)."""
    from wizard.host.reach import release_endpoints

    title = "downloads reachable"
    endpoints = release_endpoints(
        ctx.release, registry=ctx.registry, apt_uris=facts.apt_sources or (), debian_major=facts.os.major
    )
    results = live.reach(endpoints)
    failed = [r for r in results if not r.ok]
    proxied = any(r.via for r in results)
    via = " (through the proxy)" if proxied else ""
    if not failed:
        return Check("egress", title, "pass", f"{len(results)} endpoints answer{via}")
    shown = "; ".join(f"{r.endpoint.host} ({r.endpoint.name}): {r.stage} {r.detail}".strip() for r in failed)
    status: Status = "fail" if any(r.endpoint.required for r in failed) else "warn"
    if any(r.stage == "dns" for r in failed):
        hint = "fix name resolution (/etc/resolv.conf; getent hosts deb.debian.org)"
    else:
        hint = "open outgoing HTTP/HTTPS, or set http_proxy/https_proxy (and no_proxy) for the wizard"
    return Check("egress", title, status, shown, hint)


def check_vip(facts: HostFacts, ctx: Context, live: Any) -> Check | None:
    """With haproxy on, keepalived brings the VIP up: it must be free. One ping and one ARP probe, bounded."""
    title = "VIP is free"
    if not ctx.haproxy:
        return None
    vip = ctx.vip
    if not vip:
        return Check(
            "vip", title, "fail", "enable_haproxy is yes but there is no VIP", "answer kolla_internal_vip_address"
        )
    if vip == ctx.management_ip(facts):
        return Check(
            "vip",
            title,
            "fail",
            f"{vip} is this host's own address: keepalived needs a free one",
            "choose an unused address in the management subnet for kolla_internal_vip_address",
        )
    try:
        on_host = ipaddress.IPv4Address(vip) in facts.host_ipv4s()
    except ValueError:
        on_host = False
    if on_host:  # a second address: keepalived put it there in an earlier deploy (kolla skips its check then)
        return Check(
            "vip",
            title,
            "warn",
            f"{vip} is already an address of this host: keepalived's from an earlier deploy?",
            "fine on a re-run; otherwise remove it (ip addr del) or choose another kolla_internal_vip_address",
        )
    answers, how = live.vip_answers(vip, ctx.network_interface)
    if answers:
        return Check(
            "vip",
            title,
            "fail",
            f"{vip} is in use ({how}): kolla's prechecks fail and keepalived would fight its owner",
            "choose an unused address in the management subnet for kolla_internal_vip_address",
        )
    if answers is None:
        return Check("vip", title, "warn", f"could not ask whether {vip} is in use: {how}", "run the wizard as root")
    return Check("vip", title, "pass", f"{vip} does not answer ({how})")


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
    hint = TIME_SYNC_HINT
    if facts.clock_synchronized is True:
        return Check("clock", title, "pass", "the system clock is NTP-synchronized")
    if facts.clock_synchronized is False:
        return Check("clock", title, "warn", "the clock is not NTP-synchronized: Kolla's prechecks would fail", hint)
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


def preflight_checks(
    facts: HostFacts,
    release: Any = None,
    answers: Mapping[str, Any] | None = None,
    live: Any = None,
) -> list[Check]:
    """Every check, in the order a user fixes them.

    ``release``: a Release, its name, or None (the newest fit). ``answers``: the answers so far
    (network_interface, neutron_external_interface, enable_haproxy, the VIP, docker_registry,
    extra_globals); what is missing is detected from the host as the defaults are. ``live``: a
    :class:`wizard.host.reach.NetworkProbe` for the checks that send packets (egress, the VIP);
    None (a ``--host-facts`` file, tests) leaves those checks out. Checks whose facts were not
    probed (an older facts file) are left out too, never guessed.
    """
    rel = _release(release)
    ctx = Context.of(facts, rel, answers)
    checks = [
        check_root(facts),
        check_os(facts, rel),
        check_debian_archive(facts),
        check_arch(facts, rel),
        check_ram(facts),
        check_swap(facts),
        check_disk(facts),
        check_page_size(facts, ctx),
        check_kvm(facts),
        check_management_nic(facts, ctx),
        check_external_nic(facts, ctx),
        check_ssh_route(facts, ctx),
        check_mtu(facts, ctx),
        check_hostname(facts, ctx),
        check_etc_hosts(facts),
        check_ports(facts, ctx),
        check_libvirt(facts),
        check_docker_io(facts),
        check_clock(facts),
        check_ntp(facts),
        check_nscd(facts),
        check_no_proxy(facts, ctx),
    ]
    if live is not None:
        checks += [check_egress(facts, ctx, live), check_vip(facts, ctx, live)]
    return [c for c in checks if c is not None]
