"""``aio-wizard probe`` output: the facts with their sources, the checks, the defaults with reasons.

Two renderings of one document. The JSON (``probe --json``) is what ``--host-facts`` reads back,
so a host can be captured once and replayed anywhere. The text fits 80 columns, because the
people who need it most are on a serial console or a rescue shell.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from wizard.answers.text_form import to_text
from wizard.host.facts import HostFacts, Nic
from wizard.preflight.checks import GIB, Check

WIDTH = 80
_LABEL = 18


def probe_document(facts: HostFacts, checks: Sequence[Check], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """``{"facts": ..., "checks": [...], "defaults": {key: {"value": ..., "reason": ...}}}``."""
    return {
        "facts": facts.to_dict(),
        "checks": [c.to_dict() for c in checks],
        "defaults": {key: {"value": d.value, "reason": d.reason} for key, d in defaults.items()},
    }


def _wrap(text: str, first: str, rest: str) -> list[str]:
    return textwrap.wrap(
        text, WIDTH, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False, break_long_words=True
    ) or [first.rstrip()]


def _fact(label: str, value: str, source: str | None) -> list[str]:
    head = f"  {label:<{_LABEL - 2}}"
    lines = _wrap(value or "-", head, " " * _LABEL)
    if source:
        lines += _wrap(f"[{source}]", " " * (_LABEL + 2), " " * (_LABEL + 3))
    return lines


def _yes_no(value: bool | None, yes: str = "yes", no: str = "no", unknown: str = "unknown") -> str:
    return unknown if value is None else (yes if value else no)


def _python(facts: HostFacts) -> str:
    """What ``python`` is; a missing command is normal (Debian 11+ has only python3), not "not Python 3"."""
    if facts.python_is_python3 is False and facts.sources.get("python_is_python3", "").endswith("not installed"):
        return "no `python` command (fine on Debian 11+)"
    return _yes_no(facts.python_is_python3, "Python 3", "not Python 3")


def _nic_lines(nic: Nic) -> list[str]:
    details = [nic.state, nic.kind]
    if nic.master:
        details.append(f"in {nic.master}")
    if nic.carrier is not None:
        details.append("carrier" if nic.carrier else "no carrier")
    if nic.speed_mbps:
        details.append(f"{nic.speed_mbps} Mb/s")
    if nic.mtu:
        details.append(f"mtu {nic.mtu}")
    if nic.mac:
        details.append(nic.mac)
    lines = _wrap(f"{nic.name}: " + ", ".join(details), "  ", "      ")
    v4 = ", ".join(f"{a} (subnet {a.network})" for a in nic.ipv4) or "none"
    lines += _wrap(f"IPv4 {v4}", "      ", "           ")
    if nic.ipv6:
        v6 = ", ".join(str(a) + (" link-local" if a.is_link_local else "") for a in nic.ipv6)
        lines += _wrap(f"IPv6 {v6}", "      ", "           ")
    return lines


def _section(title: str) -> list[str]:
    return ["", title, "-" * len(title)]


def _later_facts(facts: HostFacts) -> list[str]:
    """The facts the later preflight checks read; a fact an older facts file lacks says "not probed"."""
    src = facts.sources.get
    out: list[str] = []
    unknown = "not probed"
    swap = unknown if facts.swap_bytes is None else f"{facts.swap_bytes / GIB:.1f} GiB"
    out += _fact("swap", swap, src("swap_bytes"))
    pages = unknown if facts.page_size is None else f"{facts.page_size // 1024} KiB"
    out += _fact("page size", pages, src("page_size"))
    if facts.ntp_active is None:
        ntp = unknown
    else:
        ntp = ", ".join(facts.ntp_active) + " active" if facts.ntp_active else "no NTP daemon active"
    out += _fact("time sync", ntp, src("ntp_active"))
    if facts.listeners is None:
        ports = unknown
    else:
        seen = dict.fromkeys(f"{x.port} ({x.process or '?'})" for x in facts.listeners)
        ports = ", ".join(seen) or "none"
    out += _fact("TCP listening", ports, src("listeners"))
    client, via = facts.ssh_client, facts.ssh_client_interface or "?"
    ssh = f"{client} via {via}" if client else "not an SSH session"
    out += _fact("SSH client", ssh, src("ssh_client_interface") if facts.ssh_client else None)
    proxy = ", ".join(f"{k}={v}" for k, v in facts.proxy_env.items()) or "none"
    out += _fact("proxy", proxy, src("proxy_env"))
    apt = unknown if facts.apt_sources is None else ", ".join(facts.apt_sources) or "none"
    out += _fact("apt sources", apt, src("apt_sources"))
    return out


def render_report(facts: HostFacts, checks: Iterable[Check], defaults: Mapping[str, Any]) -> str:
    """The readable report, every line at most 80 columns."""
    src = facts.sources.get
    os_name = facts.os.pretty_name or f"{facts.os.id} {facts.os.version_id}".strip()
    out = [f"aio-wizard probe: {facts.hostname or 'this host'} ({os_name}, {facts.arch})"]

    out += _section("Host facts")
    out += _fact("OS", f"{os_name} (id {facts.os.id}, version {facts.os.version_id or '?'})", src("os"))
    out += _fact(
        "CPU",
        f"{facts.arch}, {facts.cpu_model or 'model unknown'}, {facts.cpu_cores} cores",
        ", ".join(dict.fromkeys(s for s in (src("arch"), src("cpu_model")) if s)),
    )
    out += _fact("memory", f"{facts.ram_bytes / GIB:.1f} GiB", src("ram_bytes"))
    out += _fact(
        "free disk",
        f"{facts.disk_root_free_bytes / GIB:.1f} GiB on /, {facts.disk_docker_free_bytes / GIB:.1f} GiB "
        f"for /var/lib/docker (on {facts.disk_docker_path})",
        src("disk_docker_free_bytes"),
    )
    kvm = "usable" if facts.virt.usable else "NOT usable"
    out += _fact("KVM", f"{kvm}: {facts.virt.reason}", src("virt"))
    if facts.virt.kvm_ok_output:
        out += _fact("kvm-ok", facts.virt.kvm_ok_output.replace("\n", " / "), None)
    route = facts.default_route
    out += _fact(
        "default route",
        f"via {route.gateway} dev {route.interface}" if route else "none (no IPv4 default route)",
        src("default_route"),
    )
    resolves = ", ".join(facts.hostname_resolves_to) or "nothing"
    out += _fact("hostname", f"{facts.hostname or '?'} resolves to {resolves}", src("hostname_resolves_to"))
    out += _fact("127.0.1.1 line", facts.hosts_127_0_1_1 or "none", src("hosts_127_0_1_1"))
    out += _fact("host libvirt", _yes_no(facts.libvirt_running, "running", "not running"), src("libvirt_running"))
    out += _fact(
        "AppArmor", _yes_no(facts.apparmor_libvirtd_profile, "libvirtd profile present", "no libvirtd profile"), None
    )
    out += _fact(
        "docker.io", _yes_no(facts.docker_io_installed, "installed", "not installed"), src("docker_io_installed")
    )
    out += _fact(
        "clock", _yes_no(facts.clock_synchronized, "synchronized", "NOT synchronized"), src("clock_synchronized")
    )
    out += _fact("nscd", _yes_no(facts.nscd_running, "running", "not running"), src("nscd_running"))
    out += _fact("python", _python(facts), src("python_is_python3"))
    out += _later_facts(facts)
    out += _fact("root", _yes_no(facts.is_root), None)

    out += _section("Network interfaces")
    if src("nics"):
        out += _wrap(f"[{src('nics')}]", "  ", "   ")
    for nic in facts.nics:
        out += _nic_lines(nic)
    if not facts.nics:
        out.append("  none found")

    out += _section("Preflight checks")
    for check in checks:
        out += _wrap(f"{check.title}: {check.reason}", f"  {check.status.upper():<5} ", " " * 8)
        if check.hint and check.status != "pass":
            out += _wrap(f"fix: {check.hint}", " " * 8, " " * 13)

    out += _section("Detected defaults")
    for key, default in defaults.items():
        value = default.value
        if isinstance(value, dict) and set(value) == {"start", "end"}:
            value = to_text("range", value)  # as the front ends show a range
        out += _wrap(f"{key}: {'(none)' if value is None else value}", "  ", "      ")
        out += _wrap(default.reason, "      ", "      ")
    return "\n".join(out) + "\n"
