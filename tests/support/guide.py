"""The guide's host and answers, shared by the tests (and the screenshot script and the benchmark).

``GUIDE_HOST_FILE``: the guide's host as probe JSON (arm64, Debian 12, enp1s0 on 10.1.1.0/24 and a
second NIC without an address), for ``--host-facts`` and ``HostFacts.load``.
``GUIDE_ANSWERS``: its globals.yml and init-runonce values.
"""

from __future__ import annotations

from pathlib import Path

GUIDE_HOST_FILE = Path(__file__).with_name("guide-host.json")

GUIDE_ANSWERS = {
    "kolla_base_distro": "debian",
    "kolla_internal_vip_address": "10.1.1.88",
    "network_interface": "enp1s0",
    "neutron_external_interface": "enx00051bb122ed",
    "nova_compute_virt_type": "kvm",
    "enable_haproxy": "no",
    "ext_net_cidr": "10.1.1.0/24",
    "ext_net_range": {"start": "10.1.1.210", "end": "10.1.1.240"},
    "ext_net_gateway": "10.1.1.1",
}
