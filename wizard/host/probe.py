"""Probe a host into :class:`HostFacts` (read-only), each fact with where it came from.

Everything is read under ``root`` and every command goes through ``run``, so tests describe any
host with fixture files and a runner double; the real machine is the default. Network interfaces
are the one thing that cannot come from files: ``live_network=True`` asks the kernel (psutil,
netifaces, sysfs) about the network namespace this process runs in, which is how the netns tests
build real hosts with real NICs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from wizard.host import cpu, network, os_release, ports, reach, services, virt
from wizard.host.commands import CommandRunner, run_command
from wizard.host.facts import HostFacts


def probe_host(
    root: Path = Path("/"),
    run: CommandRunner = run_command,
    *,
    live_network: bool = True,
    env: Mapping[str, str] | None = None,
) -> HostFacts:
    """Look at the host (or the fixture under ``root``) and describe it. Changes nothing.

    ``env`` is where SSH_CONNECTION and the proxy settings come from: this process's environment
    on the real host, nothing for a fixture root (a test run over SSH must not leak into it).
    """
    root = Path(root)
    if env is None:
        env = os.environ if root == Path("/") else {}
    sources: dict[str, str] = {}

    cpu_info = cpu.probe_cpu(root)
    sources.update(arch=cpu_info.arch_source, cpu_model=cpu_info.source, cpu_cores=cpu_info.source)
    ram, sources["ram_bytes"] = cpu.probe_memory(root)
    disk = cpu.probe_disk(root)
    for key in ("disk_root_free_bytes", "disk_docker_free_bytes", "disk_docker_path"):
        sources[key] = disk.source
    os_rel, sources["os"] = os_release.probe_os_release(root)

    virtualization, sources["virt"] = virt.probe_virtualization(root, run, cpu_info.arch, cpu_info.flags)

    if live_network:
        nics, sources["nics"] = network.probe_nics(root)
    else:
        nics, sources["nics"] = (), "not probed (live_network=False)"
    route = network.probe_default_route(root, live=live_network)
    sources["default_route"] = route.source if route else "no IPv4 default route (netifaces, /proc/net/route)"

    name, sources["hostname"] = services.hostname(root)
    hosts = services.read_hosts(root)
    resolves, sources["hostname_resolves_to"] = services.resolve_hostname(root, name, hosts)
    line, sources["hosts_127_0_1_1"] = services.hosts_127_0_1_1(root, hosts)
    libvirt, sources["libvirt_running"] = services.libvirt_running(root)
    docker_io, sources["docker_io_installed"] = services.dpkg_installed(root, "docker.io")
    clock, sources["clock_synchronized"] = services.clock_synchronized(run)
    cloud_hosts, sources["cloud_init_manages_etc_hosts"] = services.cloud_init_manages_etc_hosts(root)
    nscd, sources["nscd_running"] = services.nscd_running(root, run)
    root_user, sources["is_root"] = services.is_root()
    python3, sources["python_is_python3"] = services.python_is_python3(run)
    apparmor, sources["apparmor_libvirtd_profile"] = services.apparmor_libvirtd_profile(root)
    swap, sources["swap_bytes"] = cpu.probe_swap(root)
    pages, sources["page_size"] = services.page_size(root, run)
    listeners, sources["listeners"] = ports.probe_listeners(root)
    client, sources["ssh_client"] = network.ssh_client(env)
    client_nic, sources["ssh_client_interface"] = (None, "not an SSH session")
    if client:
        client_nic, sources["ssh_client_interface"] = network.route_interface(client, run)
    proxies, sources["proxy_env"] = reach.proxy_env(env)
    apt, sources["apt_sources"] = services.apt_sources(root)
    ntp, sources["ntp_active"] = services.ntp_active(run)

    return HostFacts(
        arch=cpu_info.arch,
        cpu_model=cpu_info.model,
        cpu_cores=cpu_info.cores,
        ram_bytes=ram,
        disk_root_free_bytes=disk.root_free,
        disk_docker_free_bytes=disk.docker_free,
        disk_docker_path=disk.docker_mount,
        os=os_rel,
        virt=virtualization,
        nics=nics,
        default_route=route,
        hostname=name,
        hostname_resolves_to=resolves,
        hosts_127_0_1_1=line,
        libvirt_running=libvirt,
        docker_io_installed=docker_io,
        clock_synchronized=clock,
        cloud_init_manages_etc_hosts=cloud_hosts,
        nscd_running=nscd,
        is_root=root_user,
        python_is_python3=python3,
        apparmor_libvirtd_profile=apparmor,
        swap_bytes=swap,
        page_size=pages,
        listeners=listeners,
        ssh_client=client,
        ssh_client_interface=client_nic,
        proxy_env=proxies,
        apt_sources=apt,
        ntp_active=ntp,
        sources=sources,
    )


def load_facts(path: str | None) -> HostFacts:
    """The ``--host-facts`` file when given (a ``probe --json`` document or bare facts), else this host."""
    if path:
        from wizard.errors import UserError
        from wizard.inputs import InputFileError

        try:
            return HostFacts.load(path)
        except InputFileError as exc:
            message = "no such host facts file" if str(exc) == "no such file" else str(exc)
            raise UserError(f"{path}: {message}") from None
        except (ValueError, TypeError, AttributeError, KeyError) as exc:
            raise UserError(f"{path}: not a host facts JSON file ({exc})") from None
    return probe_host()


def live_network_probe(host_facts: str | None, *, offline: bool = False) -> reach.NetworkProbe | None:
    """The probe for the checks that send packets (egress, the VIP): only for this very host.

    A ``--host-facts`` file describes another box (or a test's), whose network this one cannot
    speak for, so those checks are left out, as they are with ``offline``.
    """
    return None if host_facts or offline else reach.NetworkProbe()
