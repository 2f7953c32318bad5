"""Defaults that follow from other answers: VIP, external network CIDR, gateway and floating range.

The host-detected defaults (which NIC carries the default route, which one is free for br-ex,
whether KVM works) come from :mod:`wizard.answers.defaults`. What is derived here depends on the
*chosen* ``network_interface`` — if the user picks another NIC, the VIP and the external network
must follow it, not the NIC the probe would have picked. The guide's layout is the model: the
external (floating IP) network is the management LAN, the gateway is the LAN's router, and the
floating range sits high in the subnet, away from the host, the VIP and the gateway.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from wizard.answers.defaults import Default, floating_range
from wizard.host.facts import HostFacts


def default_gateway_in(facts: HostFacts, net: ipaddress.IPv4Network) -> ipaddress.IPv4Address | None:
    """The default route's gateway when it lies in ``net`` (only then is it that network's router), else None."""
    route = facts.default_route
    if route is None:
        return None
    try:
        gw = ipaddress.IPv4Address(route.gateway)
    except ValueError:
        return None
    return gw if gw in net else None


def haproxy_vip_default(facts: HostFacts, interface: str | None) -> Default:
    """With haproxy the VIP must be an address of the subnet nobody uses: the highest the host does not hold."""
    addr = facts.usable_ipv4(interface)
    if addr is None:
        return Default(None, f"{interface} has no IPv4 address: choose the management interface first")
    net = addr.interface.network
    if not isinstance(net, ipaddress.IPv4Network):  # usable_ipv4 gives IPv4 addresses only
        return Default(None, f"{interface} has no IPv4 address: choose the management interface first")
    taken = set(facts.host_ipv4s())
    gw = default_gateway_in(facts, net)
    if gw:
        taken.add(gw)
    for candidate in _descending_hosts(net):
        if candidate not in taken:
            return Default(
                str(candidate),
                f'an address of {net} this host does not use (enable_haproxy "yes"); make sure nothing answers on it',
            )
    return Default(None, f"{net} has no free address for a VIP")


def ext_net_gateway_default(facts: HostFacts, cidr: str | None) -> Default:
    """The default route's gateway when it is in the external CIDR, else the CIDR's first address."""
    net = _network(cidr)
    if net is None:
        return Default(None, "no external network CIDR yet: enter the router of the external network")
    gw = default_gateway_in(facts, net)
    route = facts.default_route
    if gw is not None and route is not None:
        return Default(str(gw), f"the default gateway (via {route.interface})")
    first = net.network_address + 1
    why = "there is no IPv4 default route" if route is None else "the default gateway is not in it"
    return Default(str(first), f"the first address of {net} ({why}): check it")


def ext_net_range_default(
    facts: HostFacts, cidr: str | None, gateway: str | None = None, vip: str | None = None
) -> Default:
    """A block of floating IPs high in the subnet that holds no address already in use."""
    net = _network(cidr)
    if net is None:
        return Default(None, "no external network CIDR yet: enter the floating IP range")
    return floating_range(facts, net, gateway, vip)


def _descending_hosts(net: ipaddress.IPv4Network) -> Iterable[ipaddress.IPv4Address]:
    addr = net.broadcast_address - 1
    while addr > net.network_address:
        yield addr
        addr -= 1


def _network(cidr: Any) -> ipaddress.IPv4Network | None:
    if not isinstance(cidr, str):
        return None
    try:
        return ipaddress.IPv4Network(cidr, strict=False)
    except ValueError:
        return None
