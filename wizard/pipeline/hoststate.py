"""Read-only looks at a host (under a root) for the steps' done-checks.

A done-check must answer "is this step's work already there?" from the host itself, so a step
can be skipped even without a journal (a second run, a host prepared by hand). Everything here
reads files only (dpkg's status database, unit symlinks, the virtualenv), never runs commands,
so it works the same on the live host, in a chroot and in a test's temporary directory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from wizard.host.services import dpkg_statuses, is_installed_status
from wizard.pipeline.model import host_path


def installed_packages(root: Path) -> set[str] | None:
    """Package names dpkg records as installed (``Status: install ok installed``); None when its
    status database cannot be read (no dpkg here: nothing can be said about packages)."""
    statuses = dpkg_statuses(host_path(root, "/"))
    if statuses is None:
        return None
    return {name for name, status in statuses.items() if is_installed_status(status)}


def packages_done(root: Path, packages: Iterable[str]) -> str | None:
    pkgs = list(packages)
    if not pkgs:
        return "nothing to install"
    have = installed_packages(root)
    if have is not None and all(p in have for p in pkgs):
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


def dist_info(site_root: Path, project: str) -> tuple[Path, str] | None:
    """The ``*.dist-info`` directory of ``project`` in a virtualenv (``VENV/lib/python3.X/site-packages``)
    and the version its name carries; None when it is not installed there."""
    norm = project.replace("-", "_").lower()
    lib = site_root / "lib"
    if not lib.is_dir():
        return None
    for sp in lib.glob("python3*/site-packages"):
        for info in sp.glob("*.dist-info"):
            name, _, version = info.name[: -len(".dist-info")].partition("-")
            if name.replace("-", "_").lower() == norm:
                return info, version
    return None


def dist_version(site_root: Path, project: str) -> str | None:
    """The installed version of ``project`` in a virtualenv."""
    found = dist_info(site_root, project)
    return found[1] if found else None


def direct_url(site_root: Path, project: str) -> dict[str, Any] | None:
    """PEP 610's ``direct_url.json`` of ``project`` in a virtualenv: where pip installed it from
    (for git, the URL, the requested ref and the commit); None for a PyPI install or none."""
    found = dist_info(site_root, project)
    if not found:
        return None
    try:
        data = json.loads((found[0] / "direct_url.json").read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
