"""``aio-wizard destroy``: the real kolla-ansible command line, what it removes, what it leaves and how
to revert it, the typed confirmation, and a journal reset so a fresh install starts."""

from __future__ import annotations

import json
import shlex

import pytest

from tests.destroy.conftest import SECRET, VENV, InstalledHost
from wizard import cli
from wizard.pipeline.journal import unfinished_install


def expected_argv(host: InstalledHost, *extra: str) -> list[str]:
    venv = host.at(VENV)
    return [
        f"{venv}/bin/kolla-ansible",
        "destroy",
        "--yes-i-really-really-mean-it",
        *extra,
        "-i",
        str(host.at("/etc/kolla/ansible/inventory/all-in-one")),
    ]


def test_dry_run_prints_the_real_command_line_and_changes_nothing(installed_host: InstalledHost):
    res = installed_host.wizard("destroy", "--dry-run")
    assert res.returncode == 0, res.stderr
    venv = installed_host.at(VENV)
    line = next(x.strip() for x in res.stdout.splitlines() if "kolla-ansible destroy" in x and "PATH=" in x)
    assert line == (f'PATH={venv}/bin:"$PATH" VIRTUAL_ENV={venv} {shlex.join(expected_argv(installed_host))}')
    assert f"rm -rf -- {installed_host.at('/etc/kolla')}" in res.stdout
    assert f"rm -rf -- {venv}" in res.stdout
    assert f"mv -- {installed_host.state / 'journal.json'} {installed_host.state}/journal-before-destroy-" in res.stdout
    logs = installed_host.logs
    assert f"mv -- {logs}/05-remove-docker-io.log {logs}/07-host-libvirt-off.log {logs}/before-destroy-" in res.stdout
    assert installed_host.calls() == []
    assert installed_host.at("/etc/kolla/passwords.yml").exists() and venv.is_dir()
    assert (installed_host.state / "journal.json").exists()


def test_dry_run_lists_the_host_changes_with_how_to_revert_each(installed_host: InstalledHost):
    for n in (1, 2, 10):  # later runs' copies: the first backup stays the original
        (installed_host.at("/etc") / f"hosts.aio-wizard.bak.{n}").write_text("#127.0.1.1 aio\n")
    out = installed_host.wizard("destroy", "--dry-run").stdout
    assert "(later copies: hosts.aio-wizard.bak.1, hosts.aio-wizard.bak.2, hosts.aio-wizard.bak.10)" in out
    for line in (
        "the original is kept as /etc/hosts.aio-wizard.bak",
        "cp -p /etc/hosts.aio-wizard.bak /etc/hosts",
        "systemctl enable --now libvirtd.service libvirtd.socket iscsid.service",
        "Debian's docker.io packages were purged: docker.io containerd",
        "apt-get install docker.io containerd",
        "rm /etc/apparmor.d/disable/usr.sbin.libvirtd",
        "apparmor_parser -r /etc/apparmor.d/usr.sbin.libvirtd",
        "apt-get purge docker-ce docker-ce-cli containerd.io",
        "packages installed by: Install the Python build prerequisites",
    ):
        assert line in out


def test_confirmed_destroy_runs_kolla_destroy_in_the_venv_then_removes_config_venv_and_resets_journal(
    installed_host: InstalledHost,
):
    (installed_host.state / "journal.json.prev").write_text("{}")
    res = installed_host.wizard("destroy", "--yes-i-really-mean-it", installed_host.hostname)
    assert res.returncode == 0, res.stdout + res.stderr
    (call,) = installed_host.calls()
    assert call["argv"] == expected_argv(installed_host)
    assert call["VIRTUAL_ENV"] == str(installed_host.at(VENV))
    assert call["PATH"].split(":")[0] == f"{installed_host.at(VENV)}/bin"
    assert installed_host.fake()["containers"] == [] and installed_host.fake()["volumes"] == []
    assert installed_host.fake()["images"] == ["keystone"]  # kept without --include-images
    assert not installed_host.at("/etc/kolla").exists()
    assert not installed_host.at(VENV).exists()
    assert not (installed_host.state / "journal.json").exists()
    (copy,) = installed_host.state.glob("journal-before-destroy-*.json")
    assert not (installed_host.state / "journal.json.prev").exists()  # the old install's last good copy went too
    assert copy.with_name(copy.name + ".prev").read_text() == "{}"
    assert json.loads(copy.read_text())["failed_step"] == "deploy"
    assert unfinished_install(installed_host.state) is None  # a fresh install starts, nothing to resume
    (aside,) = installed_host.logs.glob("before-destroy-*")
    assert sorted(p.name for p in aside.iterdir()) == ["05-remove-docker-io.log", "07-host-libvirt-off.log"]
    assert [p.name for p in installed_host.logs.glob("*.log")] == [next(installed_host.logs.glob("destroy-*.log")).name]
    # the host preparation is left alone
    assert installed_host.at("/etc/hosts.aio-wizard.bak").exists()
    assert installed_host.at("/etc/apparmor.d/disable/usr.sbin.libvirtd").is_symlink()


def test_kolla_output_is_shown_and_logged_redacted(installed_host: InstalledHost):
    res = installed_host.wizard("destroy", "--yes-i-really-mean-it", installed_host.hostname)
    assert "PLAY [Destroy] removing 2 containers" in res.stdout
    assert SECRET not in res.stdout
    (log,) = installed_host.logs.glob("destroy-*.log")
    assert "removing 2 containers" in log.read_text() and SECRET not in log.read_text()
    assert log.stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("release", ["2024.1", "2025.1", "2026.1", None])
def test_include_images_is_passed_to_kolla_destroy(installed_host: InstalledHost, release: str | None):
    """The same line on every release: action first (the cliff CLI of 19+ needs it there, the bash
    CLI's getopt accepts it), its two long options, then -i (the contract tier runs it against each
    real kolla-ansible). A journal without a release gets the same line."""
    installed_host.record_release(release)
    res = installed_host.wizard("destroy", "--include-images", "--yes-i-really-mean-it", installed_host.hostname)
    assert res.returncode == 0, res.stdout
    assert installed_host.calls()[0]["argv"] == expected_argv(installed_host, "--include-images")
    assert installed_host.fake()["images"] == []


def test_the_fake_refuses_without_kollas_own_confirmation_like_the_real_one(installed_host: InstalledHost):
    """Guards the fake: were the flag dropped, the destroy test above would fail, not pass silently."""
    import subprocess

    argv = expected_argv(installed_host)
    argv.remove("--yes-i-really-really-mean-it")
    res = subprocess.run(argv, capture_output=True, text=True, env={"VIRTUAL_ENV": str(installed_host.at(VENV))})
    assert res.returncode == 1 and "--yes-i-really-really-mean-it" in res.stdout
    assert installed_host.fake()["containers"] == ["mariadb", "keystone"]


def test_a_wrong_hostname_changes_nothing(installed_host: InstalledHost):
    res = installed_host.wizard("destroy", "--yes-i-really-mean-it", "not-this-host")
    assert res.returncode == 2
    assert res.stderr.strip().count("\n") == 0 and "is not this host's name" in res.stderr
    assert installed_host.calls() == []
    assert installed_host.at("/etc/kolla").is_dir() and (installed_host.state / "journal.json").exists()


def test_without_a_terminal_or_the_flag_it_asks_for_the_flag(installed_host: InstalledHost):
    res = installed_host.wizard("destroy", stdin=open("/dev/null"))  # noqa: SIM115
    assert res.returncode == 2
    assert f"--yes-i-really-mean-it {installed_host.hostname}" in res.stderr
    assert installed_host.calls() == []


def test_non_root_is_refused_except_for_a_dry_run(installed_host: InstalledHost, monkeypatch, capsys):
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    code = cli.main(["destroy", "--yes-i-really-mean-it", installed_host.hostname, *installed_host.options()])
    assert code == 2
    assert "must run as root" in capsys.readouterr().err
    assert installed_host.calls() == []
    assert cli.main(["destroy", "--dry-run", *installed_host.options()]) == 0
    assert "kolla-ansible destroy" in capsys.readouterr().out


def test_a_failed_kolla_destroy_keeps_config_venv_and_journal(installed_host: InstalledHost):
    installed_host.fake_state.write_text(json.dumps({**installed_host.fake(), "fail": True}))
    res = installed_host.wizard("destroy", "--yes-i-really-mean-it", installed_host.hostname)
    assert res.returncode == 1
    assert "kolla-ansible destroy failed (exit code 2); nothing else was removed" in res.stdout
    assert installed_host.at("/etc/kolla/globals.yml").exists() and installed_host.at(VENV).is_dir()
    assert (installed_host.state / "journal.json").exists()


def test_half_installed_box_without_kolla_ansible_still_starts_over(installed_host: InstalledHost):
    installed_host.at(f"{VENV}/bin/kolla-ansible").unlink()
    res = installed_host.wizard("destroy", "--yes-i-really-mean-it", installed_host.hostname)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "kolla-ansible destroy is not run: /opt/kolla-venv/bin/kolla-ansible does not exist" in res.stdout
    assert not installed_host.at("/etc/kolla").exists() and not installed_host.at(VENV).exists()
    assert unfinished_install(installed_host.state) is None


def test_a_directory_that_is_not_a_venv_is_left_alone(installed_host: InstalledHost):
    installed_host.at(f"{VENV}/pyvenv.cfg").unlink()
    res = installed_host.wizard("destroy", "--yes-i-really-mean-it", installed_host.hostname)
    assert res.returncode == 0
    assert "has no pyvenv.cfg, so it is not a virtualenv: left alone" in res.stdout
    assert installed_host.at(VENV).is_dir()


def test_a_linked_kolla_dir_is_unlinked_not_followed(installed_host: InstalledHost, tmp_path):
    real = tmp_path / "elsewhere"
    installed_host.at("/etc/kolla").rename(real)
    installed_host.at("/etc/kolla").symlink_to(real)
    res = installed_host.wizard("destroy", "--yes-i-really-mean-it", installed_host.hostname)
    # kolla-ansible ran through the link; then only the link went
    assert res.returncode == 0, res.stdout
    assert not installed_host.at("/etc/kolla").is_symlink() and (real / "globals.yml").exists()


@pytest.mark.parametrize("venv", ["/", "relative/venv", "/usr"])
def test_a_strange_venv_path_in_the_journal_is_refused(installed_host: InstalledHost, venv: str):
    journal = json.loads((installed_host.state / "journal.json").read_text())
    journal["answers"]["venv_path"] = venv
    (installed_host.state / "journal.json").write_text(json.dumps(journal))
    res = installed_host.wizard("destroy", "--dry-run")
    assert res.returncode == 2 and "venv_path in the journal" in res.stderr


def test_typing_the_hostname_at_the_prompt_confirms(installed_host: InstalledHost):
    import sys

    import pexpect

    from tests.conftest import REPO

    child = pexpect.spawn(
        sys.executable,
        ["-m", "wizard", "destroy", *installed_host.options()],
        cwd=str(REPO),
        env={"PATH": "/usr/bin:/bin", "TERM": "linux", "NO_COLOR": "1"},
        encoding="utf-8",
        timeout=60,
    )
    child.expect(f"Type this host's name \\({installed_host.hostname}\\) to destroy its OpenStack: ")
    assert installed_host.calls() == []  # nothing before the name is typed
    child.sendline(installed_host.hostname)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert installed_host.calls()[0]["argv"] == expected_argv(installed_host)


def test_a_damaged_journal_does_not_stop_starting_over(installed_host: InstalledHost):
    (installed_host.state / "journal.json").write_text("{ not json")
    res = installed_host.wizard("destroy", "--yes-i-really-mean-it", installed_host.hostname)
    assert res.returncode == 0, res.stdout + res.stderr
    assert installed_host.calls()[0]["argv"] == expected_argv(installed_host)  # the default venv
    (copy,) = installed_host.state.glob("journal-before-destroy-*.json")
    assert copy.read_text() == "{ not json"


def test_containers_left_without_kolla_ansible_are_named(installed_host: InstalledHost):
    from wizard.host.commands import CommandResult
    from wizard.support.destroy import plan_destroy, render_destroy

    installed_host.at(f"{VENV}/bin/kolla-ansible").unlink()

    def docker(argv):
        return CommandResult(tuple(argv), 0, "mariadb\nkeystone\n")

    plan = plan_destroy(installed_host.root, installed_host.state, installed_host.logs, hostname="h", run=docker)
    text = render_destroy(plan)
    assert "kept: 2 containers (keystone, mariadb): without kolla-ansible they stay" in text
