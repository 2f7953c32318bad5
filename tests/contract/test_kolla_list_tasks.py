"""Every kolla-ansible command of the wizard's plan, run against the real kolla-ansible with list-tasks.

The plan names the commands (argv) and the environment the runner gives them; this tier runs
exactly those, adding only list-tasks (``EXTRA_OPTS=--list-tasks`` for the bash CLI of
kolla-ansible ≤ 18, ``--list-tasks`` after the Python CLI's arguments from 19.0.0). Ansible then
loads every playbook, play and role the action would run, without running a task: an action
that cannot find its playbooks (the bash CLI without ``VIRTUAL_ENV``), a role missing from the
collection, or a globals file that does not parse fails here, with exit code ≠ 0.

/etc/kolla is private to each test (see :mod:`tests.contract.kolla_env`): it holds what the
plan's kolla-config, globals and genpwd steps would leave there (the real kolla-genpwd runs).
The openstack.kolla collection is the shared snapshot of the branch install-deps would install.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.contract import plans
from tests.contract.conftest import TIMINGS
from tests.contract.kolla_env import ResultCache, install_collection, is_bash_cli, kolla_files_digest
from tests.contract.kolla_setup import LAYOUTS, layout_id, usable_setup
from tests.contract.venvs import KollaVenv

RELEASES = plans.contract_releases()

def kolla_ansible_commands(plan: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(step id, command) of every kolla-ansible action the plan runs, install-deps excepted."""
    out = []
    for s in plan["steps"]:
        for cmd in s["commands"]:
            argv = cmd["argv"]
            if argv and str(argv[0]).endswith("/kolla-ansible") and "install-deps" not in argv:
                out.append((s["id"], cmd))
    return out


@pytest.mark.parametrize("layout", LAYOUTS, ids=layout_id)
@pytest.mark.parametrize("release", RELEASES)
def test_every_kolla_ansible_command_of_the_plan_resolves_its_plays_and_roles(
    release: str, layout: tuple[str, bool, str], kolla_venv: KollaVenv, contract_tmp: Path
) -> None:
    """Each kolla-ansible command, with the plan's argv and env, lists its tasks and exits 0.

    Why: the plan is only as good as the commands it runs. A command that kolla-ansible cannot
    even load (no playbook found, a role missing, a globals file Ansible rejects) fails a real
    install at that step, after the host was already changed; list-tasks finds it in seconds,
    without Docker. Results are cached by their inputs (venv, argv, env, /etc/kolla files,
    collection), so a rerun with nothing changed is quick.
    """
    import time

    setup = usable_setup(kolla_venv, release, layout, contract_tmp)
    commands = kolla_ansible_commands(setup.plan)
    assert {s for s, _ in commands} >= {"certificates", "bootstrap-servers", "prechecks", "deploy", "post-deploy"}

    bash = is_bash_cli(kolla_venv)
    cache = ResultCache("list-tasks")
    digest = kolla_files_digest(setup.etc)
    failures = []
    for step_id, cmd in commands:
        extra_argv = () if bash else ("--list-tasks",)
        extra_env = {"EXTRA_OPTS": "--list-tasks"} if bash else {}
        key = cache.key(
            kolla_venv.real.name, cmd["argv"], cmd["env"], extra_argv, extra_env, digest,
            plans.step(setup.plan, "genpwd")["commands"],
            setup.collection_tarball.name if setup.collection_tarball else None,
        )
        if cache.get(key):
            continue
        setup.ensure_passwords()
        started = time.monotonic()
        proc = setup.run(cmd, extra_argv=extra_argv, extra_env=extra_env)
        TIMINGS[f"list-tasks {release} {layout_id(layout)} {step_id}"] = time.monotonic() - started
        out = proc.stdout + proc.stderr
        if proc.returncode != 0 or "play #1" not in out:
            tail = "\n".join(out.strip().splitlines()[-12:])
            failures.append(f"{step_id}: `{' '.join(cmd['argv'])}` exited {proc.returncode}:\n{tail}")
        else:
            cache.put(key, {"step": step_id, "plays": out.count("play #")})
    assert not failures, f"kolla-ansible {kolla_venv.version}:\n\n" + "\n\n".join(failures)


@pytest.mark.parametrize("release", RELEASES)
def test_install_deps_installs_a_collection_branch_that_exists(
    release: str, kolla_venv: KollaVenv, contract_tmp: Path, tmp_path: Path
) -> None:
    """The openstack.kolla branch the plan's install-deps would install is one that exists.

    Why: install-deps clones the collection's branch from opendev.org; when a release goes
    unmaintained its ``stable/<release>`` branch is deleted (``unmaintained/<release>`` stays) and
    install-deps dies with ``pathspec … did not match`` (kolla-ansible 18's requirements.yml still
    names stable/2024.1). The shared snapshots are the branches that exist; the one the plan asks
    for must be among them, and it installs into the collections path as install-deps would.
    """
    setup = usable_setup(kolla_venv, release, LAYOUTS[0], contract_tmp)
    branch = setup.install_deps_branch()
    tarball = plans.collection_tarball(branch)
    available = sorted(p.name for p in plans.COLLECTIONS.glob("*.tar.gz"))
    assert tarball.exists(), (
        f"install-deps would install openstack.kolla {branch}, which does not exist (available: {available})"
    )
    install_collection(tarball, tmp_path)
    galaxy = (tmp_path / "ansible_collections" / "openstack" / "kolla" / "galaxy.yml").read_text()
    assert "namespace: openstack" in galaxy and "name: kolla" in galaxy
