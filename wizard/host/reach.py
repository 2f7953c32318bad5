"""Live network checks: can the host reach what the install downloads, and is the VIP free?

An install without egress dies in its first apt step, or worse an hour later in ``pull`` or in
init-runonce's CirrOS download. Each endpoint the chosen release needs (:func:`release_endpoints`)
is resolved and connected to with a short timeout, all of them at once and under one overall
deadline, so a host with dead DNS waits seconds, not minutes. ``HTTP(S)_PROXY`` and ``NO_PROXY``
are honoured the way apt, pip and docker read them: a proxied endpoint is judged by whether the
proxy answers.

The VIP check (haproxy on) sends one ICMP echo and one ARP probe (sender 0.0.0.0, so nobody's
neighbour table changes), from Python: a fresh Debian may have neither ping nor arping. A VIP that
answers is already someone's address, and keepalived would fight it.

These are the only probes that send packets, so they never run from a ``--host-facts`` file and
tests hand :class:`NetworkProbe` loopback servers or namespaces they create.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CONNECT_TIMEOUT = 3.0  # seconds per endpoint
BUDGET = 5.0  # seconds for every endpoint together
MAX_PARALLEL = 8
VIP_TIMEOUT = 1.0  # seconds for the ping, and again for the ARP probe
_ETH_P_ARP = 0x0806
PROXY_KEYS = ("http_proxy", "https_proxy", "no_proxy")

Resolver = Callable[[str, int], Sequence[tuple[Any, ...]]]


@dataclass(frozen=True)
class Endpoint:
    """A host the install downloads from. ``required``: the install cannot work without it."""

    name: str  # what the user knows it as: "PyPI", "the Debian mirror"
    host: str
    port: int = 443
    scheme: str = "https"
    why: str = ""
    required: bool = True


@dataclass(frozen=True)
class Reach:
    """The outcome for one endpoint: ``ok``, or what failed ("dns", "connect", "timeout") and why."""

    endpoint: Endpoint
    ok: bool
    stage: str = "ok"
    detail: str = ""
    via: str | None = None  # "proxy.example:3128" when a proxy was asked instead


# --- the proxy environment -------------------------------------------------------------------------


def _mask(url: str) -> str:
    """A proxy URL without its password (``http://user:***@proxy:3128``): facts reach files and screens."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=netloc).geturl()


def proxy_env(env: Mapping[str, str]) -> tuple[dict[str, str], str]:
    """``http_proxy``/``https_proxy``/``no_proxy`` (lower case wins, as curl and apt read them), passwords masked."""
    out: dict[str, str] = {}
    for key in PROXY_KEYS:
        value = env.get(key) or env.get(key.upper())
        if value:
            out[key] = value if key == "no_proxy" else _mask(value)
    return out, "environment (" + ", ".join(k.upper() for k in PROXY_KEYS) + ")" if out else "environment: no proxy set"


def no_proxy_matches(host: str, no_proxy: str) -> bool:
    """Does ``NO_PROXY`` exempt ``host``? Entries: ``*``, names (``.example.org`` or ``example.org``
    also match subdomains), addresses and CIDRs (as curl, requests and Go read them)."""
    host = host.strip("[]").lower()
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    for entry in (e.strip().lower() for e in no_proxy.split(",")):
        if not entry:
            continue
        if entry == "*":
            return True
        if ip is not None:
            try:
                if ip in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                pass
            continue
        name = entry.lstrip(".").split(":")[0]
        if host == name or host.endswith("." + name):
            return True
    return False


def proxy_for(endpoint: Endpoint, proxies: Mapping[str, str]) -> tuple[str, int] | None:
    """``(host, port)`` of the proxy ``endpoint`` goes through, or None for a direct connection."""
    url = proxies.get(f"{endpoint.scheme}_proxy")
    if not url or no_proxy_matches(endpoint.host, proxies.get("no_proxy", "")):
        return None
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if not parts.hostname:
        return None
    return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)


# --- which endpoints a release needs ----------------------------------------------------------------


def _registry(registry: str) -> tuple[str, int]:
    """``(host, port)`` docker pulls from: Docker Hub ("" or docker.io) is registry-1.docker.io."""
    netloc = registry.split("/")[0] if registry else ""
    if netloc in ("", "docker.io", "index.docker.io"):
        return "registry-1.docker.io", 443
    parts = urlsplit(f"//{netloc}")
    return parts.hostname or netloc, parts.port or 443


def release_endpoints(
    release: Any = None, *, registry: str | None = None, apt_uris: Iterable[str] = (), debian_major: str = ""
) -> tuple[Endpoint, ...]:
    """Every host an install of ``release`` downloads from, in the order the install needs them.

    The Debian mirror is the one apt is configured with (``apt_uris``), else deb.debian.org
    (archive.debian.org for Debian 10, whose packages left the mirrors); the registry is the
    answered one or the release's default.
    """
    mirrors = []
    for uri in apt_uris:
        parts = urlsplit(uri)
        if parts.scheme in ("http", "https") and parts.hostname:
            mirrors.append((parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), parts.scheme))
    if not mirrors:
        host = "archive.debian.org" if debian_major == "10" else "deb.debian.org"
        mirrors = [(host, 80, "http")]
    out = [
        Endpoint("the Debian mirror", host, port, scheme, "apt-get installs the host packages")
        for host, port, scheme in dict.fromkeys(mirrors)
    ]
    if registry is None:
        registry = getattr(release, "docker_registry", "quay.io")
    out += [
        Endpoint("PyPI", "pypi.org", why="pip installs kolla-ansible and its dependencies"),
        Endpoint("PyPI files", "files.pythonhosted.org", why="pip downloads the packages from here"),
        Endpoint("opendev.org", "opendev.org", why="install-deps clones the kolla collection; upper-constraints"),
        Endpoint("Docker's apt repository", "download.docker.com", why="bootstrap-servers installs docker-ce"),
        Endpoint("the container registry", *_registry(registry or ""), why="kolla-ansible pull"),
        Endpoint("GitHub", "github.com", why="init-runonce downloads the CirrOS image", required=False),
    ]
    return tuple(out)


# --- probing ------------------------------------------------------------------------------------------


def _default_connect(address: tuple[Any, ...], family: int, timeout: float) -> None:
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(address)


@dataclass
class NetworkProbe:
    """The live network checks, with everything a test needs to point them at its own servers.

    ``endpoints`` replaces the release's list (tests: loopback servers); ``resolve``, ``connect``,
    ``ping`` and ``arp`` replace the socket calls; ``budget`` bounds all endpoints together.
    """

    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    endpoints: tuple[Endpoint, ...] | None = None
    timeout: float = CONNECT_TIMEOUT
    budget: float = BUDGET
    resolve: Resolver = socket.getaddrinfo
    connect: Callable[[tuple[Any, ...], int, float], None] = _default_connect
    ping: Callable[[str, float], bool | None] = field(default=lambda a, t: icmp_echo(a, t))
    arp: Callable[[str, str | None, float], bool | None] = field(default=lambda a, i, t: arp_probe(a, i, t))

    def reach(self, endpoints: Sequence[Endpoint]) -> tuple[Reach, ...]:
        """Resolve and connect to each endpoint (or its proxy), concurrently, within ``budget`` seconds.

        Daemon threads: a getaddrinfo stuck on a dead DNS server cannot be cancelled, and must not keep
        the wizard from exiting; it is reported as a timeout.
        """
        todo = list(self.endpoints if self.endpoints is not None else endpoints)
        proxies, _ = proxy_env(self.env)
        results: dict[int, Reach] = {}
        lock = threading.Lock()
        gate = threading.Semaphore(MAX_PARALLEL)

        def work(i: int, ep: Endpoint) -> None:
            with gate:
                outcome = self._one(ep, proxy_for(ep, proxies))
            with lock:
                results[i] = outcome

        threads = [threading.Thread(target=work, args=(i, ep), daemon=True, name="egress") for i, ep in enumerate(todo)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + self.budget
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))
        with lock:
            return tuple(
                results.get(i) or Reach(ep, False, "timeout", f"no answer within {self.budget:g} s")
                for i, ep in enumerate(todo)
            )

    def _one(self, ep: Endpoint, proxy: tuple[str, int] | None) -> Reach:
        host, port = proxy or (ep.host, ep.port)
        via = f"{host}:{port}" if proxy else None
        try:
            infos = self.resolve(host, port)
        except (OSError, UnicodeError) as exc:
            return Reach(ep, False, "dns", f"{host}: {_why(exc)}", via)
        if not infos:
            return Reach(ep, False, "dns", f"{host}: no address", via)
        last = ""
        for family, _type, _proto, _name, address in list(infos)[:4]:
            try:
                self.connect(address, family, self.timeout)
                return Reach(ep, True, "ok", f"{address[0]}:{port}", via)
            except OSError as exc:
                last = f"{address[0]}:{port}: {_why(exc)}"
        return Reach(ep, False, "connect", last, via)

    def vip_answers(self, vip: str, interface: str | None) -> tuple[bool | None, str]:
        """Does anything answer at ``vip``? One ICMP echo, then one ARP probe on ``interface`` (a
        firewall can drop ping, never ARP). ``(None, why)`` when neither could be asked (not root)."""
        pinged = self.ping(vip, VIP_TIMEOUT)
        if pinged:
            return True, f"{vip} answered a ping"
        arped = self.arp(vip, interface, VIP_TIMEOUT) if interface else None
        if arped:
            return True, f"{vip} answered an ARP request on {interface}"
        if pinged is None and arped is None:
            return None, "cannot send a ping or an ARP request (needs root)"
        return False, "no answer to a ping" + (" or an ARP request" if arped is not None else "")


def icmp_echo(address: str, timeout: float) -> bool | None:
    """One ICMP echo request to ``address``: True on a reply, None when no ICMP socket can be opened."""
    ident = os.getpid() & 0xFFFF
    payload = b"aio-wizard preflight"
    header = struct.pack("!BBHHH", 8, 0, 0, ident, 1)
    packet = header[:2] + struct.pack("!H", _checksum(header + payload)) + header[4:] + payload
    try:
        sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        raw = True
    except OSError:
        try:  # unprivileged ICMP (net.ipv4.ping_group_range): the kernel sets the id
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP)
            raw = False
        except OSError:
            return None
    with sock:
        try:
            sock.sendto(packet, (address, 0))
        except OSError:
            return False  # no route: nothing there to answer
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            try:
                data, peer = sock.recvfrom(2048)
            except OSError:
                return False
            icmp = data[(data[0] & 0x0F) * 4 :] if raw else data
            if peer[0] == address and icmp[:1] == b"\x00" and (not raw or icmp[4:6] == struct.pack("!H", ident)):
                return True
    return False


def arp_probe(address: str, interface: str | None, timeout: float) -> bool | None:
    """One ARP probe (RFC 5227: sender address 0.0.0.0, so no neighbour learns or changes anything)
    for ``address`` on ``interface``: True when someone claims it, None when no packet socket opens."""
    if not interface or not hasattr(socket, "AF_PACKET"):
        return None
    try:
        mac = bytes.fromhex(Path(f"/sys/class/net/{interface}/address").read_text().strip().replace(":", ""))
        target = socket.inet_aton(address)
        sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(_ETH_P_ARP))
    except (OSError, ValueError):
        return None
    with sock:
        try:
            sock.bind((interface, _ETH_P_ARP))
            arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, mac, bytes(4), bytes(6), target)
            sock.send(b"\xff" * 6 + mac + struct.pack("!H", _ETH_P_ARP) + arp)
        except OSError:
            return None
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            try:
                frame = sock.recv(2048)
            except OSError:
                return False
            body = frame[14:42]
            if len(body) == 28 and body[6:8] == b"\x00\x02" and body[14:18] == target:
                return True
    return False


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def _why(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror):
        return exc.strerror or str(exc)
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timed out"
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
