"""Item 1: `export -o PATH` (and every operator-named output) never replaces a device, a FIFO or a symlink.

Device nodes are made with mknod in a temporary directory; where /dev itself must be used, a
private mount namespace gets its own tmpfs on /dev: the real /dev is never touched.
"""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest

from tests.safety.conftest import ATTACKS, cli, in_mount_ns, needs_mount_ns, needs_root, one_line, wizard_argv
from tests.support.guide import GUIDE_HOST_FILE
from wizard.errors import UserError
from wizard.files import UnsafePathError, atomic_write, write_output

NULL = os.makedev(1, 3)  # /dev/null's numbers
FULL = os.makedev(1, 7)  # /dev/full's
STRANGER = 54321  # a uid nobody on a test box has


def _export(tmp: Path, out: str | Path) -> list[str]:
    return wizard_argv(tmp, "--host-facts", str(GUIDE_HOST_FILE), "export", "-o", str(out))


def _make(kind: str, tmp: Path) -> Path:
    """A path of ``kind`` (see attacks.yaml) in ``tmp``."""
    path = tmp / f"out-{kind}"
    if kind == "dir":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "blockdev":
        os.mknod(path, 0o600 | stat.S_IFBLK, os.makedev(7, 250))
    elif kind == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        sock.close()
    elif kind == "full":
        os.mknod(path, 0o666 | stat.S_IFCHR, FULL)
    elif kind == "link-to-dir":
        (tmp / "adir").mkdir()
        path.symlink_to(tmp / "adir")
    elif kind == "foreign-link":
        path.symlink_to(tmp / "target")
        os.lchown(path, STRANGER, STRANGER)
    elif kind == "link-to-foreign-file":
        (tmp / "theirs").write_text("their file\n")
        os.chown(tmp / "theirs", STRANGER, STRANGER)
        path.symlink_to(tmp / "theirs")
    elif kind == "link-into-open-dir":
        (tmp / "open").mkdir()
        os.chmod(tmp / "open", 0o777)
        path.symlink_to(tmp / "open" / "answers.yml")
    else:  # pragma: no cover
        raise AssertionError(kind)
    return path


ROOT_ONLY = {"blockdev", "full", "foreign-link", "link-to-foreign-file"}


@pytest.mark.parametrize("attack", ATTACKS["export_outputs"], ids=lambda a: a["name"])
def test_export_refuses_an_output_it_must_not_write_in_one_line(tmp_path, attack):
    if attack["kind"] in ROOT_ONLY and os.geteuid() != 0:
        pytest.skip("needs root (mknod, chown)")
    path = _make(attack["kind"], tmp_path)
    before = os.lstat(path)
    res = cli(_export(tmp_path, path), timeout=30)
    assert res.returncode == attack["exit"], res.stderr
    assert attack["message"] in one_line(res.stderr)
    after = os.lstat(path)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)  # still what it was


@needs_root
def test_export_to_a_character_device_writes_to_it_and_keeps_the_node(tmp_path):
    node = tmp_path / "null"
    os.mknod(node, 0o666 | stat.S_IFCHR, NULL)
    res = cli(_export(tmp_path, node))
    assert res.returncode == 0, res.stderr
    st = os.lstat(node)
    assert stat.S_ISCHR(st.st_mode) and st.st_rdev == NULL
    assert list(tmp_path.glob(".out*.tmp")) == [] and list(tmp_path.glob(".null.*")) == []


@needs_root
def test_export_through_roots_symlink_to_a_device_writes_to_the_device(tmp_path):
    node = tmp_path / "null"
    os.mknod(node, 0o666 | stat.S_IFCHR, NULL)
    link = tmp_path / "stdout-like"
    link.symlink_to(node)
    res = cli(_export(tmp_path, link))
    assert res.returncode == 0, res.stderr
    assert link.is_symlink() and stat.S_ISCHR(os.lstat(node).st_mode)


def test_export_to_a_fifo_with_a_reader_writes_through_it(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader is there; the answers fit the pipe
    try:
        res = cli(_export(tmp_path, fifo))
        got = os.read(reader, 1 << 20)
    finally:
        os.close(reader)
    assert res.returncode == 0, res.stderr
    assert b"openstack_release:" in got
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_export_through_a_users_own_symlink_writes_the_target_and_keeps_the_link(tmp_path):
    target = tmp_path / "real.yml"
    target.write_text("old\n")
    link = tmp_path / "answers.yml"
    link.symlink_to(target)
    res = cli(_export(tmp_path, link))
    assert res.returncode == 0, res.stderr
    assert link.is_symlink() and "openstack_release:" in target.read_text()


def test_export_dash_writes_to_standard_output(tmp_path):
    res = cli(_export(tmp_path, "-"))
    assert res.returncode == 0 and "openstack_release:" in res.stdout
    assert not (tmp_path / "-").exists()


@needs_mount_ns
@pytest.mark.parametrize("dev", ["/dev/null", "/dev/stdout"])
def test_export_to_dev_null_or_stdout_in_a_private_dev_keeps_them_devices(tmp_path, dev):
    """The issue's reproduction, on a tmpfs /dev of a private mount namespace (the real /dev untouched)."""
    argv = " ".join(_export(tmp_path, dev))
    res = in_mount_ns(
        "mount -t tmpfs -o size=1m,mode=755 tmpfs /dev\n"
        "mknod -m 666 /dev/null c 1 3\n"
        "ln -s /proc/self/fd/1 /dev/stdout\n"
        f"{argv} > {tmp_path}/stdout\n"
        "stat -c '%F' /dev/null; stat -c '%F' /dev/stdout\n"
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.split("\n")[:2] == ["character special file", "symbolic link"]
    if dev == "/dev/stdout":
        assert "openstack_release:" in (tmp_path / "stdout").read_text()


@needs_root
def test_atomic_write_refuses_a_device_a_fifo_a_directory_and_a_symlink(tmp_path):
    os.mknod(tmp_path / "null", 0o666 | stat.S_IFCHR, NULL)
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "dir").mkdir()
    (tmp_path / "target").write_text("keep\n")
    (tmp_path / "link").symlink_to(tmp_path / "target")
    for name in ("null", "fifo", "dir", "link"):
        before = os.lstat(tmp_path / name)
        with pytest.raises(UnsafePathError):
            atomic_write(tmp_path / name, "x")
        assert os.lstat(tmp_path / name).st_ino == before.st_ino
    assert (tmp_path / "target").read_text() == "keep\n"


def test_write_output_errors_are_one_line_user_errors(tmp_path):
    with pytest.raises(UserError, match="is a directory"):
        write_output(tmp_path, "x")
