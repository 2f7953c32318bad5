"""The layout kolla-ansible 19+ and init-runonce need on one host (issue 11, defects 3 and 5).

ProxySQL (on by default from kolla-ansible 19) listens on kolla_internal_vip_address:3306 and MariaDB on
the host's address:3306: with haproxy off they are one socket. init-runonce's demo network is
10.0.0.0/24 unless DEMO_NET_CIDR says otherwise (2023.1+): on a 10.0.0.0/24 LAN it collides with the
external network on demo-router.
"""

from __future__ import annotations

import yaml

from wizard.answers.resolve import resolve_answers
from wizard.answers.validation import validate_answers
from wizard.host.facts import Address, DefaultRoute, Nic
from wizard.kolla.globals_file import render_globals
from wizard.kolla.releases import get_release
from wizard.kolla.runonce import runonce_env

from .conftest import guide_host


def _errors(values, facts, key=None):
    return [str(p) for p in validate_answers(values, facts) if p.is_error and (key is None or p.key == key)]


def lan_10_0_0_host():
    """The guide's host moved to a 10.0.0.0/24 LAN (a common home/office network)."""
    facts = guide_host()
    nics = tuple(
        Nic(n.name, mac=n.mac, state=n.state, kind=n.kind, ipv4=(Address("10.0.0.20", 24, 4),))
        if n.name == "enp1s0"
        else n
        for n in facts.nics
    )
    return guide_host(
        nics=[n.__dict__ | {"ipv4": [a.__dict__ for a in n.ipv4]} for n in nics],
        default_route=DefaultRoute("enp1s0", "10.0.0.1", "test").__dict__,
    )


# --- defect 3: ProxySQL and MariaDB ----------------------------------------------------------------


def _globals(release: str, **given):
    facts = guide_host()
    values = resolve_answers(facts, {"openstack_release": release, **given}).values
    return yaml.safe_load(render_globals(values, get_release(release)).content), values, facts


def test_haproxy_off_on_2024_2_and_later_writes_enable_proxysql_no():
    for release in ("2024.2", "2025.1", "2025.2", "2026.1"):
        keys, _, _ = _globals(release)
        assert keys["enable_haproxy"] == "no"
        assert keys["enable_proxysql"] == "no", release


def test_releases_without_proxysql_by_default_get_no_enable_proxysql_key():
    keys, _, _ = _globals("2024.1")
    assert "enable_proxysql" not in keys


def test_haproxy_on_keeps_proxysql_with_a_separate_vip():
    keys, values, facts = _globals("2026.1", enable_haproxy="yes")
    assert "enable_proxysql" not in keys
    assert keys["kolla_internal_vip_address"] != "10.1.1.88"
    assert _errors(values, facts) == []


def test_extra_globals_that_turn_proxysql_back_on_with_haproxy_off_are_refused_naming_the_keys():
    for on in ("yes", True, "true", "{{ enable_mariadb }}"):
        _, values, facts = _globals("2025.1", extra_globals={"enable_proxysql": on})
        [error] = _errors(values, facts)
        assert error.startswith("extra_globals: enable_proxysql")
        assert 'enable_haproxy "no"' in error and "kolla_internal_vip_address:3306" in error


def test_extra_globals_proxysql_off_or_haproxy_on_is_accepted():
    _, values, facts = _globals("2025.1", extra_globals={"enable_proxysql": "no"})
    assert _errors(values, facts) == []
    _, values, facts = _globals("2025.1", enable_haproxy="yes", extra_globals={"enable_proxysql": "yes"})
    assert _errors(values, facts) == []


# --- defect 5: the demo network --------------------------------------------------------------------


def test_demo_network_default_is_init_runonces_own_when_it_overlaps_nothing():
    resolved = resolve_answers(guide_host(), {"openstack_release": "2026.1"})
    assert resolved["demo_net_cidr"].value == "10.0.0.0/24"
    assert "overlaps no network" in resolved["demo_net_cidr"].reason


def test_on_a_10_0_0_lan_the_demo_network_moves_to_a_free_24_and_says_why():
    facts = lan_10_0_0_host()
    resolved = resolve_answers(facts, {"openstack_release": "2026.1"})
    values = resolved.values
    assert values["ext_net_cidr"] == "10.0.0.0/24"
    assert values["demo_net_cidr"] == "10.0.1.0/24"
    assert "10.0.0.0/24 overlaps ext_net_cidr 10.0.0.0/24" in resolved["demo_net_cidr"].reason
    assert _errors(values, facts) == []
    env = runonce_env(values)
    assert (env["DEMO_NET_CIDR"], env["DEMO_NET_GATEWAY"]) == ("10.0.1.0/24", "10.0.1.1")


def test_a_demo_network_over_the_external_one_is_refused():
    facts = lan_10_0_0_host()
    values = resolve_answers(facts, {"openstack_release": "2026.1", "demo_net_cidr": "10.0.0.0/24"}).values
    [error] = _errors(values, facts)
    assert error == (
        "demo_net_cidr: 10.0.0.0/24 overlaps ext_net_cidr 10.0.0.0/24: Neutron refuses overlapping subnets on "
        "demo-router (e.g. 10.0.1.0/24)"
    )


def test_releases_that_hard_code_the_demo_network_refuse_a_10_0_0_lan_and_say_what_to_do():
    facts = lan_10_0_0_host()
    facts = guide_host(**{**facts.to_dict(), "os": {"id": "debian", "version_id": "11", "codename": "bullseye"}})
    values = resolve_answers(facts, {"openstack_release": "zed"}).values
    assert values["demo_net_cidr"] == "10.0.0.0/24"
    assert "DEMO_NET_CIDR" not in runonce_env(values)
    [error] = _errors(values, facts, "demo_net_cidr")
    assert "zed's init-runonce hard-codes the demo network 10.0.0.0/24" in error
    assert "2023.1 or later" in error
    values["run_init_runonce"] = False
    assert _errors(values, facts, "demo_net_cidr") == []


def test_releases_that_hard_code_the_demo_network_refuse_another_demo_cidr():
    facts = guide_host(os={"id": "debian", "version_id": "11", "codename": "bullseye"})
    values = resolve_answers(facts, {"openstack_release": "zed", "demo_net_cidr": "10.9.0.0/24"}).values
    [error] = _errors(values, facts, "demo_net_cidr")
    assert error.startswith("demo_net_cidr: zed's init-runonce hard-codes its demo network 10.0.0.0/24")
