"""Fixtures for the answers tests: the guide's host as facts, and kolla-ansible's real example files.

The example files (globals.yml, init-runonce) come from the kolla-ansible wheels on PyPI, fetched
once with ``pip download`` into ``tests/.cache`` (ignored by git) and reused: rendering is tested
against exactly what an install copies, not a hand-made imitation.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.kolla_wheels import kolla_ansible_wheel, wheel_data_file
from wizard.host.facts import Address, DefaultRoute, HostFacts, Nic, OsRelease, Virtualization

TESTS = Path(__file__).resolve().parents[1]

#: 22.2.0 (2026.1: globals.d, EXT_NET_* from the environment) and 9.0.0 (Train: hard-coded EXT_NET_*).
KOLLA_VERSIONS = ("22.2.0", "9.0.0")
EXAMPLE_FILES = ("share/kolla-ansible/etc_examples/kolla/globals.yml", "share/kolla-ansible/init-runonce")


def guide_host(**changes) -> HostFacts:
    """The guide's server: arm64, Debian 12, enp1s0 10.1.1.88/24 via 10.1.1.1, a USB NIC up without IP,
    a third NIC with an address of its own, KVM usable."""
    facts = HostFacts(
        arch="aarch64",
        cpu_model="Neoverse-N1",
        cpu_cores=32,
        os=OsRelease("debian", "12", "bookworm", "Debian GNU/Linux 12 (bookworm)"),
        virt=Virtualization(True, "/dev/kvm exists and can be opened", dev_kvm_present=True, dev_kvm_openable=True),
        nics=(
            Nic("lo", state="up", kind="loopback", ipv4=(Address("127.0.0.1", 8, 4),)),
            Nic("enp1s0", mac="52:54:00:00:00:01", state="up", kind="physical", ipv4=(Address("10.1.1.88", 24, 4),)),
            Nic("enx00051bb122ed", mac="00:05:1b:b1:22:ed", state="up", kind="physical"),
            Nic("eth2", mac="52:54:00:00:00:03", state="up", kind="physical", ipv4=(Address("192.168.5.10", 24, 4),)),
            Nic("eth3", mac="52:54:00:00:00:04", state="down", kind="physical"),
            Nic("docker0", state="down", kind="docker", ipv4=(Address("172.17.0.1", 16, 4),)),
        ),
        default_route=DefaultRoute("enp1s0", "10.1.1.1", "test"),
        hostname="aio",
        is_root=True,
    )
    if changes:
        data = facts.to_dict()
        data.update(changes)
        facts = HostFacts.from_dict(data)
    return facts


@pytest.fixture(scope="session")
def facts_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The guide host as a ``--host-facts`` JSON file."""
    path = tmp_path_factory.mktemp("facts") / "guide-host.json"
    path.write_text(guide_host().to_json())
    return path


@pytest.fixture(scope="session")
def kolla_examples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``{"22.2.0": dir, "9.0.0": dir}``, each dir holding share/kolla-ansible/{etc_examples,init-runonce}."""
    examples = {}
    for version in KOLLA_VERSIONS:
        wheel = kolla_ansible_wheel(version)
        root = tmp_path_factory.mktemp(f"kolla-ansible-{version}")
        for path in EXAMPLE_FILES:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_bytes(wheel_data_file(wheel, path))
        examples[version] = root / "share" / "kolla-ansible"
    return examples
