"""The facts the later preflight checks need, probed from fixture roots and a runner double.

/proc trees are real files and symlinks (``fd/N -> socket:[INODE]`` is how the kernel shows a
socket), so the listener probe reads exactly what it reads on a host; the commands (getconf,
systemctl, ip route get) answer with the real programs' recorded output.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

from tests.host.conftest import MEMINFO_32G, FakeRunner
from tests.support.guide import GUIDE_HOST_FILE
from wizard.host.facts import HostFacts, Listener
from wizard.host.ports import parse_proc_net_tcp, probe_listeners
from wizard.host.probe import probe_host
from wizard.host.services import NTP_UNITS

TCP_HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
TCP = TCP_HEADER + (
    # 0.0.0.0:3306 LISTEN (inode 4242), 127.0.0.1:11211 LISTEN (4343), an established connection (not listening)
    "   0: 00000000:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000   101        0 4242 1 0 100 0 0 10 0\n"
    "   1: 0100007F:2BCB 00000000:0000 0A 00000000:00000000 00:00000000 00000000   102        0 4343 1 0 100 0 0 10 0\n"
    "   2: 5801010A:0016 0101010A:D431 01 00000000:00000000 02:0009A5E3 00000000     0        0 4444 4 0 20 4 0 10 -1\n"
)
TCP6 = TCP_HEADER + (
    # [::]:5000 LISTEN (inode 5151), [::1]:25672 LISTEN (no process holds it: another pid namespace)
    "   0: 00000000000000000000000000000000:1388 00000000000000000000000000000000:0000 0A "
    "00000000:00000000 00:00000000 00000000     0        0 5151 1 0 100 0 0 10 0\n"
    "   1: 00000000000000000000000001000000:6448 00000000000000000000000000000000:0000 0A "
    "00000000:00000000 00:00000000 00000000     0        0 5252 1 0 100 0 0 10 0\n"
)
MEMINFO_SWAP = MEMINFO_32G + "SwapTotal:       2097148 kB\nSwapFree:        2097148 kB\n"
SYSTEMCTL_IS_ACTIVE = ("systemctl", "is-active", *NTP_UNITS)


def proc_tree(root: Path) -> Path:
    """/proc/net/tcp{,6}; pid 812 mariadbd (a host service) holds 3306, pid 4000 keystone (in docker) holds 5000."""
    (root / "proc/net").mkdir(parents=True, exist_ok=True)
    (root / "proc/net/tcp").write_text(TCP)
    (root / "proc/net/tcp6").write_text(TCP6)
    for pid, comm, cgroup, inode in (
        (812, "mariadbd", "0::/system.slice/mariadb.service\n", 4242),
        (4000, "keystone", "0::/system.slice/docker-0123abcd.scope\n", 5151),
        (90, "memcached", "0::/system.slice/memcached.service\n", 4343),
    ):
        fd = root / f"proc/{pid}/fd"
        fd.mkdir(parents=True)
        os.symlink("/dev/null", fd / "0")
        os.symlink(f"socket:[{inode}]", fd / "7")
        (root / f"proc/{pid}/comm").write_text(comm + "\n")
        (root / f"proc/{pid}/cgroup").write_text(cgroup)
    return root


def test_listening_sockets_are_tied_to_their_process_through_proc_fd(tmp_path):
    listeners, source = probe_listeners(proc_tree(tmp_path))
    assert listeners == (
        Listener(3306, "0.0.0.0", 4, 812, "mariadbd"),
        Listener(5000, "::", 6, 4000, "keystone", in_container=True),
        Listener(11211, "127.0.0.1", 4, 90, "memcached"),
        Listener(25672, "::1", 6),
    )
    assert "socket inodes" in source


def test_established_connections_are_not_listeners():
    assert [p for _, p, _ in parse_proc_net_tcp(TCP)] == [3306, 11211]


def test_without_proc_net_tcp_the_listeners_are_unknown(tmp_path):
    assert probe_listeners(tmp_path)[0] is None


def test_the_new_facts_from_a_fixture_host(host_root):
    root = proc_tree(host_root(meminfo=MEMINFO_SWAP))
    (root / "etc/apt/sources.list.d").mkdir(parents=True)
    (root / "etc/apt/sources.list").write_text(
        "# deb cdrom:[Debian GNU/Linux 12]/ bookworm main\n"
        "deb http://ftp.de.debian.org/debian bookworm main\n"
        "deb [arch=arm64 signed-by=/etc/apt/keyrings/x.gpg] https://mirror.example/debian bookworm main\n"
    )
    (root / "etc/apt/sources.list.d/debian.sources").write_text(
        "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\n\n"
        "Types: deb\nURIs: http://old.example/debian\nSuites: bookworm\nEnabled: no\n"
    )
    run = FakeRunner(
        {
            ("getconf", "PAGESIZE"): (0, "16384\n"),
            SYSTEMCTL_IS_ACTIVE: (0, "inactive\ninactive\ninactive\ninactive\nactive\n"),
            ("ip", "-j", "route", "get", "192.0.2.7"): (
                0,
                '[{"dst":"192.0.2.7","gateway":"10.1.1.1","dev":"enp1s0","prefsrc":"10.1.1.88","flags":[],'
                '"uid":0,"cache":[]}]\n',
            ),
        }
    )
    env = {
        "SSH_CONNECTION": "192.0.2.7 51234 10.1.1.88 22",
        "HTTPS_PROXY": "http://alice:s3cret@proxy.example:3128",
        "no_proxy": "localhost,10.1.1.0/24",
    }

    facts = probe_host(root, run, live_network=False, env=env)

    assert facts.swap_bytes == 2097148 * 1024
    assert facts.page_size == 16384
    assert facts.ntp_active == ("systemd-timesyncd",)
    assert facts.apt_sources == (
        "http://ftp.de.debian.org/debian",
        "https://mirror.example/debian",
        "http://deb.debian.org/debian",
    )
    assert (facts.ssh_client, facts.ssh_client_interface) == ("192.0.2.7", "enp1s0")
    assert facts.sources["ssh_client_interface"] == "ip -j route get 192.0.2.7"
    assert facts.proxy_env == {
        "https_proxy": "http://alice:***@proxy.example:3128",
        "no_proxy": "localhost,10.1.1.0/24",
    }
    assert "s3cret" not in facts.to_json()
    assert [x.port for x in facts.listeners] == [3306, 5000, 11211, 25672]


def test_a_fixture_root_never_reads_this_process_environment(host_root, monkeypatch):
    monkeypatch.setenv("SSH_CONNECTION", "192.0.2.7 51234 10.1.1.88 22")
    monkeypatch.setenv("https_proxy", "http://proxy.example:3128")
    facts = probe_host(host_root(), FakeRunner(), live_network=False)
    assert facts.ssh_client is None and facts.proxy_env == {}


def test_without_systemd_the_ntp_daemons_are_unknown(host_root):
    run = FakeRunner(
        {SYSTEMCTL_IS_ACTIVE: (1, "System has not been booted with systemd as init system (PID 1). Can't operate.\n")}
    )
    facts = probe_host(host_root(), run, live_network=False)
    assert facts.ntp_active is None
    assert "has not been booted with systemd" in facts.sources["ntp_active"]


def test_the_new_facts_survive_the_json_round_trip(host_root, tmp_path):
    facts = probe_host(proc_tree(host_root()), FakeRunner({("getconf", "PAGESIZE"): (0, "4096\n")}), live_network=False)
    facts = dataclasses.replace(facts, ssh_client="192.0.2.7", proxy_env={"http_proxy": "http://p:3128"})
    path = tmp_path / "facts.json"
    path.write_text(json.dumps({"facts": facts.to_dict(), "checks": []}))
    assert HostFacts.load(path) == facts


def test_an_older_facts_file_still_loads_with_the_new_facts_unknown():
    data = json.loads(GUIDE_HOST_FILE.read_text())
    for key in ("swap_bytes", "page_size", "listeners", "ntp_active", "apt_sources", "ssh_client", "proxy_env"):
        data.pop(key, None)
    facts = HostFacts.from_dict(data)
    assert (facts.listeners, facts.page_size, facts.swap_bytes, facts.ntp_active) == (None, None, None, None)
    assert facts.proxy_env == {} and facts.ssh_client is None
