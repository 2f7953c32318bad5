"""``aio-wizard recover-mariadb``: kolla-ansible's MariaDB recovery (the installed release's name for it)
with the venv's environment, and telling from a failed step's output that MariaDB did not come back."""

from __future__ import annotations

import shlex

import pytest

from tests.destroy.conftest import SECRET, VENV, InstalledHost
from wizard.support.mariadb import RECOVER_ACTION, mariadb_down, recovery_offer


def recovery_argv(host: InstalledHost, action: str = "mariadb-recovery") -> list[str]:
    venv = host.at(VENV)
    return [
        f"{venv}/bin/kolla-ansible",
        action,
        "-i",
        str(host.at("/etc/kolla/ansible/inventory/all-in-one")),
    ]


@pytest.mark.parametrize(
    ("release", "action"),
    [
        ("2023.2", "mariadb_recovery"),  # the bash CLI (<= 18): its case statement knows only this name
        ("2024.1", "mariadb_recovery"),
        ("2024.2", "mariadb-recovery"),  # the cliff CLI (19.0.0+): entry point mariadb-recovery
        ("2025.1", "mariadb-recovery"),
        ("2026.1", "mariadb-recovery"),
    ],
)
def test_recover_mariadb_runs_the_releases_own_recovery_action_in_the_venv(
    installed_host: InstalledHost, release: str, action: str
):
    """Why: each CLI refuses the other's name (cliff: "'mariadb_recovery' is not a kolla-ansible
    command", exit 2; bash: its usage, exit 3), so the action must be the recorded release's."""
    installed_host.record_release(release)
    res = installed_host.wizard("recover-mariadb")
    assert res.returncode == 0, res.stdout + res.stderr
    (call,) = installed_host.calls()
    assert call["argv"] == recovery_argv(installed_host, action)
    assert call["VIRTUAL_ENV"] == str(installed_host.at(VENV))
    assert call["PATH"].split(":")[0] == f"{installed_host.at(VENV)}/bin"
    assert installed_host.fake()["mariadb"] == "recovered"
    assert "Bootstrap MariaDB cluster" in res.stdout and SECRET not in res.stdout
    (log,) = installed_host.logs.glob("mariadb-recovery-*.log")
    assert SECRET not in log.read_text()
    assert "resume the install" in res.stdout


def test_the_openstack_release_answer_stands_in_for_a_journal_without_a_release(installed_host: InstalledHost):
    installed_host.record_release(None, answer="2024.1")
    res = installed_host.wizard("recover-mariadb", "--dry-run")
    assert res.returncode == 0, res.stderr
    assert shlex.join(recovery_argv(installed_host, "mariadb_recovery")) in res.stdout


@pytest.mark.parametrize(("version", "action"), [("18.8.0", "mariadb_recovery"), ("20.6.0", "mariadb-recovery")])
def test_without_a_recorded_release_the_venvs_kolla_ansible_package_tells_it(
    installed_host: InstalledHost, version: str, action: str
):
    """A journal lost or damaged: the kolla-ansible package in the venv is what runs, so its major decides."""
    installed_host.record_release(None)
    dist = installed_host.at(f"{VENV}/lib/python3.11/site-packages/kolla_ansible-{version}.dist-info")
    dist.mkdir(parents=True)
    res = installed_host.wizard("recover-mariadb", "--dry-run")
    assert res.returncode == 0, res.stderr
    assert shlex.join(recovery_argv(installed_host, action)) in res.stdout


def test_an_install_whose_release_cannot_be_told_is_refused_not_guessed(installed_host: InstalledHost):
    installed_host.record_release(None)
    res = installed_host.wizard("recover-mariadb", "--dry-run")
    assert res.returncode == 2
    assert "cannot tell which kolla-ansible release is installed" in res.stderr
    assert installed_host.calls() == []


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
    assert "kolla-ansible mariadb-recovery failed (exit code 2)" in res.stderr and "aio-wizard bundle" in res.stderr


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


@pytest.mark.parametrize(
    ("journal", "named"),
    [
        ({"release": "2024.1"}, "kolla-ansible mariadb_recovery"),
        ({"release": "2025.2"}, "kolla-ansible mariadb-recovery"),
        ({"answers": {"openstack_release": "2026.1"}}, "kolla-ansible mariadb-recovery"),
        ({}, "kolla-ansible's MariaDB recovery"),
    ],
)
def test_the_offer_names_the_recorded_releases_recovery_command(journal: dict, named: str):
    offer = recovery_offer(NOT_SAFE, journal)
    assert offer is not None and f"({named};" in offer


def test_no_hint_names_a_recovery_subcommand_that_holds_for_one_cli_only():
    """The hints know no release: naming mariadb_recovery (bash, <= 18) or mariadb-recovery (cliff, 19+)
    would be wrong for half of them, so they name `aio-wizard recover-mariadb`, which knows it."""
    from wizard.pipeline.hints import HINTS

    for hint in HINTS:
        text = hint.text if isinstance(hint.text, str) else ""
        assert "mariadb_recovery" not in text and "mariadb-recovery" not in text, hint.id


def test_the_mariadb_hints_name_the_action():
    from wizard.pipeline.hints import find_hint

    for text in (PORT_TIMEOUT, "[ERROR] WSREP: failed to open gcomm backend connection: 110"):
        hint = find_hint(text.splitlines())
        assert hint is not None and f"`{RECOVER_ACTION}`" in hint.text
        assert mariadb_down(text, deployed_before=True) is not None  # and the action's own detection agrees
