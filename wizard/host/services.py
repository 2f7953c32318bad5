"""Host services and settings that make Kolla's bootstrap or prechecks fail later.

Each of these is a failure the user otherwise meets 20 minutes into a deploy:
host libvirt's socket makes nova's precheck fail; Debian's docker.io conflicts with the
docker-ce that bootstrap-servers installs; an unsynchronized clock and a running nscd fail
prechecks; a ``127.0.1.1 <hostname>`` line breaks RabbitMQ; a leftover AppArmor libvirtd
profile stops the containerized libvirt. Every function returns ``(value, source)``.
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

from wizard.host.commands import NOT_FOUND, CommandRunner

LIBVIRT_SOCKETS = ("var/run/libvirt/libvirt-sock", "run/libvirt/libvirt-sock")
DPKG_STATUS = "var/lib/dpkg/status"
TIMEDATECTL = ("timedatectl", "show", "-p", "NTPSynchronized", "--value")
PIDOF_NSCD = ("pidof", "nscd")
PYTHON_VERSION = ("python", "--version")
APPARMOR_LIBVIRTD = "etc/apparmor.d/usr.sbin.libvirtd"
# cloud-init's configuration, lowest precedence first: the system's, then the instance's user-data
CLOUD_CFG = "etc/cloud/cloud.cfg"
CLOUD_CFG_D = "etc/cloud/cloud.cfg.d"
CLOUD_USER_DATA = "var/lib/cloud/instance/cloud-config.txt"
RESOLVE_TIMEOUT = 2.0  # seconds: a hostname lookup must never hang the probe on a dead DNS server


def libvirt_running(root: Path) -> tuple[bool, str]:
    for rel in LIBVIRT_SOCKETS:
        path = root / rel
        if os.path.lexists(path):
            return True, f"{path} exists"
    return False, f"no {root / LIBVIRT_SOCKETS[0]} nor {root / LIBVIRT_SOCKETS[1]}"


def dpkg_statuses(root: Path) -> dict[str, str] | None:
    """Each package's ``Status:`` in dpkg's status file (``install ok installed``...); None when unreadable."""
    try:
        text = (root / DPKG_STATUS).read_text(errors="replace")
    except OSError:
        return None
    out: dict[str, str] = {}
    for stanza in text.split("\n\n"):
        fields = {}
        for line in stanza.splitlines():
            key, sep, value = line.partition(":")
            if sep and not line.startswith(" "):
                fields[key] = value.strip()
        if "Package" in fields:
            out.setdefault(fields["Package"], fields.get("Status", ""))
    return out


def is_installed_status(status: str) -> bool:
    """``install ok installed`` (or ``hold ok installed``): not half-configured, not config-files only."""
    return status.endswith(" installed")


def dpkg_installed(root: Path, package: str) -> tuple[bool, str]:
    """Is ``package`` in state "install ok installed" in dpkg's status file?"""
    path = root / DPKG_STATUS
    statuses = dpkg_statuses(root)
    if statuses is None:
        return False, f"not readable: {path}"
    if package in statuses:
        status = statuses[package]
        return is_installed_status(status), f"{path} ({package}: {status or '?'})"
    return False, f"{path} (no {package})"


def clock_synchronized(run: CommandRunner) -> tuple[bool | None, str]:
    result = run(list(TIMEDATECTL))
    shown = " ".join(TIMEDATECTL)
    answer = result.output.strip().lower()
    if result.returncode == 0 and answer in ("yes", "no"):
        return answer == "yes", shown
    if result.returncode == NOT_FOUND:
        return None, f"{shown}: not installed"
    first = (result.output.strip().splitlines() or [f"exit {result.returncode}"])[0]
    return None, f"{shown}: {first}"


def cloud_init_manages_etc_hosts(root: Path) -> tuple[bool, str]:
    """Whether cloud-init rewrites /etc/hosts at boot (``manage_etc_hosts`` set in its configuration),
    which would bring back the 127.0.1.1 line the hosts step removes."""
    if not (root / "etc/cloud").is_dir():
        return False, f"no {root / 'etc/cloud'}: cloud-init is not installed"
    import yaml

    cfg_d = root / CLOUD_CFG_D
    paths = [root / CLOUD_CFG, *(sorted(cfg_d.glob("*.cfg")) if cfg_d.is_dir() else []), root / CLOUD_USER_DATA]
    value: object = None
    where = "not set in cloud-init's configuration"
    for path in paths:
        try:
            data = yaml.safe_load(path.read_text())
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            continue
        if isinstance(data, dict) and "manage_etc_hosts" in data:
            value, where = data["manage_etc_hosts"], str(path)
    return value not in (None, False) and str(value).lower() != "false", where


def nscd_running(root: Path, run: CommandRunner) -> tuple[bool, str]:
    if root == Path("/"):
        try:
            import psutil

            names = {p.info["name"] for p in psutil.process_iter(["name"])}
            return "nscd" in names, "psutil.process_iter()"
        except Exception:  # no /proc access: ask pidof instead
            pass
    result = run(list(PIDOF_NSCD))
    return result.returncode == 0, " ".join(PIDOF_NSCD)


def hostname(root: Path) -> tuple[str, str]:
    if root == Path("/"):
        return socket.gethostname(), "socket.gethostname()"
    path = root / "etc/hostname"
    try:
        return path.read_text().strip().split()[0], str(path)
    except (OSError, IndexError):
        return "", f"not readable: {path}"


def parse_hosts(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """Uncommented ``/etc/hosts`` entries as ``(address, names)``."""
    entries = []
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) >= 2:
            entries.append((fields[0], tuple(fields[1:])))
    return entries


def is_127_0_1_1_line(line: str) -> bool:
    """An uncommented /etc/hosts entry for 127.0.1.1 (leading blanks allowed; 127.0.1.10 is another address)."""
    return line.split("#", 1)[0].split()[:1] == ["127.0.1.1"]


#: ``/etc/hosts`` under a root, and its text (None when it cannot be read).
HostsFile = tuple[Path, str | None]


def read_hosts(root: Path) -> HostsFile:
    """Read ``root/etc/hosts`` once, for every probe that needs it (the 127.0.1.1 line, the hostname)."""
    path = root / "etc/hosts"
    try:
        return path, path.read_text(errors="replace")
    except OSError:
        return path, None


def unreadable(path: Path) -> str:
    """Why a file gave no text: "absent: P" (a minimal root has no /etc/hosts) or "not readable: P"."""
    return f"absent: {path}" if not os.path.lexists(path) else f"not readable: {path}"


def hosts_127_0_1_1(root: Path, hosts: HostsFile | None = None) -> tuple[str | None, str]:
    """The uncommented line starting with 127.0.1.1 (Debian's installer writes one), or None.

    ``hosts`` is :func:`read_hosts`'s result when the caller has read the file already.
    """
    path, text = hosts if hosts is not None else read_hosts(root)
    if text is None:
        return None, unreadable(path)
    for line in text.splitlines():
        if is_127_0_1_1_line(line):
            return line.strip(), str(path)
    return None, str(path)


def resolve_hostname(root: Path, name: str, hosts: HostsFile | None = None) -> tuple[tuple[str, ...], str]:
    """IPv4 addresses ``name`` resolves to: nss (with a timeout) on the live host, else root/etc/hosts.

    ``hosts`` is :func:`read_hosts`'s result when the caller has read the file already.
    """
    if not name:
        return (), "no hostname"
    if root == Path("/"):
        found = _getaddrinfo_with_timeout(name)
        if found is not None:
            return found, "socket.getaddrinfo()"
    path, text = hosts if hosts is not None else read_hosts(root)
    if text is None:
        return (), unreadable(path)
    entries = parse_hosts(text)
    addrs = tuple(dict.fromkeys(a for a, names in entries if name in names and ":" not in a))
    suffix = " (name service timed out)" if root == Path("/") else ""
    return addrs, f"{path}{suffix}"


def _getaddrinfo_with_timeout(name: str) -> tuple[str, ...] | None:
    """None when the lookup did not finish in time (a DNS server that never answers)."""
    box: dict[str, tuple[str, ...]] = {}

    def lookup() -> None:
        try:
            infos = socket.getaddrinfo(name, None, socket.AF_INET, socket.SOCK_STREAM)
            box["addrs"] = tuple(dict.fromkeys(str(i[4][0]) for i in infos))
        except OSError:
            box["addrs"] = ()

    thread = threading.Thread(target=lookup, name="resolve-hostname", daemon=True)
    thread.start()
    thread.join(RESOLVE_TIMEOUT)
    return box.get("addrs")


def python_is_python3(run: CommandRunner) -> tuple[bool | None, str]:
    """Does ``python`` exist and run Python 3? (The guide set it with update-alternatives.)"""
    result = run(list(PYTHON_VERSION))
    shown = " ".join(PYTHON_VERSION)
    if result.returncode == NOT_FOUND:
        return False, f"{shown}: not installed"
    text = result.output.strip()
    if text.startswith("Python 3"):
        return True, f"{shown}: {text}"
    if text.startswith("Python 2"):
        return False, f"{shown}: {text}"
    return None, f"{shown}: exit {result.returncode}"


def apparmor_libvirtd_profile(root: Path) -> tuple[bool, str]:
    path = root / APPARMOR_LIBVIRTD
    return path.exists(), str(path)


def is_root() -> tuple[bool, str]:
    return os.geteuid() == 0, "os.geteuid()"


#: The time-sync units Kolla's precheck asks ``systemctl is-active`` about (prechecks/tasks/timesync_checks.yml).
NTP_UNITS = ("chrony.service", "chronyd.service", "ntp.service", "ntpd.service", "systemd-timesyncd.service")


def ntp_active(run: CommandRunner) -> tuple[tuple[str, ...] | None, str]:
    """The time-sync units that are active (``systemctl is-active``: one answer line per unit), None when unknown."""
    argv = ["systemctl", "is-active", *NTP_UNITS]
    shown = "systemctl is-active " + " ".join(u.removesuffix(".service") for u in NTP_UNITS) + " (as kolla's precheck)"
    result = run(argv)
    if result.returncode == NOT_FOUND:
        return None, f"{shown}: systemctl not installed"
    states = result.output.split()
    if len(states) != len(NTP_UNITS):  # no systemd (a container): it says so instead
        first = (result.output.strip().splitlines() or [f"exit {result.returncode}"])[0]
        return None, f"{shown}: {first}"
    return tuple(u.removesuffix(".service") for u, s in zip(NTP_UNITS, states, strict=True) if s == "active"), shown


def apt_sources(root: Path) -> tuple[tuple[str, ...] | None, str]:
    """The URIs apt fetches from: one-line ``deb URI ...`` entries and deb822 ``URIs:`` fields.

    None when there is no apt configuration at all (not a Debian host, or a bare fixture).
    """
    apt = root / "etc/apt"
    files = [apt / "sources.list"]
    try:
        files += sorted(p for p in (apt / "sources.list.d").iterdir() if p.suffix in (".list", ".sources"))
    except OSError:
        pass
    uris: list[str] = []
    read = []
    for path in files:
        try:
            text = path.read_text(errors="replace")
        except OSError:
            continue
        read.append(str(path))
        if path.suffix == ".sources":
            uris += _deb822_uris(text)
            continue
        for raw in text.splitlines():
            words = raw.split("#", 1)[0].split()
            if words[:1] != ["deb"]:
                continue
            rest = " ".join(words[1:])
            if rest.startswith("["):  # deb [arch=arm64 signed-by=...] URI suite
                rest = rest.split("]", 1)[1] if "]" in rest else ""
            if rest.split():
                uris.append(rest.split()[0])
    if not read:
        return None, f"not readable: {apt / 'sources.list'} nor {apt / 'sources.list.d'}"
    return tuple(dict.fromkeys(uris)), ", ".join(read)


def _deb822_uris(text: str) -> list[str]:
    """``URIs:`` of the enabled stanzas of a deb822 .sources file (``Enabled: no`` turns one off)."""
    uris: list[str] = []
    for stanza in text.split("\n\n"):
        fields: dict[str, str] = {}
        for line in stanza.splitlines():
            key, sep, value = line.split("#", 1)[0].partition(":")
            if sep and not line.startswith((" ", "\t")):
                fields[key.strip().lower()] = value.strip()
        if fields.get("enabled", "yes").lower() not in ("no", "false", "0"):
            uris += fields.get("uris", "").split()
    return uris


def page_size(root: Path, run: CommandRunner) -> tuple[int | None, str]:
    """The kernel's page size (``getconf PAGESIZE``; os.sysconf on the live host when getconf is missing)."""
    result = run(["getconf", "PAGESIZE"])
    if result.returncode == 0 and result.output.strip().isdigit():
        return int(result.output.strip()), "getconf PAGESIZE"
    if root == Path("/"):
        return os.sysconf("SC_PAGE_SIZE"), "os.sysconf('SC_PAGE_SIZE')"
    return None, "getconf PAGESIZE: not available"
