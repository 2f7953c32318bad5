"""Detected defaults from facts built in the test: the value, and a reason the user can check."""

from __future__ import annotations

import ipaddress

import pytest

from tests.host.conftest import GUIDE_HOST, LO, host, nic
from wizard.answers.defaults import (
    PROBED_KEYS,
    Default,
    detect_ext_net_cidr,
    detect_external_interface,
    detect_network_interface,
    detect_vip,
    detect_virt_type,
    detected_defaults,
    free_block,
)
from wizard.answers.derive import ext_net_gateway_default, ext_net_range_default
from wizard.answers.resolve import resolve_answers
from wizard.host.facts import Address, DefaultRoute, HostFacts


def test_network_interface_is_the_default_routes():
    found = detect_network_interface(GUIDE_HOST)
    assert found == Default("enp1s0", "interface of the default route via 10.1.1.1")


def test_network_interface_without_default_route_is_the_only_one_with_ipv4():
    facts = host(nic("enp1s0", "10.1.1.88/24"), nic("enp2s0"), gateway=None)
    found = detect_network_interface(facts)
    assert found.value == "enp1s0"
    assert "no IPv4 default route" in found.reason


def test_network_interface_without_default_route_and_two_candidates_is_left_to_the_user():
    facts = host(nic("enp1s0", "10.1.1.88/24"), nic("enp2s0", "192.168.0.5/24"), gateway=None)
    found = detect_network_interface(facts)
    assert found.value is None
    assert "enp1s0, enp2s0" in found.reason


def test_external_interface_is_the_physical_nic_without_ip_as_in_the_guide():
    found = detect_external_interface(GUIDE_HOST)
    assert found.value == "enx00051bb122ed"
    assert found.reason == "enx00051bb122ed is up, physical and has no IP address (Neutron adds it to br-ex)"


def test_external_interface_prefers_physical_over_veth():
    facts = host(nic("enp1s0", "10.1.1.88/24"), nic("veth-ext", kind="veth"), nic("enp9s0"))
    assert detect_external_interface(facts).value == "enp9s0"


def test_external_interface_takes_a_veth_when_nothing_physical_and_says_so():
    facts = host(nic("enp1s0", "10.1.1.88/24", kind="veth"), nic("enp2s0", kind="veth"))
    found = detect_external_interface(facts)
    assert found.value == "enp2s0"
    assert "not a physical NIC (veth)" in found.reason


@pytest.mark.parametrize(
    "other",
    [
        nic("br0", kind="bridge"),
        nic("docker0", kind="docker"),
        nic("ovs-system", kind="ovs"),
        nic("enp3s0", kind="bond-member", master="bond0"),
        nic("enp4s0", master="br0"),
        nic("enp5s0", "192.168.1.10/24"),
        nic("enp6s0", ipv6=(Address("2001:db8::10", 64, 6),)),
    ],
    ids=["bridge", "docker", "ovs", "bond-member", "bridge-port", "has-ipv4", "has-global-ipv6"],
)
def test_external_interface_never_takes(other):
    facts = host(nic("enp1s0", "10.1.1.88/24"), other)
    found = detect_external_interface(facts)
    assert found.value is None
    assert "veth pair" in found.reason and "second NIC" in found.reason


def test_external_interface_none_mentions_nics_that_are_down():
    facts = host(nic("enp1s0", "10.1.1.88/24"), nic("enp2s0", state="down"))
    found = detect_external_interface(facts)
    assert found.value is None
    assert "enp2s0 is down" in found.reason and "ip link set enp2s0 up" in found.reason


def test_external_interface_follows_a_chosen_management_interface():
    facts = host(nic("enp1s0", "10.1.1.88/24"), nic("enp2s0"))
    assert detect_external_interface(facts, "enp2s0").value is None


def test_vip_is_the_address_of_the_management_interface():
    found = detect_vip(GUIDE_HOST)
    assert found.value == "10.1.1.88"
    assert "enp1s0" in found.reason and "enable_haproxy" in found.reason


def test_a_link_local_only_management_nic_gives_no_vip_or_cidr_as_validation_says():
    facts = host(nic("enp1s0", "169.254.7.9/16"), nic("enx00051bb122ed"))
    assert facts.usable_ipv4("enp1s0") is None
    for found in (detect_vip(facts, "enp1s0"), detect_ext_net_cidr(facts, "enp1s0")):
        assert found.value is None and "enp1s0 has no IPv4 address" in found.reason


def test_virt_type_kvm_or_qemu_with_the_probe_reason():
    assert detect_virt_type(GUIDE_HOST) == Default("kvm", "KVM is usable: kvm-ok says: KVM acceleration can be used")
    slow = detect_virt_type(host(nic("enp1s0", "10.1.1.88/24"), kvm=False))
    assert slow.value == "qemu"
    assert "/dev/kvm does not exist" in slow.reason


def test_external_network_as_in_the_guide():
    assert detect_ext_net_cidr(GUIDE_HOST) == Default("10.1.1.0/24", "the subnet of enp1s0 (10.1.1.88/24)")
    gateway = ext_net_gateway_default(GUIDE_HOST, "10.1.1.0/24")
    assert gateway == Default("10.1.1.1", "the default gateway (via enp1s0)")
    found = ext_net_range_default(GUIDE_HOST, "10.1.1.0/24", gateway.value, "10.1.1.88")
    assert found.value == {"start": "10.1.1.210", "end": "10.1.1.240"}  # the guide's EXT_NET_RANGE
    assert "31 addresses near the top of 10.1.1.0/24" in found.reason


def test_range_avoids_host_gateway_and_vip_high_in_the_subnet():
    facts = host(nic("enp1s0", "10.1.1.230/24"), gateway="10.1.1.254")
    found = resolve_answers(facts)["ext_net_range"]
    start, end = (ipaddress.IPv4Address(found.value[k]) for k in ("start", "end"))
    taken = {ipaddress.IPv4Address(a) for a in ("10.1.1.230", "10.1.1.254", "10.1.1.0", "10.1.1.255")}
    assert not any(start <= ip <= end for ip in taken)
    assert int(end) - int(start) + 1 == 31
    assert start > ipaddress.IPv4Address("10.1.1.128")


def test_range_in_a_slash_30_does_not_fit_and_says_so():
    facts = host(nic("enp1s0", "10.9.9.1/30"), gateway="10.9.9.2")
    found = resolve_answers(facts)["ext_net_range"]
    assert found.value is None
    assert "10.9.9.0/30 is too small" in found.reason


@pytest.mark.parametrize("prefix", range(8, 31))
def test_free_block_never_holds_a_taken_network_or_broadcast_address(prefix):
    net = ipaddress.IPv4Network(f"10.0.0.0/{prefix}")
    taken = {net.network_address + 1, net.broadcast_address - 1}
    block = free_block(net, taken)
    if block is None:
        assert net.num_addresses <= 4
        return
    start, end = block
    assert net.network_address < start <= end < net.broadcast_address
    assert not any(start <= ip <= end for ip in taken)
    assert int(end) - int(start) + 1 <= 31


def test_no_default_route_leaves_the_gateway_to_the_user():
    # What run uses: the subnet's first address, offered as a guess the user must check.
    facts = host(nic("enp1s0", "10.1.1.88/24"), gateway=None)
    found = resolve_answers(facts)["ext_net_gateway"]
    assert found.value == "10.1.1.1"
    assert "no IPv4 default route" in found.reason and "check it" in found.reason


def test_detected_defaults_has_every_answer_key_with_a_reason():
    found = detected_defaults(GUIDE_HOST)
    assert list(found) == [
        "network_interface",
        "neutron_external_interface",
        "kolla_internal_vip_address",
        "nova_compute_virt_type",
        "ext_net_cidr",
        "ext_net_gateway",
        "ext_net_range",
    ]
    assert all(isinstance(d, Default) and d.reason for d in found.values())


# A default route whose gateway is not in the management subnet (an off-link router, or a route
# through another LAN): the external network's gateway must come from the external subnet.
OFF_SUBNET_ROUTE = HostFacts(
    arch="aarch64",
    nics=(LO, nic("enp1s0", "10.1.1.88/24"), nic("enp2s0")),
    default_route=DefaultRoute("enp1s0", "192.168.0.1", "netifaces.gateways()"),
)


@pytest.mark.parametrize(
    "facts",
    [
        GUIDE_HOST,
        OFF_SUBNET_ROUTE,
        host(nic("enp1s0", "10.1.1.88/24"), gateway=None),
        host(nic("enp1s0", "10.1.1.230/24"), gateway="10.1.1.254"),
        host(nic("enp1s0", "10.9.9.1/30"), gateway="10.9.9.2"),
        host(nic("enp1s0", "10.1.1.88/24"), nic("enp2s0", "192.168.0.5/24"), gateway=None),
    ],
    ids=["guide", "off-subnet-route", "no-route", "gateway-at-top", "slash-30", "no-management-nic"],
)
def test_probe_shows_the_defaults_run_uses(facts):
    """``probe`` prints what an install would take: the resolved answers, value and reason."""
    resolved = resolve_answers(facts)
    found = detected_defaults(facts)
    assert list(found) == list(PROBED_KEYS)
    for key, default in found.items():
        assert default == Default(resolved[key].value, resolved[key].reason), key


def test_probe_gateway_follows_the_management_subnet_not_an_off_subnet_default_route():
    found = detected_defaults(OFF_SUBNET_ROUTE)
    assert found["ext_net_cidr"].value == "10.1.1.0/24"
    assert found["ext_net_gateway"].value == "10.1.1.1"  # was 192.168.0.1, outside the external network
    assert "the default gateway is not in it" in found["ext_net_gateway"].reason
    assert found["ext_net_range"].value == {"start": "10.1.1.210", "end": "10.1.1.240"}


def test_defaults_accept_a_context_carrying_facts():
    class Ctx:
        facts = GUIDE_HOST

    assert detect_network_interface(Ctx()).value == "enp1s0"


def test_host_ipv4s_are_every_address_of_every_nic_link_local_too():
    facts = host(nic("enp1s0", "10.1.1.88/24"), nic("enp2s0", "169.254.7.9/16"), nic("enp3s0"))
    assert facts.host_ipv4s() == {ipaddress.IPv4Address(a) for a in ("127.0.0.1", "10.1.1.88", "169.254.7.9")}
