"""`aio-wizard destroy` and `aio-wizard recover-mariadb`: their kolla-ansible command lines, run against
each release's real kolla-ansible with list-tasks.

These two commands do not come from the plan: they are built after an install, from what the
journal recorded (the release, the virtualenv) and the files on the host (the inventory). So the
install is recorded here under a temporary root, as a real one leaves it: the journal in a state
directory, the virtualenv where its ``venv_path`` says (a link to the cached venv of the release),
``/etc/kolla`` the private one the tier's plan steps wrote. The argv and the environment come from
the same functions the CLI calls (:func:`wizard.service.destroy.destroy_plan`,
:func:`wizard.support.mariadb.recover_command`) and run as :mod:`wizard.support.common` runs them,
with list-tasks added (``EXTRA_OPTS=--list-tasks`` for the bash CLI of kolla-ansible <= 18,
``--list-tasks`` after the cliff CLI's arguments from 19.0.0) and in the tier's private mount
namespace: the real CLI parses the line, picks its playbook and Ansible loads every play and role
of it without running a task. The real /etc is never written.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from tests.contract import plans
from tests.contract.conftest import TIMINGS
from tests.contract.kolla_env import ResultCache, harness_env, is_bash_cli, kolla_files_digest
from tests.contract.kolla_setup import LAYOUTS, KollaSetup, usable_setup
from tests.contract.venvs import KollaVenv
from wizard.pipeline.model import Command, host_path
from wizard.pipeline.runner import command_env
from wizard.service.destroy import destroy_plan
from wizard.service.options import InstallOptions
from wizard.support.common import journal_data
from wizard.support.mariadb import recover_command

RELEASES = plans.contract_releases()
ROOT_MARK = "@ROOT@"

#: What each command must make kolla-ansible run: the playbook, by its file name. kolla-ansible 22
#: renamed mariadb_recovery.yml to mariadb-recovery.yml; either is the recovery playbook.
PLAYBOOKS = {
    "destroy": re.compile(r"^playbook: \S*/destroy\.yml$", re.M),
    "destroy --include-images": re.compile(r"^playbook: \S*/destroy\.yml$", re.M),
    "recover-mariadb": re.compile(r"^playbook: \S*/mariadb[_-]recovery\.yml$", re.M),
}


def record_install(setup: KollaSetup, directory: Path) -> InstallOptions:
    """A temporary root where the install of ``setup`` is recorded; the options the CLI would have.

    The journal names the release and the answers (``venv_path``: the cached venv's path); under
    the root, that path is a link to the venv and ``/etc/kolla`` a link to the tier's private
    /etc/kolla (so the inventory the commands name is the one the plan's kolla-config step wrote).
    """
    root = directory / "root"
    state = directory / "state"
    venv = str(setup.answers["venv_path"])
    link = host_path(root, venv)
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(setup.venv.real)
    kolla = host_path(root, "/etc/kolla")
    kolla.parent.mkdir(parents=True, exist_ok=True)
    kolla.symlink_to(setup.etc.kolla)
    state.mkdir(mode=0o700)
    journal = {
        "version": 1,
        "release": setup.release,
        "answers": {"venv_path": venv, "openstack_release": setup.release},
        "plan": [{"id": "deploy", "title": "Deploy OpenStack"}],
        "steps": {"deploy": {"status": "failed", "attempts": 1}},
        "status": "failed",
        "failed_step": "deploy",
    }
    (state / "journal.json").write_text(json.dumps(journal))
    (state / "journal.json").chmod(0o600)
    assert journal_data(state).get("release") == setup.release, "the wizard cannot read the recorded journal"
    return InstallOptions(root=root, state_dir=state, log_dir=directory / "log")


def after_install_commands(options: InstallOptions) -> dict[str, Command]:
    """The kolla-ansible commands of ``destroy`` (with and without images) and ``recover-mariadb``."""
    out: dict[str, Command] = {}
    for name, images in (("destroy", False), ("destroy --include-images", True)):
        plan = destroy_plan(options, include_images=images)
        assert plan.command is not None, f"{name}: kolla-ansible destroy is not run: {plan.command_skipped}"
        out[name] = plan.command
    out["recover-mariadb"] = recover_command(options.root, options.state_dir)
    return out


@pytest.mark.parametrize("release", RELEASES)
def test_destroy_and_mariadb_recovery_are_commands_the_real_kolla_ansible_runs(
    release: str, kolla_venv: KollaVenv, contract_tmp: Path, tmp_path: Path
) -> None:
    """Each command line is accepted by the release's real kolla-ansible, which resolves the right
    playbook and lists its tasks (exit 0).

    Why: these commands run when something already went wrong (a failed deploy, a MariaDB that did
    not come back), on a host the operator wants back. A subcommand the installed CLI does not
    know fails right there: the cliff CLI of 19+ says "'mariadb_recovery' is not a kolla-ansible
    command" (exit 2), the bash CLI of 18.x prints its usage for "mariadb-recovery" (exit 3).
    """
    setup = usable_setup(kolla_venv, release, LAYOUTS[0], contract_tmp)
    options = record_install(setup, tmp_path)
    commands = after_install_commands(options)

    bash = is_bash_cli(kolla_venv)
    extra_argv = () if bash else ("--list-tasks",)
    extra_env = {"EXTRA_OPTS": "--list-tasks"} if bash else {}
    cache = ResultCache("after-install-list-tasks")
    digest = kolla_files_digest(setup.etc)
    root = str(options.root)
    failures = []
    for name, cmd in commands.items():
        # As stream_command runs it (the command's VIRTUAL_ENV and PATH on our environment), with the
        # tier's stand-ins for install-deps and root's home below it and list-tasks on top.
        base = {**os.environ, **harness_env(kolla_venv, setup.collections, setup.home)}
        env = {**command_env(cmd, base), **extra_env}
        key = cache.key(
            kolla_venv.real.name,
            [a.replace(root, ROOT_MARK) for a in cmd.argv],
            {k: v.replace(root, ROOT_MARK) for k, v in cmd.env.items()},
            extra_argv,
            extra_env,
            digest,
            setup.collection_tarball.name if setup.collection_tarball else None,
        )
        if cache.get(key):
            continue
        setup.ensure_passwords()
        started = time.monotonic()
        proc = subprocess.run(
            setup.etc.argv([*cmd.argv, *extra_argv]),
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        TIMINGS[f"list-tasks {release} {name}"] = time.monotonic() - started
        out = proc.stdout + proc.stderr
        if proc.returncode != 0 or "play #1" not in out or not PLAYBOOKS[name].search(out):
            tail = "\n".join(out.strip().splitlines()[-12:])
            failures.append(f"{name}: `{cmd.display}` exited {proc.returncode}:\n{tail}")
        else:
            cache.put(key, {"command": name, "plays": out.count("play #")})
    assert not failures, f"kolla-ansible {kolla_venv.version}:\n\n" + "\n\n".join(failures)
