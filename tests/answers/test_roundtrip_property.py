"""export -> validate -> load gives back the same answers, for any valid set of answers."""

from __future__ import annotations

import ipaddress
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wizard.answers.answers_file import check_file, dump_answers, load_answers
from wizard.answers.validation import MANAGED_GLOBALS, SECRET_KEY, validate_answers
from wizard.kolla.releases import releases_for

from .conftest import guide_host

FACTS = guide_host()
NET = ipaddress.IPv4Network("10.1.1.0/24")
HOST = "10.1.1.88"
GATEWAY = "10.1.1.1"

segment = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,10}", fullmatch=True).filter(lambda s: s not in (".", ".."))
plain_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)
scalar = st.none() | st.booleans() | st.integers(-(2**40), 2**40) | plain_text
globals_key = st.from_regex(r"[a-z_][a-z0-9_]{0,20}", fullmatch=True).filter(
    lambda k: k not in MANAGED_GLOBALS and not SECRET_KEY.search(k) and k != "enable_proxysql"
)
extra_value = (
    scalar
    | st.lists(scalar, max_size=3)
    | st.dictionaries(st.from_regex(r"[a-z]{1,8}", fullmatch=True), scalar, max_size=3)
)


@st.composite
def valid_answers(draw) -> dict:
    release = draw(st.sampled_from([r.name for r in releases_for("12", "aarch64")]))
    haproxy = draw(st.sampled_from(["no", "yes"]))
    taken = {int(NET.network_address), int(NET.broadcast_address), int(ipaddress.IPv4Address(HOST))}
    gateway_int = draw(
        st.integers(int(NET.network_address) + 1, int(NET.broadcast_address) - 1).filter(lambda i: i not in taken)
    )
    taken.add(gateway_int)
    if haproxy == "no":
        vip = HOST
    else:
        vip_int = draw(
            st.integers(int(NET.network_address) + 1, int(NET.broadcast_address) - 1).filter(lambda i: i not in taken)
        )
        taken.add(vip_int)
        vip = str(ipaddress.IPv4Address(vip_int))
    start = draw(st.integers(int(NET.network_address) + 1, int(NET.broadcast_address) - 1))
    end = draw(st.integers(start, min(start + 40, int(NET.broadcast_address) - 1)))
    if any(start <= t <= end for t in taken):
        start = end = next(i for i in range(int(NET.broadcast_address) - 1, 0, -1) if i not in taken)
    source = draw(st.sampled_from(["pypi", "git"]))
    return {
        "openstack_release": release,
        "image_source": draw(st.sampled_from(["pull", "build"])),
        "kolla_ansible_source": source,
        "kolla_ansible_git_ref": draw(st.sampled_from([f"stable/{release}", "master", "refs/changes/12/3456/7"])),
        "venv_path": draw(st.sampled_from(["/opt", "/srv", "/var/lib/aio-wizard", "/data"]))
        + "/"
        + "/".join(draw(st.lists(segment, min_size=1, max_size=3))),
        "debug_tools": draw(
            st.lists(st.from_regex(r"[a-z0-9][a-z0-9+.-]{0,11}[a-z0-9.]", fullmatch=True), unique=True, max_size=5)
        ),
        "remove_docker_io": draw(st.booleans()),
        "apt_archive_for_eol": draw(st.booleans()),
        "network_interface": "enp1s0",
        "enable_haproxy": haproxy,
        "kolla_internal_vip_address": vip,
        "neutron_external_interface": "enx00051bb122ed",
        "kolla_base_distro": "debian",
        "nova_compute_virt_type": draw(st.sampled_from(["kvm", "qemu"])),
        "openstack_tag_suffix": "-aarch64",
        "docker_registry": draw(st.sampled_from(["quay.io", "", "registry.local:5000", "10.1.1.5:4000"])),
        "docker_namespace": draw(st.sampled_from(["openstack.kolla", "kolla", "my-org/kolla"])),
        "extra_globals": draw(st.dictionaries(globals_key, extra_value, max_size=4)),
        "ext_net_cidr": str(NET),
        "ext_net_gateway": str(ipaddress.IPv4Address(gateway_int)),
        "ext_net_range": {"start": str(ipaddress.IPv4Address(start)), "end": str(ipaddress.IPv4Address(end))},
        "demo_net_cidr": draw(st.sampled_from(["10.0.0.0/24", "192.168.100.0/24", "10.0.8.0/22"])),
        "run_init_runonce": draw(st.booleans()),
        "verify_cloud": draw(st.booleans()),
    }


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_answers())
def test_export_validate_load_gives_back_the_same_answers(values):
    assert [p for p in validate_answers(values, FACTS) if p.is_error] == []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "answers.yaml"
        path.write_text(dump_answers(values))
        assert [p.text for p in check_file(path, FACTS) if p.is_error] == []
        assert load_answers(path, FACTS, complete=True) == values
