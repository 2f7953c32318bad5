"""Validation of answers, before anything touches the host.

Everything kolla-ansible's prechecks would find an hour into an install (and what they never check:
an external NIC that has an address, a floating range that contains the gateway, kvm without KVM)
is found here, at once, each problem naming the key and showing a right value. Rules are keyed by
the answer they report on, so a UI can check one field live with :func:`validate_field` and the
review screen, ``validate`` and ``run`` check them all with :func:`validate_answers`.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from wizard.answers import defaults as host_defaults
from wizard.answers import derive
from wizard.answers.patterns import shown
from wizard.answers.questions import KEYS, Question, question
from wizard.host.facts import HostFacts
from wizard.kolla.releases import Release, debian_codename, find_release

#: globals.yml keys the wizard writes from its own answers: extra_globals may not set them.
MANAGED_GLOBALS = {
    "kolla_base_distro": "kolla_base_distro",
    "openstack_release": "openstack_release",
    "kolla_internal_vip_address": "kolla_internal_vip_address",
    "network_interface": "network_interface",
    "neutron_external_interface": "neutron_external_interface",
    "nova_compute_virt_type": "nova_compute_virt_type",
    "enable_haproxy": "enable_haproxy",
    "enable_keepalived": "enable_haproxy",
    "openstack_tag_suffix": "openstack_tag_suffix",
    "docker_registry": "docker_registry",
    "docker_namespace": "docker_namespace",
}


#: globals keys that hold secrets (passwords.yml's kind): refused in answers, never exported.
SECRET_KEY = re.compile(r"pass(word)?|secret|token|private", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the answers. ``message`` does not repeat the key; ``str()`` adds it."""

    key: str
    message: str
    severity: str = "error"  # "error" | "warning"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.key}: {prefix}{self.message}"


def did_you_mean(key: str) -> str:
    """`` (did you mean network_interface?)`` when a known key is close to ``key``, else ""."""
    close = difflib.get_close_matches(str(key), KEYS, n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


# --- normalising YAML's shapes ---------------------------------------------------------------


def normalize_value(key: str, value: Any) -> Any:
    """Undo YAML 1.1 surprises without guessing: ``2023.1`` read as a float, ``no`` read as False,
    and ``EXT_NET_RANGE``'s own ``start=A,end=B`` form. Anything else is returned unchanged."""
    if key == "openstack_release" and isinstance(value, float | int) and not isinstance(value, bool):
        return repr(value) if isinstance(value, float) else str(value)
    if key == "openstack_release" and isinstance(value, str):
        return value.strip().lower()
    if key == "enable_haproxy" and isinstance(value, bool):
        return "yes" if value else "no"
    if key == "ext_net_range" and isinstance(value, str) and value.startswith("start="):
        parts = dict(part.partition("=")[::2] for part in value.split(","))
        if set(parts) == {"start", "end"}:
            return {"start": parts["start"], "end": parts["end"]}
    return value


def normalize_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    return {k: normalize_value(k, v) for k, v in answers.items()}


# --- helpers that tolerate other fields being wrong -----------------------------------------


def _ip(value: Any) -> ipaddress.IPv4Address | None:
    try:
        return ipaddress.IPv4Address(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _net(value: Any) -> ipaddress.IPv4Network | None:
    try:
        return ipaddress.IPv4Network(value, strict=True) if isinstance(value, str) and "/" in value else None
    except ValueError:
        return None


Rule = Callable[[Any, Mapping[str, Any], HostFacts], Iterable[Problem]]
RULES: dict[str, list[Rule]] = {}


def rule(key: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        RULES.setdefault(key, []).append(fn)
        return fn

    return register


# --- cross-field and host rules -------------------------------------------------------------


@rule("openstack_release")
def _release_fits_host(value: Any, answers: Mapping[str, Any], facts: HostFacts) -> Iterable[Problem]:
    release = find_release(value)
    if release is None:
        return
    major = facts.os.major
    if facts.os.id not in ("debian", "unknown", "") and major:
        yield Problem("openstack_release", f"this host runs {facts.os.id} {major}; the wizard supports Debian only")
    elif major and not release.supports_debian(major):
        fits = [r.name for r in _releases_for_debian(major)]
        hint = f"e.g. {fits[-1]}" if fits else "no release supports it"
        yield Problem(
            "openstack_release",
            f"{release.name} does not support Debian {major} ({debian_codename(major) or 'unknown'}); "
            f"it supports Debian {', '.join(release.debian)} ({hint})",
        )
    distro = answers.get("kolla_base_distro", "debian")
    if (
        facts.is_arm64
        and answers.get("image_source", "pull") == "pull"
        and not release.supports_arch(facts.arch, distro)
    ):
        yield Problem(
            "openstack_release",
            f"{release.name} publishes no arm64 images for {distro} (only {', '.join(release.arm64_images)}); "
            'use kolla_base_distro "debian" or image_source "build"',
        )
    if not release.images_pullable and answers.get("image_source", "pull") == "pull":
        yield Problem(
            "openstack_release",
            f"{release.name} is end of life: its published images may no longer be pullable "
            '(image_source "build" avoids that)',
            "warning",
        )


def _releases_for_debian(major: str) -> list[Release]:
    from wizard.kolla.releases import load_releases

    return [r for r in load_releases() if r.supports_debian(major)]


@rule("image_source")
def _build_is_slow(value: Any, answers: Mapping[str, Any], facts: HostFacts) -> Iterable[Problem]:
    if value == "build":
        yield Problem(
            "image_source", "building every image with kolla-build takes hours (pull takes minutes)", "warning"
        )


def _external_example(facts: HostFacts, answers: Mapping[str, Any]) -> str:
    iface = answers.get("network_interface")
    found = host_defaults.detect_external_interface(facts, iface if isinstance(iface, str) else None)
    return found.value if isinstance(found.value, str) else "enp2s0"


def _management_example(facts: HostFacts) -> str:
    found = host_defaults.detect_network_interface(facts)
    return found.value if isinstance(found.value, str) else "enp1s0"


@rule("network_interface")
def _management_nic(value: Any, answers: Mapping[str, Any], facts: HostFacts) -> Iterable[Problem]:
    nic = facts.nic(value)
    example = _management_example(facts)
    if nic is None:
        names = ", ".join(n.name for n in facts.nics if n.kind != "loopback") or "none"
        yield Problem("network_interface", f"{value} does not exist on this host (interfaces: {names})")
        return
    if nic.kind == "loopback":
        yield Problem(
            "network_interface", f"{value} is the loopback interface; pick the NIC of your LAN (e.g. {example})"
        )
        return
    if facts.usable_ipv4(value) is None:
        yield Problem("network_interface", f"{value} has no IPv4 address; the APIs listen on it (e.g. {example})")
    if not nic.is_up:
        yield Problem(
            "network_interface", f"{value} is {nic.state}, not up; bring it up or pick another (e.g. {example})"
        )


@rule("neutron_external_interface")
def _external_nic(value: Any, answers: Mapping[str, Any], facts: HostFacts) -> Iterable[Problem]:
    key = "neutron_external_interface"
    example = _external_example(facts, answers)
    if value == answers.get("network_interface"):
        yield Problem(key, f"{value} is also network_interface; br-ex needs a second NIC (e.g. {example})")
        return
    nic = facts.nic(value)
    if nic is None:
        names = ", ".join(n.name for n in facts.nics if n.kind != "loopback") or "none"
        yield Problem(key, f"{value} does not exist on this host (interfaces: {names})")
        return
    if nic.kind in ("loopback", "bridge", "docker", "ovs"):
        yield Problem(key, f"{value} is a {nic.kind} interface; br-ex needs a NIC (e.g. {example})")
        return
    if nic.ipv4:
        addrs = ", ".join(str(a) for a in nic.ipv4)
        yield Problem(
            key,
            f"{value} has an IPv4 address ({addrs}): its address would stop working once it joins br-ex "
            f"(pick a NIC without IPv4, e.g. {example})",
        )
    if not nic.is_up:
        yield Problem(key, f"{value} is {nic.state}: floating IPs will not be reachable until it is up", "warning")
    if nic.master:
        yield Problem(key, f"{value} is already part of {nic.master}", "warning")


@rule("kolla_internal_vip_address")
def _vip(value: Any, answers: Mapping[str, Any], facts: HostFacts) -> Iterable[Problem]:
    key = "kolla_internal_vip_address"
    iface = answers.get("network_interface")
    addr = facts.usable_ipv4(iface) if isinstance(iface, str) else None
    if addr is None:
        return  # network_interface's own problem says why
    host = addr.interface
    vip = ipaddress.IPv4Address(value)
    haproxy = answers.get("enable_haproxy", "no")
    if haproxy not in ("no", "yes"):
        return  # enable_haproxy's own problem says why
    if haproxy == "no":
        if vip != host.ip:
            yield Problem(
                key, f'with enable_haproxy "no" the VIP must be the host\'s address on {iface} (e.g. {host.ip})'
            )
        return
    net = host.network
    if vip not in net:
        yield Problem(key, f"{vip} is not in {iface}'s subnet {net}{_vip_example(facts, iface)}")
    elif vip in (net.network_address, net.broadcast_address):
        yield Problem(key, f"{vip} is the network or broadcast address of {net}{_vip_example(facts, iface)}")
    elif vip in facts.host_ipv4s():
        yield Problem(
            key,
            f'with enable_haproxy "yes" the VIP must be an unused address, not the host\'s {vip}'
            f"{_vip_example(facts, iface)}",
        )


def _vip_example(facts: HostFacts, iface: str | None) -> str:
    """`` (e.g. ADDRESS)`` with the address the VIP default would offer, so the example is never the host
    or the gateway (the user may copy it); "" when the subnet has no free address to suggest."""
    found = derive.haproxy_vip_default(facts, iface)
    return f" (e.g. {found.value})" if found.value is not None else ""


@rule("kolla_base_distro")
def _distro_matches(value: Any, answers: Mapping[str, Any], facts: HostFacts) -> Iterable[Problem]:
    if value != "debian":
        yield Problem(
            "kolla_base_distro",
            f'{value} images on a Debian host: the images should match it (e.g. "debian")',
            "warning",
        )


@rule("nova_compute_virt_type")
def _kvm_usable(value: Any, answers: Mapping[str, Any], facts: HostFacts) -> Iterable[Problem]:
    if value == "kvm" and not facts.virt.usable:
        yield Problem(
            "nova_compute_virt_type",
            f'KVM IS NOT USABLE ON THIS HOST ({facts.virt.reason}): instances will fail to start with kvm; use "qemu"',
            "warning",
        )


@rule("openstack_tag_suffix")
def _suffix_matches_arch(value: Any, answers: Mapping[str, Any], facts: HostFacts) -> Iterable[Problem]:
    severity = "error" if answers.get("image_source", "pull") == "pull" else "warning"
    if facts.is_arm64 and value != "-aarch64":
        yield Problem(
            "openstack_tag_suffix", f'this host is {facts.arch}: the published arm64 images need "-aarch64"', severity
        )
    elif facts.arch == "x86_64" and value == "-aarch64":
        yield Problem("openstack_tag_suffix", 'this host is x86_64: "-aarch64" images will not run (use "")', severity)


@rule("extra_globals")
def _extra_globals(value: Any, answers: Mapping[str, Any], facts: HostFacts) -> Iterable[Problem]:
    for key in value:
        if key in MANAGED_GLOBALS:
            yield Problem(
                "extra_globals", f"{key} is set from the answer {MANAGED_GLOBALS[key]}: change that answer instead"
            )
        elif SECRET_KEY.search(key):
            yield Problem(
                "extra_globals",
                f"{key} looks like a secret; secrets belong in /etc/kolla/passwords.yml, never in answers",
            )
    release = find_release(answers.get("openstack_release"))
    if release is not None and not release.install_type and "kolla_install_type" in value:
        yield Problem("extra_globals", f"kolla_install_type was removed in Zed; {release.name} ignores it", "warning")


_FALSE_WORDS = ("no", "false", "off", "0", "n")


def _enabled(value: Any) -> bool:
    """Whether Ansible's ``| bool`` would read ``value`` as true; a template (``"{{ ... }}"``) counts as
    true, since it may be (enable_proxysql's own default is ``"{{ enable_mariadb }}"``)."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() not in _FALSE_WORDS


@rule("extra_globals")
def _proxysql_clash(value: Any, answers: Mapping[str, Any], facts: HostFacts) -> Iterable[Problem]:
    """ProxySQL listens on kolla_internal_vip_address:3306 and MariaDB on the host's address:3306: with
    haproxy off the VIP is the host's address, so turning ProxySQL back on makes both bind one socket
    and the deploy dies waiting for MariaDB (kolla.md, "ProxySQL and MariaDB on one socket")."""
    if "enable_proxysql" not in value or not _enabled(value["enable_proxysql"]):
        return
    if answers.get("enable_haproxy", "no") != "no":
        return
    if "enable_mariadb" in value and not _enabled(value["enable_mariadb"]):
        return
    vip = answers.get("kolla_internal_vip_address")
    yield Problem(
        "extra_globals",
        f'enable_proxysql {shown(value["enable_proxysql"])} with enable_haproxy "no": ProxySQL and MariaDB would '
        f"both bind kolla_internal_vip_address:3306 ({vip}:3306, the host's address); drop enable_proxysql "
        'or set enable_haproxy "yes" with a free kolla_internal_vip_address',
    )


@rule("demo_net_cidr")
def _demo_net_clear(value: Any, answers: Mapping[str, Any], facts: HostFacts) -> Iterable[Problem]:
    """init-runonce puts demo-subnet and public1-subnet on one router: Neutron refuses them overlapping;
    and a demo network over a LAN of the host shadows those machines from the instances."""
    if answers.get("run_init_runonce") is False:
        return
    net = _net(value)
    if net is None:
        return
    release = find_release(answers.get("openstack_release"))
    fixed = release is not None and not release.runonce_demo_env
    if fixed and release is not None and net != host_defaults.RUNONCE_DEMO_CIDR:
        yield Problem(
            "demo_net_cidr",
            f"{release.name}'s init-runonce hard-codes its demo network {host_defaults.RUNONCE_DEMO_CIDR}: "
            f"{net} cannot be passed to it (e.g. {host_defaults.RUNONCE_DEMO_CIDR})",
        )
        return
    clash = host_defaults.demo_net_overlaps(
        net, facts, answers.get("ext_net_cidr"), answers.get("kolla_internal_vip_address")
    )
    if not clash:
        return
    if fixed and release is not None:
        yield Problem(
            "demo_net_cidr",
            f"{release.name}'s init-runonce hard-codes the demo network {net}, which overlaps {', '.join(clash)} "
            "(Neutron refuses overlapping subnets on demo-router): use openstack_release 2023.1 or later, "
            "another ext_net_cidr, or run_init_runonce false",
        )
        return
    free = host_defaults.detect_demo_net_cidr(
        facts, answers.get("ext_net_cidr"), answers.get("kolla_internal_vip_address")
    )
    example = f" (e.g. {free.value})" if free.value else ""
    why = (
        "Neutron refuses overlapping subnets on demo-router"
        if any(c.startswith("ext_net_cidr") for c in clash)
        else "instances on it could not reach the machines it shadows"
    )
    yield Problem("demo_net_cidr", f"{net} overlaps {', '.join(clash)}: {why}{example}")


@rule("ext_net_gateway")
def _gateway_in_cidr(value: Any, answers: Mapping[str, Any], facts: HostFacts) -> Iterable[Problem]:
    net = _net(answers.get("ext_net_cidr"))
    if net is None:
        return
    gw = ipaddress.IPv4Address(value)
    first = net.network_address + 1
    if gw not in net:
        yield Problem("ext_net_gateway", f"{gw} is not inside ext_net_cidr {net} (e.g. {first})")
    elif gw in (net.network_address, net.broadcast_address):
        yield Problem("ext_net_gateway", f"{gw} is the network or broadcast address of {net} (e.g. {first})")


@rule("ext_net_range")
def _range_clear(value: Any, answers: Mapping[str, Any], facts: HostFacts) -> Iterable[Problem]:
    key = "ext_net_range"
    start, end = ipaddress.IPv4Address(value["start"]), ipaddress.IPv4Address(value["end"])
    net = _net(answers.get("ext_net_cidr"))
    example = _range_example(net, answers, facts)
    if start > end:
        yield Problem(key, f"start {start} is after end {end} (e.g. {example})")
        return
    if net is None:
        return
    outside = [str(ip) for ip in (start, end) if ip not in net]
    if outside:
        yield Problem(key, f"{', '.join(outside)} not inside ext_net_cidr {net} (e.g. {example})")
        return
    taken: list[tuple[str, ipaddress.IPv4Address]] = [
        ("the network address", net.network_address),
        ("the broadcast address", net.broadcast_address),
    ]
    if (gw := _ip(answers.get("ext_net_gateway"))) is not None:
        taken.append(("the gateway", gw))
    if (vip := _ip(answers.get("kolla_internal_vip_address"))) is not None:
        taken.append(("the VIP", vip))
    taken.extend(("a host address", ip) for ip in sorted(facts.host_ipv4s()))
    seen: set[ipaddress.IPv4Address] = set()
    for what, ip in taken:
        if start <= ip <= end and ip not in seen:
            seen.add(ip)
            yield Problem(key, f"{start}-{end} holds {what} {ip} (e.g. {example})")


def _range_example(net: ipaddress.IPv4Network | None, answers: Mapping[str, Any], facts: HostFacts) -> str:
    """The range the default would offer in ``net``; the guide's range when there is none (no CIDR yet,
    or a subnet too small or too full for one: the message still shows the shape of a range)."""
    if net is not None:
        found = derive.ext_net_range_default(
            facts, str(net), answers.get("ext_net_gateway"), answers.get("kolla_internal_vip_address")
        )
        if found.value is not None:
            return f"{{start: {found.value['start']}, end: {found.value['end']}}}"
    return "{start: 10.1.1.210, end: 10.1.1.240}"


# --- entry points ----------------------------------------------------------------------------


def validate_field(key: str, value: Any, answers: Mapping[str, Any], facts: HostFacts) -> list[Problem]:
    """Problems with one answer, given the others (for live checks as the user types)."""
    try:
        q = question(key)
    except KeyError:
        return [Problem(key, f"unknown answer{did_you_mean(key)}")]
    value = normalize_value(key, value)
    return _field_problems(q, value, {**normalize_answers(answers), key: value}, facts)


def shape_problem(key: str, value: Any) -> Problem | None:
    """The problem with ``value`` alone for the known answer ``key`` (missing, wrong type or form),
    or None. What every command that reads an answers file refuses outright: even ``plan``, which
    shows a plan for answers this host cannot run, needs values of the right shape to build one."""
    q = question(key)
    value = normalize_value(key, value)
    if value is None:
        return Problem(key, f"missing; e.g. {_example(q.example)}")
    message = q.check(value)
    return Problem(key, message) if message is not None else None


def _field_problems(q: Question, value: Any, answers: Mapping[str, Any], facts: HostFacts) -> list[Problem]:
    """Problems with ``value`` for ``q``; ``value`` and ``answers`` are normalised already (and
    ``answers[q.key]`` is ``value``), so checking every field normalises the answers once, not once a field."""
    if value is None:
        return [Problem(q.key, f"missing; e.g. {_example(q.example)}")]
    if (message := q.check(value)) is not None:
        return [Problem(q.key, message)]
    problems: list[Problem] = []
    for fn in RULES.get(q.key, ()):
        problems.extend(fn(value, answers, facts))
    return problems


def validate_answers(answers: Mapping[str, Any], facts: HostFacts, *, partial: bool = False) -> list[Problem]:
    """Every problem with a set of answers, in catalog order; unknown keys too.

    With ``partial=True`` missing keys are not problems (an ``--answers`` file for an interactive run).
    """
    answers = normalize_answers(answers)
    problems: list[Problem] = [
        Problem(str(key), f"unknown answer{did_you_mean(key)}") for key in answers if key not in KEYS
    ]
    for key in KEYS:
        if key not in answers:
            if not partial:
                problems.append(Problem(key, f"missing; e.g. {_example(question(key).example)}"))
            continue
        problems.extend(_field_problems(question(key), answers[key], answers, facts))
    return problems


def _example(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"' if value == "" or value in ("no", "yes") else value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_example(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_example(v) for v in value) + "]"
    return shown(value)
