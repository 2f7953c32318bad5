"""What the suite needs from the machine, and how it skips where a fresh Debian root lacks it.

A chroot can create a network namespace (``ip netns add``) but not enter one (``ip -n`` and
``ip netns exec`` make / a slave mount, which fails where / is not a mount point): the namespace
tests must skip there with that reason, and a namespace made before a failure must not be left.
"""

from __future__ import annotations

import subprocess

import pytest

from tests.support import netns

pytestmark = pytest.mark.root


def _fail_entering(real):
    """An ``_ip`` that fails like a chroot's ``ip -n`` and runs everything else for real."""

    def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        if args[0] == "-n":
            failed = subprocess.CompletedProcess(["ip", *args], 1, "", 'mount --make-rslave /: Invalid argument\n')
            if check:
                raise RuntimeError(f"ip {' '.join(args)}: {failed.stderr.strip()}")
            return failed
        return real(*args, check=check)

    return ip


def _namespaces() -> set[str]:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}


@pytest.fixture
def chroot_like_ip(monkeypatch: pytest.MonkeyPatch) -> None:
    reason = netns.netns_unavailable()
    if reason:
        pytest.skip(reason)
    monkeypatch.setattr(netns, "_ip", _fail_entering(netns._ip))


def test_namespace_tests_skip_where_ip_cannot_enter_a_namespace(chroot_like_ip: None) -> None:
    before = _namespaces()
    reason = netns.netns_unavailable()
    assert reason and "mount --make-rslave /" in reason and "chroot" in reason
    assert _namespaces() == before


def test_a_host_whose_set_up_fails_in_the_with_leaves_no_namespace(chroot_like_ip: None) -> None:
    before = _namespaces()
    with pytest.raises(RuntimeError, match="make-rslave"), netns.NetnsHost("leak"):
        pass
    assert _namespaces() == before
