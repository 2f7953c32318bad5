"""Known failures: a pattern in a failed step's output, and what it means and how to fix it.

A small table, easy to extend: add a :class:`Hint` with a regular expression tested against
the last lines of output and a text (a format string over the match's named groups, or a
function of the match). ``transient`` says whether an automatic retry can help (a rate limit
or a lock held by apt's daily timer goes away; PEP 668 does not). Every entry is tested
against real samples of its message in tests/pipeline/test_hints.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Hint:
    id: str
    pattern: re.Pattern[str]
    text: str | Callable[[re.Match[str]], str]
    transient: bool = False

    def render(self, match: re.Match[str]) -> str:
        if callable(self.text):
            return self.text(match)
        groups = {k: (v or "?") for k, v in match.groupdict().items()}
        return self.text.format(**groups)


def _h(id: str, pattern: str, text: str | Callable[[re.Match[str]], str], *, transient: bool = False) -> Hint:
    return Hint(id, re.compile(pattern, re.IGNORECASE | re.MULTILINE), text, transient)


def _apt_lock(m: re.Match[str]) -> str:
    holder = f" by process {m['pid']} ({m['name']})" if m["pid"] else ""
    check = f"`ps -p {m['pid']}`" if m["pid"] else "`fuser -v " + m["path"] + "`"
    return (
        f"The apt/dpkg lock {m['path']} is held{holder}: another apt is running (often unattended-upgrades "
        f"right after boot). Wait for it to finish ({check}), then Retry."
    )


# A task header, then (before any other task) an Ansible failure line.
_FAILED_AFTER = r"\][ *]*\n(?:(?!TASK \[).*\n)*?\s*(?:fatal|failed): \["

_ARCHIVE = (
    "Debian 10 (buster) left Debian's mirrors, so apt gets 404 for it: point apt at the archive "
    "('deb http://archive.debian.org/debian buster main' and 'deb http://archive.debian.org/debian-security "
    "buster/updates main' in /etc/apt/sources.list, nothing else for buster), then Retry; better, install Debian 12 "
    "or 13."
)

HINTS: tuple[Hint, ...] = (
    # The verify step's failures (wizard/kolla/verify.py); before the generic "network" hint.
    _h(
        "verify-no-valid-host",
        r"No valid host was found",
        "Nova found no compute host for the instance: nova-compute is not registered or not up "
        "(`openstack compute service list`, `docker logs nova_compute`), or the host lacks the RAM/disk for "
        "m1.tiny. Check `openstack hypervisor list`, fix it, then Retry (or Skip: verify is optional).",
    ),
    _h(
        "verify-qemu-cpu",
        r"status ERROR: .*(?:KVM kernel module|failed to initialize KVM|/dev/kvm|"
        r"CPU mode '[\w-]+' for aarch64|CPU model|unable to find any usable CPU)",
        "The instance could not start in QEMU/KVM: without /dev/kvm (no nested virtualisation) set "
        "[libvirt] virt_type = qemu in /etc/kolla/config/nova/nova-compute.conf; on arm64 plain QEMU also needs a "
        "CPU model ([libvirt] cpu_mode = custom, cpu_models = max). Then kolla-ansible reconfigure -t nova and "
        "Retry.",
    ),
    _h(
        "verify-mtu",
        r"large ping fails, small works \(MTU\)",
        "Small packets reach the instance but a full 1500-byte one does not: an MTU mismatch (the external "
        "network's path, or a VXLAN overlay eating 50 bytes). Set the MTU of the network interface and "
        "neutron's global_physnet_mtu to match the LAN, or lower the instance MTU; SSH and downloads stall "
        "otherwise.",
    ),
    _h(
        "verify-unreachable",
        r"^FAIL ping (?P<ip>\S+)",
        "The instance is ACTIVE but its floating IP {ip} does not answer from this host: public1 (the "
        "EXT_NET_* answers) is probably not the LAN this host is on, or neutron_external_interface is not "
        "plugged into it. Check `ip route get {ip}` and the external network's CIDR and gateway; also the "
        "default security group (init-runonce opens ICMP and 22).",
    ),
    _h(
        "apt-lock",
        r"Could not get lock (?P<path>/\S+?)\.?(?=\s|$)(?:\s+It is held by process (?P<pid>\d+) \((?P<name>[^)]+)\))?",
        _apt_lock,
        transient=True,
    ),
    _h(
        "dpkg-interrupted",
        r"dpkg was interrupted, you must manually run '(?P<cmd>[^']+)'",
        "An earlier apt/dpkg run was killed half-way: run `{cmd}` (the wizard's apt steps start with it), then Retry.",
    ),
    _h(
        "buster-archive",
        r"The repository '\S+ buster(?:-updates|/updates|-backports)? Release' (?:does not|no longer) ha(?:ve|s) a "
        r"Release file|buster\S*[^\n]*\n?\s*404\s+Not Found",
        _ARCHIVE,
    ),
    _h(
        "pep668",
        r"externally-managed-environment",
        "This Debian refuses system-wide pip installs (PEP 668): install into the virtualenv "
        "(VENV/bin/pip, as the wizard's own pip commands do), not with the system pip3.",
    ),
    _h(
        "ansible-version",
        r"Ansible version should be between (?P<low>\S+) and (?P<high>[\d.]+)",
        "kolla-ansible runs with an Ansible outside its range ({low} to {high}): another Ansible comes first on PATH "
        "(apt's ansible, or pip outside the virtualenv). Run kolla-ansible from the wizard's virtualenv, where the "
        "release's Ansible is installed (apt-get purge ansible if Debian's is in the way), then Retry.",
    ),
    _h(
        "requests-docker",
        r"Not supported URL scheme http\+docker",
        "requests 2.32 broke the Docker SDK for Python older than 7.1: install kolla-ansible with the release's "
        "upper-constraints (pip install -c https://releases.openstack.org/constraints/upper/RELEASE), or "
        "VENV/bin/pip install 'docker>=7.1' (on the target: python3-docker from apt), then Retry.",
    ),
    _h(
        "bcrypt-72",
        r"password cannot be longer than 72 bytes",
        "bcrypt 5 refuses what passlib hands it: VENV/bin/pip install 'bcrypt<5' (or install with the release's "
        "upper-constraints), then Retry.",
    ),
    _h(
        "git-ref-moved",
        r"pathspec '(?P<ref>[^']+)' did not match any file\(s\) known to git",
        "The git ref {ref} no longer exists: end-of-life branches move to unmaintained/<release> (or a "
        "<release>-eol tag). Use that ref (kolla_ansible_git_ref, or the kolla collection's version in "
        "requirements.yml), then Retry.",
    ),
    _h(
        "os-unsupported",
        r"Host OS distribution (?P<what>.*?) is not supported",
        "This release does not support the host OS ({what}): pick a release for this Debian (the wizard's "
        "openstack_release question lists them), or install a Debian the release supports.",
    ),
    _h(
        "test-images",
        r"meant only for testing purposes",
        "kolla-ansible 2026.1+ refuses the published quay.io/openstack.kolla images unless prechecks runs with "
        "--use-test-images (the wizard's plan passes it for those releases); use a registry mirror or your own "
        "built images otherwise, then Retry.",
    ),
    _h(
        "hostname",
        r"Hostname has to resolve (?:uniquely )?to (?:the )?IP address of api_interface",
        "`getent ahostsv4 $(hostname)` must give only the management address: /etc/hosts needs one line "
        "'<api ip> <hostname>' and no other line for the hostname (127.0.1.1, an old IP). The wizard's hosts step "
        "writes it; with cloud-init set manage_etc_hosts: false so a reboot does not bring the old line back. "
        "Then Retry.",
    ),
    _h(
        "ntp-daemon",
        r"No host NTP daemon is running",
        "Kolla needs an active NTP daemon: apt-get install systemd-timesyncd (or chrony) and systemctl enable --now "
        "it (the wizard's time-sync step does this), then Retry.",
    ),
    _h(
        "clock-unsynchronized",
        r"sees the system clock as unsynchronized",
        "The NTP daemon runs but has not synchronized yet (`timedatectl status`: System clock synchronized: no): "
        "wait a minute, check that UDP 123 gets out, then Retry.",
        transient=True,
    ),
    _h(
        "nscd",
        r"Service nscd is running",
        "nscd caches names for the containers and breaks them: systemctl disable --now nscd (or apt-get purge "
        "nscd), then Retry.",
    ),
    _h(
        "empty-passwords",
        r"Checking empty passwords in passwords\.yml[^\]\n]*" + _FAILED_AFTER,
        "passwords.yml has empty values: run VENV/bin/kolla-genpwd -p /etc/kolla/passwords.yml (it fills only the "
        "empty ones and keeps the rest), then Retry.",
    ),
    _h(
        "localtime",
        r"/etc/localtime is not found|/etc/timezone is not found",
        "Kolla mounts the host's time zone into every container: dpkg-reconfigure tzdata (or ln -sf "
        "/usr/share/zoneinfo/Etc/UTC /etc/localtime; echo Etc/UTC > /etc/timezone), then Retry.",
    ),
    _h(
        "interface-missing",
        r"interface (?P<name>\S+) not found",
        "The interface {name} does not exist on this host: fix network_interface / neutron_external_interface in "
        "the answers (`ip -br link` lists the NICs), then run again.",
    ),
    _h(
        "docker-socket",
        r"permission denied[^\n]*docker\.sock",
        "This user was just added to the docker group, which counts only in a new login: log out and in again "
        "(or run as root), then Retry.",
    ),
    _h(
        "ip-forward",
        r"IPv4 forwarding is disabled",
        "Docker needs IPv4 forwarding and something turned it off: sysctl -w net.ipv4.ip_forward=1, keep it in "
        "/etc/sysctl.d/ (and look for a file setting it to 0), restart docker, then Retry.",
    ),
    _h(
        "rate-limit",
        r"(?P<what>toomanyrequests|too many requests|pull rate limit|rate limit exceeded)",
        "The container registry refused with a rate limit ({what}): wait a while and Retry, or point "
        "docker_registry at a mirror in the answers.",
        transient=True,
    ),
    _h(
        "image-missing",
        r"(?P<what>manifest unknown|Tag \S+ not found in repository \S+|not found in repository \S+)",
        "The registry has no such image tag ({what}): on arm64 the tag needs -aarch64 (openstack_tag_suffix), "
        "and images of end-of-life releases may be gone. Check openstack_release, docker_registry and "
        "docker_namespace, or build the images (image_source: build).",
    ),
    _h(
        "mariadb-port",
        r"Timeout when waiting for search string MariaDB in (?P<addr>\S+?):3306",
        'MariaDB never answered on {addr}:3306. With kolla-ansible 19+ (2024.2+), enable_haproxy "no" and the VIP '
        "= this host, ProxySQL holds that socket (`ss -ltnp 'sport = :3306'` shows proxysql; the mariadb log says "
        "'Address already in use'): set enable_proxysql: \"no\", or turn haproxy on with a free VIP. After a reboot "
        "or an interrupted deploy the Galera cluster must be recovered first: `aio-wizard recover-mariadb` runs "
        "kolla-ansible's recovery under the name the installed release has (--dry-run shows the line). A slow "
        "first start shows the same message: Retry.",
    ),
    _h(
        "mariadb-wsrep",
        r"WSREP: (?:failed to open gcomm backend connection|[^\n]*non-primary|[^\n]*no primary component)|"
        r"WSREP has not yet prepared node",
        "The MariaDB (Galera) cluster lost its primary component, as after a reboot or a Ctrl+C'd deploy: "
        "`aio-wizard recover-mariadb` runs kolla-ansible's recovery under the name the installed release has "
        "(--dry-run shows the line), then Retry.",
    ),
    _h(
        "host-libvirt",
        r"host libvirt is not running" + _FAILED_AFTER,
        "A libvirt daemon runs on the host (its socket /var/run/libvirt/libvirt-sock exists) and would clash "
        "with the nova_libvirt container: run the 'Stop and disable host libvirt' step again (or "
        "`systemctl disable --now libvirtd.service libvirtd.socket libvirtd-ro.socket libvirtd-admin.socket`), "
        "then Retry.",
    ),
    _h(
        "vip-answers-ping",
        r"kolla_internal_vip_address and kolla_external_vip_address are not pingable[^\]\n]*" + _FAILED_AFTER,
        "kolla_internal_vip_address answers ping, so it is already in use: with enable_haproxy 'yes' choose an "
        "unused IP in network_interface's subnet; with 'no' use the host's own IP. Fix the answer and run again.",
    ),
    _h(
        "vip-not-up",
        r"Wait(?:ing)? for virtual IP to appear" + _FAILED_AFTER,
        "keepalived never brought the VIP up: another VRRP router on this LAN uses the same "
        "keepalived_virtual_router_id (51 unless set: choose a free one in extra_globals), or the VIP is not in "
        "network_interface's subnet. Fix it, then Retry.",
    ),
    _h(
        "nova-compute-register",
        r"failed to register (?:itself|themselves)",
        "nova-compute did not come up (`docker logs nova_compute`): without KVM set nova_compute_virt_type: qemu, "
        "and on arm64 QEMU then needs a CPU model (/etc/kolla/config/nova/nova-compute.conf: [libvirt] cpu_mode = "
        "custom, cpu_models = cortex-a72); a libvirt 'authentication failed' means a SASL password mismatch "
        "(redeploy nova with the same passwords.yml). Then Retry.",
    ),
    _h(
        "libvirt-auth",
        r"(?:libvirtError|libvirt)[^\n]*authentication failed",
        "nova-compute cannot log in to libvirt (SASL): passwords.yml and the running nova_libvirt disagree, often "
        "after passwords.yml was regenerated. Redeploy nova (kolla-ansible deploy -i INVENTORY --tags nova) with "
        "the same passwords.yml, then Retry.",
    ),
    _h(
        "disk-full",
        r"(?P<what>No space left on device|You don't have enough free space in \S+|There is not enough space)",
        "The disk is full ({what}): free space (`df -h / /var/lib/docker`; `docker image prune` drops unused "
        "images), then Retry. An All-in-One needs about 40 GB.",
    ),
    _h(
        "dns",
        r"(?P<what>Temporary failure (?:in name resolution|resolving '[^']+')|Could not resolve host:? \S+|"
        r"Name or service not known|lookup \S+ on \S+: (?:no such host|server misbehaving))",
        "Name resolution failed ({what}): check /etc/resolv.conf, the default route and, behind a proxy, "
        "http_proxy/https_proxy, then Retry (`getent hosts deb.debian.org` should answer).",
        transient=True,
    ),
    _h(
        "registry-timeout",
        r"(?P<what>dial tcp [^\n]*i/o timeout)",
        "The registry (or the DNS server) did not answer in time ({what}): usually transient, Retry; behind a "
        "proxy Docker needs its own proxy settings (systemctl edit docker: Environment=HTTPS_PROXY=...); a "
        "registry mirror helps on a slow link.",
        transient=True,
    ),
    _h(
        "network",
        r"(?P<what>Connection timed out|Connection reset by peer|Read timed out|TLS handshake timeout|"
        r"context deadline exceeded|Network is unreachable|Failed to fetch \S+)",
        "A download failed ({what}): usually transient. Check the network and, behind a proxy, "
        "http_proxy/https_proxy (and no_proxy), then Retry.",
        transient=True,
    ),
)


@dataclass(frozen=True)
class HintMatch:
    id: str
    text: str
    transient: bool


def find_hint(lines: Iterable[str], hints: tuple[Hint, ...] = HINTS) -> HintMatch | None:
    """The first hint (in table order) whose pattern occurs in ``lines`` (the output's tail)."""
    text = "\n".join(lines) + "\n"
    for hint in hints:
        m = hint.pattern.search(text)
        if m:
            return HintMatch(hint.id, hint.render(m), hint.transient)
    return None
