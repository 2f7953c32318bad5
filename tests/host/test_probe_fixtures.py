"""probe_host on fixture roots: each host the issue names, described by files and a runner double."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.host.conftest import (
    DPKG_DOCKER_IO,
    DPKG_DOCKER_IO_REMOVED,
    HOSTS_COMMENTED,
    HOSTS_DEBIAN_INSTALLER,
    KVM_OK_NO_CPU,
    KVM_OK_NO_DEV_ARM,
    KVM_OK_YES,
    FakeRunner,
    x86_cpuinfo,
)
from wizard.host.facts import HostFacts
from wizard.host.probe import load_facts, probe_host
from wizard.host.services import TIMEDATECTL

KVM_OK = ("kvm-ok",)


def test_debian12_arm64_where_kvm_ok_says_yes(host_root):
    root = host_root(debian="12")
    run = FakeRunner(
        {KVM_OK: (0, KVM_OK_YES), TIMEDATECTL: (0, "yes\n"), ("python", "--version"): (0, "Python 3.11.2\n")}
    )

    facts = probe_host(root, run, live_network=False)

    assert ("kvm-ok",) in run.calls
    assert ("timedatectl", "show", "-p", "NTPSynchronized", "--value") in run.calls
    assert ("python", "--version") in run.calls
    assert facts.arch == "aarch64"
    assert facts.cpu_model == "Arm Neoverse-N1"
    assert facts.cpu_cores == 4
    assert facts.ram_bytes == 32617856 * 1024
    assert (facts.os.id, facts.os.version_id, facts.os.codename) == ("debian", "12", "bookworm")
    assert facts.virt.usable is True
    assert facts.virt.kvm_ok_present and facts.virt.kvm_ok_exit == 0
    assert facts.virt.kvm_ok_output == KVM_OK_YES.strip()
    assert facts.virt.dev_kvm_present and facts.virt.dev_kvm_openable
    assert facts.virt.cpu_flag is None  # no vmx/svm on arm64
    assert "KVM acceleration can be used" in facts.virt.reason
    assert facts.clock_synchronized is True
    assert facts.python_is_python3 is True
    assert facts.sources["os"] == str(root / "etc/os-release")
    assert facts.sources["ram_bytes"].startswith(str(root / "proc/meminfo"))
    assert facts.sources["virt"].startswith("kvm-ok")


def test_no_dev_kvm_makes_kvm_unusable_with_kvm_ok_evidence(host_root):
    root = host_root(dev_kvm=False)
    run = FakeRunner({KVM_OK: (1, KVM_OK_NO_DEV_ARM)})

    facts = probe_host(root, run, live_network=False)

    assert run.calls[0] == ("kvm-ok",)
    assert facts.virt.usable is False
    assert facts.virt.dev_kvm_present is False
    assert facts.virt.kvm_ok_exit == 1
    assert "KVM acceleration can NOT be used" in facts.virt.reason
    assert "/dev/kvm does not exist" in facts.virt.reason


def test_no_cpu_checker_falls_back_to_dev_kvm(host_root):
    root = host_root()
    run = FakeRunner()  # kvm-ok → 127: cpu-checker is not installed

    facts = probe_host(root, run, live_network=False)

    assert ("kvm-ok",) in run.calls
    assert facts.virt.kvm_ok_present is False
    assert facts.virt.kvm_ok_exit is None and facts.virt.kvm_ok_output is None
    assert facts.virt.usable is True
    assert "kvm-ok not installed" in facts.virt.reason
    assert "/dev/kvm exists and opens read-write" in facts.virt.reason


def test_no_cpu_checker_and_no_dev_kvm_says_why_and_what_to_do(host_root):
    facts = probe_host(host_root(dev_kvm=False), FakeRunner(), live_network=False)

    assert facts.virt.usable is False
    assert "/dev/kvm does not exist" in facts.virt.reason
    assert "nested virtualization" in facts.virt.reason


def test_dev_kvm_that_cannot_be_opened_is_not_usable(host_root):
    root = host_root(dev_kvm=False)
    (root / "dev/kvm").mkdir(parents=True)  # present, but no open(O_RDWR) succeeds, even for root
    facts = probe_host(root, FakeRunner(), live_network=False)
    assert facts.virt.dev_kvm_present and not facts.virt.dev_kvm_openable
    assert facts.virt.usable is False
    assert "cannot be opened read-write" in facts.virt.reason


def test_x86_without_vmx_flag_and_without_dev_kvm_hints_at_firmware(host_root):
    root = host_root(cpuinfo=x86_cpuinfo(virt=""), dev_kvm=False)
    facts = probe_host(root, FakeRunner({KVM_OK: (1, KVM_OK_NO_CPU)}), live_network=False)

    assert facts.arch == "x86_64"
    assert facts.cpu_model.startswith("Intel(R) Xeon(R) Gold 6230")
    assert facts.virt.cpu_flag is None
    assert "no vmx/svm flag" in facts.virt.reason


def test_x86_with_vmx_reports_the_flag(host_root):
    facts = probe_host(host_root(cpuinfo=x86_cpuinfo(virt="vmx")), FakeRunner(), live_network=False)
    assert facts.virt.cpu_flag == "vmx"
    assert facts.virt.usable is True
    assert "CPU flag vmx present" in facts.virt.reason


def test_debian10_the_guides_host(host_root):
    root = host_root(
        debian="10",
        hosts=HOSTS_DEBIAN_INSTALLER,
        dpkg_status=DPKG_DOCKER_IO,
        libvirt_socket="var/run/libvirt/libvirt-sock",
        apparmor_profile=True,
    )
    run = FakeRunner({KVM_OK: (0, KVM_OK_YES), ("python", "--version"): (0, "Python 2.7.16\n")})

    facts = probe_host(root, run, live_network=False)

    assert (facts.os.version_id, facts.os.codename, facts.os.major) == ("10", "buster", "10")
    assert facts.hosts_127_0_1_1 == "127.0.1.1\taio1.example.org\taio1"
    assert facts.hostname == "aio1"
    assert facts.hostname_resolves_to == ("127.0.1.1",)
    assert facts.docker_io_installed is True
    assert facts.libvirt_running is True
    assert facts.apparmor_libvirtd_profile is True
    assert facts.python_is_python3 is False  # the guide switched `python` to 3 with update-alternatives
    assert facts.clock_synchronized is None  # no timedatectl answer
    assert "docker.io: install ok installed" in facts.sources["docker_io_installed"]


def test_debian13(host_root):
    root = host_root(debian="13", hosts=HOSTS_COMMENTED, dpkg_status=DPKG_DOCKER_IO_REMOVED)
    run = FakeRunner({TIMEDATECTL: (0, "no\n"), ("pidof", "nscd"): (0, "812\n")})

    facts = probe_host(root, run, live_network=False)

    assert (facts.os.version_id, facts.os.codename) == ("13", "trixie")
    assert facts.hosts_127_0_1_1 is None  # the commented-out line does not count
    assert facts.hostname_resolves_to == ("10.1.1.88",)
    assert facts.docker_io_installed is False  # removed, only its config files are left
    assert facts.clock_synchronized is False
    assert facts.nscd_running is True
    assert ("pidof", "nscd") in run.calls
    assert facts.python_is_python3 is False  # no `python` at all on a fresh Debian 13


def test_default_route_comes_from_proc_net_route_without_live_network(host_root):
    root = host_root()
    facts = probe_host(root, FakeRunner(), live_network=False)
    assert facts.nics == ()
    assert facts.sources["nics"] == "not probed (live_network=False)"
    assert facts.default_route is not None
    assert (facts.default_route.interface, facts.default_route.gateway) == ("enp1s0", "10.1.1.1")
    assert facts.default_route.source == str(root / "proc/net/route")


def test_no_default_route_is_none(host_root):
    facts = probe_host(host_root(route=None), FakeRunner(), live_network=False)
    assert facts.default_route is None
    assert "no IPv4 default route" in facts.sources["default_route"]


def test_debian_testing_without_version_id_reads_debian_version(tmp_path):
    root = tmp_path
    (root / "etc").mkdir()
    (root / "etc/os-release").write_text('PRETTY_NAME="Debian GNU/Linux trixie/sid"\nID=debian\n')
    (root / "etc/debian_version").write_text("13.0\n")
    facts = probe_host(root, FakeRunner(), live_network=False)
    assert facts.os.major == "13"
    assert str(root / "etc/debian_version") in facts.sources["os"]


def test_empty_root_probes_without_crashing(tmp_path):
    facts = probe_host(tmp_path, FakeRunner(), live_network=False)
    assert facts.os.id == "unknown"
    assert facts.arch == "unknown"
    assert facts.ram_bytes == 0
    assert facts.virt.usable is False


def test_every_fact_has_a_source(host_root):
    facts = probe_host(host_root(), FakeRunner(), live_network=False)
    missing = [name for name in facts.to_dict() if name != "sources" and name not in facts.sources]
    assert missing == []


def test_facts_survive_the_json_round_trip(host_root, tmp_path: Path):
    facts = probe_host(host_root(), FakeRunner({KVM_OK: (0, KVM_OK_YES)}), live_network=False)
    path = tmp_path / "facts.json"
    path.write_text(json.dumps({"facts": facts.to_dict(), "checks": [], "defaults": {}}))
    assert HostFacts.load(path) == facts
    assert load_facts(str(path)) == facts


def test_load_facts_names_a_missing_file(tmp_path):
    from wizard.errors import UserError

    with pytest.raises(UserError, match="no such host facts file"):
        load_facts(str(tmp_path / "nope.json"))


@pytest.mark.parametrize(
    "arch, x86", [("x86_64", True), ("i686", True), ("i386", True), ("amd64", True), ("aarch64", False)]
)
def test_virt_source_names_the_cpu_flags_exactly_where_they_are_read(host_root, arch, x86):
    from wizard.host import virt

    root = host_root()
    found, source = virt.probe_virtualization(root, FakeRunner(), arch, frozenset({"svm"}))
    assert (found.cpu_flag == "svm") is x86
    assert source.startswith(f"kvm-ok (not installed), {root / 'dev/kvm'}")
    assert source.endswith(f"{root / 'proc/cpuinfo'} flags") is x86  # i386/amd64 were left out before


def test_the_probe_reads_etc_hosts_once(host_root, monkeypatch):
    root = host_root(hosts=HOSTS_DEBIAN_INSTALLER, hostname="aio1")
    reads = []
    real = Path.read_text

    def counting(self, *args, **kwargs):
        if self.name == "hosts":
            reads.append(self)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", counting)
    facts = probe_host(root, FakeRunner(), live_network=False)
    assert reads == [root / "etc/hosts"]
    assert facts.hosts_127_0_1_1 == "127.0.1.1\taio1.example.org\taio1"
    assert facts.hostname_resolves_to == ("127.0.1.1",)


def test_arm64_arches_are_declared_once():
    from wizard.host import facts as facts_module
    from wizard.kolla import releases

    assert releases.ARM64_ARCHES is facts_module.ARM64_ARCHES
    assert all(HostFacts(arch=a).is_arm64 for a in facts_module.ARM64_ARCHES)
    assert not HostFacts(arch="x86_64").is_arm64
