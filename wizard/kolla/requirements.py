"""Edits of what kolla-ansible and pip install from, for releases whose sources moved on.

A released kolla-ansible never changes, but the git branches its ``requirements.yml`` names do:
when a release leaves maintenance, OpenStack renames ``stable/<series>`` to
``unmaintained/<series>`` and later deletes it, leaving only a ``<series>-eol`` tag. kolla-ansible
18's ``install-deps`` then fails with "pathspec 'stable/2024.1' did not match". The wizard keeps
kolla-ansible's own mechanism (``install-deps`` runs ``ansible-galaxy collection install -r
$BASEDIR/requirements.yml``) and only corrects the ref in that file, from the catalog.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import yaml

KOLLA_COLLECTION_REPO = "ansible-collection-kolla"  # openstack/ansible-collection-kolla: the openstack.kolla collection


def pin_collection_ref(text: str | None, ref: str) -> str:
    """``requirements.yml`` with the openstack.kolla collection taken from git ``ref``; every other
    entry kept as it is. ValueError when the file has no such entry (the runner then says so
    instead of installing something else)."""
    data = yaml.safe_load(text or "")
    collections = data.get("collections") if isinstance(data, dict) else None
    if not isinstance(collections, list):
        raise ValueError("requirements.yml has no list of collections")
    found = False
    for entry in collections:
        if isinstance(entry, dict) and str(entry.get("name", "")).rstrip("/").removesuffix(".git").endswith(
            "/" + KOLLA_COLLECTION_REPO
        ):
            entry["version"] = ref
            found = True
    if not found:
        raise ValueError(f"requirements.yml names no {KOLLA_COLLECTION_REPO} collection")
    return "---\n" + yaml.safe_dump(data, sort_keys=False, default_flow_style=False)


def requirement_name(requirement: str) -> str:
    """The normalized (PEP 503) project name of a pip requirement or constraint: ``"PyYAML>=6"`` -> ``"pyyaml"``."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    return re.sub(r"[-_.]+", "-", match.group(1)).lower() if match else ""


def constraints_without(text: str, names: Iterable[str]) -> str:
    """Upper-constraints ``text`` without the lines for ``names`` (the catalog pins those itself:
    pip refuses a pin that contradicts a constraint)."""
    drop = {requirement_name(n) for n in names}
    kept = [line for line in text.splitlines() if requirement_name(line) not in drop or line.lstrip().startswith("#")]
    return "\n".join(kept) + "\n"
