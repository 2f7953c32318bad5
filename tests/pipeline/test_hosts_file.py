"""The hosts-file step: after it, ``getent ahostsv4 $(hostname)`` gives the management address only.

kolla's rabbitmq precheck fails unless every address the hostname resolves to is the
api_interface address. The probe, the step and its done-check read /etc/hosts alike: what the
probe warns about (a 127.0.1.1 line) is what the step removes, and the done-check is "the file
already reads as the step would write it". Temporary roots only.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pipeline.conftest import release_plan
from wizard.host.services import cloud_init_manages_etc_hosts, hosts_127_0_1_1, parse_hosts
from wizard.pipeline.hostsfile import hosts_for_management
from wizard.pipeline.runner import apply_file

ADDRESS = "10.1.1.88"  # the guide host's enp1s0 (tests/pipeline/hosts.py)


def _ahostsv4(text: str, name: str) -> list[str]:
    """What glibc's files backend gives ``getent ahostsv4 NAME``: every IPv4 line naming it."""
    return [a for a, names in parse_hosts(text) if name in names and ":" not in a]


@pytest.mark.parametrize(
    "hosts",
    [
        "127.0.0.1\tlocalhost\n127.0.1.1\taio.example.org\taio\n\n::1 localhost ip6-localhost\n",  # Debian's installer
        "127.0.0.1 localhost\n10.9.9.9 aio.example.org aio\n",  # renumbered host: the old address stays
        "127.0.0.1 localhost aio\n",  # the hostname on the loopback line
        "127.0.0.1 localhost\n192.168.0.5 aio  # cloned image\n10.1.1.88 aio\n",  # stale and right
        "127.0.0.1 localhost\n10.9.9.9 aio.example.org nas\n",  # the FQDN only, with another name
        "127.0.0.1 localhost\n  127.0.1.1 AIO\n10.1.1.88 other\n",  # case, blanks, the address for another name
        "",  # empty
        None,  # missing
    ],
)
def test_the_hostname_resolves_to_the_management_address_only(hosts, tmp_path):
    new = hosts_for_management(hosts, "aio", ADDRESS)
    assert _ahostsv4(new, "aio") in ([ADDRESS], [ADDRESS, ADDRESS])
    assert all(a == ADDRESS for a, names in parse_hosts(new) if any(n.lower().startswith("aio") for n in names))
    if hosts is None or "localhost" in hosts:
        assert "localhost" in {n for _, names in parse_hosts(new) for n in names}
    assert hosts_for_management(new, "aio", ADDRESS) == new  # the done-check: already as wanted
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/hosts").write_text(new)
    assert hosts_127_0_1_1(tmp_path)[0] is None  # nothing left for the probe to warn about


def test_other_names_and_ipv6_lines_are_kept():
    hosts = "127.0.0.1 localhost aio\n::1 localhost aio\n10.1.1.7 nas  # storage\n"
    new = hosts_for_management(hosts, "aio.example.org", ADDRESS)
    assert new.splitlines() == [
        "127.0.0.1\tlocalhost  # aio-wizard: aio resolve to 10.1.1.88 only",
        "::1 localhost aio",
        "10.1.1.7 nas  # storage",
        "10.1.1.88\taio.example.org aio",
    ]


def test_the_fqdn_found_in_the_file_is_kept_first_on_the_new_line():
    new = hosts_for_management("127.0.1.1\taio.example.org\taio\n", "aio", ADDRESS)
    assert new == "#127.0.1.1\taio.example.org\taio\n10.1.1.88\taio.example.org aio\n"


def test_the_step_writes_it_with_a_backup_before_bootstrap_servers_and_is_then_done(tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/hosts").write_text("127.0.0.1 localhost\n127.0.1.1 aio\n10.9.9.9 aio\n")
    plan = release_plan("2025.1", tmp_path)
    ids = list(plan.step_ids)
    assert ids.index("hosts-file") < ids.index("bootstrap-servers")
    step = plan.step("hosts-file")
    assert step.is_done(tmp_path) is None
    (hosts,) = step.files
    assert hosts.backup
    apply_file(hosts, tmp_path)
    assert _ahostsv4((tmp_path / "etc/hosts").read_text(), "aio") == [ADDRESS]
    assert (tmp_path / "etc/hosts.aio-wizard.bak").read_text() == "127.0.0.1 localhost\n127.0.1.1 aio\n10.9.9.9 aio\n"
    assert step.is_done(tmp_path)
    assert step.done_check_display.startswith("the hostname already resolves to the management address only")


def test_cloud_init_that_manages_etc_hosts_is_told_not_to(tmp_path):
    cloud = tmp_path / "etc/cloud"
    (cloud / "cloud.cfg.d").mkdir(parents=True)
    (cloud / "cloud.cfg").write_text("manage_etc_hosts: true\nusers: [default]\n")
    assert cloud_init_manages_etc_hosts(tmp_path)[0] is True
    plan = release_plan("2025.1", tmp_path, facts={"cloud_init_manages_etc_hosts": True})
    _, off = plan.step("hosts-file").files
    assert off.path == "/etc/cloud/cloud.cfg.d/99-aio-wizard.cfg"
    apply_file(off, tmp_path)
    assert cloud_init_manages_etc_hosts(tmp_path) == (False, str(cloud / "cloud.cfg.d/99-aio-wizard.cfg"))
    assert len(release_plan("2025.1", tmp_path).step("hosts-file").files) == 1


@pytest.mark.parametrize(
    ("files", "manages"),
    [
        ({}, False),
        ({"etc/cloud/cloud.cfg": "users: [default]\n"}, False),
        ({"etc/cloud/cloud.cfg": "manage_etc_hosts: localhost\n"}, True),
        ({"etc/cloud/cloud.cfg.d/50-x.cfg": "manage_etc_hosts: template\n"}, True),
        ({"var/lib/cloud/instance/cloud-config.txt": "#cloud-config\nmanage_etc_hosts: true\n"}, True),
    ],
)
def test_the_probe_reads_manage_etc_hosts_where_cloud_init_does(files, manages, tmp_path):
    (tmp_path / "etc/cloud").mkdir(parents=True)
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    assert cloud_init_manages_etc_hosts(tmp_path)[0] is manages
    assert cloud_init_manages_etc_hosts(Path(tmp_path / "nowhere"))[0] is False
