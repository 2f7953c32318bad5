"""Rich renderables of the host facts and preflight checks for the Host screen.

Plain functions of the facts (no widget state), so the screen, the screenshot script and the
tests all draw the same thing. ``ascii_only`` is the console profile: no box drawing, no ticks.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

from wizard.host.facts import HostFacts

GIB = 1024**3

STATUS_STYLE = {"pass": "green", "warn": "yellow", "fail": "bold red"}
STATUS_MARK = {"pass": ("✔", "ok"), "warn": ("!", "!!"), "fail": ("✘", "XX")}


def _gib(n: int) -> str:
    return f"{n / GIB:.1f} GiB" if n else "unknown"


def facts_table(facts: HostFacts, *, ascii_only: bool = False) -> Table:
    """Arch, OS, CPU, RAM, disk, KVM with its reason, hostname, default route."""
    t = Table(box=None, show_header=False, padding=(0, 1), expand=True)
    t.add_column(style="bold", no_wrap=True, width=13)
    t.add_column(ratio=1)
    os_text = facts.os.pretty_name or f"{facts.os.id} {facts.os.version_id}".strip()
    if facts.os.codename and facts.os.codename not in os_text:
        os_text += f" ({facts.os.codename})"
    t.add_row("Architecture", facts.arch)
    t.add_row("OS", os_text)
    cpu = f"{facts.cpu_cores} cores" + (f", {facts.cpu_model}" if facts.cpu_model else "")
    t.add_row("CPU", cpu)
    t.add_row("RAM", _gib(facts.ram_bytes))
    disk = f"/ {_gib(facts.disk_root_free_bytes)} free"
    if facts.disk_docker_path and facts.disk_docker_path != "/":
        disk += f"; {facts.disk_docker_path} (docker) {_gib(facts.disk_docker_free_bytes)} free"
    t.add_row("Disk", disk)
    kvm = Text("usable" if facts.virt.usable else "not usable", style="green" if facts.virt.usable else "yellow")
    kvm.append(f": {facts.virt.reason}", style="default")
    t.add_row("KVM", kvm)
    host = facts.hostname or "unknown"
    if facts.hostname_resolves_to:
        host += " -> " + ", ".join(facts.hostname_resolves_to)
    t.add_row("Hostname", host)
    route = facts.default_route
    t.add_row("Default route", f"via {route.gateway} dev {route.interface}" if route else Text("none", style="yellow"))
    return t


def nics_table(facts: HostFacts, *, ascii_only: bool = False) -> Table:
    """One row per NIC: name, state, kind, IPv4 (global IPv6 too), MAC."""
    t = Table(
        box=box.ASCII if ascii_only else box.SIMPLE_HEAD,
        expand=True,
        padding=(0, 1),
        show_edge=False,
    )
    t.add_column("Interface", no_wrap=True)
    t.add_column("State", no_wrap=True)
    t.add_column("Kind", no_wrap=True)
    t.add_column("Addresses", ratio=1)
    t.add_column("MAC", no_wrap=True)
    route_if = facts.default_route.interface if facts.default_route else None
    for nic in facts.nics:
        name = Text(nic.name, style="bold" if nic.name == route_if else "")
        state = Text(nic.state, style="green" if nic.is_up else "yellow")
        addrs = [str(a) for a in nic.ipv4] + [str(a) for a in nic.global_ipv6]
        kind = nic.kind + (f" of {nic.master}" if nic.master else "")
        t.add_row(name, state, kind, ", ".join(addrs) or Text("no address", style="dim"), nic.mac or "")
    return t


def checks_renderable(checks: Iterable[Any], *, ascii_only: bool = False) -> Table | Text:
    """Each check as ``mark STATUS title: reason`` and, when not passing, its fix hint (failures first)."""
    t = Table(box=None, show_header=False, padding=(0, 1), expand=True)
    t.add_column(no_wrap=True, width=7)
    t.add_column(ratio=1)
    order = {"fail": 0, "warn": 1, "pass": 2}
    n = 0
    for c in sorted(checks, key=lambda c: order.get(getattr(c, "status", "warn"), 1)):
        n += 1
        status = getattr(c, "status", "warn")
        mark = STATUS_MARK.get(status, ("?", "??"))[1 if ascii_only else 0]
        style = STATUS_STYLE.get(status, "")
        body = Text()
        body.append(str(getattr(c, "title", getattr(c, "id", "?"))), style="bold")
        reason = getattr(c, "reason", "")
        if reason:
            body.append(f": {reason}")
        hint = getattr(c, "hint", "")
        if hint and status != "pass":
            body.append(f"\nfix: {hint}", style="italic")
        t.add_row(Text(f"{mark} {status.upper()}", style=style), body)
    if not n:
        return Text("No preflight checks available.", style="dim")
    return t


def check_counts(checks: Iterable[Any]) -> dict[str, int]:
    counts = {"pass": 0, "warn": 0, "fail": 0}
    for c in checks:
        counts[getattr(c, "status", "warn")] = counts.get(getattr(c, "status", "warn"), 0) + 1
    return counts
