"""Known-failure hints, tested against real samples of the messages they explain."""

from __future__ import annotations

import pytest

from wizard.pipeline.hints import find_hint

SAMPLES = {
    "verify-no-valid-host": [
        "created server aio-wizard-verify-4242 (cirros, m1.tiny, demo-net)\n"
        "  waiting for aio-wizard-verify-4242: BUILD (3 s)\n"
        "FAIL boot aio-wizard-verify-4242 (6.1 s): status ERROR: No valid host was found. There are not enough "
        "hosts available.\nverify: FAILED",
    ],
    "verify-qemu-cpu": [
        "FAIL boot aio-wizard-verify-77 (41.0 s): status ERROR: internal error: process exited while connecting "
        "to monitor: Could not access KVM kernel module: No such file or directory\n"
        "qemu-system-x86_64: failed to initialize KVM: No such file or directory",
        "FAIL boot aio-wizard-verify-77 (12.3 s): status ERROR: unsupported configuration: CPU mode "
        "'host-passthrough' for aarch64 qemu domain on aarch64 host is not supported by hypervisor",
    ],
    "verify-mtu": [
        "ok  ping 10.1.1.160 (1.2 s)\n"
        "FAIL ping -M do -s 1472 10.1.1.160 (6.0 s): large ping fails, small works (MTU): "
        "3 packets transmitted, 0 received, 100% packet loss, time 2041ms",
    ],
    "verify-unreachable": [
        "ok  floating IP 10.0.2.160 from public1 (2.4 s)\n"
        "FAIL ping 10.0.2.160 (181.0 s): 3 packets transmitted, 0 received, 100% packet loss, time 2050ms\n"
        "verify: FAILED",
    ],
    "apt-lock": [
        "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 3421 (unattended-upgr)\n"
        "E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?",
        "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 305 (apt-get)",
        "E: Could not get lock /var/lib/dpkg/lock - open (11: Resource temporarily unavailable)",
    ],
    "dns": [
        "Err:1 http://deb.debian.org/debian bookworm InRelease\n  Temporary failure resolving 'deb.debian.org'",
        "WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection "
        "broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object at 0x7f>: "
        "Failed to establish a new connection: [Errno -3] Temporary failure in name resolution')': /simple/pip/",
        "fatal: unable to access 'https://opendev.org/openstack/kolla-ansible/': Could not resolve host: opendev.org",
        'Error response from daemon: Get "https://quay.io/v2/": dial tcp: lookup quay.io on 127.0.0.53:53: '
        "server misbehaving",
    ],
    "dpkg-interrupted": [
        "E: dpkg was interrupted, you must manually run 'dpkg --configure -a' to correct the problem.",
    ],
    "pep668": [
        "error: externally-managed-environment\n\n× This environment is externally managed\n"
        "╰─> To install Python packages system-wide, try apt install\n    python3-xyz, where xyz is the package",
    ],
    "rate-limit": [
        'fatal: [localhost]: FAILED! => {"changed": true, "msg": "Unknown error message: toomanyrequests: You have '
        'reached your pull rate limit. You may increase the limit by authenticating and upgrading"}',
        "Error response from daemon: error parsing HTTP 429 response body: 429 Too Many Requests",
    ],
    "host-libvirt": [
        "TASK [nova-cell : Checking that host libvirt is not running] ******************************\n"
        'fatal: [localhost]: FAILED! => {"changed": false, "failed_when_result": true, "stat": {"exists": true, '
        '"path": "/var/run/libvirt/libvirt-sock"}}',
    ],
    "vip-answers-ping": [
        "TASK [loadbalancer : Checking if kolla_internal_vip_address and kolla_external_vip_address are not "
        "pingable from any node] ***\n"
        'failed: [localhost] (item=10.1.1.250) => {"ansible_loop_var": "item", "changed": false, "cmd": ["ping", '
        '"-c", "3", "10.1.1.250"], "rc": 0}',
    ],
    "disk-full": [
        "failed to register layer: write /var/lib/docker/overlay2/abc/diff/usr/lib/x: no space left on device",
        "E: You don't have enough free space in /var/cache/apt/archives/.",
    ],
    # --- failures.md, "after" column and "Also seen" ---
    "mariadb-port": [
        "RUNNING HANDLER [mariadb : Wait for first MariaDB service port liveness] ***\n"
        "FAILED - RETRYING: [localhost]: Wait for first MariaDB service port liveness (1 retries left).\n"
        'fatal: [localhost]: FAILED! => {"attempts": 10, "changed": false, "elapsed": 61, "msg": "Timeout when '
        'waiting for search string MariaDB in 10.0.2.15:3306"}',
        "[ERROR]: Task failed: Module failed: Timeout when waiting for search string MariaDB in 172.18.3.206:3306",
    ],
    "mariadb-wsrep": [
        "2026-08-02 10:11:12 0 [ERROR] WSREP: failed to open gcomm backend connection: 110: failed to reach primary "
        "view (pc.wait_prim_timeout): 110 (Connection timed out)",
        "ERROR 1047 (08S01) at line 1: WSREP has not yet prepared node for application use",
    ],
    "hostname": [
        'failed: [localhost] (item=localhost) => {"ansible_loop_var": "item", "stdout": "10.1.1.88   STREAM '
        'aio1\\n10.1.1.88   DGRAM  \\n127.0.1.1   STREAM"}, "msg": "Hostname has to resolve uniquely to the IP '
        'address of api_interface"}',
        '- fail: msg="Hostname has to resolve to IP address of api_interface"',
    ],
    "vip-not-up": [
        "TASK [haproxy : Waiting for virtual IP to appear] ****************************\n"
        'fatal: [localhost]: FAILED! => {"changed": false, "elapsed": 300, "msg": "Timeout when waiting for '
        '10.1.1.250:3306"}',
        "TASK [loadbalancer : Wait for virtual IP to appear] ****\n"
        'fatal: [localhost]: FAILED! => {"changed": false, "elapsed": 300, "msg": "Timeout when waiting for '
        '10.1.1.250:3306"}',
    ],
    "image-missing": [
        "Error response from daemon: manifest for quay.io/openstack.kolla/keystone:2025.1-debian-bookworm not "
        "found: manifest unknown: manifest unknown",
        'fatal: [localhost]: FAILED! => {"changed": false, "failed": true, "msg": "Unknown error message: Tag 4.0.1 '
        'not found in repository docker.io/kolla/ubuntu-binary-kolla-toolbox"}',
    ],
    "registry-timeout": [
        'Error response from daemon: Get "https://quay.io/v2/": dial tcp 44.193.181.103:443: i/o timeout',
    ],
    "test-images": [
        "TASK [prechecks : Check if using quay.io/openstack.kolla images] ****\n"
        'fatal: [localhost]: FAILED! => {"assertion": "not (docker_registry == \\"quay.io\\" and docker_namespace '
        '== \\"openstack.kolla\\")", "changed": false, "evaluated_to": false, "msg": "Kolla images from '
        "quay.io/openstack.kolla namespace are meant only for testing purposes, if you want to continue using them "
        'please use --use-test-images CLI argument"}',
    ],
    "ansible-version": [
        "ERROR: Ansible version should be between 2.9 and 2.10. Current version is 2.11.12 which is not supported.",
    ],
    "requests-docker": [
        "docker.errors.DockerException: Error while fetching server API version: Not supported URL scheme http+docker",
    ],
    "bcrypt-72": [
        "ValueError: password cannot be longer than 72 bytes, truncate manually if necessary (e.g. my_password[:72])",
    ],
    "git-ref-moved": [
        "ERROR! Unknown error when attempting to call Galaxy at 'git': error: pathspec 'stable/2023.1' did not "
        "match any file(s) known to git",
    ],
    "os-unsupported": [
        'fatal: [localhost]: FAILED! => {"changed": false, "msg": "Host OS distribution Ubuntu is not supported. '
        'Supported distributions are: CentOS, Debian, Rocky, Ubuntu"}',
    ],
    "nova-compute-register": [
        'fatal: [kolla1]: FAILED! => {"changed": false, "msg": "The Nova compute service failed to register itself '
        'on the following hosts: kolla1,kolla2,kolla3"}',
    ],
    "libvirt-auth": [
        "libvirt.libvirtError: authentication failed: Failed to start SASL negotiation: -4 (SASL(-4): no mechanism "
        "available: No worthy mechs found)",
    ],
    "nscd": [
        'fatal: [localhost]: FAILED! => {"changed": false, "msg": "Service nscd is running. This is known to cause '
        "issues with Docker's user namespaces in\\nKolla. Please disable it before proceeding.\\n\"}",
    ],
    "ntp-daemon": [
        'fatal: [localhost]: FAILED! => {"changed": false, "msg": "No host NTP daemon is running. Please install and '
        "configure a host NTP daemon. Alternatively, set 'prechecks_enable_host_ntp_checks' to 'false' to disable "
        'this check if not using one of the following NTP daemons: chrony, ntpd, systemd-timesyncd."}',
    ],
    "clock-unsynchronized": [
        'fatal: [localhost]: FAILED! => {"changed": false, "msg": "timedatectl sees the system clock as '
        "unsynchronized. Please wait for synchronization. Alternatively, set 'prechecks_enable_host_ntp_checks' to "
        "'false' to disable this check if your NTP daemon is not recognised by 'timedatectl status'.\"}",
    ],
    "docker-socket": [
        "permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get "
        '"http://%2Fvar%2Frun%2Fdocker.sock/v1.24/containers/json": dial unix /var/run/docker.sock: connect: '
        "permission denied",
    ],
    "ip-forward": ["WARNING: IPv4 forwarding is disabled. Networking will not work."],
    "empty-passwords": [
        "TASK [prechecks : Checking empty passwords in passwords.yml. Run kolla-genpwd if this task fails] ***\n"
        'fatal: [localhost -> localhost]: FAILED! => {"changed": false, "cmd": ["grep", "^[^#].*:\\\\s*$", '
        '"/etc/kolla/passwords.yml"], "failed_when_result": true, "rc": 0, "stdout": "keystone_admin_password:"}',
    ],
    "localtime": [
        'fatal: [localhost]: FAILED! => {"changed": false, "msg": "/etc/localtime is not found. This file is used '
        'for system-wide time settings and Kolla Ansible needs this file for mounting it to containers."}',
    ],
    "interface-missing": [
        'fatal: [localhost]: FAILED! => {"changed": false, "msg": "Please check the api_interface property - '
        'interface enp9s0 not found"}',
    ],
    "buster-archive": [
        "Err:5 http://deb.debian.org/debian buster/main amd64 Packages\n  404  Not Found [IP: 151.101.2.132 80]",
        "E: The repository 'http://deb.debian.org/debian buster Release' does not have a Release file.",
        "E: The repository 'http://security.debian.org/debian-security buster/updates Release' does not have a "
        "Release file.",
    ],
    "network": [
        "curl: (28) Failed to connect to github.com port 443 after 130001 ms: Connection timed out",
        "Err:1 http://deb.debian.org/debian bookworm InRelease\n  Connection timed out [IP: 151.101.2.132 80]",
    ],
}

#: The fix failures.md names for each, which the hint must say.
FIXES = {
    "verify-no-valid-host": ["openstack compute service list"],
    "verify-qemu-cpu": ["virt_type = qemu", "cpu_models"],
    "verify-mtu": ["global_physnet_mtu"],
    "verify-unreachable": ["ip route get 10.0.2.160"],
    # failures.md names `kolla-ansible mariadb_recovery -i INV`: the bash CLI's name (<= 18); 19+ calls it
    # mariadb-recovery. The hint knows no release, so it names the action that runs the release's own.
    "mariadb-port": ["enable_proxysql", "proxysql", "`aio-wizard recover-mariadb`"],
    "mariadb-wsrep": ["`aio-wizard recover-mariadb`"],
    "hostname": ["manage_etc_hosts: false", "getent ahostsv4"],
    "vip-not-up": ["keepalived_virtual_router_id"],
    "vip-answers-ping": ["unused IP"],
    "image-missing": ["-aarch64", "image_source: build"],
    "registry-timeout": ["mirror"],
    "rate-limit": ["mirror"],
    "test-images": ["--use-test-images"],
    "ansible-version": ["virtualenv"],
    "requests-docker": ["upper-constraints"],
    "bcrypt-72": ["upper-constraints", "bcrypt<5"],
    "git-ref-moved": ["unmaintained/"],
    "os-unsupported": ["pick a release for this Debian"],
    "nova-compute-register": ["qemu", "cortex-a72"],
    "host-libvirt": ["systemctl disable --now libvirtd"],
    "nscd": ["systemctl disable --now nscd"],
    "ntp-daemon": ["systemd-timesyncd", "chrony"],
    "clock-unsynchronized": ["wait"],
    "disk-full": ["df -h"],
    "dns": ["http_proxy"],
    "network": ["proxy"],
    "docker-socket": ["new login"],
    "ip-forward": ["net.ipv4.ip_forward=1"],
    "empty-passwords": ["kolla-genpwd"],
    "localtime": ["/etc/localtime"],
    "interface-missing": ["enp9s0"],
    "buster-archive": ["archive.debian.org"],
}


@pytest.mark.parametrize(("hint_id", "sample"), [(k, s) for k, v in SAMPLES.items() for s in v])
def test_each_known_failure_gets_its_hint(hint_id, sample):
    match = find_hint(sample.splitlines())
    assert match is not None and match.id == hint_id, match


def test_the_apt_lock_hint_names_the_holder():
    match = find_hint([SAMPLES["apt-lock"][0]])
    assert "process 3421 (unattended-upgr)" in match.text and match.transient


def test_pep668_is_not_worth_an_automatic_retry():
    assert find_hint(SAMPLES["pep668"][0].splitlines()).transient is False


def test_a_passing_libvirt_check_followed_by_another_failure_is_not_blamed_on_libvirt():
    lines = [
        "TASK [nova-cell : Checking that host libvirt is not running] ****",
        "ok: [localhost]",
        "TASK [nova-cell : Checking free port for Nova] ****",
        'fatal: [localhost]: FAILED! => {"msg": "port 8774 in use"}',
    ]
    match = find_hint(lines)
    assert match is None or match.id != "host-libvirt"


def test_ordinary_output_has_no_hint():
    assert find_hint(["Reading package lists...", "E: Unable to locate package nosuchthing"]) is None


@pytest.mark.parametrize("hint_id", sorted(FIXES))
def test_each_hint_says_the_fix_failures_md_names(hint_id):
    match = find_hint(SAMPLES[hint_id][0].splitlines())
    assert match is not None and match.id == hint_id
    for words in FIXES[hint_id]:
        assert words in match.text, (hint_id, words)


def test_the_mariadb_hint_names_the_address_that_did_not_answer():
    assert "10.0.2.15:3306" in find_hint(SAMPLES["mariadb-port"][0].splitlines()).text


def test_a_galera_timeout_is_a_mariadb_recovery_not_a_network_glitch():
    match = find_hint(SAMPLES["mariadb-wsrep"][0].splitlines())
    assert match.id == "mariadb-wsrep" and not match.transient


def test_a_vip_that_appeared_is_not_blamed_for_the_next_failure():
    lines = [
        "TASK [loadbalancer : Wait for virtual IP to appear] ****",
        "ok: [localhost]",
        "TASK [mariadb : Wait for first MariaDB service port liveness] ****",
        'fatal: [localhost]: FAILED! => {"msg": "Timeout when waiting for search string MariaDB in 10.1.1.250:3306"}',
    ]
    assert find_hint(lines).id == "mariadb-port"


def test_an_ordinary_authentication_failure_is_not_blamed_on_libvirt():
    assert find_hint(["fatal: Authentication failed for 'https://opendev.org/openstack/kolla-ansible/'"]) is None


def test_every_hint_is_tested_against_a_real_message():
    from wizard.pipeline.hints import HINTS

    assert {h.id for h in HINTS} == set(SAMPLES)
