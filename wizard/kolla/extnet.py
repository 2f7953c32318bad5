"""Whether OpenStack holds the external network init-runonce was asked for, and how to finish it.

init-runonce is meant to run once: when an image named cirros exists it prints "This tool should only
be run once per deployment." and exits 0. A run that failed after creating the image (at the demo
network, public1, its subnet or the router) therefore "succeeds" when retried, with no external
network. So the init-runonce step is judged by OpenStack's state, read here with the ``openstack``
client (``-f json``): ``public1`` flat, external, on physnet1; ``public1-subnet`` with the answered
CIDR, pool and gateway and no DHCP; ``demo-router``'s external gateway on public1 (and, when a demo
CIDR is given, ``demo-subnet`` with it, attached to demo-router).

What is missing can be created with the very commands init-runonce uses (:func:`missing_commands`);
what exists but differs is only reported, with what to do: deleting a user's network is never
automatic. The ``openstack`` calls go through a function (argv after ``openstack`` -> exit code and
output), so tests drive this with a fake and the pipeline action with the real client.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

#: ``openstack ARGS...`` -> (exit code, stdout, stderr).
OpenStackRun = Callable[[Sequence[str]], tuple[int, str, str]]

_NOT_FOUND = re.compile(r"No (\w+) found for", re.I)

#: init-runonce's flavors (the same in every release since Train; m2.tiny, added later, is not checked):
#: ``flavor create --id ID --ram RAM --disk DISK --vcpus VCPUS NAME``. It creates them last, so a run
#: that stopped anywhere before leaves none, and without a flavor no instance can be started.
FLAVORS = (
    ("1", "512", "1", "1", "m1.tiny"),
    ("2", "2048", "20", "1", "m1.small"),
    ("3", "4096", "40", "2", "m1.medium"),
    ("4", "8192", "80", "4", "m1.large"),
    ("5", "16384", "160", "8", "m1.xlarge"),
)


class OpenStackError(Exception):
    """The client could not answer (no credentials, API down, two resources with one name...)."""


@dataclass(frozen=True)
class WantedNetwork:
    """The external (and demo) network as answered; names and physnet as init-runonce creates them."""

    cidr: str
    pool_start: str
    pool_end: str
    gateway: str
    demo_cidr: str | None = None
    demo_gateway: str | None = None
    demo_dns: str = "8.8.8.8"
    network: str = "public1"
    subnet: str = "public1-subnet"
    router: str = "demo-router"
    physnet: str = "physnet1"
    demo_network: str = "demo-net"
    demo_subnet: str = "demo-subnet"

    @property
    def pool_text(self) -> str:
        return f"start={self.pool_start},end={self.pool_end}"


@dataclass(frozen=True)
class Finding:
    """One thing that is not as answered. ``missing``: absent, and :func:`missing_commands` creates it;
    otherwise it exists but differs (``message`` says how and what to do)."""

    what: str
    message: str
    missing: bool


@dataclass
class State:
    """What OpenStack holds, as read by :func:`read_state` (None: absent)."""

    network: dict[str, Any] | None = None
    subnet: dict[str, Any] | None = None
    router: dict[str, Any] | None = None
    demo_network: dict[str, Any] | None = None
    demo_subnet: dict[str, Any] | None = None
    flavors: frozenset[str] = frozenset()


def show(run: OpenStackRun, kind: str, name: str) -> dict[str, Any] | None:
    """``openstack KIND show NAME -f json`` as a dict; None when there is no such resource."""
    code, out, err = run([kind, "show", name, "-f", "json"])
    if code == 0:
        try:
            data = json.loads(out)
        except ValueError as exc:
            raise OpenStackError(f"openstack {kind} show {name}: not JSON ({exc})") from exc
        if not isinstance(data, dict):
            raise OpenStackError(f"openstack {kind} show {name}: not a JSON object")
        return data
    text = (err or out).strip()
    if _NOT_FOUND.search(text):
        return None
    last = text.splitlines()[-1] if text else f"exit code {code}"
    raise OpenStackError(f"openstack {kind} show {name}: {last}")


def read_state(want: WantedNetwork, run: OpenStackRun) -> State:
    state = State(
        network=show(run, "network", want.network),
        subnet=show(run, "subnet", want.subnet),
        router=show(run, "router", want.router),
    )
    if want.demo_cidr:
        state.demo_network = show(run, "network", want.demo_network)
        state.demo_subnet = show(run, "subnet", want.demo_subnet)
    state.flavors = flavor_names(run)
    return state


def flavor_names(run: OpenStackRun) -> frozenset[str]:
    """The names of the flavors (``openstack flavor list -f json``)."""
    code, out, err = run(["flavor", "list", "-f", "json"])
    if code != 0:
        text = (err or out).strip()
        raise OpenStackError(f"openstack flavor list: {text.splitlines()[-1] if text else f'exit code {code}'}")
    try:
        rows = json.loads(out or "[]")
    except ValueError as exc:
        raise OpenStackError(f"openstack flavor list: not JSON ({exc})") from exc
    return frozenset(str(r.get("Name")) for r in rows if isinstance(r, dict))


def _truthy(value: Any) -> bool:
    """``router:external`` and ``enable_dhcp`` are booleans in ``-f json``; older clients print words."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "external", "1")
    return bool(value)


def _pools(value: Any) -> list[tuple[str, str]]:
    """``allocation_pools``: a list of ``{start, end}`` (``-f json``) or ``A-B`` text (older clients)."""
    if isinstance(value, str):
        value = [{"start": a, "end": b} for a, _, b in (p.partition("-") for p in value.replace(",", " ").split())]
    out = []
    for pool in value or []:
        if isinstance(pool, dict):
            out.append((str(pool.get("start")), str(pool.get("end"))))
    return out


def _same_net(a: Any, b: str) -> bool:
    try:
        return ipaddress.ip_network(str(a), strict=False) == ipaddress.ip_network(b, strict=False)
    except ValueError:
        return False


def _router_gateway_network(router: dict[str, Any]) -> str | None:
    info = router.get("external_gateway_info")
    if isinstance(info, str):
        try:
            info = json.loads(info)
        except ValueError:
            return None
    return info.get("network_id") if isinstance(info, dict) else None


def _router_subnet_ids(router: dict[str, Any]) -> set[str]:
    info = router.get("interfaces_info") or []
    if isinstance(info, str):
        try:
            info = json.loads(info)
        except ValueError:
            return set()
    return {str(i.get("subnet_id")) for i in info if isinstance(i, dict)}


def compare(want: WantedNetwork, state: State) -> list[Finding]:
    """Everything about ``state`` that is not as answered, in the order init-runonce creates it."""
    found: list[Finding] = []
    if want.demo_cidr:
        found.extend(_compare_demo(want, state))
    net = state.network
    if net is None:
        found.append(Finding(want.network, f"network {want.network} does not exist", True))
    else:
        problems = []
        if not _truthy(net.get("router:external")):
            problems.append("is not external")
        if net.get("provider:network_type") not in (None, "flat"):
            problems.append(f"is {net.get('provider:network_type')}, not flat")
        if net.get("provider:physical_network") not in (None, want.physnet):
            problems.append(f"is on {net.get('provider:physical_network')}, not {want.physnet}")
        if problems:
            found.append(Finding(want.network, f"network {want.network} {' and '.join(problems)}", False))
    sub = state.subnet
    if sub is None:
        found.append(Finding(want.subnet, f"subnet {want.subnet} does not exist", True))
    else:
        problems = []
        if not _same_net(sub.get("cidr"), want.cidr):
            problems.append(f"has CIDR {sub.get('cidr')}, not {want.cidr}")
        pools = _pools(sub.get("allocation_pools"))
        if pools != [(want.pool_start, want.pool_end)]:
            shown = ", ".join(f"{a}-{b}" for a, b in pools) or "none"
            problems.append(f"has allocation pool {shown}, not {want.pool_start}-{want.pool_end}")
        if str(sub.get("gateway_ip")) != want.gateway:
            problems.append(f"has gateway {sub.get('gateway_ip')}, not {want.gateway}")
        if _truthy(sub.get("enable_dhcp")):
            problems.append("has DHCP on (init-runonce creates it with --no-dhcp)")
        if net is not None and sub.get("network_id") not in (None, net.get("id")):
            problems.append(f"is not on network {want.network}")
        if problems:
            found.append(Finding(want.subnet, f"subnet {want.subnet} {'; '.join(problems)}", False))
    router = state.router
    if router is None:
        found.append(Finding(want.router, f"router {want.router} does not exist", True))
    else:
        gateway = _router_gateway_network(router)
        if gateway is None:
            found.append(Finding(f"{want.router} gateway", f"router {want.router} has no external gateway", True))
        elif net is not None and gateway != net.get("id"):
            found.append(
                Finding(
                    f"{want.router} gateway",
                    f"router {want.router}'s external gateway is network {gateway}, not {want.network}",
                    False,
                )
            )
    found.extend(
        Finding(f"flavor {name}", f"flavor {name} does not exist", True)
        for *_, name in FLAVORS
        if name not in state.flavors
    )
    return found


def _compare_demo(want: WantedNetwork, state: State) -> list[Finding]:
    found: list[Finding] = []
    if state.demo_network is None:
        found.append(Finding(want.demo_network, f"network {want.demo_network} does not exist", True))
    sub = state.demo_subnet
    if sub is None:
        found.append(Finding(want.demo_subnet, f"subnet {want.demo_subnet} does not exist", True))
        return found
    if want.demo_cidr and not _same_net(sub.get("cidr"), want.demo_cidr):
        found.append(
            Finding(
                want.demo_subnet, f"subnet {want.demo_subnet} has CIDR {sub.get('cidr')}, not {want.demo_cidr}", False
            )
        )
    router = state.router
    if router is not None and str(sub.get("id")) not in _router_subnet_ids(router):
        found.append(
            Finding(f"{want.router} interface", f"router {want.router} has no interface on {want.demo_subnet}", True)
        )
    return found


def missing_commands(want: WantedNetwork, findings: Sequence[Finding]) -> list[list[str]]:
    """The ``openstack`` argv (without ``openstack``) that create what ``findings`` says is missing:
    init-runonce's own commands, in its order. Nothing for what exists but differs."""
    missing = {f.what for f in findings if f.missing}
    cmds: list[list[str]] = []
    if want.router in missing:
        cmds.append(["router", "create", want.router])
    if want.demo_cidr:
        if want.demo_network in missing:
            cmds.append(["network", "create", want.demo_network])
        if want.demo_subnet in missing:
            cmds.append(
                [
                    "subnet", "create", "--ip-version", "4", "--subnet-range", want.demo_cidr,
                    "--network", want.demo_network, "--gateway", str(want.demo_gateway),
                    "--dns-nameserver", want.demo_dns, want.demo_subnet,
                ]
            )  # fmt: skip
        if want.demo_subnet in missing or f"{want.router} interface" in missing:
            cmds.append(["router", "add", "subnet", want.router, want.demo_subnet])
    if want.network in missing:
        cmds.append(
            [
                "network", "create", "--external", "--provider-physical-network", want.physnet,
                "--provider-network-type", "flat", want.network,
            ]
        )  # fmt: skip
    if want.subnet in missing:
        cmds.append(
            [
                "subnet", "create", "--no-dhcp", "--ip-version", "4", "--allocation-pool", want.pool_text,
                "--network", want.network, "--subnet-range", want.cidr, "--gateway", want.gateway, want.subnet,
            ]
        )  # fmt: skip
    if want.router in missing or f"{want.router} gateway" in missing:
        cmds.append(["router", "set", "--external-gateway", want.network, want.router])
    for flavor_id, ram, disk, vcpus, name in FLAVORS:
        if f"flavor {name}" in missing:
            cmds.append(["flavor", "create", "--id", flavor_id, "--ram", ram, "--disk", disk, "--vcpus", vcpus, name])
    return cmds


def describe(want: WantedNetwork) -> str:
    """One line saying what is there when everything is as answered (the done-check's reason)."""
    pool = f"{want.pool_start}-{want.pool_end}"
    return (
        f"{want.network} ({want.cidr}, pool {pool}, gateway {want.gateway}, no DHCP) is "
        f"{want.router}'s external gateway; flavors m1.tiny to m1.xlarge exist"
    )
