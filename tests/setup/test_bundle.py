"""The release artifacts of tools/make-bundle.py: wheel, sdist and the one-file ``aio-wizard.pyz``.

The slow test builds them for real (pip downloads the wheels), then proves the .pyz needs no
network: run under ``unshare -n`` on this machine, and in a fresh Debian root (the cached
bookworm of tools/debian_root.py, when there is one) that has neither pip nor python3-venv.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


boot = _load("bundle_boot", REPO / "tools" / "bundle_boot.py")
MANIFEST = {"version": "0.1.0", "hash": "x", "pythons": ["3.11", "3.13"], "machines": ["x86_64", "aarch64"]}


def test_the_bundle_refuses_an_interpreter_it_has_no_wheels_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(boot.sys, "version_info", (3, 12, 0))
    assert "Python 3.12 is not bundled" in (boot.supported(MANIFEST) or "")
    monkeypatch.setattr(boot.sys, "version_info", (3, 13, 1))
    monkeypatch.setattr(boot.platform, "machine", lambda: "riscv64")
    assert "riscv64 is not bundled" in (boot.supported(MANIFEST) or "")
    monkeypatch.setattr(boot.platform, "machine", lambda: "aarch64")
    assert boot.supported(MANIFEST) is None


def test_the_bundle_installs_under_opt_as_root_and_under_the_home_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIO_WIZARD_HOME", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setattr(boot.os, "geteuid", lambda: 0)
    assert boot.home() == Path("/opt/aio-wizard")
    monkeypatch.setattr(boot.os, "geteuid", lambda: 1000)
    monkeypatch.setenv("HOME", "/home/op")
    assert boot.home() == Path("/home/op/.local/share/aio-wizard")
    monkeypatch.setenv("AIO_WIZARD_HOME", "/srv/aw")
    assert boot.home() == Path("/srv/aw")


def _offline(argv: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["unshare", "-n", *argv], capture_output=True, text=True, timeout=300, **kw)


@pytest.mark.slow
def test_the_bundle_builds_and_runs_without_the_network(tmp_path: Path) -> None:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare to run without the network")
    out = tmp_path / "dist"
    subprocess.run([sys.executable, str(REPO / "tools" / "make-bundle.py"), "--out", str(out)], check=True)
    names = sorted(p.name for p in out.iterdir())
    assert any(n.endswith(".whl") for n in names) and any(n.endswith(".tar.gz") for n in names)
    pyz = out / "aio-wizard.pyz"
    python = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AIO_WIZARD_HOME": str(tmp_path / "home")}
    first = _offline([python, str(pyz), "--version"], env=env)
    assert first.returncode == 0 and "aio-wizard 0.1.0" in first.stdout, first.stderr
    assert "offline" in first.stderr
    again = _offline([python, str(pyz), "--dry-run", "--help"], env=env)
    assert again.returncode == 0 and "usage: aio-wizard" in again.stdout, again.stderr
    assert "installing" not in again.stderr  # installed once

    debian_root = _load("debian_root", REPO / "tools" / "debian_root.py")
    tarball = debian_root.tarball_path("bookworm", debian_root.native_arch())
    if not tarball.is_file() or shutil.which("chroot") is None:
        pytest.skip(f"no cached fresh Debian root ({tarball}; tools/debian_root.py builds one): checked offline only")
    root = tmp_path / "root"
    root.mkdir()
    subprocess.run(["tar", "-C", str(root), "--numeric-owner", "-xpf", str(tarball)], check=True)
    shutil.copy2(pyz, root / "root/aio-wizard.pyz")
    inside = ["chroot", str(root), "/usr/bin/env", "-i", "PATH=/usr/bin:/bin", "HOME=/root"]
    done = _offline([*inside, "/usr/bin/python3", "/root/aio-wizard.pyz", "--version"])
    assert done.returncode == 0 and "aio-wizard 0.1.0" in done.stdout, done.stderr
    assert (root / "opt/aio-wizard/venv/bin/aio-wizard").exists()
    assert not (root / "usr/lib/python3.11/ensurepip").exists()  # no python3-venv was needed
