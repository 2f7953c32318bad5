"""Items 3, 4 and 9: the state and log directories and the files in them are never what an attacker made them.

Symlinks are not followed (a ``lock`` link must not make root truncate its target, a log link
must not make root append to and chmod its target), FIFOs are not waited on, backups go to a
fresh name, and the directories are private (0700 whatever the umask; an unsafe existing one is
refused in one line saying how to fix it).
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tests.safety.conftest import ATTACKS, cli, needs_root, one_line, wizard_argv
from wizard.errors import UserError
from wizard.files import backup_path, ensure_private_dir, make_backup

STRANGER = 54321


def _run(tmp: Path, steps: Path, **kw) -> list[str]:
    return wizard_argv(tmp, "run", "--steps-file", str(steps), "--non-interactive", **kw)


def _victim(tmp: Path) -> Path:
    victim = tmp / "victim"
    victim.write_text("precious\n")
    os.chmod(victim, 0o644)
    return victim


def _make(kind: str, path: Path, victim: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to(victim)


# --- symlinks and FIFOs in the state and log directories -------------------------------------


@pytest.mark.parametrize("attack", ATTACKS["state_files"], ids=lambda a: a["name"])
def test_a_planted_journal_or_lock_is_refused_in_one_line_and_never_followed(tmp_path, steps_file, attack):
    victim = _victim(tmp_path)
    _make(attack["kind"], tmp_path / "state" / attack["path"], victim)
    res = cli(_run(tmp_path, steps_file), timeout=30)
    assert res.returncode == attack["exit"], res.stderr
    assert attack["message"] in one_line(res.stderr)
    assert victim.read_text() == "precious\n" and stat.S_IMODE(victim.stat().st_mode) == 0o644


@pytest.mark.parametrize("attack", ATTACKS["log_files"], ids=lambda a: a["name"])
def test_a_planted_log_file_is_refused_and_never_appended_to_or_chmodded(tmp_path, steps_file, attack):
    victim = _victim(tmp_path)
    _make(attack["kind"], tmp_path / "log" / "01-one.log", victim)
    res = cli(_run(tmp_path, steps_file), timeout=30)
    assert res.returncode == attack["exit"], res.stderr
    assert attack["message"] in one_line(res.stderr)
    assert victim.read_text() == "precious\n" and stat.S_IMODE(victim.stat().st_mode) == 0o644
    journal = json.loads((tmp_path / "state/journal.json").read_text())
    assert journal["status"] != "running"


def test_status_with_a_fifo_as_lock_answers_in_one_line_without_hanging(tmp_path, steps_file):
    assert cli(_run(tmp_path, steps_file)).returncode == 0
    (tmp_path / "state/lock").unlink()
    os.mkfifo(tmp_path / "state/lock")
    res = cli(wizard_argv(tmp_path, "status"), timeout=30)
    assert "not the wizard's lock file" in one_line(res.stderr)


def test_export_with_a_fifo_as_journal_does_not_hang(tmp_path):
    from tests.support.guide import GUIDE_HOST_FILE

    (tmp_path / "state").mkdir(mode=0o700)
    os.mkfifo(tmp_path / "state/journal.json")
    res = cli(wizard_argv(tmp_path, "--host-facts", str(GUIDE_HOST_FILE), "export"), timeout=30)
    assert res.returncode == 0 and "ignoring the journal" in res.stderr


# --- backups ---------------------------------------------------------------------------------


def test_a_second_backup_never_overwrites_the_first(tmp_path):
    hosts = tmp_path / "hosts"
    hosts.write_text("original\n")
    first = make_backup(hosts)
    hosts.write_text("changed by the wizard\n")
    second = make_backup(hosts)
    assert first == backup_path(hosts) and second == first.with_name(first.name + ".1")
    assert first.read_text() == "original\n" and second.read_text() == "changed by the wizard\n"


def test_a_dangling_backup_symlink_does_not_redirect_the_backup(tmp_path):
    hosts = tmp_path / "hosts"
    hosts.write_text("127.0.0.1 localhost\n")
    elsewhere = tmp_path / "elsewhere"
    backup_path(hosts).symlink_to(elsewhere)
    made = make_backup(hosts)
    assert not elsewhere.exists()
    assert made.name == "hosts.aio-wizard.bak.1" and made.read_text() == "127.0.0.1 localhost\n"


def test_an_existing_backup_still_means_a_new_backup_of_what_is_replaced(tmp_path):
    from wizard.files import atomic_write

    hosts = tmp_path / "hosts"
    hosts.write_text("current\n")
    backup_path(hosts).write_text("planted or older\n")
    made = atomic_write(hosts, "new\n", backup=True)
    assert made is not None and made.read_text() == "current\n"
    assert backup_path(hosts).read_text() == "planted or older\n"


def test_a_backup_keeps_the_originals_mode(tmp_path):
    secret = tmp_path / "passwords.yml"
    secret.write_text("x: y\n")
    os.chmod(secret, 0o600)
    assert stat.S_IMODE(make_backup(secret).stat().st_mode) == 0o600


# --- private directories ---------------------------------------------------------------------


def test_state_and_log_dirs_are_created_0700_even_under_umask_000(tmp_path, steps_file):
    res = cli(["sh", "-c", 'umask 000; exec "$@"', "sh", *_run(tmp_path, steps_file)])
    assert res.returncode == 0, res.stderr
    for d in ("state", "log"):
        assert stat.S_IMODE((tmp_path / d).stat().st_mode) == 0o700, d
    for f in ("state/journal.json", "state/lock", "log/01-one.log"):
        assert stat.S_IMODE((tmp_path / f).stat().st_mode) == 0o600, f


@pytest.mark.parametrize("which", ["state", "log"])
def test_a_world_writable_state_or_log_dir_is_refused_with_the_fix(tmp_path, steps_file, which):
    (tmp_path / which).mkdir()
    os.chmod(tmp_path / which, 0o777)
    res = cli(_run(tmp_path, steps_file))
    assert res.returncode == 2
    line = one_line(res.stderr)
    assert "writable by anyone (mode 0777)" in line and f"chmod 700 {tmp_path / which}" in line
    assert not (tmp_path / "ran").exists()


@needs_root
@pytest.mark.parametrize("which", ["state", "log"])
def test_a_state_or_log_dir_owned_by_another_user_is_refused(tmp_path, steps_file, which):
    (tmp_path / which).mkdir(mode=0o700)
    os.chown(tmp_path / which, STRANGER, STRANGER)
    res = cli(_run(tmp_path, steps_file))
    assert res.returncode == 2
    assert f"owned by uid {STRANGER}" in one_line(res.stderr)


def test_ensure_private_dir_accepts_the_operators_own_0755_dir(tmp_path):
    d = tmp_path / "state"
    d.mkdir(mode=0o755)
    assert ensure_private_dir(d, "state directory") == d
    assert stat.S_IMODE(d.stat().st_mode) == 0o755  # an existing safe dir is left as the operator made it


def test_a_state_dir_that_is_a_file_is_exit_3_in_one_line(tmp_path, steps_file):
    (tmp_path / "state").write_text("not a dir\n")
    res = cli(_run(tmp_path, steps_file))
    assert res.returncode == 3
    assert "the state directory is a file, not a directory" in one_line(res.stderr)


def test_ensure_private_dir_errors_are_user_errors(tmp_path):
    (tmp_path / "f").write_text("")
    with pytest.raises(UserError):
        ensure_private_dir(tmp_path / "f", "log directory")


def test_a_planned_file_that_is_a_symlink_fails_the_step_and_its_target_is_untouched(tmp_path):
    from tests.pipeline.conftest import plan_of, step
    from wizard.pipeline.journal import Journal
    from wizard.pipeline.model import FileWrite
    from wizard.pipeline.runner import Runner

    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    victim = _victim(tmp_path)
    (root / "etc/hosts").symlink_to(victim)
    plan = plan_of(step("hosts", files=(FileWrite("/etc/hosts", content="10.0.0.1 x\n", backup=True),)), root=root)
    status = Runner(plan, Journal.load(tmp_path / "state"), tmp_path / "log").run()
    assert status == "failed"
    assert "is a symbolic link" in (tmp_path / "log/01-hosts.log").read_text()
    assert victim.read_text() == "precious\n" and (root / "etc/hosts").is_symlink()
    assert not list((root / "etc").glob("hosts.aio-wizard.bak*"))
