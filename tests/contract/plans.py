"""The wizard's plan as the contract tier sees it: ``aio-wizard plan --json`` run as a subprocess.

Host facts are the guide's host (tests/support/guide-host.json, arm64) and the same host on amd64;
answers are the guide's, with the release, the image source, haproxy on or off and the venv path
of the cached kolla-ansible venv. With haproxy on, the VIP is a free address of the guide's LAN
(the layout kolla's own CI tests), not the host's.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tests.support.guide import GUIDE_ANSWERS, GUIDE_HOST_FILE
from wizard.kolla.releases import load_releases

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("AIO_WIZARD_SHARED", REPO.parent / "shared"))
if not SHARED.is_dir():
    SHARED = Path("/work/shared")
COLLECTIONS = SHARED / "kolla-collections"
FREE_VIP = "10.1.1.250"  # in the guide's 10.1.1.0/24, not the host's address nor the ext_net pool

#: kolla-ansible majors whose Python is older than this one cannot be installed here.
_PY = sys.version_info[:2]


def contract_releases() -> list[str]:
    """Every release the catalog offers on Debian 12 or 13 that this Python can run, oldest first."""
    out = []
    for rel in load_releases():
        if not ({"12", "13"} & set(rel.debian)):
            continue
        if tuple(int(x) for x in rel.python_min.split(".")) > _PY:
            continue
        out.append(rel.name)
    return out


def collection_tarball(branch: str) -> Path:
    """The shared openstack.kolla snapshot of ``branch`` (``stable/2025.1`` -> ...-stable-2025.1.tar.gz)."""
    return COLLECTIONS / f"ansible-collection-kolla-{branch.replace('/', '-')}.tar.gz"


def any_collection_for(release: str) -> Path | None:
    """A shared collection snapshot for ``release`` on any branch (stable/ or unmaintained/), or None."""
    for prefix in ("stable", "unmaintained"):
        path = collection_tarball(f"{prefix}/{release}")
        if path.exists():
            return path
    return None


def host_facts_file(arch: str, directory: Path) -> Path:
    """The guide's host (arm64) as probe JSON, or the same host on amd64."""
    if arch == "arm64":
        return GUIDE_HOST_FILE
    facts = json.loads(GUIDE_HOST_FILE.read_text())
    facts["arch"] = "x86_64"
    facts["cpu_model"] = "AMD EPYC 7302P"
    path = directory / "guide-host-amd64.json"
    path.write_text(json.dumps(facts, indent=1))
    return path


def answers(release: str, *, venv: str, image_source: str = "pull", haproxy: bool = False) -> dict[str, Any]:
    """The guide's answers for ``release`` with the venv, image source and haproxy layout asked for."""
    out = {
        **GUIDE_ANSWERS,
        "openstack_release": release,
        "venv_path": venv,
        "image_source": image_source,
        "enable_haproxy": "yes" if haproxy else "no",
        "kolla_ansible_source": "pypi",
        "remove_docker_io": False,
    }
    if haproxy:
        out["kolla_internal_vip_address"] = FREE_VIP
    return out


def plan_json(answers_: dict[str, Any], facts_file: Path, directory: Path) -> dict[str, Any]:
    """``aio-wizard --host-facts F plan --answers A --release R --json``, parsed.

    Fails (not skips) when the CLI cannot give it: the plan's JSON form is the contract.
    """
    directory.mkdir(parents=True, exist_ok=True)
    answers_file = directory / f"answers-{os.getpid()}-{abs(hash(json.dumps(answers_, sort_keys=True)))}.yml"
    answers_file.write_text(yaml.safe_dump(answers_, sort_keys=False))
    argv = [
        sys.executable, "-m", "wizard", "--host-facts", str(facts_file),
        "plan", "--answers", str(answers_file), "--release", str(answers_["openstack_release"]), "--json",
    ]
    proc = subprocess.run(argv, capture_output=True, text=True, cwd=REPO, timeout=120, check=False)
    if proc.returncode != 0:
        raise AssertionError(f"`aio-wizard plan --json` exited {proc.returncode}: {proc.stderr.strip()[-800:]}")
    return json.loads(proc.stdout)


def planned_content(answers_: dict[str, Any], facts_file: Path, path: str, root: Path = Path("/")) -> str | None:
    """What the plan's write of ``path`` leaves there, for a write ``plan --json`` cannot show.

    The JSON has no content for a file copied or edited at run time (``copy_from`` +
    ``transform``: install-deps' requirements.yml, the hosts step's edit of /etc/hosts); it is
    computed here by the same plan and :meth:`FileWrite.wanted` the runner writes with, under
    ``root`` (the files there as the run would find them). None when the plan does not write it.
    """
    from wizard.answers.resolve import resolve_answers
    from wizard.host.facts import HostFacts
    from wizard.pipeline.model import host_path
    from wizard.pipeline.plan import build_plan

    facts = HostFacts.load(str(facts_file))
    plan = build_plan(resolve_answers(facts, dict(answers_)).values, facts, answers_["openstack_release"], root=root)
    for planned in plan.steps:
        for f in planned.files:
            if f.path == path and not f.directory:
                change = f.wanted(root)
                return change[1] if change else host_path(root, path).read_text()
    return None


def release_plan_for_venv(release: str, directory: Path) -> Callable[[str], dict[str, Any]]:
    """``venv_dir -> plan``: the build-mode plan (it installs kolla next to kolla-ansible, a superset
    of what the pull-mode plan installs), amd64 facts (this machine), for building the venv."""
    facts = host_facts_file("amd64", directory)

    @functools.cache
    def plan_for(venv_dir: str) -> dict[str, Any]:
        return plan_json(answers(release, venv=venv_dir, image_source="build"), facts, directory)

    return plan_for


def step(plan: dict[str, Any], step_id: str) -> dict[str, Any]:
    for s in plan["steps"]:
        if s["id"] == step_id:
            return s
    raise AssertionError(f"the plan has no step {step_id!r} (steps: {[s['id'] for s in plan['steps']]})")
