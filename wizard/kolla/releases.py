"""The release catalog: what differs between OpenStack releases, read from ``releases.yaml``.

Kolla-Ansible changed a lot between Train (the guide's era) and 2026.1: the CLI, how Ansible is
installed, where globals may go, how init-runonce gets its external network, image tags. Keeping
all of it in one data file means adding a release is editing YAML, and no other module compares
release names: they ask a :class:`Release` instead.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from wizard.errors import UserError
from wizard.host.facts import ARM64_ARCHES

CATALOG_PATH = Path(__file__).with_name("releases.yaml")


@dataclass(frozen=True)
class Release:
    """One OpenStack release as Kolla-Ansible ships it (fields documented in releases.yaml)."""

    name: str
    kolla_major: int
    debian: tuple[str, ...]
    python_min: str
    ansible_requirement: str | None
    install_deps: bool
    runonce_env: bool
    globals_d: bool
    python_cli: bool
    image_tag_format: str
    tag_suffix_var: bool
    image_codename: str
    prechecks_test_images: bool
    clouds_yaml: bool
    install_type: bool
    docker_registry: str
    docker_namespace: str
    arm64_images: tuple[str, ...]
    extra_apt: tuple[str, ...]
    images_pullable: bool
    collection_ref: str | None
    git_ref: str | None
    constraints_url: str
    pins: tuple[str, ...]
    images_note: str
    proxysql_default: bool = False
    runonce_demo_env: bool = False
    #: (action, this release's name for it) for the actions whose name changed (``action_renames``).
    action_names: tuple[tuple[str, str], ...] = ()

    # --- derived -----------------------------------------------------------------------------

    @property
    def kolla_ansible_requirement(self) -> str:
        """pip requirement pinning kolla-ansible to this release (``kolla-ansible>=22,<23``)."""
        return f"kolla-ansible>={self.kolla_major},<{self.kolla_major + 1}"

    @property
    def kolla_requirement(self) -> str:
        """pip requirement for kolla (the image builder) of this release."""
        return f"kolla>={self.kolla_major},<{self.kolla_major + 1}"

    @property
    def git_branch(self) -> str:
        """Where kolla-ansible's source of this release lives now: ``stable/2025.1`` while maintained,
        then ``unmaintained/<release>`` or the ``<release>-eol`` tag (the stable branch is deleted)."""
        return self.git_ref or self.stable_branch

    @property
    def stable_branch(self) -> str:
        """``stable/<release>``: what the release's own files (requirements.yml) name."""
        return f"stable/{self.name}"

    @property
    def collection_ref_moved(self) -> bool:
        """Whether the collection branch the release's requirements.yml names (stable/<release>) is gone."""
        return bool(self.collection_ref) and self.collection_ref != self.stable_branch

    @property
    def ansible_managed_by_kolla(self) -> bool:
        """True when kolla-ansible pulls in ansible-core itself (no separate Ansible install)."""
        return self.ansible_requirement is None

    def kolla_action(self, action: str) -> str:
        """This release's ``kolla-ansible`` subcommand for ``action`` (``mariadb-recovery`` ->
        ``mariadb_recovery`` on the bash CLI of 18.x and older); every other action keeps its name."""
        return dict(self.action_names).get(action, action)

    def supports_debian(self, debian_major: str) -> bool:
        return str(debian_major) in self.debian

    def supports_arch(self, arch: str, distro: str = "debian") -> bool:
        """Whether published images exist for ``arch``: x86_64 always, arm64 per ``arm64_images``."""
        if arch in ARM64_ARCHES:
            return distro in self.arm64_images
        return True

    def image_tag(self, distro: str = "debian", suffix: str = "") -> str:
        """The image tag kolla-ansible will pull (``2026.1-debian-trixie`` + ``-aarch64``)."""
        base = self.image_tag_format.format(release=self.name, distro=distro, codename=self.image_codename)
        return base + suffix

    def __str__(self) -> str:
        return self.name


@functools.cache
def _catalog() -> tuple[tuple[Release, ...], dict[str, str], frozenset[str]]:
    data = yaml.safe_load(CATALOG_PATH.read_text())
    defaults: dict[str, Any] = data.get("defaults", {})
    since: dict[str, int] = {str(k): int(v) for k, v in (data.get("since") or {}).items()}
    renames: dict[str, dict[str, Any]] = {str(k): v for k, v in (data.get("action_renames") or {}).items()}
    releases = []
    for entry in data["releases"]:
        merged = {**defaults, **entry}
        for feature, major in since.items():
            merged[feature] = int(merged["kolla_major"]) >= major
        merged["action_names"] = tuple(
            (action, action if int(merged["kolla_major"]) >= int(r["since"]) else str(r["before"]))
            for action, r in renames.items()
        )
        for key in ("debian", "arm64_images", "extra_apt", "pins"):
            merged[key] = tuple(str(v) for v in merged[key])
        merged["name"] = str(merged["name"])
        merged["python_min"] = str(merged["python_min"])
        releases.append(Release(**merged))
    codenames = {str(k): str(v) for k, v in data.get("debian_codenames", {}).items()}
    archived = frozenset(str(v) for v in data.get("debian_archived", []))
    return tuple(releases), codenames, archived


def load_releases() -> tuple[Release, ...]:
    """Every release in the catalog, oldest first."""
    return _catalog()[0]


def release_names() -> tuple[str, ...]:
    return tuple(r.name for r in load_releases())


def get_release(name: str) -> Release:
    """The release called ``name`` (case-insensitive); UserError naming the valid ones otherwise."""
    wanted = str(name).strip().lower()
    for release in load_releases():
        if release.name == wanted:
            return release
    raise UserError(f"openstack_release: unknown release {name!r}; valid: {', '.join(release_names())}")


def find_release(name: object) -> Release | None:
    """Like :func:`get_release` but None for an unknown name (for validation that collects problems)."""
    try:
        return get_release(str(name))
    except UserError:
        return None


def debian_codename(debian_major: str) -> str:
    """``"12"`` -> ``"bookworm"``; ``""`` when the catalog does not know the version."""
    return _catalog()[1].get(str(debian_major), "")


def debian_archived(debian_major: str) -> bool:
    """Whether this Debian version's packages are only on archive.debian.org (buster)."""
    return str(debian_major) in _catalog()[2]


def releases_for(debian_major: str, arch: str) -> tuple[Release, ...]:
    """Releases (oldest first) that support this Debian version and have images for this arch."""
    return tuple(r for r in load_releases() if r.supports_debian(debian_major) and r.supports_arch(arch))


def newest_release_for(debian_major: str, arch: str) -> Release | None:
    """The newest release for this Debian major version and architecture, None if there is none."""
    candidates = releases_for(debian_major, arch)
    return candidates[-1] if candidates else None


def newest_release() -> Release:
    return load_releases()[-1]
