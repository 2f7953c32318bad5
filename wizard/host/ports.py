"""Which TCP ports are taken on the host, and by which process: read from /proc, never from ``ss``.

Kolla's prechecks refuse to deploy a service whose port is already in use (``wait_for ...
state=stopped`` on the API address), but only 20 minutes in and without saying who holds it.
``/proc/net/tcp`` and ``tcp6`` list the listening sockets of this network namespace with their
inode; ``/proc/PID/fd/*`` links name ``socket:[INODE]``, which ties a socket to its process. All
of it is read under ``root``, so a fixture tree describes any host; without root only the
caller's own processes show their fds, and a socket then has "an unknown process".

:data:`KOLLA_PORTS` is the list the port check uses: the ports the default All-in-One services
bind, per service, as their roles' prechecks check them.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from wizard.host.facts import Listener

_LISTEN = "0A"
#: cgroup path words of a process that runs in a container (docker, containerd, podman).
_CONTAINER_CGROUP = ("docker", "containerd", "libpod", "kubepods")


@dataclass(frozen=True)
class KollaPort:
    """A port a Kolla service binds. ``when``: "always", "haproxy" or "proxysql" (enabled only then)."""

    port: int
    service: str
    when: str = "always"


#: The default All-in-One's ports, as each role's precheck checks them (kolla-ansible group_vars).
KOLLA_PORTS: tuple[KollaPort, ...] = (
    KollaPort(80, "horizon (or haproxy in front of it)"),
    KollaPort(3306, "mariadb"),
    KollaPort(4444, "mariadb SST"),
    KollaPort(4567, "mariadb galera"),
    KollaPort(4568, "mariadb IST"),
    KollaPort(4569, "mariadb clustercheck", "haproxy"),
    KollaPort(5000, "keystone"),
    KollaPort(8023, "keystone-ssh"),
    KollaPort(5672, "rabbitmq"),
    KollaPort(15672, "rabbitmq management"),
    KollaPort(4369, "rabbitmq epmd"),
    KollaPort(25672, "rabbitmq cluster"),
    KollaPort(11211, "memcached"),
    KollaPort(9292, "glance-api"),
    KollaPort(8780, "placement-api"),
    KollaPort(8774, "nova-api"),
    KollaPort(8775, "nova-metadata"),
    KollaPort(6080, "nova-novncproxy"),
    KollaPort(8022, "nova-ssh"),
    KollaPort(16509, "nova-libvirt"),
    KollaPort(9696, "neutron-server"),
    KollaPort(6640, "openvswitch ovsdb"),
    KollaPort(8004, "heat-api"),
    KollaPort(8000, "heat-api-cfn"),
    KollaPort(1984, "haproxy stats", "haproxy"),
    KollaPort(61313, "haproxy monitor", "haproxy"),
    KollaPort(6032, "proxysql admin", "proxysql"),
)


def kolla_ports(*, haproxy: bool, proxysql: bool) -> tuple[KollaPort, ...]:
    """The ports the enabled services bind."""
    enabled = {"always", *(["haproxy"] if haproxy else []), *(["proxysql"] if proxysql else [])}
    return tuple(p for p in KOLLA_PORTS if p.when in enabled)


def _address(hex_addr: str) -> str:
    """/proc/net/tcp's address: 32-bit words in host (little-endian) order."""
    raw = bytes.fromhex(hex_addr)
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return str(ipaddress.ip_address(words))


def parse_proc_net_tcp(text: str) -> list[tuple[str, int, int]]:
    """``(address, port, inode)`` of each LISTEN socket in a /proc/net/tcp or tcp6 table."""
    out = []
    for line in text.splitlines()[1:]:
        cols = line.split()
        if len(cols) < 10 or cols[3] != _LISTEN:
            continue
        try:
            addr, port = cols[1].split(":")
            out.append((_address(addr), int(port, 16), int(cols[9])))
        except ValueError:
            continue
    return out


def _socket_owners(root: Path, inodes: set[int]) -> dict[int, int]:
    """inode → pid, by reading the ``socket:[INODE]`` links under /proc/PID/fd."""
    owners: dict[int, int] = {}
    proc = root / "proc"
    try:
        pids = [p for p in os.listdir(proc) if p.isdigit()]
    except OSError:
        return owners
    for pid in pids:
        fd_dir = proc / pid / "fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:  # another user's process (without root) or one that just exited
            continue
        for fd in fds:
            try:
                target = os.readlink(fd_dir / fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inode = int(target[8:-1]) if target[8:-1].isdigit() else -1
                if inode in inodes:
                    owners.setdefault(inode, int(pid))
        if len(owners) == len(inodes):
            break
    return owners


def _read(path: Path) -> str | None:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return None


def probe_listeners(root: Path) -> tuple[tuple[Listener, ...] | None, str]:
    """Every listening TCP socket with its holder, sorted by port; None when /proc/net/tcp is unreadable."""
    tables: Mapping[int, str | None] = {
        4: _read(root / "proc/net/tcp"),
        6: _read(root / "proc/net/tcp6"),
    }
    if all(t is None for t in tables.values()):
        return None, f"not readable: {root / 'proc/net/tcp'}"
    sockets = [
        (a, port, inode, fam) for fam, text in tables.items() if text for a, port, inode in parse_proc_net_tcp(text)
    ]
    owners = _socket_owners(root, {inode for _, _, inode, _ in sockets if inode})
    listeners = []
    for address, port, inode, family in sockets:
        pid = owners.get(inode)
        name = (_read(root / f"proc/{pid}/comm") or "").strip() or None if pid else None
        cgroup = _read(root / f"proc/{pid}/cgroup") or "" if pid else ""
        listeners.append(Listener(port, address, family, pid, name, any(w in cgroup for w in _CONTAINER_CGROUP)))
    listeners.sort(key=lambda x: (x.port, x.family, x.address))
    return tuple(dict.fromkeys(listeners)), f"{root / 'proc/net/tcp'}, tcp6 and {root / 'proc/PID/fd'} socket inodes"
