"""apt sources for a Debian that left the mirrors: the same suites, from archive.debian.org.

Debian 10 (buster) is no longer on deb.debian.org or security.debian.org: ``apt-get update``
against them gets 404 and no package can be installed. Its packages live on at
archive.debian.org, whose Release files have expired (hence ``Acquire::Check-Valid-Until``).
A pure function of the file's text, so the plan shows the exact diff and the runner writes it
with a backup.
"""

from __future__ import annotations

import re

ARCHIVE = "http://archive.debian.org/debian"
ARCHIVE_SECURITY = "http://archive.debian.org/debian-security"
APT_CONF = "/etc/apt/apt.conf.d/99aio-wizard-archive"
APT_CONF_CONTENT = (
    "// Written by aio-wizard: the Release files of archive.debian.org's old releases have expired.\n"
    'Acquire::Check-Valid-Until "false";\n'
)
_MIRROR = re.compile(
    r"^(?:https?|ftp)://(?:deb|ftp|httpredir|http|cdn-fastly)(?:\.[a-z]{2})?\.debian\.(?:org|net)/debian/?$"
)
_SECURITY = re.compile(r"^(?:https?|ftp)://security\.debian\.org(?:/debian-security)?/?$")
_LINE = re.compile(r"^(\s*deb(?:-src)?\s+(?:\[[^\]]*\]\s+)?)(\S+)(\s+)(\S+)(.*)$")


def to_debian_archive(text: str | None, codename: str) -> str:
    """``sources.list`` with ``codename``'s mirror and security lines on archive.debian.org.

    ``codename``, ``-backports`` and ``-proposed-updates`` move to the archive; ``codename/updates``
    (security) to its debian-security; ``codename-updates`` is commented out (its packages are in
    the last point release, and the archive's copy of that suite is not known to exist: one 404
    fails every apt-get update). Lines for other suites or hosts are kept as they are.
    """
    out = []
    for line in (text or "").splitlines(keepends=True):
        m = _LINE.match(line.rstrip("\n"))
        if not m:
            out.append(line)
            continue
        prefix, uri, space, suite, rest = m.groups()
        end = "\n" if line.endswith("\n") else ""
        if _MIRROR.match(uri) and suite in (codename, f"{codename}-backports", f"{codename}-proposed-updates"):
            out.append(f"{prefix}{ARCHIVE}{space}{suite}{rest}{end}")
        elif _MIRROR.match(uri) and suite == f"{codename}-updates":
            out.append(f"# aio-wizard: {codename}-updates is not on archive.debian.org: {line.rstrip()}{end}")
        elif _SECURITY.match(uri) and suite.startswith(f"{codename}/updates"):
            out.append(f"{prefix}{ARCHIVE_SECURITY}{space}{suite}{rest}{end}")
        else:
            out.append(line)
    return "".join(out)
