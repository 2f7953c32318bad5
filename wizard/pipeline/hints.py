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

HINTS: tuple[Hint, ...] = (
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
        "pep668",
        r"externally-managed-environment",
        "This Debian refuses system-wide pip installs (PEP 668): install into the virtualenv "
        "(VENV/bin/pip, as the wizard's own pip commands do), not with the system pip3.",
    ),
    _h(
        "rate-limit",
        r"(?P<what>toomanyrequests|too many requests|pull rate limit|rate limit exceeded)",
        "The container registry refused with a rate limit ({what}): wait a while and Retry, or point "
        "docker_registry at a mirror in the answers.",
        transient=True,
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
        "disk-full",
        r"(?P<what>No space left on device|You don't have enough free space in \S+|There is not enough space)",
        "The disk is full ({what}): free space (`df -h / /var/lib/docker`; `docker image prune` drops unused "
        "images), then Retry. An All-in-One needs about 40 GB.",
    ),
    _h(
        "dns",
        r"(?P<what>Temporary failure (?:in name resolution|resolving '[^']+')|Could not resolve host:? \S+|"
        r"Name or service not known|lookup \S+ on \S+: (?:no such host|server misbehaving))",
        "Name resolution failed ({what}): check /etc/resolv.conf, the default route and any proxy, then Retry "
        "(`getent hosts deb.debian.org` should answer).",
        transient=True,
    ),
    _h(
        "network",
        r"(?P<what>Connection timed out|Connection reset by peer|Read timed out|TLS handshake timeout|"
        r"context deadline exceeded|Network is unreachable|Failed to fetch \S+)",
        "A download failed ({what}): usually transient. Check the network, then Retry.",
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
