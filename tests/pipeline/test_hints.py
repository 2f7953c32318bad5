"""Known-failure hints, tested against real samples of the messages they explain."""

from __future__ import annotations

import pytest

from wizard.pipeline.hints import find_hint

SAMPLES = {
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
