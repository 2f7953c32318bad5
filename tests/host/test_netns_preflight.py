"""The preflight checks on real interfaces, sockets and packets, inside network namespaces.

Every host is a namespace the test builds (tests/support/netns.py) with veth NICs whose far ends
live in a second namespace; servers, the "VIP" and the "proxy" live there too. No packet leaves
the two namespaces, and both are deleted (their processes killed) whether the test passes or not.
Needs root; skipped otherwise.
"""

from __future__ import annotations

import json
import sys
import time

import pytest

pytestmark = pytest.mark.root

PROBE = [sys.executable, "-m", "wizard", "probe", "--json"]
#: A TCP server: listens on ADDRESS:PORT, says "ready", accepts until killed.
SERVER = (
    "import socket, sys\n"
    "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
    "s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(16); print('ready', flush=True)\n"
    "while True:\n    s.accept()[0].close()\n"
)
#: The live probe, run inside the host namespace; prints what it found as JSON.
LIVE = (
    "import json, sys, time\n"
    "from wizard.host.reach import Endpoint, NetworkProbe\n"
    "spec = json.loads(sys.argv[1])\n"
    "probe = NetworkProbe(env=spec.get('env', {}), budget=spec.get('budget', 5.0))\n"
    "if 'vips' in spec:\n"
    "    print(json.dumps([probe.vip_answers(v, 'enp1s0') for v in spec['vips']]))\n"
    "else:\n"
    "    start = time.monotonic()\n"
    "    found = probe.reach([Endpoint(n, h, p) for n, h, p in spec['endpoints']])\n"
    "    print(json.dumps({'seconds': time.monotonic() - start,\n"
    "                      'results': [[r.endpoint.name, r.ok, r.stage, r.via] for r in found]}))\n"
)


def guide(netns_host, name: str, **second):
    """The guide's network: enp1s0 10.1.1.88/24 via 10.1.1.1, enp2s0 up without an address."""
    return netns_host(name).add_nic("enp1s0", "10.1.1.88/24", gateway="10.1.1.1").add_nic("enp2s0", None, **second)


def probe(host, *extra: str, env: dict | None = None) -> dict:
    out = host.run([*PROBE, *extra], env=env or {})
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def checks(doc: dict) -> dict[str, dict]:
    return {c["id"]: c for c in doc["checks"]}


def live(host, spec: dict) -> object:
    out = host.run([sys.executable, "-c", LIVE, json.dumps(spec)])
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_a_listener_on_a_kolla_port_is_named_with_its_process(netns_host):
    host = guide(netns_host, "port")
    server = host.spawn([sys.executable, "-c", SERVER, "0.0.0.0", "5000"], ready="ready")
    doc = probe(host, "--offline")

    held = [x for x in doc["facts"]["listeners"] if x["port"] == 5000]
    assert held == [
        {"port": 5000, "address": "0.0.0.0", "family": 4, "pid": server.pid, "process": held[0]["process"],
         "in_container": False}
    ]  # fmt: skip
    assert held[0]["process"].startswith("python")
    found = checks(doc)["ports"]
    assert found["status"] == "fail"
    assert found["reason"] == f"5000 (keystone) held by {held[0]['process']} (pid {server.pid})"


def test_the_ssh_session_over_the_external_nic_fails(netns_host):
    host = guide(netns_host, "ssh")
    assert host.run(["ip", "route", "add", "192.0.2.0/24", "dev", "enp2s0"]).returncode == 0

    over = probe(host, "--offline", env={"SSH_CONNECTION": "192.0.2.7 51234 10.1.1.88 22"})
    assert over["facts"]["ssh_client_interface"] == "enp2s0"
    found = checks(over)["ssh_route"]
    assert found["status"] == "fail" and "192.0.2.7 is reached over enp2s0, the external NIC" in found["reason"]

    lan = probe(host, "--offline", env={"SSH_CONNECTION": "10.1.1.50 51234 10.1.1.88 22"})
    assert checks(lan)["ssh_route"]["reason"] == "the SSH client 10.1.1.50 is reached over enp1s0"


def test_an_unplugged_second_nic_is_found_by_its_carrier(netns_host):
    host = guide(netns_host, "carrier", wait_link_local=False)
    assert host.run_peer(["ip", "link", "set", "peer1", "down"]).returncode == 0  # the cable pulled
    doc = probe(host, "--offline")
    enp2s0 = next(n for n in doc["facts"]["nics"] if n["name"] == "enp2s0")
    assert enp2s0["carrier"] is False
    found = checks(doc)["external_nic"]
    assert found["status"] == "fail" and "enp2s0 is up but has no carrier" in found["reason"]


def test_a_small_mtu_on_the_management_nic_warns(netns_host):
    host = netns_host("mtu").add_nic("enp1s0", "10.1.1.88/24", gateway="10.1.1.1", mtu=1450).add_nic("enp2s0", None)
    found = checks(probe(host, "--offline"))["mtu"]
    assert found["status"] == "warn" and "enp1s0 has MTU 1450" in found["reason"]


def test_a_vip_in_use_answers_and_a_free_one_does_not(netns_host):
    host = guide(netns_host, "vip")
    assert host.run_peer(["ip", "addr", "add", "10.1.1.250/24", "dev", "peer0"]).returncode == 0
    assert live(host, {"vips": ["10.1.1.250", "10.1.1.251"]}) == [
        [True, "10.1.1.250 answered a ping"],
        [False, "no answer to a ping or an ARP request"],
    ]


def test_a_vip_that_ignores_ping_still_answers_arp(netns_host):
    host = guide(netns_host, "arp")
    assert host.run_peer(["ip", "addr", "add", "10.1.1.250/24", "dev", "peer0"]).returncode == 0
    quiet = "open('/proc/sys/net/ipv4/icmp_echo_ignore_all', 'w').write('1')"  # the peer namespace's own sysctl
    assert host.run_peer([sys.executable, "-c", quiet]).returncode == 0
    assert live(host, {"vips": ["10.1.1.250"]}) == [[True, "10.1.1.250 answered an ARP request on enp1s0"]]


def test_egress_tells_reachable_refused_and_silent_endpoints_apart_within_the_budget(netns_host):
    host = guide(netns_host, "egress")
    host.spawn([sys.executable, "-c", SERVER, "10.1.1.1", "8443"], peer=True, ready="ready")
    spec = {
        "budget": 1.0,
        "endpoints": [["up", "10.1.1.1", 8443], ["refused", "10.1.1.1", 8444], ["silent", "10.1.1.77", 443]],
    }
    found = live(host, spec)
    assert found["results"] == [
        ["up", True, "ok", None],
        ["refused", False, "connect", None],
        ["silent", False, "timeout", None],  # nobody answers ARP for it: only the budget ends the wait
    ]
    assert found["seconds"] < 2.0


def test_probe_checks_egress_through_the_proxy_and_wants_the_host_in_no_proxy(netns_host):
    host = guide(netns_host, "proxy")
    host.spawn([sys.executable, "-c", SERVER, "10.1.1.1", "3128"], peer=True, ready="ready")
    env = {"http_proxy": "http://10.1.1.1:3128", "https_proxy": "http://10.1.1.1:3128", "no_proxy": "localhost"}
    started = time.monotonic()
    doc = probe(host, env=env)  # live: every endpoint goes to the proxy, a numeric address (no DNS)
    assert time.monotonic() - started < 15
    found = checks(doc)
    assert found["egress"]["status"] == "pass" and "through the proxy" in found["egress"]["reason"]
    assert found["no_proxy"]["status"] == "warn" and "10.1.1.88" in found["no_proxy"]["reason"]
    assert doc["facts"]["proxy_env"]["https_proxy"] == "http://10.1.1.1:3128"


def test_probe_without_a_way_out_fails_egress_within_its_bound(netns_host):
    host = guide(netns_host, "noegress")
    started = time.monotonic()
    doc = probe(host, env={"http_proxy": "", "https_proxy": "", "HTTP_PROXY": "", "HTTPS_PROXY": ""})
    assert time.monotonic() - started < 15  # the interpreter's start and the probe, plus at most 5 s of egress
    assert checks(doc)["egress"]["status"] == "fail"
