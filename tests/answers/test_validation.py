"""Validation rules, per field (live, as the user types) and across fields."""

from __future__ import annotations

import pytest

from wizard.answers.resolve import resolve_answers
from wizard.answers.validation import normalize_value, validate_answers, validate_field

from .conftest import guide_host


@pytest.fixture
def answers() -> dict:
    return resolve_answers(guide_host()).values


def _messages(problems) -> list[str]:
    return [str(p) for p in problems]


def test_every_problem_names_its_key(answers):
    facts = guide_host()
    bad = {**answers, "network_interface": "eth9", "ext_net_gateway": "1.2.3.4", "venv_path": "x"}
    problems = validate_answers(bad, facts)
    assert {p.key for p in problems} >= {"network_interface", "ext_net_gateway", "venv_path"}
    for p in problems:
        assert str(p).startswith(f"{p.key}: ")


def test_validate_field_checks_one_value_live(answers):
    facts = guide_host()
    assert validate_field("ext_net_cidr", "10.1.1.0/24", answers, facts) == []
    assert _messages(validate_field("ext_net_cidr", "10.1.1.0/33", answers, facts)) == [
        "ext_net_cidr: '10.1.1.0/33' is not an IPv4 CIDR (e.g. 10.1.1.0/24)"
    ]
    assert _messages(validate_field("nosuch", 1, answers, facts)) == ["nosuch: unknown answer"]
    assert _messages(validate_field("venv_path", None, answers, facts)) == ["venv_path: missing; e.g. /opt/kolla-venv"]


def test_missing_keys_are_errors_unless_partial(answers):
    facts = guide_host()
    del answers["venv_path"]
    assert _messages(validate_answers(answers, facts)) == ["venv_path: missing; e.g. /opt/kolla-venv"]
    assert validate_answers(answers, facts, partial=True) == []


def test_external_interface_down_is_a_warning_not_an_error(answers):
    problems = validate_field("neutron_external_interface", "eth3", answers, guide_host())
    assert [(p.severity, p.message) for p in problems] == [
        ("warning", "eth3 is down: floating IPs will not be reachable until it is up")
    ]


def test_kvm_without_kvm_is_a_loud_warning(answers):
    from wizard.host.facts import Virtualization

    facts = guide_host(virt=Virtualization(False, "/dev/kvm does not exist").__dict__)
    problems = validate_field("nova_compute_virt_type", "kvm", answers, facts)
    assert len(problems) == 1 and problems[0].severity == "warning"
    assert "KVM IS NOT USABLE ON THIS HOST (/dev/kvm does not exist)" in problems[0].message
    assert validate_field("nova_compute_virt_type", "qemu", answers, facts) == []


def test_release_must_support_the_hosts_debian_and_arch(answers):
    facts = guide_host(os={"id": "debian", "version_id": "11", "codename": "bullseye"})
    problems = validate_field("openstack_release", "2026.1", answers, facts)
    assert _messages(problems) == [
        "openstack_release: 2026.1 does not support Debian 11 (bullseye); it supports Debian 12, 13 (e.g. 2024.1)"
    ]
    ubuntu_images = {**answers, "kolla_base_distro": "ubuntu"}
    problems = validate_field("openstack_release", "2025.1", ubuntu_images, guide_host())
    assert "publishes no arm64 images for ubuntu" in problems[0].message


def test_build_warns_that_it_takes_hours(answers):
    problems = validate_field("image_source", "build", answers, guide_host())
    assert [p.severity for p in problems] == ["warning"] and "hours" in problems[0].message


def test_range_reports_every_taken_address_it_holds(answers):
    answers["kolla_internal_vip_address"] = "10.1.1.88"
    problems = validate_field("ext_net_range", {"start": "10.1.1.0", "end": "10.1.1.100"}, answers, guide_host())
    held = [p.message.split(" holds ")[1].split(" (e.g.")[0] for p in problems]
    assert held == ["the network address 10.1.1.0", "the gateway 10.1.1.1", "the VIP 10.1.1.88"]


@pytest.mark.parametrize(
    ("key", "raw", "normal"),
    [
        ("openstack_release", 2023.1, "2023.1"),
        ("openstack_release", "Train", "train"),
        ("enable_haproxy", False, "no"),
        ("enable_haproxy", True, "yes"),
        ("ext_net_range", "start=10.1.1.210,end=10.1.1.240", {"start": "10.1.1.210", "end": "10.1.1.240"}),
        ("network_interface", "enp1s0", "enp1s0"),
    ],
)
def test_yaml_surprises_are_normalized(key, raw, normal):
    assert normalize_value(key, raw) == normal


@pytest.mark.parametrize(
    "name",
    ["enp1s0", "eth0", "enx00051bb122ed", "br-ex", "bond0.100", "veth_a", "a" * 15],
)
def test_real_interface_names_pass(name):
    from wizard.answers.patterns import check_interface

    assert check_interface(name) is None


@pytest.mark.parametrize(
    "name", ["", ".", "..", "a" * 16, "eth 0", "eth0\n", "eth/0", "eth:0", "-x", "$(id)", "a;b", "a`b`", "é0"]
)
def test_interface_names_outside_the_kernels_rules_or_with_metacharacters_fail(name):
    from wizard.answers.patterns import check_interface

    assert check_interface(name) is not None


# --- examples in messages, and validating every field at once ---------------------------------------

GUIDE_RANGE = "{start: 10.1.1.210, end: 10.1.1.240}"


@pytest.mark.parametrize(
    "cidr, gateway, vip, value",
    [
        # a /31 has no room for a range: free_block gives up on any prefix longer than /30
        ("10.1.1.0/31", "10.1.1.0", "10.1.1.88", {"start": "10.1.1.1", "end": "10.1.1.0"}),
        # a /30 whose two usable addresses are the gateway and the VIP
        ("10.9.9.0/30", "10.9.9.1", "10.9.9.2", {"start": "10.9.9.1", "end": "10.9.9.2"}),
    ],
    ids=["slash-31", "slash-30-full"],
)
def test_range_problems_in_a_subnet_without_room_fall_back_to_the_guide_example(answers, cidr, gateway, vip, value):
    facts = guide_host()
    others = {**answers, "ext_net_cidr": cidr, "ext_net_gateway": gateway, "kolla_internal_vip_address": vip}
    problems = validate_field("ext_net_range", value, others, facts)  # was: TypeError on found.value['start']
    assert problems and all(p.key == "ext_net_range" for p in problems)
    assert all(p.message.endswith(f"(e.g. {GUIDE_RANGE})") for p in problems)


def _haproxy(answers: dict, vip: str) -> dict:
    return {**answers, "enable_haproxy": "yes", "kolla_internal_vip_address": vip}


@pytest.mark.parametrize(
    "vip, message",
    [
        ("10.1.1.255", "10.1.1.255 is the network or broadcast address of 10.1.1.0/24 (e.g. 10.1.1.253)"),
        ("10.2.0.1", "10.2.0.1 is not in enp1s0's subnet 10.1.1.0/24 (e.g. 10.1.1.253)"),
        (
            "10.1.1.88",
            'with enable_haproxy "yes" the VIP must be an unused address, not the host\'s 10.1.1.88 (e.g. 10.1.1.253)',
        ),
    ],
)
def test_haproxy_vip_example_is_never_the_gateway(answers, vip, message):
    # The router at the top of the subnet: the example used to be broadcast-1, i.e. the gateway.
    facts = guide_host(default_route={"interface": "enp1s0", "gateway": "10.1.1.254", "source": "test"})
    problems = validate_field("kolla_internal_vip_address", vip, _haproxy(answers, vip), facts)
    assert [p.message for p in problems] == [message]


def test_haproxy_vip_example_is_left_out_when_the_subnet_has_no_free_address(answers):
    nics = guide_host().to_dict()["nics"]
    nics[1]["ipv4"] = [{"address": "10.1.1.88", "prefixlen": 32, "family": 4}]
    facts = guide_host(nics=nics)
    problems = validate_field("kolla_internal_vip_address", "10.1.1.88", _haproxy(answers, "10.1.1.88"), facts)
    assert [p.message for p in problems] == ["10.1.1.88 is the network or broadcast address of 10.1.1.88/32"]


def test_validate_answers_normalises_the_answers_once(answers, monkeypatch):
    from wizard.answers import validation

    calls = []
    real = validation.normalize_value

    def counting(key, value):
        calls.append(key)
        return real(key, value)

    monkeypatch.setattr(validation, "normalize_value", counting)
    validate_answers(answers, guide_host())
    assert len(calls) == len(answers)  # was 483 for 21 answers: every field normalised them all again


def test_validate_answers_finds_what_validate_field_finds_field_by_field(answers):
    facts = guide_host()
    raw = {
        **answers,
        "openstack_release": 2025.1,  # YAML 1.1 read it as a float
        "enable_haproxy": True,  # and "yes" as True
        "kolla_internal_vip_address": "10.1.1.88",
        "ext_net_range": "start=10.1.1.1,end=10.1.1.240",  # init-runonce's own form, holding the gateway
        "venv_path": "relative",
    }
    one_by_one = [p for key, value in raw.items() for p in validate_field(key, value, raw, facts)]
    together = validate_answers(raw, facts)
    assert together == one_by_one
    assert {p.key for p in together} >= {"kolla_internal_vip_address", "ext_net_range", "venv_path"}
