"""The real probe on real interfaces: ``aio-wizard probe --json`` run inside network namespaces.

Each test builds a host with veth NICs (tests/support/netns.py), runs the CLI in it with
``ip netns exec``, and checks the facts and the defaults with their reasons. Namespaces are
removed by the fixture whether the test passes or not. Needs root; skipped otherwise.
"""

from __future__ import annotations

import json
import sys

import pytest

pytestmark = pytest.mark.root

PROBE = [sys.executable, "-m", "wizard", "probe", "--json", "--offline"]


def probe(host) -> dict:
    out = host.run(PROBE)
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    return json.loads(out.stdout)


def nics(doc: dict) -> dict[str, dict]:
    return {n["name"]: n for n in doc["facts"]["nics"]}


def defaults(doc: dict) -> dict[str, tuple]:
    return {k: (v["value"], v["reason"]) for k, v in doc["defaults"].items()}


def checks(doc: dict) -> dict[str, str]:
    return {c["id"]: c["status"] for c in doc["checks"]}


def test_one_nic_with_an_address_and_a_default_route(netns_host):
    host = netns_host("one").add_nic("enp1s0", "10.1.1.88/24", gateway="10.1.1.1")
    doc = probe(host)

    found = nics(doc)
    assert set(found) == {"lo", "enp1s0"}
    enp1s0 = found["enp1s0"]
    assert (enp1s0["kind"], enp1s0["state"], enp1s0["carrier"]) == ("veth", "up", True)
    assert enp1s0["ipv4"] == [{"address": "10.1.1.88", "prefixlen": 24, "family": 4}]
    assert enp1s0["mac"] and enp1s0["mtu"] == 1500
    assert found["lo"]["kind"] == "loopback"
    assert doc["facts"]["default_route"] == {
        "interface": "enp1s0",
        "gateway": "10.1.1.1",
        "source": "netifaces.gateways()",
    }

    d = defaults(doc)
    assert d["network_interface"] == ("enp1s0", "interface of the default route via 10.1.1.1")
    assert d["kolla_internal_vip_address"][0] == "10.1.1.88"
    assert d["ext_net_cidr"] == ("10.1.1.0/24", "the subnet of enp1s0 (10.1.1.88/24)")
    assert d["ext_net_gateway"] == ("10.1.1.1", "the default gateway (via enp1s0)")
    assert d["ext_net_range"][0] == {"start": "10.1.1.210", "end": "10.1.1.240"}
    value, reason = d["neutron_external_interface"]
    assert value is None
    assert "second NIC" in reason and "veth pair" in reason
    assert checks(doc)["external_nic"] == "fail"


def test_second_nic_up_with_only_ipv6_link_local_is_the_external_interface(netns_host):
    host = netns_host("two").add_nic("enp1s0", "10.1.1.88/24", gateway="10.1.1.1").add_nic("enp2s0", None)
    doc = probe(host)

    enp2s0 = nics(doc)["enp2s0"]
    assert enp2s0["state"] == "up" and enp2s0["ipv4"] == []
    assert [a["address"][:6] for a in enp2s0["ipv6"]] == ["fe80::"]
    assert enp2s0["ipv6"][0]["prefixlen"] == 64

    value, reason = defaults(doc)["neutron_external_interface"]
    assert value == "enp2s0"
    assert reason == "enp2s0 is up and has no IP address, but it is not a physical NIC (veth); fine for a test host"
    assert checks(doc)["external_nic"] == "warn"  # a veth: fine for a test, not for floating IPs on a LAN


def test_no_default_route(netns_host):
    host = netns_host("noroute").add_nic("enp1s0", "10.1.1.88/24").add_nic("enp2s0", None)
    doc = probe(host)

    assert doc["facts"]["default_route"] is None
    d = defaults(doc)
    assert d["network_interface"] == (
        "enp1s0",
        "no IPv4 default route; enp1s0 is the only interface up with an IPv4 address",
    )
    # probe shows what run would use: the subnet's first address, as a guess to check.
    assert d["ext_net_gateway"] == (
        "10.1.1.1",
        "the first address of 10.1.1.0/24 (there is no IPv4 default route): check it",
    )
    assert d["neutron_external_interface"][0] == "enp2s0"
    assert d["ext_net_cidr"][0] == "10.1.1.0/24"


def test_a_slash_30_leaves_no_room_for_a_floating_range(netns_host):
    host = netns_host("p2p").add_nic("enp1s0", "10.9.9.1/30", gateway="10.9.9.2").add_nic("enp2s0", None)
    doc = probe(host)

    d = defaults(doc)
    assert d["ext_net_cidr"][0] == "10.9.9.0/30"
    assert d["ext_net_gateway"][0] == "10.9.9.2"
    value, reason = d["ext_net_range"]
    assert value is None
    assert reason.startswith("10.9.9.0/30 is too small for floating IPs")


def test_bridges_and_their_ports_are_never_the_external_interface(netns_host):
    host = netns_host("br").add_nic("enp1s0", "10.1.1.88/24", gateway="10.1.1.1").add_nic("enp2s0", None)
    for args in ("add name br0 type bridge", "set enp2s0 master br0", "set br0 up"):
        assert host.run(["ip", "link", *args.split()]).returncode == 0
    doc = probe(host)

    found = nics(doc)
    assert found["br0"]["kind"] == "bridge"
    assert found["enp2s0"]["master"] == "br0"
    assert defaults(doc)["neutron_external_interface"][0] is None


def test_without_root_the_netns_tests_say_why_they_skip(monkeypatch):
    from tests.support import netns

    monkeypatch.setattr(netns.os, "geteuid", lambda: 1000)
    assert netns.netns_unavailable() == "needs root to create network namespaces"


def test_the_text_report_fits_80_columns_on_a_real_host(netns_host):
    host = netns_host("text").add_nic("enp1s0", "10.1.1.88/24", gateway="10.1.1.1").add_nic("enp2s0", None)
    out = host.run([sys.executable, "-m", "wizard", "probe", "--offline"])
    assert out.returncode == 0, out.stderr
    assert max(len(line) for line in out.stdout.splitlines()) <= 80
    assert "neutron_external_interface: enp2s0" in out.stdout
    assert "interface of the default route via 10.1.1.1" in out.stdout
