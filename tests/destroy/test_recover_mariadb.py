"""``aio-wizard recover-mariadb``: kolla's mariadb_recovery with the venv's environment, and telling
from a failed step's output that MariaDB did not come back."""

from __future__ import annotations

import shlex

import pytest

from tests.destroy.conftest import SECRET, VENV, InstalledHost
from wizard.support.mariadb import RECOVER_ACTION, mariadb_down, recovery_offer


def recovery_argv(host: InstalledHost) -> list[str]:
    venv = host.at(VENV)
    return [
        f"{venv}/bin/kolla-ansible",
        "mariadb_recovery",
        "-i",
        str(host.at("/etc/kolla/ansible/inventory/all-in-one")),
    ]


def test_recover_mariadb_runs_kolla_mariadb_recovery_in_the_venv(installed_host: InstalledHost):
    res = installed_host.wizard("recover-mariadb")
    assert res.returncode == 0, res.stdout + res.stderr
    (call,) = installed_host.calls()
    assert call["argv"] == recovery_argv(installed_host)
    assert call["VIRTUAL_ENV"] == str(installed_host.at(VENV))
    assert call["PATH"].split(":")[0] == f"{installed_host.at(VENV)}/bin"
    assert installed_host.fake()["mariadb"] == "recovered"
    assert "Bootstrap MariaDB cluster" in res.stdout and SECRET not in res.stdout
    (log,) = installed_host.logs.glob("mariadb-recovery-*.log")
    assert SECRET not in log.read_text()
    assert "resume the install" in res.stdout


def test_dry_run_prints_the_command_and_runs_nothing(installed_host: InstalledHost):
    res = installed_host.wizard("recover-mariadb", "--dry-run")
    assert res.returncode == 0
    assert shlex.join(recovery_argv(installed_host)) in res.stdout
    assert f"VIRTUAL_ENV={installed_host.at(VENV)}" in res.stdout
    assert installed_host.calls() == []


def test_a_failed_recovery_exits_1_and_points_at_the_log_and_bundle(installed_host: InstalledHost):
    installed_host.fake_state.write_text('{"containers": [], "volumes": [], "images": []}')
    res = installed_host.wizard("recover-mariadb")
    assert res.returncode == 1
    assert "mariadb_recovery failed (exit code 2)" in res.stderr and "aio-wizard bundle" in res.stderr


def test_without_kolla_ansible_there_is_nothing_to_recover(installed_host: InstalledHost):
    installed_host.at(f"{VENV}/bin/kolla-ansible").unlink()
    res = installed_host.wizard("recover-mariadb", "--dry-run")
    assert res.returncode == 2
    assert "there is no kolla deployment to recover" in res.stderr


PORT_TIMEOUT = (
    "TASK [mariadb : Wait for MariaDB service port liveness] ***\n"
    'fatal: [localhost]: FAILED! => {"changed": false, "elapsed": 60, '
    '"msg": "Timeout when waiting for search string MariaDB in 10.1.1.88:3306"}\n'
)
NOT_SAFE = (
    "WSREP: It may not be safe to bootstrap the cluster from this node. It was not the last one to leave the "
    "cluster and may not contain all the updates."
)


@pytest.mark.parametrize(
    ("text", "deployed_before", "found"),
    [
        (PORT_TIMEOUT, True, True),  # a re-deploy after a reboot
        (PORT_TIMEOUT, False, False),  # a first deploy: ProxySQL on VIP:3306 prints the same
        (NOT_SAFE, False, True),
        ("[ERROR] WSREP: failed to open gcomm backend connection: 110: failed to reach primary view", False, True),
        ("TASK [mariadb : Wait for MariaDB service to sync WSREP] ***\nfatal: [localhost]: FAILED!", False, True),
        ("fatal: [localhost]: FAILED! => manifest unknown", True, False),
    ],
)
def test_mariadb_down_is_told_from_the_failed_steps_output(text: str, deployed_before: bool, found: bool):
    assert (mariadb_down(text, deployed_before=deployed_before) is not None) is found


def test_the_hints_action_is_the_real_subcommand():
    assert RECOVER_ACTION == "aio-wizard recover-mariadb"


def test_the_recovery_is_offered_for_a_port_timeout_only_once_a_deploy_got_through():
    first = {"steps": {"deploy": {"status": "failed"}}}
    again = {"steps": {"deploy": {"status": "failed"}, "post-deploy": {"status": "done"}}}
    assert recovery_offer(PORT_TIMEOUT, first) is None
    offer = recovery_offer(PORT_TIMEOUT, again)
    assert offer is not None and "`aio-wizard recover-mariadb`" in offer and "--dry-run" in offer
    assert recovery_offer(NOT_SAFE, first) is not None


def test_the_mariadb_hints_name_the_action():
    from wizard.pipeline.hints import find_hint

    for text in (PORT_TIMEOUT, "[ERROR] WSREP: failed to open gcomm backend connection: 110"):
        hint = find_hint(text.splitlines())
        assert hint is not None and f"`{RECOVER_ACTION}`" in hint.text
        assert mariadb_down(text, deployed_before=True) is not None  # and the action's own detection agrees
