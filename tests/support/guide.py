"""The guide's own answers (its globals.yml and init-runonce values), shared by the answers and pipeline tests."""

from __future__ import annotations

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
