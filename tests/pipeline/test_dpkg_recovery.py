"""Recovery of what a killed dpkg left behind, before every apt step.

A power cut while dpkg unpacks leaves the package "half-installed"; neither ``dpkg --configure
-a`` nor ``apt-get -f install`` can configure it ("package perl-base is not ready for
configuration"), so every later apt step failed for good (seen in the real-Debian tier). The
action finds such packages in dpkg's status file (a temporary root here) and reinstalls them
with a stand-in apt-get on PATH.
"""

from __future__ import annotations

import os

from tests.pipeline.conftest import release_plan
from wizard.pipeline import actions

STATUS = """\
Package: perl-base
Status: install ok half-installed
Version: 5.36.0-7+deb12u3

Package: libc6
Status: install reinstreq half-configured
Architecture: amd64

Package: bash
Status: install ok installed

Package: old
Status: deinstall ok config-files
"""


def _root_with_status(tmp_path, text):
    (tmp_path / "var/lib/dpkg").mkdir(parents=True)
    (tmp_path / "var/lib/dpkg/status").write_text(text)
    return tmp_path


def test_packages_a_kill_left_half_unpacked_are_reinstalled(tmp_path, monkeypatch, capsys):
    root = _root_with_status(tmp_path / "root", STATUS)
    assert actions.half_installed(root) == ["libc6", "perl-base"]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "apt-get").write_text(f'#!/bin/sh\necho "$*" > {tmp_path}/apt-args\n')
    (bin_dir / "apt-get").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    assert actions.reinstall_half_installed(root) == 0
    assert (tmp_path / "apt-args").read_text().split() == [
        "-o", "DPkg::Lock::Timeout=120", "install", "--reinstall", "-y", "libc6", "perl-base",
    ]  # fmt: skip
    assert "left half installed by an interrupted dpkg: libc6 perl-base" in capsys.readouterr().out


def test_a_healthy_system_needs_no_reinstall(tmp_path, capsys):
    root = _root_with_status(tmp_path, "Package: bash\nStatus: install ok installed\n")
    assert actions.reinstall_half_installed(root) == 0
    assert "no package is left half installed" in capsys.readouterr().out


def test_every_apt_step_repairs_before_it_installs(tmp_path):
    plan = release_plan("2025.1", tmp_path)
    for step_id in ("python-prereqs", "debug-tools", "virt-packages"):
        argvs = [c.argv for c in plan.step(step_id).commands]
        repair = argvs.index(("dpkg", "--configure", "-a"))
        assert argvs[repair + 1][-1] == "reinstall-half-installed"
        assert argvs[repair + 2][-3:] == ("-f", "install", "-y")
        assert argvs[-1][3] == "install"
