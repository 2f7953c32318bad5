"""The wizard's globals: which keys it sets, and where they go for a release.

From Victoria on, kolla-ansible reads ``/etc/kolla/globals.d/*.yml`` after ``globals.yml``, so the
wizard writes its keys to a file of its own and never touches the user's ``globals.yml``. Older
releases read only ``globals.yml``: there the keys are merged into it line by line, so the example
file's comments (its documentation) survive, each set key lands next to its commented example, and
the step that writes it keeps a backup. These are pure functions returning content; the pipeline
writes the files (atomically) and the plan shows the diff against what is on disk.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import yaml

from wizard.kolla.releases import Release

DEFAULT_CONFIG_DIR = "/etc/kolla"
GLOBALS_D_NAME = "aio-wizard.yml"
MARK = "# set by aio-wizard"
LOCAL_REGISTRY = "localhost"  # names images built here: no registry serves it, so nothing can pull over them


@dataclass(frozen=True)
class RenderedGlobals:
    """What to write: the whole file at ``path``; ``merged`` when it is the user's globals.yml (back it up)."""

    path: str
    content: str
    merged: bool
    keys: dict[str, Any] = field(default_factory=dict)  # the globals the wizard set, in order

    @property
    def backup(self) -> bool:
        return self.merged


def wizard_globals(values: Mapping[str, Any], release: Release) -> dict[str, Any]:
    """The globals.yml keys and values the answers stand for, in the order they are written."""
    suffix = values.get("openstack_tag_suffix") or ""
    out: dict[str, Any] = {"kolla_base_distro": values["kolla_base_distro"]}
    if release.install_type:
        # Debian images of that era were built from source (the guide: kolla-build -b debian -t source).
        out["kolla_install_type"] = "source"
    # On releases without openstack_tag_suffix, openstack_release *is* the image tag.
    out["openstack_release"] = release.name if release.tag_suffix_var else release.name + suffix
    out["kolla_internal_vip_address"] = values["kolla_internal_vip_address"]
    out["network_interface"] = values["network_interface"]
    out["neutron_external_interface"] = values["neutron_external_interface"]
    out["nova_compute_virt_type"] = values["nova_compute_virt_type"]
    out["enable_haproxy"] = values["enable_haproxy"]
    if proxysql_must_be_off(values, release):
        out["enable_proxysql"] = "no"
    if release.tag_suffix_var:
        out["openstack_tag_suffix"] = suffix
    registry, namespace = image_location(values, release)
    if registry != release.docker_registry:
        out["docker_registry"] = registry
    if namespace != release.docker_namespace:
        out["docker_namespace"] = namespace
    for key, value in (values.get("extra_globals") or {}).items():
        out[key] = value
    return out


def image_location(values: Mapping[str, Any], release: Release) -> tuple[str, str]:
    """The registry and namespace the deployed images are named with (globals and kolla-build alike).

    The answers', except for images built here under the published name: those get the registry
    ``localhost``. Named like the published images, a later ``kolla-ansible pull`` (or a deploy
    missing one image) would fetch the published ones over what was built, and 2026.1's prechecks
    refuse quay.io/openstack.kolla without ``--use-test-images`` (registry_checks.yml), a flag that
    is only honest for the published images.
    """
    registry = values.get("docker_registry")
    namespace = values.get("docker_namespace")
    registry = release.docker_registry if registry is None else str(registry)
    namespace = release.docker_namespace if namespace is None else str(namespace)
    published = (registry, namespace) == (release.docker_registry, release.docker_namespace)
    if values.get("image_source", "pull") == "build" and published:
        registry = LOCAL_REGISTRY
    return registry, namespace


def proxysql_must_be_off(values: Mapping[str, Any], release: Release) -> bool:
    """True when the wizard writes ``enable_proxysql: "no"``: ProxySQL is on by default for ``release``
    (19.0.0+) and haproxy is off.

    ProxySQL listens on ``kolla_internal_vip_address:3306`` (roles/loadbalancer/templates/proxysql/
    proxysql.yaml.j2) and MariaDB on ``api_interface_address:3306`` (roles/mariadb/templates/galera.cnf.j2).
    Without haproxy the VIP is the host's own address, so both would bind one socket and the deploy dies
    waiting for MariaDB. On one host ProxySQL has nothing to balance: the services talk to MariaDB directly.
    With haproxy on, the VIP is a separate address and ProxySQL stays (the layout upstream CI tests).
    """
    return release.proxysql_default and values.get("enable_haproxy", "no") in ("no", False)


def uses_published_images(values: Mapping[str, Any], release: Release) -> bool:
    """True when images come from the release's own registry/namespace (2026.1 prechecks then
    need ``--use-test-images``)."""
    if values.get("image_source", "pull") != "pull":
        return False
    registry = values.get("docker_registry", release.docker_registry)
    namespace = values.get("docker_namespace", release.docker_namespace)
    return registry == release.docker_registry and namespace == release.docker_namespace


def globals_path(release: Release, config_dir: str = DEFAULT_CONFIG_DIR) -> str:
    """Where the wizard's globals go for ``release``."""
    base = PurePosixPath(config_dir)
    return str(base / "globals.d" / GLOBALS_D_NAME) if release.globals_d else str(base / "globals.yml")


def render_globals(
    values: Mapping[str, Any],
    release: Release,
    existing_globals_text: str | None = None,
    *,
    config_dir: str = DEFAULT_CONFIG_DIR,
) -> RenderedGlobals:
    """The file to write for ``release``: a globals.d file of our own, or globals.yml with our keys merged.

    ``existing_globals_text`` is the current ``globals.yml`` (the copied example); it is needed only
    for releases without globals.d. None or empty there renders a minimal globals.yml.
    """
    keys = wizard_globals(values, release)
    path = globals_path(release, config_dir)
    if release.globals_d:
        return RenderedGlobals(path, render_globals_d(keys, release), merged=False, keys=keys)
    return RenderedGlobals(path, merge_into_globals(existing_globals_text or "---\n", keys), merged=True, keys=keys)


def render_globals_d(keys: Mapping[str, Any], release: Release) -> str:
    lines = [
        "---",
        "# Written by aio-wizard from its answers; read by kolla-ansible after globals.yml.",
        f"# OpenStack {release.name} (kolla-ansible {release.kolla_major}). Edit the answers and re-run rather",
        "# than this file: the wizard rewrites it. Your own settings belong in globals.yml.",
    ]
    for key, value in keys.items():
        lines.extend(_yaml_lines(key, value))
    return "\n".join(lines) + "\n"


def _yaml_lines(key: str, value: Any) -> list[str]:
    """``key: value`` lines; strings double-quoted as in the guide (``enable_haproxy: "no"``)."""
    if isinstance(value, str):
        return [f"{key}: {json.dumps(value, ensure_ascii=False)}"]
    if isinstance(value, bool | int | float) or value is None:
        return [f"{key}: {yaml.safe_dump(value).splitlines()[0]}"]
    dumped = yaml.safe_dump({key: value}, default_flow_style=False, sort_keys=False, allow_unicode=True)
    return dumped.rstrip("\n").splitlines()


_TOP_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*:")


def merge_into_globals(text: str, keys: Mapping[str, Any]) -> str:
    """``globals.yml`` with ``keys`` set, everything else (comments included) kept as it was.

    A key already set is replaced where it is; a key shown commented out in the example
    (``#network_interface: "eth0"``) is set on the line after it; any other key is appended in a
    block at the end. Raises ValueError if the result does not parse back to the same values.
    """
    lines = text.splitlines()
    pending: list[str] = []
    for key, value in keys.items():
        new = _yaml_lines(key, value)
        new[0] = f"{new[0]}  {MARK}" if len(new) == 1 else new[0]
        at = _find_key(lines, key)
        if at is not None:
            end = _value_end(lines, at)
            lines[at:end] = new
            continue
        example = _find_commented(lines, key)
        if example is not None:
            end = _value_end(lines, example)
            lines[end:end] = new
            continue
        pending.extend(new)
    if pending:
        if lines and lines[-1].strip():
            lines.append("")
        lines.append("# --- aio-wizard: keys without an example above ---")
        lines.extend(pending)
    result = "\n".join(lines) + "\n"
    _check_merged(result, keys)
    return result


def _find_key(lines: list[str], key: str) -> int | None:
    found = None
    for i, line in enumerate(lines):
        m = _TOP_KEY.match(line)
        if m and m.group(1) == key:
            found = i  # the last one wins in YAML, so replace the last
    return found


def _find_commented(lines: list[str], key: str) -> int | None:
    pattern = re.compile(rf"^#\s?{re.escape(key)}\s*:")
    for i, line in enumerate(lines):
        if pattern.match(line):
            return i
    return None


def _value_end(lines: list[str], at: int) -> int:
    """The index after the value that starts on line ``at`` (indented or ``- `` continuation lines)."""
    commented = lines[at].startswith("#")
    i = at + 1
    while i < len(lines):
        line = lines[i]
        body = line[1:] if commented and line.startswith("#") else line
        if commented and not line.startswith("#"):
            break
        if body.startswith((" ", "\t", "- ")) and body.strip():
            i += 1
            continue
        break
    return i


def _check_merged(result: str, keys: Mapping[str, Any]) -> None:
    try:
        parsed = yaml.safe_load(result) or {}
    except yaml.YAMLError as exc:  # pragma: no cover - would be a bug in the merge
        raise ValueError(f"merged globals.yml does not parse: {exc}") from exc
    for key, value in keys.items():
        if parsed.get(key) != value:
            raise ValueError(f"merged globals.yml: {key} reads back as {parsed.get(key)!r}, not {value!r}")
