"""NIC kinds from sysfs: a fixture /sys/class/net for each kind the external-NIC rule cares about."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from wizard.host.network import _prefixlen, _state, nic_kind, parse_proc_net_route


class SysNet:
    """A fixture /sys/class/net: directories with the files and links the kernel would show."""

    def __init__(self, root: Path) -> None:
        self.net = root / "sys/class/net"
        self.devices = root / "sys/devices"
        self.net.mkdir(parents=True)

    def add(
        self,
        name: str,
        *,
        ifindex: int,
        iflink: int | None = None,
        devtype: str = "",
        type_: int = 1,
        device: bool = False,
        master: str | None = None,
        dirs: tuple[str, ...] = (),
    ) -> Path:
        d = self.net / name
        d.mkdir()
        (d / "ifindex").write_text(f"{ifindex}\n")
        (d / "iflink").write_text(f"{iflink if iflink is not None else ifindex}\n")
        (d / "type").write_text(f"{type_}\n")
        (d / "uevent").write_text(
            (f"DEVTYPE={devtype}\n" if devtype else "") + f"INTERFACE={name}\nIFINDEX={ifindex}\n"
        )
        for sub in dirs:
            (d / sub).mkdir()
        if device:
            target = self.devices / f"pci0000:00/0000:00:0{ifindex}.0"
            target.mkdir(parents=True)
            os.symlink(target, d / "device")
        if master:
            os.symlink(f"../{master}", d / "master")
        return d


@pytest.fixture
def sysnet(tmp_path: Path) -> SysNet:
    return SysNet(tmp_path)


def test_loopback(sysnet):
    assert nic_kind(sysnet.add("lo", ifindex=1, type_=772), "lo") == ("loopback", None)


def test_a_port_with_a_device_link_is_physical(sysnet):
    assert nic_kind(sysnet.add("enp1s0", ifindex=2, device=True), "enp1s0") == ("physical", None)


def test_bridge_and_its_port(sysnet):
    br = sysnet.add("br0", ifindex=3, devtype="bridge", dirs=("bridge",))
    port = sysnet.add("enp2s0", ifindex=4, device=True, master="br0", dirs=("brport",))
    assert nic_kind(br, "br0") == ("bridge", None)
    assert nic_kind(port, "enp2s0") == ("physical", "br0")


def test_bond_and_its_members(sysnet):
    bond = sysnet.add("bond0", ifindex=5, devtype="bond", dirs=("bonding",))
    member = sysnet.add("enp3s0", ifindex=6, device=True, master="bond0", dirs=("bonding_slave",))
    assert nic_kind(bond, "bond0") == ("bond", None)
    assert nic_kind(member, "enp3s0") == ("bond-member", "bond0")


def test_veth_from_its_driver_or_from_iflink(sysnet):
    d = sysnet.add("veth-ext", ifindex=7, iflink=8)
    assert nic_kind(d, "veth-ext", "veth") == ("veth", None)
    assert nic_kind(d, "veth-ext") == ("veth", None)  # no driver known: iflink points at the peer


def test_docker_bridge_and_container_veth(sysnet):
    docker0 = sysnet.add("docker0", ifindex=9, devtype="bridge", dirs=("bridge",))
    network = sysnet.add("br-0123456789ab", ifindex=10, devtype="bridge", dirs=("bridge",))
    veth = sysnet.add("veth1a2b3c4", ifindex=11, iflink=2, master="docker0", dirs=("brport",))
    assert nic_kind(docker0, "docker0")[0] == "docker"
    assert nic_kind(network, "br-0123456789ab")[0] == "docker"
    assert nic_kind(veth, "veth1a2b3c4", "veth") == ("docker", "docker0")


def test_ovs_devices(sysnet):
    assert nic_kind(sysnet.add("ovs-system", ifindex=12), "ovs-system", "openvswitch")[0] == "ovs"
    assert nic_kind(sysnet.add("br-ex", ifindex=13), "br-ex", "openvswitch")[0] == "ovs"
    assert nic_kind(sysnet.add("vxlan_sys_4789", ifindex=14, devtype="vxlan"), "vxlan_sys_4789")[0] == "ovs"


def test_vlan(sysnet):
    assert nic_kind(sysnet.add("enp1s0.100", ifindex=15, iflink=2, devtype="vlan"), "enp1s0.100")[0] == "vlan"


def test_other_virtual_devices(sysnet):
    assert nic_kind(sysnet.add("ifb0", ifindex=16), "ifb0", "ifb") == ("virtual", None)


def test_default_route_from_proc_net_route_picks_the_lowest_metric():
    text = (
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
        "wlan0\t00000000\t0100A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
        "enp1s0\t00000000\t0101010A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
        "enp1s0\t0001010A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n"
    )
    assert parse_proc_net_route(text) == ("enp1s0", "10.1.1.1")


def test_proc_net_route_without_a_default_route():
    text = (
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
        "enp1s0\t0001010A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n"
    )
    assert parse_proc_net_route(text) is None


def test_prefix_lengths_from_netmasks():
    assert _prefixlen("255.255.255.252", 4) == 30
    assert _prefixlen("ffff:ffff:ffff:ffff::", 6) == 64
    assert _prefixlen("ffff:ffff:ffff:ffff::/64", 6) == 64
    assert _prefixlen(None, 4) == 32


def test_state_from_operstate_or_the_up_flag():
    assert _state("up", None) == "up"
    assert _state("lowerlayerdown", True) == "down"
    assert _state("unknown", True) == "up"  # loopback and tun never report an operstate
    assert _state(None, None) == "unknown"
