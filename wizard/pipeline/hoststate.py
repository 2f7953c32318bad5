"""Read-only looks at a host (under a root) for the steps' done-checks.

A done-check must answer "is this step's work already there?" from the host itself, so a step
can be skipped even without a journal (a second run, a host prepared by hand). Everything here
reads files only (dpkg's status database, unit symlinks, the virtualenv), never runs commands,
so it works the same on the live host, in a chroot and in a test's temporary directory.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml

from wizard.host.services import dpkg_statuses, is_installed_status
from wizard.pipeline.model import host_path

SYSTEMD_DIRS = ("etc/systemd/system", "lib/systemd/system", "usr/lib/systemd/system")


def installed_packages(root: Path) -> set[str]:
    """Package names dpkg records as installed (``Status: install ok installed``)."""
    statuses = dpkg_statuses(host_path(root, "/")) or {}
    return {name for name, status in statuses.items() if is_installed_status(status)}


def missing_packages(root: Path, packages: Iterable[str]) -> list[str]:
    have = installed_packages(root)
    return [p for p in packages if p not in have]


def packages_done(root: Path, packages: Iterable[str]) -> str | None:
    pkgs = list(packages)
    if not pkgs:
        return "nothing to install"
    if host_path(root, "/var/lib/dpkg/status").exists() and not missing_packages(root, pkgs):
        return f"{len(pkgs)} packages already installed ({', '.join(pkgs[:4])}{', …' if len(pkgs) > 4 else ''})"
    return None


def enabled_units(root: Path, units: Iterable[str]) -> list[str]:
    """Units of ``units`` that are enabled (a symlink in some ``*.wants``/``*.requires`` directory)."""
    wanted = set(units)
    found: set[str] = set()
    base = host_path(root, "/etc/systemd/system")
    if base.is_dir():
        for d in base.iterdir():
            if d.is_dir() and (d.name.endswith(".wants") or d.name.endswith(".requires")):
                found |= {p.name for p in d.iterdir() if p.name in wanted}
    return sorted(found)


def unit_exists(root: Path, unit: str) -> bool:
    return any(host_path(root, "/" + d + "/" + unit).exists() for d in SYSTEMD_DIRS)


def systemd_running(root: Path) -> bool:
    """Whether systemd is PID 1 for this root: only the live root ("/") with /run/systemd/system."""
    return str(root) in ("", "/") and Path("/run/systemd/system").is_dir()


def passwords_filled(path: Path) -> str | None:
    """``reason`` when every top-level value of passwords.yml is set, else None."""
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError):
        return None
    if not isinstance(data, dict) or not data:
        return None
    empty = [k for k, v in data.items() if v is None or v == ""]
    if empty:
        return None
    return f"all {len(data)} values in /etc/kolla/passwords.yml are set"


def dist_version(site_root: Path, project: str) -> str | None:
    """The installed version of ``project`` in a virtualenv (``VENV/lib/python3.X/site-packages``)."""
    norm = project.replace("-", "_").lower()
    lib = site_root / "lib"
    if not lib.is_dir():
        return None
    for sp in lib.glob("python3*/site-packages"):
        for info in sp.glob("*.dist-info"):
            name, _, version = info.name[: -len(".dist-info")].partition("-")
            if name.replace("-", "_").lower() == norm:
                return version
    return None
