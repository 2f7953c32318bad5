"""Defaults detected from the host, each with the reason in words.

A default the user cannot check is a trap: "enp2s0" alone says nothing, "enp2s0 is up, physical
and has no IP address" lets the user agree or correct it. So every function returns a
:class:`Default` with a reason, and when nothing fits the value is None and the reason says what
the user can do about it. These are functions of :class:`HostFacts` (the question catalog wraps
them); the ones that depend on the management interface accept it as an optional argument so a
user's choice can be followed, and detect it themselves otherwise.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from wizard.host.facts import HostFacts, Nic

# Never offered as neutron_external_interface: Neutron would plug br-ex into them.
NOT_EXTERNAL_KINDS = ("loopback", "bridge", "bond-member", "docker", "ovs")
#: Why there is no neutron_external_interface default (and why the preflight check fails).
NO_EXTERNAL_NIC = "no second NIC that is up without an IP address"

# Floating range: the guide's 10.1.1.210-240 in a /24 (31 addresses, ending 15 below broadcast).
RANGE_SIZE = 31
RANGE_TOP_GAP = 14  # usable addresses left above the block in a /24 (.241-.254)


@dataclass(frozen=True)
class Default:
    """A default value and why it was chosen; ``value`` None means "no default" (reason says why)."""

    value: Any
    reason: str


def _facts(source: Any) -> HostFacts:
    """Accept HostFacts or anything carrying them as ``.facts`` (the catalog's DefaultContext)."""
    return source if isinstance(source, HostFacts) else source.facts


# --- management network ------------------------------------------------------------------------


def detect_network_interface(facts: HostFacts | Any) -> Default:
    facts = _facts(facts)
    route = facts.default_route
    if route is not None:
        nic = facts.nic(route.interface)
        if nic is not None and not nic.ipv4:
            return Default(route.interface, f"interface of the default route via {route.gateway} (it has no IPv4!)")
        return Default(route.interface, f"interface of the default route via {route.gateway}")
    with_ipv4 = [n for n in facts.nics if n.kind != "loopback" and n.is_up and n.ipv4]
    if len(with_ipv4) == 1:
        nic = with_ipv4[0]
        return Default(nic.name, f"no IPv4 default route; {nic.name} is the only interface up with an IPv4 address")
    if with_ipv4:
        names = ", ".join(n.name for n in with_ipv4)
        return Default(None, f"no IPv4 default route and several interfaces with IPv4 ({names}): choose the LAN one")
    return Default(None, "no interface is up with an IPv4 address: configure the management NIC first")


def _management(facts: HostFacts, network_interface: str | None) -> tuple[str | None, str]:
    if network_interface:
        return network_interface, ""
    found = detect_network_interface(facts)
    return found.value, found.reason


def detect_vip(facts: HostFacts | Any, network_interface: str | None = None) -> Default:
    """With ``enable_haproxy: "no"`` (the guide's single host) the VIP is the host's own address."""
    facts = _facts(facts)
    name, why = _management(facts, network_interface)
    if name is None:
        return Default(None, f"no management interface ({why})")
    addr = facts.usable_ipv4(name)
    if addr is None:
        return Default(None, f"{name} has no IPv4 address: give it one, or choose another interface")
    return Default(addr.address, f'the IPv4 address of {name} (enable_haproxy "no": the VIP is the host itself)')


EXTERNAL_NIC_HINT = (
    "add a second NIC, or create a veth pair (ip link add veth-ext type veth peer name veth-ext-br; "
    "ip link set veth-ext up; ip link set veth-ext-br up) and use veth-ext"
)


def external_nic_hint(down: list[Nic]) -> str:
    """What to do when no NIC qualifies: bring up a physical one that is down, or add one.

    A fresh Debian leaves a NIC it did not configure administratively down, so "down" is the
    usual reason on a real two-NIC server.
    """
    physical = [n for n in down if n.is_physical]
    if not physical:
        return EXTERNAL_NIC_HINT
    nic = physical[0]
    return (
        f"{nic.name} is down: ip link set {nic.name} up (to keep it up, add 'auto {nic.name}' and "
        f"'iface {nic.name} inet manual' to /etc/network/interfaces); or {EXTERNAL_NIC_HINT}"
    )


def external_interface_candidates(
    facts: HostFacts, network_interface: str | None = None
) -> tuple[list[Nic], list[Nic]]:
    """``(up, down)``: NICs that could join br-ex (no IP, not the management NIC, not enslaved)."""
    management, _ = _management(facts, network_interface)
    up: list[Nic] = []
    down: list[Nic] = []
    for nic in facts.nics:
        if nic.name == management or nic.kind in NOT_EXTERNAL_KINDS or nic.master:
            continue
        if nic.ipv4 or nic.global_ipv6:
            continue
        (up if nic.is_up else down).append(nic)
    up.sort(key=lambda n: not n.is_physical)  # physical first, otherwise in ifindex order
    return up, down


def detect_external_interface(facts: HostFacts | Any, network_interface: str | None = None) -> Default:
    """Another NIC that is up with no IP address (IPv6 link-local does not count); physical first."""
    facts = _facts(facts)
    up, down = external_interface_candidates(facts, network_interface)
    if up and up[0].is_physical:
        nic = up[0]
        return Default(nic.name, f"{nic.name} is up, physical and has no IP address (Neutron adds it to br-ex)")
    if up:
        nic = up[0]
        return Default(
            nic.name,
            f"{nic.name} is up and has no IP address, but it is not a physical NIC ({nic.kind}); fine for a test host",
        )
    return Default(None, f"{NO_EXTERNAL_NIC}: {external_nic_hint(down)}")


def detect_virt_type(facts: HostFacts | Any) -> Default:
    facts = _facts(facts)
    if facts.virt.usable:
        return Default("kvm", f"KVM is usable: {facts.virt.reason}")
    return Default("qemu", f"KVM is not usable, guests will be emulated (slow): {facts.virt.reason}")


# --- external network ----------------------------------------------------------------------------


def detect_ext_net_cidr(facts: HostFacts | Any, network_interface: str | None = None) -> Default:
    """As in the guide, floating IPs come from the management LAN: its subnet."""
    facts = _facts(facts)
    name, why = _management(facts, network_interface)
    addr = facts.usable_ipv4(name)
    if addr is None:
        reason = f"no management interface ({why})" if name is None else f"{name} has no IPv4 address"
        return Default(None, reason + ": enter the subnet of the external network")
    return Default(addr.network, f"the subnet of {name} ({addr})")


def floating_range(
    facts: HostFacts, net: ipaddress.IPv4Network, gateway: str | None = None, vip: str | None = None
) -> Default:
    """The floating IP block of ``net``: a free run near the top, clear of every host address, the
    gateway and the VIP (network and broadcast are never usable). The default that follows the
    user's answers (:func:`wizard.answers.derive.ext_net_range_default`) comes from here."""
    taken: dict[ipaddress.IPv4Address, str] = dict.fromkeys(facts.host_ipv4s(), "the host")
    for what, value in (("the gateway", gateway), ("the VIP", vip)):
        try:
            taken.setdefault(ipaddress.IPv4Address(value), what)
        except ValueError:
            pass  # no such answer yet, or not an address: validation reports it
    block = free_block(net, set(taken))
    if block is None:
        usable = max(0, net.num_addresses - 2)
        return Default(
            None,
            f"{net} is too small for floating IPs ({usable} usable addresses): "
            "use a larger external subnet and enter the range by hand",
        )
    start, end = block
    count = int(end) - int(start) + 1
    clear = ", ".join(f"{what} {ip}" for ip, what in sorted(taken.items()) if ip in net)
    return Default(
        {"start": str(start), "end": str(end)},
        f"{count} addresses near the top of {net}, clear of {clear or 'the host'}; "
        "make sure no DHCP server hands them out",
    )


def free_block(
    net: ipaddress.IPv4Network, taken: set[ipaddress.IPv4Address]
) -> tuple[ipaddress.IPv4Address, ipaddress.IPv4Address] | None:
    """The highest run of free usable addresses of the wanted size, a little below the top of ``net``.

    The size is about 30 (a quarter of a small subnet); the network and broadcast addresses are
    never usable. None when no such run fits (a /30 holding the host and its gateway).
    """
    if net.prefixlen > 30:
        return None
    first = int(net.network_address) + 1
    last = int(net.broadcast_address) - 1
    usable = last - first + 1
    size = min(RANGE_SIZE, max(1, usable // 4))
    gap = min(RANGE_TOP_GAP, usable // 16)
    blocked = {int(ip) for ip in taken}
    end = last - gap
    while end - size + 1 >= first:
        clash = [ip for ip in range(end - size + 1, end + 1) if ip in blocked]
        if not clash:
            return ipaddress.IPv4Address(end - size + 1), ipaddress.IPv4Address(end)
        end = min(clash) - 1
    return None


# --- demo (tenant) network -------------------------------------------------------------------------

#: init-runonce's own demo subnet (``DEMO_NET_CIDR`` default; hard-coded before 2023.1).
RUNONCE_DEMO_CIDR = ipaddress.IPv4Network("10.0.0.0/24")
#: Where a free demo /24 is looked for, in order: init-runonce's own first, then other private ranges.
#: Not 172.16.0.0/12: Docker's bridge (172.17.0.0/16) appears there once bootstrap-servers installs Docker.
_DEMO_POOLS = (
    ipaddress.IPv4Network("10.0.0.0/16"),
    ipaddress.IPv4Network("192.168.0.0/16"),
    ipaddress.IPv4Network("10.0.0.0/8"),
)


def host_known_networks(
    facts: HostFacts, ext_net_cidr: Any = None, vip: Any = None
) -> list[tuple[str, ipaddress.IPv4Network]]:
    """Every IPv4 network this host knows, each with a name for messages: the external network first
    (the overlap Neutron refuses), the subnet of every address of every NIC, the default gateway and the
    VIP (ext_net_cidr, gateway and VIP only when they are valid)."""

    def parsed(value: Any, suffix: str) -> ipaddress.IPv4Network | None:
        if not isinstance(value, str) or not value:
            return None
        try:
            return ipaddress.IPv4Network(value if "/" in value else value + suffix, strict=False)
        except ValueError:
            return None  # not an address yet: its own question reports it

    known: list[tuple[str, ipaddress.IPv4Network]] = []
    if (ext := parsed(ext_net_cidr, "")) is not None:
        known.append((f"ext_net_cidr {ext}", ext))
    for nic in facts.nics:
        for addr in nic.ipv4:
            known.append((f"{nic.name}'s {addr.network}", ipaddress.IPv4Network(addr.network)))
    gateway = facts.default_route.gateway if facts.default_route else None
    for what, value in (("the default gateway", gateway), ("the VIP", vip)):
        if (net := parsed(value, "/32")) is not None:
            known.append((f"{what} {net.network_address}", net))
    return known


def demo_net_overlaps(
    net: ipaddress.IPv4Network, facts: HostFacts, ext_net_cidr: Any = None, vip: Any = None
) -> list[str]:
    """What of the host's networks ``net`` overlaps (names for messages), empty when nothing; an address
    inside a network already named (the VIP in its LAN) is not named again."""
    named: list[ipaddress.IPv4Network] = []
    out: list[str] = []
    for what, other in host_known_networks(facts, ext_net_cidr, vip):
        if net.overlaps(other) and not any(other.subnet_of(n) for n in named):
            named.append(other)
            out.append(what)
    return out


def detect_demo_net_cidr(facts: HostFacts | Any, ext_net_cidr: Any = None, vip: Any = None) -> Default:
    """The demo network init-runonce creates behind demo-router: its own 10.0.0.0/24 when that overlaps
    nothing this host knows, else the first free private /24.

    Neutron refuses two overlapping subnets on one router (demo-subnet and public1-subnet, which is the
    LAN in the guide's layout), and instances on the demo network could not reach LAN machines whose
    addresses it shadows. So the default is clear of every NIC's subnet, the gateway, the external
    network and the VIP.
    """
    facts = _facts(facts)
    clash = demo_net_overlaps(RUNONCE_DEMO_CIDR, facts, ext_net_cidr, vip)
    if not clash:
        return Default(str(RUNONCE_DEMO_CIDR), "init-runonce's own demo network; it overlaps no network of this host")
    known = [other for _, other in host_known_networks(facts, ext_net_cidr, vip)]
    for pool in _DEMO_POOLS:
        for candidate in pool.subnets(new_prefix=24):
            if not any(candidate.overlaps(other) for other in known):
                return Default(
                    str(candidate),
                    f"init-runonce's {RUNONCE_DEMO_CIDR} overlaps {', '.join(clash)}; "
                    f"{candidate} is the first private /24 clear of every network of this host",
                )
    return Default(None, "every private /24 overlaps a network of this host: enter a free CIDR")  # pragma: no cover


# --- all of them ------------------------------------------------------------------------------------


#: What ``probe`` reports, in this order: the answers a host decides.
PROBED_KEYS = (
    "network_interface",
    "neutron_external_interface",
    "kolla_internal_vip_address",
    "nova_compute_virt_type",
    "ext_net_cidr",
    "ext_net_gateway",
    "ext_net_range",
)


def detected_defaults(facts: HostFacts | Any) -> dict[str, Default]:
    """The host-dependent defaults ``probe`` prints, keyed by answer key.

    They are the very values ``run`` and the front ends start from (:func:`resolve_answers` with no
    answers given), so what ``probe`` shows is what an install would use: the external gateway and
    range follow the management interface's subnet exactly as they do in a session.
    """
    # resolve imports the question catalog, which imports this module: import it when called.
    from wizard.answers.resolve import resolve_answers

    resolved = resolve_answers(_facts(facts))
    return {key: Default(resolved[key].value, resolved[key].reason) for key in PROBED_KEYS}
