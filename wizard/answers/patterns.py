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
import unicodedata
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
SURROGATE_RE = re.compile("[\ud800-\udfff]")
# What makes Jinja (and so Ansible, which templates every string of globals.yml) evaluate a string:
# expressions, statements and comments ("{{-" and "{%+" start with these too).
TEMPLATE_RE = re.compile(r"\{[{%#]")

# Where a virtualenv may go: directories that hold nothing else of the system, so creating (or
# later deleting) the virtualenv there cannot touch anything the host needs. Below these...
VENV_PARENTS = ("/opt", "/srv", "/var/lib/aio-wizard")
# ...or below a top-level directory that is not one of the system's (the FHS ones and the usual
# extras): /data/kolla-venv or /kolla-venv are the operator's own; /etc/ssh, /root/.ssh, /boot/efi,
# /var/lib/docker or /usr/local/bin are not, whatever their depth.
SYSTEM_TOP_DIRS = frozenset(
    {"bin", "boot", "dev", "etc", "home", "lib", "lib32", "lib64", "libx32", "lost+found", "media", "mnt"}
    | {"opt", "proc", "root", "run", "sbin", "snap", "srv", "sys", "tmp", "usr", "var"}
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


# Letters of other scripts that look like ASCII ones in a terminal (Unicode's confusables, the
# ones a copy-paste or a keyboard layout brings into an interface name); NFKC handles the rest
# (fullwidth letters, ligatures).
LOOKALIKES = str.maketrans(
    "аеорсухіјѕԁԛԝɡАВЕКМНОРСТХІЈЅοαινκρτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcyxijsdqwgABEKMHOPCTXIJSoaivkptuxABEZHIKMNOPTYX",
)


def ascii_lookalike(value: str) -> str | None:
    """The ASCII name ``value`` looks like, when it differs from it only by invisible characters
    (zero-width spaces, joiners...) and letters that look like ASCII ones; None when it is ASCII or
    does not look like an ASCII name."""
    if value.isascii():
        return None
    visible = "".join(c for c in value if unicodedata.category(c) not in ("Cf", "Mn", "Zs") or c == " ")
    skeleton = unicodedata.normalize("NFKC", visible).translate(LOOKALIKES)
    return skeleton if skeleton.isascii() and skeleton else None


def code_point(char: str) -> str:
    """``U+0435 CYRILLIC SMALL LETTER IE``: what a character is, when it cannot be told by looking."""
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')}"


def non_ascii_message(value: str) -> str:
    """What is not ASCII in ``value``, by code point, and the ASCII name it looks like.

    ``'еnp1s0' is not an interface name`` alone reads like nonsense when the Cyrillic ``е`` looks
    like the Latin ``e``: the code points of the characters that differ make it visible.
    """
    twin = ascii_lookalike(value)
    if twin is None:
        odd = [(i, c) for i, c in enumerate(value) if not c.isascii()][:4]
        listed = ", ".join(f"{code_point(c)} at position {i + 1}" for i, c in odd)
        return f"{shown(value)} holds characters that are not ASCII: {listed}"
    differ: list[str] = []
    for c in dict.fromkeys(c for c in value if not c.isascii()):
        if unicodedata.category(c) in ("Cf", "Mn", "Zs"):
            differ.append(f"an invisible {code_point(c)}")
        else:
            like = unicodedata.normalize("NFKC", c).translate(LOOKALIKES)
            differ.append(f"{code_point(c)} where {twin!r} has {', '.join(code_point(x) for x in like)}")
    return f"{shown(value)} is not {twin!r}: it holds {'; '.join(differ[:4])}"


def check_interface(value: Any) -> str | None:
    if (err := check_str(value)) is not None:
        return err
    if not value.isascii():
        return f"{non_ascii_message(value)} (interface names are ASCII; type it again)"
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


def venv_path_allowed(path: str) -> bool:
    """Whether ``path`` (absolute, normalised: no ``.``/``..``, no ``//``) may hold the virtualenv.

    Allowed: strictly below /opt, /srv or /var/lib/aio-wizard, or below (or being) a top-level
    directory that is not a system one. The wizard runs as root and pip writes into this
    directory; anywhere else it could mix with, or shadow, files the host needs (/etc/ssh,
    /root/.ssh, /boot/efi, /var/lib/docker, /usr/local/bin...).
    """
    path = path.rstrip("/")
    if any(path.startswith(parent + "/") for parent in VENV_PARENTS):
        return True
    top = path.split("/")[1] if path.count("/") >= 1 else ""
    return bool(top) and top not in SYSTEM_TOP_DIRS


def check_venv_path(value: Any) -> str | None:
    if (err := check_str(value)) is not None:
        return err
    if not value.startswith("/"):
        return f"{shown(value)} is not an absolute path (e.g. /opt/kolla-venv)"
    if not PATH_RE.fullmatch(value) or any(part in (".", "..") for part in value.split("/")):
        return f"{shown(value)} may hold only letters, digits, '.', '_', '-' and '/' (e.g. /opt/kolla-venv)"
    if "//" in value or not venv_path_allowed(value):
        return (
            f"{shown(value)} is or is inside a system directory; use a directory of its own below /opt, /srv "
            "or /var/lib/aio-wizard, or below a top-level directory of yours (e.g. /opt/kolla-venv)"
        )
    return None


def package_name_problem(name: Any) -> str | None:
    """Why ``name`` cannot go on ``apt-get install``'s command line, or None.

    Debian policy's names (lower case letters, digits, ``+ - .``, at least two characters,
    starting alphanumeric), minus what apt reads as an operator rather than a name: a trailing
    ``-`` makes ``install openssh-server-`` REMOVE openssh-server, a single trailing ``+`` means
    "install" (``tcpdump+`` would install tcpdump under another name); ``=`` (version), ``/``
    (release), ``^`` (task) and wildcards are already outside policy. Names that really end in
    ``++`` (g++, libstdc++) stay allowed: apt finds them by their full name first.
    """
    if not isinstance(name, str) or not DEB_PACKAGE_RE.fullmatch(name):
        return f"{shown(name)} is not a Debian package name (e.g. tcpdump)"
    if name.endswith("-"):
        return f"{shown(name)} ends in '-', which apt reads as \"remove {name[:-1]}\" (e.g. tcpdump)"
    if name.endswith("+") and not name.endswith("++"):
        return f"{shown(name)} ends in '+', which apt reads as \"install {name[:-1]}\" (e.g. tcpdump)"
    return None


def check_package_list(value: Any) -> str | None:
    if not isinstance(value, list | tuple):
        return f"expected a list of Debian package names, got {_type_name(value)} (e.g. [tcpdump, curl])"
    for item in value:
        if (err := package_name_problem(item)) is not None:
            return err
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
    """Values of extra globals: YAML scalars, lists and mappings, no control characters or newlines,
    nothing that is not text (a lone surrogate passes YAML and Python, then crashes whatever writes
    globals.yml or the plan)."""
    if depth > 8:
        return f"{where}: nested too deeply"
    if item is None or isinstance(item, bool | int | float):
        return None
    if isinstance(item, str):
        if CONTROL_RE.search(item):
            return f"{where}: control characters or newlines are not allowed (e.g. 'no')"
        if SURROGATE_RE.search(item):
            return f"{where}: {shown(item)} holds a lone surrogate, which is not text"
        return None
    if isinstance(item, list | tuple):
        for i, sub in enumerate(item):
            if (err := _check_plain_data(sub, f"{where}[{i}]", depth + 1)) is not None:
                return err
        return None
    if isinstance(item, Mapping):
        for k, sub in item.items():
            if not isinstance(k, str) or CONTROL_RE.search(k) or SURROGATE_RE.search(k):
                return f"{where}: key {shown(k)} is not plain text"
            if (err := _check_plain_data(sub, f"{where}.{k}", depth + 1)) is not None:
                return err
        return None
    return f"{where}: unsupported value {shown(item)}"


def templating_in(value: Any, where: str = "") -> str | None:
    """Where in ``value`` (keys and nested values too) Jinja templating starts, as
    ``"where: '{{ lookup(...'"``, or None.

    Ansible templates every string of globals.yml, as root: ``{{ lookup('pipe', CMD) }}`` runs CMD.
    """
    if isinstance(value, str):
        found = TEMPLATE_RE.search(value)
        return f"{where}{': ' if where else ''}{shown(value[found.start() :], 40)}" if found else None
    if isinstance(value, Mapping):
        for k, sub in value.items():
            inner = f"{where}.{k}" if where else str(k)
            if isinstance(k, str) and TEMPLATE_RE.search(k):
                return f"{where}{': ' if where else ''}key {shown(k, 40)}"
            if (nested := templating_in(sub, inner)) is not None:
                return nested
    elif isinstance(value, list | tuple):
        for i, sub in enumerate(value):
            if (nested := templating_in(sub, f"{where}[{i}]")) is not None:
                return nested
    return None


def choice_checker(choices: tuple[Any, ...], example: str):
    """A check that the value is one of ``choices``."""

    def check(value: Any) -> str | None:
        if isinstance(value, bool) or value not in choices:
            listed = ", ".join(f'"{c}"' for c in choices)
            return f"{shown(value)} is not one of {listed} (e.g. {example})"
        return None

    return check
