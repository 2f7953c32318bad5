"""Which operating system the host runs, from ``/etc/os-release``.

The release matrix is keyed by Debian's major version, so the version must be right even on
boxes where os-release is thin: Debian testing has no ``VERSION_ID`` (we then read
``/etc/debian_version``), and some images ship only ``/usr/lib/os-release``.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from wizard.host.facts import OsRelease

_CANDIDATES = ("etc/os-release", "usr/lib/os-release")


def parse_os_release(text: str) -> dict[str, str]:
    """``KEY=value`` lines with shell quoting, as os-release(5) defines them; bad lines are skipped."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, raw = line.partition("=")
        try:
            parts = shlex.split(raw)
        except ValueError:
            continue
        values[key.strip()] = parts[0] if parts else ""
    return values


def probe_os_release(root: Path) -> tuple[OsRelease, str]:
    """The OS fields and where they came from (a path under ``root``, or "not found")."""
    for rel in _CANDIDATES:
        path = root / rel
        try:
            text = path.read_text(errors="replace")
        except OSError:
            continue
        values = parse_os_release(text)
        version_id = values.get("VERSION_ID", "")
        source = str(path)
        if not version_id and values.get("ID") == "debian":
            version_id, extra = _debian_version(root)
            if extra:
                source += f" + {extra}"
        return (
            OsRelease(
                id=values.get("ID", "unknown") or "unknown",
                version_id=version_id,
                codename=values.get("VERSION_CODENAME", ""),
                pretty_name=values.get("PRETTY_NAME", ""),
            ),
            source,
        )
    return OsRelease(), f"not found: {root / _CANDIDATES[0]}"


def _debian_version(root: Path) -> tuple[str, str]:
    """Debian testing/sid: /etc/debian_version holds "13.1" or "trixie/sid" (no number)."""
    path = root / "etc/debian_version"
    try:
        text = path.read_text().strip()
    except OSError:
        return "", ""
    head = text.split("/")[0]
    return (head, str(path)) if head[:1].isdigit() else ("", str(path))
