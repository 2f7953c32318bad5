"""init-runonce's external network: the environment it reads, or a patched copy for old releases.

The guide edits three lines of init-runonce by hand. Since kolla-ansible 9.1.0 the script takes
``EXT_NET_CIDR``, ``EXT_NET_RANGE`` and ``EXT_NET_GATEWAY`` from the environment (with defaults for
a 10.0.2.0/24 lab), so the wizard just sets them and the script stays pristine. Train 9.0.0 and
older hard-code them: for those a copy of the script is patched, never the packaged original.
"""

from __future__ import annotations

import ipaddress
import re
import shlex
from collections.abc import Mapping
from typing import Any

from wizard.kolla.releases import Release, find_release

RUNONCE_VARS = ("EXT_NET_CIDR", "EXT_NET_RANGE", "EXT_NET_GATEWAY")
#: Where the patched copy goes (the pipeline writes it; the packaged script is left alone).
PATCHED_RUNONCE_NAME = "init-runonce.aio-wizard"


def ext_net_range_text(value: Mapping[str, str]) -> str:
    """``{start: A, end: B}`` in the script's own form, ``start=A,end=B``."""
    return f"start={value['start']},end={value['end']}"


def ext_net_env(values: Mapping[str, Any]) -> dict[str, str]:
    """``EXT_NET_CIDR``, ``EXT_NET_RANGE`` and ``EXT_NET_GATEWAY`` from the answers."""
    return {
        "EXT_NET_CIDR": str(values["ext_net_cidr"]),
        "EXT_NET_RANGE": ext_net_range_text(values["ext_net_range"]),
        "EXT_NET_GATEWAY": str(values["ext_net_gateway"]),
    }


def demo_net_gateway(cidr: str) -> str:
    """The demo subnet's gateway: its first address, as init-runonce's 10.0.0.1 is for 10.0.0.0/24."""
    return str(ipaddress.IPv4Network(cidr, strict=False).network_address + 1)


def runonce_env(values: Mapping[str, Any], release: Release | None = None) -> dict[str, str]:
    """The environment init-runonce reads the external network from, and the demo network where it
    reads that too (``DEMO_NET_CIDR``/``DEMO_NET_GATEWAY``, 2023.1+; its default 10.0.0.0/24 collides
    with a 10.0.0.0/24 LAN). ``release`` defaults to the answers' own."""
    env = ext_net_env(values)
    if release is None:
        release = find_release(values.get("openstack_release"))
    demo = values.get("demo_net_cidr")
    if release is not None and release.runonce_demo_env and demo:
        env["DEMO_NET_CIDR"] = str(demo)
        env["DEMO_NET_GATEWAY"] = demo_net_gateway(str(demo))
    return env


def needs_patched_runonce(release: Release, kolla_ansible_version: str | None = None) -> bool:
    """True when the script ignores the environment (before 9.1.0).

    With the installed version known, it decides (a Train venv may hold 9.0.x or 9.1+);
    otherwise the catalog's ``runonce_env`` does.
    """
    if kolla_ansible_version:
        parts = [int(p) for p in re.findall(r"\d+", kolla_ansible_version)[:2]] + [0, 0]
        return (parts[0], parts[1]) < (9, 1)
    return not release.runonce_env


def _assignment(var: str) -> re.Pattern[str]:
    # EXT_NET_CIDR='10.0.2.0/24'   or   EXT_NET_CIDR=${EXT_NET_CIDR:-'10.0.2.0/24'}
    value = rf"(?:'[^'\n]*'|\"[^\"\n]*\"|\$\{{{var}:-[^}}\n]*\}}|[^\s#]*)"
    return re.compile(rf"^(?P<indent>[ \t]*){var}={value}[ \t]*$", re.M)


def patch_runonce(script_text: str, values: Mapping[str, Any]) -> str:
    """``script_text`` with the three EXT_NET_* assignments set to the answers.

    Works on both the hard-coded (9.0.0) and the environment (9.1.0+) forms. Raises ValueError if
    an assignment is missing, so a changed script is noticed instead of silently run unpatched.
    """
    env = ext_net_env(values)
    text = script_text
    for var in RUNONCE_VARS:
        pattern = _assignment(var)
        if not pattern.search(text):
            raise ValueError(f"init-runonce: no {var}= line to set (has the script changed?)")
        value = f"{var}={_quote(env[var])}"

        def assign(m: re.Match[str], value: str = value) -> str:
            return f"{m.group('indent')}{value}"

        text = pattern.sub(assign, text, count=1)
    return text


def _quote(value: str) -> str:
    """Single quotes as in the guide (``EXT_NET_CIDR='10.1.1.0/24'``); validated values hold none."""
    return f"'{value}'" if "'" not in value else shlex.quote(value)


def read_runonce_values(script_text: str) -> dict[str, str]:
    """The EXT_NET_* values a (patched or pristine) script would use with an empty environment."""
    out: dict[str, str] = {}
    for var in RUNONCE_VARS:
        m = re.search(rf"^[ \t]*{var}=(.*)$", script_text, re.M)
        if not m:
            continue
        raw = m.group(1).strip()
        default = re.fullmatch(rf"\$\{{{var}:-(.*)\}}", raw)
        if default:
            raw = default.group(1)
        out[var] = shlex.split(raw)[0] if raw else ""
    return out
