#!/usr/bin/env python3
"""A stateful fake ``openstack`` CLI (and ``curl``) for running the real init-runonce in tests.

Run as a script (``install_fakes`` puts wrappers named ``openstack`` and ``curl`` in a bin directory for
PATH). It keeps what is created in ``$FAKE_OPENSTACK_STATE_DIR/state.json`` and logs every call, so a
retried script sees what the first run left, as with a real cloud. It is as strict as the real client
where init-runonce and the wizard could go wrong: an unknown command or option exits 2 with a message
(argparse, like cliff); a name that matches nothing or several resources fails as the client does;
Neutron refuses a subnet on a router that overlaps a subnet already on it (its interfaces or its external
gateway's network); no credentials (``OS_CLOUD``/``--os-cloud`` or ``OS_AUTH_URL``) fails.

Environment:
  FAKE_OPENSTACK_STATE_DIR   directory of state.json, calls.jsonl and curl.jsonl (required)
  FAKE_OPENSTACK_FAIL_AT     N: the Nth ``openstack`` call (1-based, over the state's life) fails with exit 1
  FAKE_OPENSTACK_FAIL_ON     an fnmatch pattern over the command line without ``openstack`` and its global
                             options (``subnet create *public1-subnet``): a matching call fails with exit 1
  FAKE_OPENSTACK_FAIL_TIMES  how many matching calls fail (default 1, so a retry can pass; 0: every one)
  FAKE_CURL_FAIL             set: curl fails with exit 22 (HTTP error with --fail)
  FAKE_SERVER_BUILD_SHOWS    how many ``server show`` calls see a new server in BUILD before ACTIVE (default 2)
  FAKE_SERVER_FAULT          a message: new servers go to ERROR with this fault (``No valid host was found...``)
  FAKE_PING_FAIL             set: the fake ``ping`` gets no answer (exit 1)
  FAKE_PING_LARGE_FAIL       set: only a ``ping -s SIZE`` gets no answer (an MTU problem)
  FAKE_SSH_FAIL              set: the fake ``ssh`` fails (exit 255, connection refused)
  FAKE_SSH_UNAME             what ``uname -m`` prints through the fake ``ssh`` (default: this machine's)

Supported: exactly :data:`COMMANDS` (what init-runonce 9.x-22.x call, and the wizard's external-network
check): image list/create, network create/show/list, subnet create/show/list, router create/show/list,
router add subnet, router set --external-gateway, project list, user list, security group list,
security group rule create, keypair create/list, quota set, flavor create/list, and for the verify step
server create/show/list/delete, server add floating ip, floating ip create/list/delete; global options
--os-cloud, --debug, -v; output options -f json|value|table|yaml and -c on show/list/create.
To add a command: add a :class:`Cmd` row and a handler taking ``(state, args) -> dict | list[dict] | None``;
raise :class:`Fail` for an API error. A positional named ``NAME+`` takes one or more values.

``ping`` and ``ssh`` fakes (``install_fakes`` puts them on PATH too) log their argv to ``host.jsonl`` and
never send a packet: verify's host-side checks run against them.
"""

from __future__ import annotations

import argparse
import fcntl
import fnmatch
import ipaddress
import json
import os
import sys
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STATE_DIR_ENV = "FAKE_OPENSTACK_STATE_DIR"
FAIL_AT_ENV = "FAKE_OPENSTACK_FAIL_AT"
FAIL_ON_ENV = "FAKE_OPENSTACK_FAIL_ON"
FAIL_TIMES_ENV = "FAKE_OPENSTACK_FAIL_TIMES"
CURL_FAIL_ENV = "FAKE_CURL_FAIL"
BUILD_SHOWS_ENV = "FAKE_SERVER_BUILD_SHOWS"
SERVER_FAULT_ENV = "FAKE_SERVER_FAULT"
PING_FAIL_ENV = "FAKE_PING_FAIL"
PING_LARGE_FAIL_ENV = "FAKE_PING_LARGE_FAIL"
SSH_FAIL_ENV = "FAKE_SSH_FAIL"
SSH_UNAME_ENV = "FAKE_SSH_UNAME"
ADMIN_PROJECT_ID = "a0000000-0000-4000-8000-000000000001"
DEFAULT_SG_ID = "50000000-0000-4000-8000-000000000001"


class Fail(Exception):
    """An API error: printed to stderr, exit 1 (the client's behaviour for 4xx/5xx and lookups)."""


# --- the table -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Opt:
    """One option: ``kind`` "flag" (no value), "value" (last wins) or "append" (repeatable)."""

    names: tuple[str, ...]
    kind: str = "value"
    required: bool = False


@dataclass(frozen=True)
class Cmd:
    """One command: its words, options, positional arguments, handler and whether it prints a resource."""

    words: tuple[str, ...]
    handler: Callable[[dict[str, Any], argparse.Namespace], Any]
    options: tuple[Opt, ...] = ()
    positionals: tuple[str, ...] = ()
    output: bool = False  # takes -f/-c and prints what the handler returns
    columns: tuple[str, ...] = ()  # list commands: the table columns (keys of the rows)
    extra: dict[str, str] = field(default_factory=dict)


# --- state ---------------------------------------------------------------------------------------


def _new_state() -> dict[str, Any]:
    return {
        "calls": 0,
        "seq": 0,
        "failed": 0,
        "projects": [{"id": ADMIN_PROJECT_ID, "name": "admin"}],
        "users": [{"id": "u0000000-0000-4000-8000-000000000001", "name": "admin"}],
        "security_groups": [{"id": DEFAULT_SG_ID, "name": "default", "project_id": ADMIN_PROJECT_ID, "rules": []}],
        "images": [],
        "networks": [],
        "subnets": [],
        "routers": [],
        "keypairs": [],
        "flavors": [],
        "quotas": {},
        "servers": [],
        "floating_ips": [],
    }


def _new_id(state: dict[str, Any]) -> str:
    state["seq"] += 1
    return str(uuid.UUID(int=state["seq"], version=4))


def _find(state: dict[str, Any], kind: str, ref: str, label: str) -> dict[str, Any]:
    """A resource by ID or name; the client's errors for none and for several."""
    by_id = [r for r in state[kind] if r.get("id") == ref]
    if by_id:
        return by_id[0]
    named = [r for r in state[kind] if r.get("name") == ref]
    if not named:
        raise Fail(f"No {label} found for {ref}")
    if len(named) > 1:
        raise Fail(f"More than one {label} exists with the name '{ref}'.")
    return named[0]


# --- handlers ------------------------------------------------------------------------------------


def image_list(state, args):
    return [{"ID": i["id"], "Name": i["name"], "Status": i["status"]} for i in state["images"]]


def image_create(state, args):
    if args.file and not Path(args.file).is_file():
        raise Fail(f"[Errno 2] No such file or directory: '{args.file}'")
    props = dict(p.partition("=")[::2] for p in args.property or [])
    image = {
        "id": _new_id(state),
        "name": args.name,
        "status": "active",
        "disk_format": args.disk_format or "raw",
        "container_format": args.container_format or "bare",
        "visibility": "public" if args.public else "shared",
        "properties": props,
    }
    state["images"].append(image)
    return image


def network_create(state, args):
    net = {
        "id": _new_id(state),
        "name": args.name,
        "router:external": bool(args.external),
        "provider:network_type": args.provider_network_type or "vxlan",
        "provider:physical_network": args.provider_physical_network,
        "subnets": [],
        "status": "ACTIVE",
        "admin_state_up": True,
        "shared": False,
        "project_id": ADMIN_PROJECT_ID,
    }
    if net["provider:network_type"] == "flat" and not net["provider:physical_network"]:
        raise Fail("BadRequestException: 400: physical_network required for flat provider network")
    state["networks"].append(net)
    return net


def network_show(state, args):
    return _find(state, "networks", args.network, "Network")


def network_list(state, args):
    return [{"ID": n["id"], "Name": n["name"], "Subnets": ", ".join(n["subnets"])} for n in state["networks"]]


def _pool(text: str) -> dict[str, str]:
    parts = dict(p.partition("=")[::2] for p in text.split(","))
    if set(parts) != {"start", "end"}:
        raise Fail(f"argument --allocation-pool: invalid value {text!r} (start=A,end=B)")
    return {"start": parts["start"], "end": parts["end"]}


def subnet_create(state, args):
    net = _find(state, "networks", args.network, "Network")
    try:
        cidr = ipaddress.ip_network(args.subnet_range, strict=False)
    except ValueError as exc:
        raise Fail(f"BadRequestException: 400: Invalid input for cidr: {exc}") from exc
    gateway = ipaddress.ip_address(args.gateway) if args.gateway else cidr.network_address + 1
    if gateway not in cidr:
        raise Fail(f"BadRequestException: 400: Gateway IP {gateway} is not in subnet {cidr}")
    pools = [_pool(p) for p in args.allocation_pool or []] or [
        {"start": str(cidr.network_address + 2), "end": str(cidr.broadcast_address - 1)}
    ]
    for pool in pools:
        start, end = ipaddress.ip_address(pool["start"]), ipaddress.ip_address(pool["end"])
        if start not in cidr or end not in cidr or start > end:
            raise Fail(
                f"BadRequestException: 400: The allocation pool {start}-{end} spans beyond the subnet cidr {cidr}."
            )
        if start <= gateway <= end:
            raise Fail(f"BadRequestException: 400: Gateway ip {gateway} conflicts with allocation pool {start}-{end}")
    for other in state["subnets"]:
        if other["network_id"] == net["id"] and ipaddress.ip_network(other["cidr"]).overlaps(cidr):
            raise Fail(
                f"BadRequestException: 400: Invalid input for operation: Requested subnet with cidr: {cidr} for "
                f"network: {net['id']} overlaps with another subnet."
            )
    subnet = {
        "id": _new_id(state),
        "name": args.name,
        "network_id": net["id"],
        "cidr": str(cidr),
        "ip_version": int(args.ip_version or 4),
        "gateway_ip": str(gateway),
        "allocation_pools": pools,
        "enable_dhcp": not args.no_dhcp,
        "dns_nameservers": list(args.dns_nameserver or []),
    }
    state["subnets"].append(subnet)
    net["subnets"].append(subnet["id"])
    return subnet


def subnet_show(state, args):
    return _find(state, "subnets", args.subnet, "Subnet")


def subnet_list(state, args):
    return [
        {"ID": s["id"], "Name": s["name"], "Network": s["network_id"], "Subnet": s["cidr"]} for s in state["subnets"]
    ]


def router_create(state, args):
    router = {
        "id": _new_id(state),
        "name": args.name,
        "status": "ACTIVE",
        "admin_state_up": True,
        "external_gateway_info": None,
        "interfaces_info": [],
        "project_id": ADMIN_PROJECT_ID,
    }
    state["routers"].append(router)
    return router


def router_show(state, args):
    return _find(state, "routers", args.router, "Router")


def router_list(state, args):
    return [
        {"ID": r["id"], "Name": r["name"], "Status": r["status"], "State": "UP", "Project": r["project_id"]}
        for r in state["routers"]
    ]


def _router_subnets(state, router) -> list[dict[str, Any]]:
    """Every subnet on ``router``: its interfaces and its external gateway's network."""
    ids = [i["subnet_id"] for i in router["interfaces_info"]]
    gw = router["external_gateway_info"]
    if gw:
        ids += [s["id"] for s in state["subnets"] if s["network_id"] == gw["network_id"]]
    return [s for s in state["subnets"] if s["id"] in ids]


def _refuse_overlap(state, router, new_subnets) -> None:
    """Neutron's rule: the subnets on one router must not overlap."""
    for new in new_subnets:
        for old in _router_subnets(state, router):
            if old["id"] != new["id"] and ipaddress.ip_network(old["cidr"]).overlaps(ipaddress.ip_network(new["cidr"])):
                raise Fail(
                    f"BadRequestException: 400: Bad router request: Cidr {new['cidr']} of subnet {new['id']} "
                    f"overlaps with cidr {old['cidr']} of subnet {old['id']}."
                )


def router_add_subnet(state, args):
    router = _find(state, "routers", args.router, "Router")
    subnet = _find(state, "subnets", args.subnet, "Subnet")
    if any(i["subnet_id"] == subnet["id"] for i in router["interfaces_info"]):
        raise Fail(f"BadRequestException: 400: Router already has a port on subnet {subnet['id']}.")
    _refuse_overlap(state, router, [subnet])
    router["interfaces_info"].append(
        {"port_id": _new_id(state), "ip_address": subnet["gateway_ip"], "subnet_id": subnet["id"]}
    )


def router_set(state, args):
    router = _find(state, "routers", args.router, "Router")
    if args.external_gateway:
        net = _find(state, "networks", args.external_gateway, "Network")
        if not net["router:external"]:
            raise Fail(f"BadRequestException: 400: Bad router request: Network {net['id']} is not an external network.")
        subnets = [s for s in state["subnets"] if s["network_id"] == net["id"]]
        if not subnets:
            raise Fail(f"BadRequestException: 400: Bad router request: Network {net['id']} has no subnet.")
        _refuse_overlap(state, {**router, "external_gateway_info": None}, subnets)
        first = subnets[0]
        router["external_gateway_info"] = {
            "network_id": net["id"],
            "enable_snat": True,
            "external_fixed_ips": [{"subnet_id": first["id"], "ip_address": first["allocation_pools"][0]["start"]}],
        }


def project_list(state, args):
    return [{"ID": p["id"], "Name": p["name"]} for p in state["projects"]]


def user_list(state, args):
    return [{"ID": u["id"], "Name": u["name"]} for u in state["users"]]


def security_group_list(state, args):
    groups = state["security_groups"]
    if args.project:
        groups = [g for g in groups if g["project_id"] == args.project]
    return [
        {"ID": g["id"], "Name": g["name"], "Description": "Default security group", "Project": g["project_id"]}
        for g in groups
    ]


def security_group_rule_create(state, args):
    group = _find(state, "security_groups", args.group, "SecurityGroup")
    rule = {
        "id": _new_id(state),
        "direction": "egress" if args.egress else "ingress",
        "ethertype": args.ethertype or "IPv4",
        "protocol": args.protocol,
        "port_range_min": int(args.dst_port.split(":")[0]) if args.dst_port else None,
        "security_group_id": group["id"],
    }
    group["rules"].append(rule)
    return rule


def keypair_create(state, args):
    if any(k["name"] == args.name for k in state["keypairs"]):
        raise Fail(f"ConflictException: 409: Key pair '{args.name}' already exists.")
    if args.public_key and not Path(args.public_key).is_file():
        raise Fail(f"Key file {args.public_key} not found: [Errno 2] No such file or directory")
    keypair = {"name": args.name, "fingerprint": "00:11:22:33", "type": "ssh"}
    state["keypairs"].append(keypair)
    return keypair


def keypair_list(state, args):
    return [{"Name": k["name"], "Fingerprint": k["fingerprint"], "Type": k["type"]} for k in state["keypairs"]]


def quota_set(state, args):
    project = _find(state, "projects", args.project, "Project")
    quota = state["quotas"].setdefault(project["id"], {})
    for key in ("instances", "cores", "ram"):
        if getattr(args, key) is not None:
            quota[key] = int(getattr(args, key))


def flavor_create(state, args):
    flavor_id = args.id or _new_id(state)
    for f in state["flavors"]:
        if f["id"] == flavor_id or f["name"] == args.name:
            raise Fail(f"ConflictException: 409: Flavor with ID {flavor_id} or name {args.name} already exists.")
    flavor = {
        "id": flavor_id,
        "name": args.name,
        "ram": int(args.ram),
        "disk": int(args.disk),
        "vcpus": int(args.vcpus),
    }
    state["flavors"].append(flavor)
    return flavor


def flavor_list(state, args):
    return [
        {"ID": f["id"], "Name": f["name"], "RAM": f["ram"], "Disk": f["disk"], "Ephemeral": 0, "VCPUs": f["vcpus"]}
        for f in state["flavors"]
    ]


def image_list_filtered(state, args):
    images = state["images"]
    if args.name:
        images = [i for i in images if i["name"] == args.name]
    return [{"ID": i["id"], "Name": i["name"], "Status": i["status"]} for i in images]


def server_create(state, args):
    image = _find(state, "images", args.image, "Image")
    flavor = _find(state, "flavors", args.flavor, "Flavor")
    nets = [_find(state, "networks", n, "Network") for n in args.network or []]
    if args.key_name and not any(k["name"] == args.key_name for k in state["keypairs"]):
        raise Fail("BadRequestException: 400: Invalid key_name provided. (HTTP 400)")
    fault = os.environ.get(SERVER_FAULT_ENV)
    server = {
        "id": _new_id(state),
        "name": args.name,
        "status": "BUILD",
        "image": {"id": image["id"]},
        "flavor": flavor["name"],
        "key_name": args.key_name,
        "networks": [n["id"] for n in nets],
        "addresses": {},
        "shows": 0,
        "fault_message": fault,
    }
    state["servers"].append(server)
    return _server_view(server)


def _server_view(server) -> dict[str, Any]:
    view = {k: v for k, v in server.items() if k not in ("shows", "fault_message")}
    if server["status"] == "ERROR":
        view["fault"] = {"code": 500, "message": server["fault_message"], "created": "2026-01-01T00:00:00Z"}
    return view


def server_show(state, args):
    server = _find(state, "servers", args.server, "server with a name or ID of")
    if server["status"] == "BUILD":
        server["shows"] += 1
        if server["shows"] > int(os.environ.get(BUILD_SHOWS_ENV, "2")):
            server["status"] = "ERROR" if server["fault_message"] else "ACTIVE"
    return _server_view(server)


def server_list(state, args):
    import re

    servers = state["servers"]
    if args.name:
        servers = [s for s in servers if re.search(args.name, s["name"])]
    return [
        {"ID": s["id"], "Name": s["name"], "Status": s["status"], "Networks": s["addresses"], "Image": "cirros",
         "Flavor": s["flavor"]}
        for s in servers
    ]  # fmt: skip


def server_delete(state, args):
    for ref in args.server:
        server = _find(state, "servers", ref, "server with a name or ID of")
        state["servers"].remove(server)
        for fip in state["floating_ips"]:
            if fip["server_id"] == server["id"]:
                fip.update(server_id=None, port_id=None, fixed_ip_address=None, status="DOWN")


def server_add_floating_ip(state, args):
    server = _find(state, "servers", args.server, "server with a name or ID of")
    fips = [f for f in state["floating_ips"] if f["floating_ip_address"] == args.ip_address]
    if not fips:
        raise Fail(f"ResourceNotFound: 404: No floating IP found for {args.ip_address}")
    if server["status"] != "ACTIVE":
        raise Fail(f"ConflictException: 409: Server {server['id']} is {server['status']}: no port to associate")
    fip = fips[0]
    if fip["server_id"]:
        raise Fail(f"ConflictException: 409: Floating IP {fip['id']} is already associated with a port.")
    fip.update(server_id=server["id"], port_id=_new_id(state), fixed_ip_address="10.0.0.10", status="ACTIVE")


def floating_ip_create(state, args):
    net = _find(state, "networks", args.network, "Network")
    if not net["router:external"]:
        raise Fail(f"BadRequestException: 400: Network {net['id']} is not a valid external network")
    subnets = [s for s in state["subnets"] if s["network_id"] == net["id"]]
    if not subnets:
        raise Fail(f"Conflict: 409: No more IP addresses available on network {net['id']}.")
    pool = subnets[0]["allocation_pools"][0]
    used = {f["floating_ip_address"] for f in state["floating_ips"]}
    address = ipaddress.ip_address(pool["start"])
    while str(address) in used:
        address += 1
    if address > ipaddress.ip_address(pool["end"]):
        raise Fail(f"Conflict: 409: No more IP addresses available on network {net['id']}.")
    fip = {
        "id": _new_id(state),
        "floating_ip_address": str(address),
        "floating_network_id": net["id"],
        "description": args.description or "",
        "server_id": None,
        "port_id": None,
        "fixed_ip_address": None,
        "status": "DOWN",
        "project_id": ADMIN_PROJECT_ID,
    }
    state["floating_ips"].append(fip)
    return {k: v for k, v in fip.items() if k != "server_id"}


def floating_ip_list(state, args):
    rows = []
    for f in state["floating_ips"]:
        row = {
            "ID": f["id"],
            "Floating IP Address": f["floating_ip_address"],
            "Fixed IP Address": f["fixed_ip_address"],
            "Port": f["port_id"],
            "Floating Network": f["floating_network_id"],
            "Project": f["project_id"],
        }
        if args.long:
            row.update({"Router": None, "Status": f["status"], "Description": f["description"], "Tags": []})
        rows.append(row)
    return rows


def floating_ip_delete(state, args):
    for ref in args.floating_ip:
        found = [f for f in state["floating_ips"] if ref in (f["id"], f["floating_ip_address"])]
        if not found:
            raise Fail(f"Failed to delete floating_ip with name or ID '{ref}': No FloatingIP found for {ref}")
        state["floating_ips"].remove(found[0])


def _o(*names: str, kind: str = "value", required: bool = False) -> Opt:
    return Opt(names, kind, required)


FLAG = "flag"
APPEND = "append"

#: Every command the fake knows, with exactly the options the real init-runonce scripts and the wizard pass.
COMMANDS: tuple[Cmd, ...] = (
    Cmd(("image", "list"), image_list_filtered, (_o("--name"),), output=True),
    Cmd(
        ("image", "create"),
        image_create,
        (
            _o("--disk-format"),
            _o("--container-format"),
            _o("--public", kind=FLAG),
            _o("--property", kind=APPEND),
            _o("--file"),
        ),
        ("name",),
        output=True,
    ),
    Cmd(
        ("network", "create"),
        network_create,
        (
            _o("--external", kind=FLAG),
            _o("--provider-physical-network"),
            _o("--provider-network-type"),
        ),
        ("name",),
        output=True,
    ),
    Cmd(("network", "show"), network_show, (), ("network",), output=True),
    Cmd(("network", "list"), network_list, output=True),
    Cmd(
        ("subnet", "create"),
        subnet_create,
        (
            _o("--ip-version"),
            _o("--subnet-range"),
            _o("--network", required=True),
            _o("--gateway"),
            _o("--dns-nameserver", kind=APPEND),
            _o("--allocation-pool", kind=APPEND),
            _o("--no-dhcp", kind=FLAG),
            _o("--ipv6-ra-mode"),
            _o("--ipv6-address-mode"),
        ),
        ("name",),
        output=True,
    ),
    Cmd(("subnet", "show"), subnet_show, (), ("subnet",), output=True),
    Cmd(("subnet", "list"), subnet_list, output=True),
    Cmd(("router", "create"), router_create, (), ("name",), output=True),
    Cmd(("router", "show"), router_show, (), ("router",), output=True),
    Cmd(("router", "list"), router_list, output=True),
    Cmd(("router", "add", "subnet"), router_add_subnet, (), ("router", "subnet")),
    Cmd(("router", "set"), router_set, (_o("--external-gateway"), _o("--fixed-ip", kind=APPEND)), ("router",)),
    Cmd(("project", "list"), project_list, output=True),
    Cmd(("user", "list"), user_list, output=True),
    Cmd(("security", "group", "list"), security_group_list, (_o("--project"),), output=True),
    Cmd(
        ("security", "group", "rule", "create"),
        security_group_rule_create,
        (
            _o("--ingress", kind=FLAG),
            _o("--egress", kind=FLAG),
            _o("--ethertype"),
            _o("--protocol"),
            _o("--dst-port"),
        ),
        ("group",),
        output=True,
    ),
    Cmd(("keypair", "create"), keypair_create, (_o("--public-key"),), ("name",), output=True),
    Cmd(("keypair", "list"), keypair_list, output=True),
    Cmd(("quota", "set"), quota_set, (_o("--instances"), _o("--cores"), _o("--ram")), ("project",)),
    Cmd(
        ("flavor", "create"),
        flavor_create,
        (_o("--id"), _o("--ram", required=True), _o("--disk", required=True), _o("--vcpus", required=True)),
        ("name",),
        output=True,
    ),
    Cmd(("flavor", "list"), flavor_list, output=True),
    Cmd(
        ("server", "create"),
        server_create,
        (
            _o("--image", required=True),
            _o("--flavor", required=True),
            _o("--key-name"),
            _o("--network", kind=APPEND),
            _o("--wait", kind=FLAG),
        ),
        ("name",),
        output=True,
    ),
    Cmd(("server", "show"), server_show, (), ("server",), output=True),
    Cmd(("server", "list"), server_list, (_o("--name"),), output=True),
    Cmd(("server", "delete"), server_delete, (_o("--wait", kind=FLAG),), ("server+",)),
    Cmd(
        ("server", "add", "floating", "ip"),
        server_add_floating_ip,
        (_o("--fixed-ip-address"),),
        ("server", "ip_address"),
    ),
    Cmd(("floating", "ip", "create"), floating_ip_create, (_o("--description"),), ("network",), output=True),
    Cmd(("floating", "ip", "list"), floating_ip_list, (_o("--long", kind=FLAG),), output=True),
    Cmd(("floating", "ip", "delete"), floating_ip_delete, (), ("floating_ip+",)),
)


# --- parsing and output --------------------------------------------------------------------------


def _parser(cmd: Cmd) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="openstack " + " ".join(cmd.words), allow_abbrev=False)
    for opt in cmd.options:
        if opt.kind == FLAG:
            parser.add_argument(*opt.names, action="store_true")
        elif opt.kind == APPEND:
            parser.add_argument(*opt.names, action="append", required=opt.required)
        else:
            parser.add_argument(*opt.names, required=opt.required)
    for name in cmd.positionals:
        if name.endswith("+"):
            parser.add_argument(name[:-1], nargs="+")
        else:
            parser.add_argument(name)
    if cmd.output:
        parser.add_argument("-f", "--format", choices=("json", "value", "table", "yaml"), default="table")
        parser.add_argument("-c", "--column", action="append", default=[])
        parser.add_argument("--noindent", action="store_true")
    return parser


def _match(words: Sequence[str]) -> tuple[Cmd, list[str]] | None:
    """The command whose words start ``words`` (the longest), and the arguments after them."""
    best = None
    for cmd in COMMANDS:
        n = len(cmd.words)
        if tuple(words[:n]) == cmd.words and (best is None or n > len(best.words)):
            best = cmd
    return (best, list(words[len(best.words) :])) if best else None


def _table(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    cells = [[str(r.get(c, "")) if r.get(c) is not None else "None" for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    out = [line, "| " + " | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)) + " |", line]
    out += ["| " + " | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) + " |" for row in cells]
    out.append(line)
    return "\n".join(out)


def _render(result: Any, args: argparse.Namespace) -> str:
    if result is None:
        return ""
    rows = result if isinstance(result, list) else None
    wanted = list(args.column)
    if rows is not None:
        columns = wanted or (list(rows[0]) if rows else ["ID", "Name"])
        rows = [{c: r.get(c) for c in columns} for r in rows]
        if args.format == "json":
            return json.dumps(rows, indent=None if args.noindent else 2)
        if args.format == "value":
            return "\n".join(" ".join(str(r[c]) for c in columns) for r in rows)
        if args.format == "yaml":
            import yaml

            return yaml.safe_dump(rows, sort_keys=False).rstrip()
        return _table(rows, columns) if rows else ""
    shown = {k: result.get(k) for k in wanted} if wanted else dict(sorted(result.items()))
    if args.format == "json":
        return json.dumps(shown, indent=None if args.noindent else 2)
    if args.format == "value":
        return "\n".join(
            "" if v is None else (json.dumps(v) if isinstance(v, dict | list) else str(v)) for v in shown.values()
        )
    if args.format == "yaml":
        import yaml

        return yaml.safe_dump(shown, sort_keys=False).rstrip()
    return _table(
        [{"Field": k, "Value": json.dumps(v) if isinstance(v, dict | list) else v} for k, v in shown.items()],
        ("Field", "Value"),
    )


# --- main ----------------------------------------------------------------------------------------


def _split_globals(argv: list[str]) -> tuple[dict[str, Any], list[str]]:
    """``--os-cloud X`` / ``--os-cloud=X`` / ``--debug`` / ``-v`` before the command words."""
    opts: dict[str, Any] = {}
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        arg = argv[i]
        if arg == "--os-cloud" and i + 1 < len(argv):
            opts["os_cloud"] = argv[i + 1]
            i += 2
            continue
        if arg.startswith("--os-cloud="):
            opts["os_cloud"] = arg.split("=", 1)[1]
        elif arg in ("--debug", "-v", "--verbose"):
            opts["debug"] = True
        else:
            print(f"openstack: error: unrecognized arguments: {arg}", file=sys.stderr)
            raise SystemExit(2)
        i += 1
    return opts, argv[i:]


def _should_fail(state: dict[str, Any], line: str) -> str | None:
    at = os.environ.get(FAIL_AT_ENV)
    if at and int(at) == state["calls"]:
        return f"{FAIL_AT_ENV}={at}"
    pattern = os.environ.get(FAIL_ON_ENV)
    if pattern and fnmatch.fnmatchcase(line, pattern):
        times = int(os.environ.get(FAIL_TIMES_ENV, "1"))
        if times == 0 or state["failed"] < times:
            state["failed"] += 1
            return f"{FAIL_ON_ENV}={pattern}"
    return None


def openstack(argv: list[str]) -> int:
    state_dir = Path(os.environ[STATE_DIR_ENV])
    state_dir.mkdir(parents=True, exist_ok=True)
    globals_, words = _split_globals(argv)
    found = _match(words)
    if found is None:
        print(f"openstack: '{' '.join(words)}' is not an openstack command. See 'openstack --help'.", file=sys.stderr)
        return 2
    cmd, rest = found
    args = _parser(cmd).parse_args(rest)  # exits 2 on an unknown option, like the real client
    if not (globals_.get("os_cloud") or os.environ.get("OS_CLOUD") or os.environ.get("OS_AUTH_URL")):
        print("Missing value auth-url required for auth plugin password", file=sys.stderr)
        return 1
    with open(state_dir / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        path = state_dir / "state.json"
        state = json.loads(path.read_text()) if path.exists() else _new_state()
        state["calls"] += 1
        line = " ".join([*cmd.words, *rest])
        env = {k: os.environ.get(k) for k in ("OS_CLOUD", "OS_CLIENT_CONFIG_FILE", "OS_AUTH_URL")}
        injected = _should_fail(state, line)
        code, output, error = 0, "", ""
        if injected:
            code, error = 1, f"Injected failure ({injected}): openstack {line}"
        else:
            try:
                result = cmd.handler(state, args)
                output = _render(result, args) if cmd.output else ""
            except Fail as exc:
                code, error = 1, str(exc)
        path.write_text(json.dumps(state, indent=1))
        with open(state_dir / "calls.jsonl", "a") as log:
            log.write(json.dumps({"argv": argv, "command": line, "env": {**env, **globals_}, "exit": code}) + "\n")
    if output:
        # Two writes, as cliff's formatters do (the text, then "\n"): under PYTHONUNBUFFERED=1 they are two
        # syscalls, and a reader that exits early (grep -q) makes the second one fail with EPIPE.
        sys.stdout.write(output)
        sys.stdout.write("\n")
    if error:
        print(error, file=sys.stderr)
    return code


def curl(argv: list[str]) -> int:
    """``curl --fail -L -o PATH URL`` (init-runonce's CirrOS download): writes a dummy image, logs the URL."""
    parser = argparse.ArgumentParser(prog="curl", allow_abbrev=False)
    parser.add_argument("--fail", "-f", action="store_true")
    parser.add_argument("-L", "--location", action="store_true")
    parser.add_argument("-s", "--silent", action="store_true")
    parser.add_argument("-S", "--show-error", action="store_true")
    parser.add_argument("-o", "--output")
    parser.add_argument("url")
    args = parser.parse_args(argv)
    state_dir = Path(os.environ[STATE_DIR_ENV])
    state_dir.mkdir(parents=True, exist_ok=True)
    with open(state_dir / "curl.jsonl", "a") as log:
        log.write(json.dumps({"argv": argv, "url": args.url, "output": args.output, "cwd": os.getcwd()}) + "\n")
    if os.environ.get(CURL_FAIL_ENV):
        print("curl: (22) The requested URL returned error: 404", file=sys.stderr)
        return 22
    if args.output:
        Path(args.output).write_bytes(b"QFI\xfb fake cirros image for tests\n")
    return 0


def _host_log(tool: str, argv: list[str]) -> None:
    state_dir = Path(os.environ[STATE_DIR_ENV])
    state_dir.mkdir(parents=True, exist_ok=True)
    with open(state_dir / "host.jsonl", "a") as log:
        log.write(json.dumps({"tool": tool, "argv": argv}) + "\n")


def ping(argv: list[str]) -> int:
    """``ping [-c N] [-W S] [-M do] [-s SIZE] ADDRESS``: logs, sends nothing; fails as configured."""
    parser = argparse.ArgumentParser(prog="ping", allow_abbrev=False)
    parser.add_argument("-c", type=int)
    parser.add_argument("-W", type=float)
    parser.add_argument("-M", choices=("do", "want", "dont", "probe"))
    parser.add_argument("-s", type=int)
    parser.add_argument("address")
    args = parser.parse_args(argv)
    _host_log("ping", argv)
    if os.environ.get(PING_FAIL_ENV) or (args.s and os.environ.get(PING_LARGE_FAIL_ENV)):
        print(f"PING {args.address} ({args.address}) {args.s or 56}({(args.s or 56) + 28}) bytes of data.")
        print(f"\n--- {args.address} ping statistics ---")
        print(f"{args.c or 3} packets transmitted, 0 received, 100% packet loss, time 2041ms")
        return 1
    print(f"{args.c or 3} packets transmitted, {args.c or 3} received, 0% packet loss, time 2003ms")
    return 0


def ssh(argv: list[str]) -> int:
    """``ssh -i KEY -o OPT... USER@HOST COMMAND...``: logs; answers ``uname -m`` as configured."""
    import platform

    parser = argparse.ArgumentParser(prog="ssh", allow_abbrev=False)
    parser.add_argument("-i", required=True)
    parser.add_argument("-o", action="append", default=[])
    parser.add_argument("destination")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    _host_log("ssh", argv)
    if os.environ.get(SSH_FAIL_ENV):
        host = args.destination.partition("@")[2]
        print(f"ssh: connect to host {host} port 22: Connection refused", file=sys.stderr)
        return 255
    if args.command == ["uname", "-m"]:
        print(os.environ.get(SSH_UNAME_ENV) or platform.machine())
        return 0
    print(f"sh: {' '.join(args.command)}: not found", file=sys.stderr)
    return 127


# --- for tests -----------------------------------------------------------------------------------


def install_fakes(bin_dir: Path, state_dir: Path) -> None:
    """Put ``openstack`` and ``curl`` wrappers in ``bin_dir``, bound to ``state_dir`` (unless the
    environment names another) and to this Python, so any PATH that starts with ``bin_dir`` uses them."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    me = Path(__file__).resolve()
    for name, extra in (("openstack", ""), ("curl", " --fake-curl"), ("ping", " --fake-ping"), ("ssh", " --fake-ssh")):
        script = bin_dir / name
        script.write_text(
            "#!/bin/sh\n"
            f': "${{{STATE_DIR_ENV}:={state_dir}}}"\n'
            f"export {STATE_DIR_ENV}\n"
            f'exec "{sys.executable}" "{me}"{extra} "$@"\n'
        )
        script.chmod(0o755)


class FakeCloud:
    """Read access to a fake cloud's state and call log from a test."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = Path(state_dir)

    @property
    def state(self) -> dict[str, Any]:
        path = self.state_dir / "state.json"
        return json.loads(path.read_text()) if path.exists() else _new_state()

    def named(self, kind: str, name: str) -> list[dict[str, Any]]:
        return [r for r in self.state[kind] if r.get("name") == name]

    def calls(self) -> list[dict[str, Any]]:
        path = self.state_dir / "calls.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    def host_calls(self) -> list[dict[str, Any]]:
        """The fake ``ping``/``ssh`` calls: ``{"tool", "argv"}``."""
        path = self.state_dir / "host.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    def curl_calls(self) -> list[dict[str, Any]]:
        path = self.state_dir / "curl.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--fake-curl"]:
        return curl(argv[1:])
    if argv[:1] == ["--fake-ping"]:
        return ping(argv[1:])
    if argv[:1] == ["--fake-ssh"]:
        return ssh(argv[1:])
    return openstack(argv)


if __name__ == "__main__":
    sys.exit(main())
