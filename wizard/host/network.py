"""Network interfaces and the IPv4 default route.

What the wizard must get right here is *which* NICs are candidates: ``network_interface`` is the
one carrying the default route, and ``neutron_external_interface`` must be a different NIC that is
up and has no address (Neutron adds it to br-ex and any IP on it stops working). So each NIC gets a
kind, read from sysfs (``/sys/class/net/NAME``) without needing ``ethtool``: a ``bridge/`` or
``bonding/`` directory, a ``master`` link (bond member / bridge port), a ``device`` link (a real
port, virtio included), the uevent DEVTYPE, and the kernel driver name (the SIOCETHTOOL ioctl that
``ethtool -i`` uses) to tell veth pairs from other virtual links. Docker and OVS devices are named
by convention (docker0, br-<id>, ovs-system, vxlan_sys_*) or by their driver.

Addresses come from psutil, the default route from netifaces, falling back to /proc/net/route.
"""

from __future__ import annotations

import array
import fcntl
import ipaddress
import json
import os
import re
import socket
import struct
from collections.abc import Mapping
from pathlib import Path

from wizard.host.commands import CommandRunner
from wizard.host.facts import Address, DefaultRoute, Nic

_ARPHRD_LOOPBACK = 772
_SIOCETHTOOL = 0x8946
_ETHTOOL_GDRVINFO = 3
_DOCKER_BRIDGE = re.compile(r"^(docker\d+|br-[0-9a-f]{12})$")
_OVS_NAMES = re.compile(r"^(ovs-system|ovs-netdev|br-int|br-tun|br-ex|vxlan_sys_\d+|genev_sys_\d+|gre_sys|gretap_sys)$")


# --- kind ---------------------------------------------------------------------------------


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except (OSError, ValueError):  # EINVAL for carrier/speed on a down link
        return None


def _uevent(sysdir: Path) -> dict[str, str]:
    text = _read(sysdir / "uevent") or ""
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def driver_name(name: str) -> str | None:
    """The kernel driver of a NIC in *this* network namespace (``ethtool -i``, without ethtool)."""
    buf = array.array("B", struct.pack("I", _ETHTOOL_GDRVINFO) + bytes(192))
    ifr = struct.pack("16sP", name.encode()[:15], buf.buffer_info()[0])
    ifr += bytes(40 - len(ifr))
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            fcntl.ioctl(sock.fileno(), _SIOCETHTOOL, ifr)
    except OSError:
        return None
    return bytes(buf[4:36]).split(b"\0", 1)[0].decode(errors="replace") or None


def _link_name(path: Path) -> str | None:
    try:
        return os.path.basename(os.readlink(path))
    except OSError:
        return None


def nic_kind(sysdir: Path, name: str, driver: str | None = None) -> tuple[str, str | None]:
    """``(kind, master)`` for the NIC whose sysfs directory is ``sysdir``.

    ``driver`` is the kernel driver when known (live probe); without it a device link, the
    uevent DEVTYPE and iflink != ifindex (a veth's peer) decide.
    """
    master = _link_name(sysdir / "master")
    uevent = _uevent(sysdir)
    devtype = uevent.get("DEVTYPE", "")
    if name == "lo" or _read(sysdir / "type") == str(_ARPHRD_LOOPBACK):
        return "loopback", master
    if _DOCKER_BRIDGE.match(name):
        return "docker", master
    if _OVS_NAMES.match(name) or driver == "openvswitch" or devtype == "openvswitch":
        return "ovs", master
    if (sysdir / "bridge").is_dir() or devtype == "bridge":
        return "bridge", master
    if (sysdir / "bonding").is_dir() or devtype == "bond":
        return "bond", master
    if master and ((sysdir / "bonding_slave").is_dir() or (sysdir.parent / master / "bonding").is_dir()):
        return "bond-member", master
    if master and _DOCKER_BRIDGE.match(master):
        return "docker", master  # a container's veth end on a docker bridge
    if (sysdir / "device").exists() or os.path.lexists(sysdir / "device"):
        return "physical", master
    if devtype == "vlan" or driver == "802.1Q VLAN Support":
        return "vlan", master
    if driver == "veth":
        return "veth", master
    if driver is None and not devtype:
        ifindex, iflink = _read(sysdir / "ifindex"), _read(sysdir / "iflink")
        if ifindex and iflink and ifindex != iflink:
            return "veth", master
    return "virtual", master


# --- addresses ------------------------------------------------------------------------------


def _prefixlen(netmask: str | None, family: int) -> int:
    if not netmask:
        return 32 if family == 4 else 128
    try:
        if family == 4:
            return ipaddress.IPv4Network(f"0.0.0.0/{netmask}").prefixlen
        if "/" in netmask:  # netifaces style "ffff:ffff:ffff:ffff::/64"
            return int(netmask.rsplit("/", 1)[1])
        return bin(int(ipaddress.IPv6Address(netmask))).count("1")
    except ValueError:
        return 32 if family == 4 else 128


def _state(operstate: str | None, isup: bool | None) -> str:
    if operstate == "up":
        return "up"
    if operstate in ("down", "lowerlayerdown", "notpresent", "dormant"):
        return "down"
    if isup is not None:  # "unknown": loopback, tun and some drivers never report a state
        return "up" if isup else "down"
    return "unknown"


def probe_nics(root: Path) -> tuple[tuple[Nic, ...], str]:
    """Every interface of this network namespace, sorted by ifindex, and the source text."""
    import psutil  # deferred: only the live probe needs it

    addrs = psutil.net_if_addrs()
    try:
        stats = psutil.net_if_stats()
    except OSError:  # e.g. ENOSYS for SIOCETHTOOL under qemu-user emulation: sysfs still has it all
        stats = {}
    sysnet = root / "sys/class/net"
    names = set(addrs) | set(stats)
    try:
        names |= {p.name for p in sysnet.iterdir()}
    except OSError:
        pass

    def order(name: str) -> tuple[int, str]:
        idx = _read(sysnet / name / "ifindex")
        return (int(idx) if idx and idx.isdigit() else 1 << 30, name)

    nics = []
    for name in sorted(names, key=order):
        sysdir = sysnet / name
        st = stats.get(name)
        ipv4, ipv6, mac = [], [], None
        for a in addrs.get(name, ()):
            if a.family == socket.AF_INET:
                ipv4.append(Address(a.address, _prefixlen(a.netmask, 4), 4))
            elif a.family == socket.AF_INET6:
                ipv6.append(Address(a.address.split("%")[0], _prefixlen(a.netmask, 6), 6))
            elif a.family == getattr(psutil, "AF_LINK", -1):
                mac = a.address
        mac = mac or _read(sysdir / "address")
        kind, master = nic_kind(sysdir, name, driver_name(name))
        carrier = _read(sysdir / "carrier")
        speed = _read(sysdir / "speed")
        speed_mbps = int(speed) if speed and speed.lstrip("-").isdigit() and int(speed) > 0 else None
        if speed_mbps is None and st and st.speed > 0:
            speed_mbps = st.speed
        mtu = st.mtu if st else None
        if mtu is None:
            raw = _read(sysdir / "mtu")
            mtu = int(raw) if raw and raw.isdigit() else None
        nics.append(
            Nic(
                name=name,
                mac=mac if mac and mac != "00:00:00:00:00:00" else None,
                state=_state(_read(sysdir / "operstate"), st.isup if st else None),
                carrier=None if carrier is None else carrier == "1",
                speed_mbps=speed_mbps,
                mtu=mtu,
                ipv4=tuple(ipv4),
                ipv6=tuple(ipv6),
                kind=kind,
                master=master,
            )
        )
    return tuple(nics), f"psutil.net_if_addrs()/net_if_stats() and {sysnet}"


# --- default route ----------------------------------------------------------------------------


def parse_proc_net_route(text: str) -> tuple[str, str] | None:
    """``(interface, gateway)`` of the lowest-metric IPv4 default route in /proc/net/route."""
    best: tuple[int, str, str] | None = None
    for line in text.splitlines()[1:]:
        cols = line.split()
        if len(cols) < 8:
            continue
        iface, dest, gateway, flags, metric, mask = cols[0], cols[1], cols[2], cols[3], cols[6], cols[7]
        try:
            up_gateway = int(flags, 16) & 0x3 == 0x3  # RTF_UP | RTF_GATEWAY
            if int(dest, 16) != 0 or int(mask, 16) != 0 or not up_gateway:
                continue
            gw = socket.inet_ntoa(struct.pack("<I", int(gateway, 16)))
            candidate = (int(metric), iface, gw)
        except ValueError:
            continue
        if best is None or candidate[0] < best[0]:
            best = candidate
    return (best[1], best[2]) if best else None


def probe_default_route(root: Path, *, live: bool) -> DefaultRoute | None:
    """From netifaces when probing the live host, else (or when it has nothing) /proc/net/route."""
    if live:
        try:
            import netifaces

            entry = netifaces.gateways().get("default", {}).get(netifaces.AF_INET)  # type: ignore[union-attr]
        except Exception:  # an old netifaces without gateways(), or a broken netlink socket
            entry = None
        if entry:
            return DefaultRoute(interface=entry[1], gateway=entry[0], source="netifaces.gateways()")
    path = root / "proc/net/route"
    text = _read(path)
    found = parse_proc_net_route(text) if text else None
    if found:
        return DefaultRoute(interface=found[0], gateway=found[1], source=str(path))
    return None


# --- the SSH client's route -------------------------------------------------------------------


def ssh_client(env: Mapping[str, str]) -> tuple[str | None, str]:
    """The client address of this SSH session (``SSH_CONNECTION="CLIENT CPORT SERVER SPORT"``), or None."""
    fields = env.get("SSH_CONNECTION", "").split()
    if not fields:
        return None, "SSH_CONNECTION is not set (not an SSH session)"
    try:
        return str(ipaddress.ip_address(fields[0].split("%")[0])), "SSH_CONNECTION"
    except ValueError:
        return None, f"SSH_CONNECTION has no client address ({fields[0]!r})"


def route_interface(address: str, run: CommandRunner) -> tuple[str | None, str]:
    """The NIC the kernel sends packets to ``address`` from (``ip -j route get ADDRESS``). Sends nothing."""
    argv = ["ip", "-j", "route", "get", address]
    shown = " ".join(argv)
    result = run(argv)
    if result.returncode != 0:
        first = (result.output.strip().splitlines() or [f"exit {result.returncode}"])[0]
        return None, f"{shown}: {first}"
    try:
        routes = json.loads(result.output)
        dev = routes[0].get("dev") if routes else None
    except (ValueError, AttributeError, IndexError, TypeError):
        return None, f"{shown}: not JSON"
    return (str(dev) if dev else None), shown
