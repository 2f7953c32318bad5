"""Strict shape checks for single answer values.

Every answer ends up on a command line (``pip install``, ``ip``, ``kolla-ansible``) or in a file
(globals, init-runonce's environment), so each value is checked against the narrowest pattern that
still accepts every real value: interface names by the kernel's rules minus anything a shell or
``argv`` parser could take for syntax, package names by Debian policy, addresses by ``ipaddress``.
Each function returns an error message (naming what a right value looks like) or None.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any

# Kernel: 1-15 bytes, not "." or "..", no "/", ":" or whitespace. We also refuse a leading "-"
# (would read as an option) and anything but letters, digits, "_", ".", "-".
INTERFACE_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$")
# Debian policy: lower case letters, digits, + - . ; at least two characters, starting alphanumeric.
DEB_PACKAGE_RE = re.compile(r"^[a-z0-9][a-z0-9+.-]+$")
GIT_REF_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$")
PATH_RE = re.compile(r"^/[A-Za-z0-9._/-]*$")
REGISTRY_RE = re.compile(r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:[0-9]{1,5})?$")
NAMESPACE_RE = re.compile(r"^[a-z0-9]+([._/-][a-z0-9]+)*$")
GLOBALS_KEY_RE = re.compile(r"^[a-z_][a-z0-9_]{0,99}$")
TAG_SUFFIX_RE = re.compile(r"^(-[a-z0-9]+)?$")
CONTROL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")

# System directories a virtualenv must not be created over.
FORBIDDEN_VENV_PATHS = frozenset(
    {"/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/opt", "/proc", "/root", "/run", "/sbin", "/sys", "/tmp"}
    | {"/usr", "/usr/bin", "/usr/lib", "/usr/local", "/usr/sbin", "/var", "/var/lib", "/etc/kolla"}
)


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return type(value).__name__


def shown(value: Any, width: int = 60) -> str:
    """A value quoted for a message, cut to ``width`` characters so junk cannot flood the terminal."""
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def check_str(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"expected text, got {_type_name(value)}"
    return None


def check_interface(value: Any) -> str | None:
    if (err := check_str(value)) is not None:
        return err
    if value in (".", "..") or not INTERFACE_RE.fullmatch(value):
        return f"{shown(value)} is not an interface name (1-15 letters, digits, '_', '.', '-'; e.g. enp1s0)"
    return None


def check_ipv4(value: Any) -> str | None:
    if (err := check_str(value)) is not None:
        return err
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return f"{shown(value)} is not an IPv4 address (e.g. 10.1.1.88)"
    return None


def check_cidr(value: Any) -> str | None:
    if (err := check_str(value)) is not None:
        return err
    if "/" not in value:
        return f"{shown(value)} is not a CIDR: add the prefix length (e.g. 10.1.1.0/24)"
    try:
        ipaddress.IPv4Network(value, strict=False)
    except ValueError:
        return f"{shown(value)} is not an IPv4 CIDR (e.g. 10.1.1.0/24)"
    net = ipaddress.IPv4Network(value, strict=False)
    if str(net) != value:
        return f"{shown(value)} has host bits set: write the network, {net}"
    if net.prefixlen > 29:
        return f"{value} is too small for a gateway and a floating IP range (at most /29; e.g. 10.1.1.0/24)"
    return None


def check_range(value: Any) -> str | None:
    if not isinstance(value, Mapping):
        return (
            f"expected a mapping with start and end, got {_type_name(value)} "
            "(e.g. {start: 10.1.1.210, end: 10.1.1.240})"
        )
    keys = set(value)
    if keys != {"start", "end"}:
        extra = sorted(str(k) for k in keys - {"start", "end"})
        missing = sorted({"start", "end"} - keys)
        what = f"missing {', '.join(missing)}" if missing else f"unexpected {', '.join(extra)}"
        return f"needs exactly start and end ({what}; e.g. {{start: 10.1.1.210, end: 10.1.1.240}})"
    for part in ("start", "end"):
        if (err := check_ipv4(value[part])) is not None:
            return f"{part}: {err}"
    return None


def check_bool(value: Any) -> str | None:
    if not isinstance(value, bool):
        return f"expected true or false, got {shown(value)}"
    return None


def check_git_ref(value: Any) -> str | None:
    if (err := check_str(value)) is not None:
        return err
    if not GIT_REF_RE.fullmatch(value) or ".." in value or value.endswith((".lock", "/", ".")) or "//" in value:
        return f"{shown(value)} is not a git branch or tag name (e.g. stable/2025.1)"
    return None


def check_venv_path(value: Any) -> str | None:
    if (err := check_str(value)) is not None:
        return err
    if not value.startswith("/"):
        return f"{shown(value)} is not an absolute path (e.g. /opt/kolla-venv)"
    if not PATH_RE.fullmatch(value) or any(part in (".", "..") for part in value.split("/")):
        return f"{shown(value)} may hold only letters, digits, '.', '_', '-' and '/' (e.g. /opt/kolla-venv)"
    if value.rstrip("/") in FORBIDDEN_VENV_PATHS or value.rstrip("/") == "":
        return f"{value} is a system directory; use a directory of its own (e.g. /opt/kolla-venv)"
    return None


def check_package_list(value: Any) -> str | None:
    if not isinstance(value, list | tuple):
        return f"expected a list of Debian package names, got {_type_name(value)} (e.g. [tcpdump, curl])"
    for item in value:
        if not isinstance(item, str) or not DEB_PACKAGE_RE.fullmatch(item):
            return f"{shown(item)} is not a Debian package name (e.g. tcpdump)"
    if len(set(value)) != len(value):
        dup = next(v for v in value if list(value).count(v) > 1)
        return f"{dup} is listed twice"
    return None


def check_registry(value: Any) -> str | None:
    if (err := check_str(value)) is not None:
        return err
    if value and not REGISTRY_RE.fullmatch(value):
        return f"{shown(value)} is not a registry host[:port] (e.g. quay.io; empty for Docker Hub)"
    return None


def check_namespace(value: Any) -> str | None:
    if (err := check_str(value)) is not None:
        return err
    if not NAMESPACE_RE.fullmatch(value):
        return f"{shown(value)} is not an image namespace (e.g. openstack.kolla)"
    return None


def check_tag_suffix(value: Any) -> str | None:
    if (err := check_str(value)) is not None:
        return err
    if not TAG_SUFFIX_RE.fullmatch(value):
        return f'{shown(value)} is not a tag suffix ("-aarch64" on arm64, "" otherwise)'
    return None


def check_extra_globals(value: Any) -> str | None:
    if not isinstance(value, Mapping):
        return (
            f"expected a mapping of globals.yml keys to values, got {_type_name(value)} (e.g. {{enable_cinder: 'no'}})"
        )
    for key, item in value.items():
        if not isinstance(key, str) or not GLOBALS_KEY_RE.fullmatch(key):
            return f"{shown(key)} is not a globals.yml key (lower case, digits, '_'; e.g. enable_cinder)"
        if (err := _check_plain_data(item, f"{key}")) is not None:
            return err
    return None


def _check_plain_data(item: Any, where: str, depth: int = 0) -> str | None:
    """Values of extra globals: YAML scalars, lists and mappings, no control characters or newlines."""
    if depth > 8:
        return f"{where}: nested too deeply"
    if item is None or isinstance(item, bool | int | float):
        return None
    if isinstance(item, str):
        if CONTROL_RE.search(item):
            return f"{where}: control characters or newlines are not allowed (e.g. 'no')"
        return None
    if isinstance(item, list | tuple):
        for i, sub in enumerate(item):
            if (err := _check_plain_data(sub, f"{where}[{i}]", depth + 1)) is not None:
                return err
        return None
    if isinstance(item, Mapping):
        for k, sub in item.items():
            if not isinstance(k, str) or CONTROL_RE.search(k):
                return f"{where}: key {shown(k)} is not plain text"
            if (err := _check_plain_data(sub, f"{where}.{k}", depth + 1)) is not None:
                return err
        return None
    return f"{where}: unsupported value {shown(item)}"


def choice_checker(choices: tuple[Any, ...], example: str):
    """A check that the value is one of ``choices``."""

    def check(value: Any) -> str | None:
        if isinstance(value, bool) or value not in choices:
            listed = ", ".join(f'"{c}"' for c in choices)
            return f"{shown(value)} is not one of {listed} (e.g. {example})"
        return None

    return check
