"""The time-sync step: an NTP daemon running and the clock synchronized before prechecks.

kolla's prechecks fail with "No host NTP daemon is running" (a minimal Debian has none), then on
an unsynchronized clock. The action runs against stand-in systemctl, apt-get and timedatectl on
PATH that keep their state in a temporary directory: nothing on this machine is changed.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from tests.pipeline.conftest import release_plan
from wizard.pipeline import actions

SYSTEMCTL = """#!/bin/sh
state={state}
echo "systemctl $*" >> $state/calls
case "$1" in
  list-unit-files) cat $state/units 2>/dev/null ;;
esac
exit 0
"""
APT_GET = """#!/bin/sh
state={state}
echo "apt-get $*" >> $state/calls
echo "systemd-timesyncd.service disabled enabled" >> $state/units
"""
TIMEDATECTL = """#!/bin/sh
state={state}
n=$(cat $state/polls 2>/dev/null || echo 0); n=$((n+1)); echo $n > $state/polls
[ $n -ge {synced_after} ] && echo yes || echo no
"""


@pytest.fixture
def fake_host(tmp_path, monkeypatch):
    """Stand-in commands on PATH; returns a function that sets them up and the state directory."""
    state = tmp_path / "state"
    state.mkdir()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()

    def setup(*, units: str = "", synced_after: int = 3, systemd: bool = True) -> Path:
        (state / "units").write_text(units)
        for name, text in (("systemctl", SYSTEMCTL), ("apt-get", APT_GET), ("timedatectl", TIMEDATECTL)):
            script = bin_dir / name
            script.write_text(text.format(state=state, synced_after=synced_after))
            script.chmod(0o755)
        monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
        monkeypatch.setattr(actions, "systemd_running", lambda root: systemd)
        return state

    return setup


def _calls(state: Path) -> list[str]:
    return (state / "calls").read_text().splitlines()


def test_without_an_ntp_daemon_timesyncd_is_installed_enabled_and_waited_for(fake_host, capsys):
    state = fake_host(synced_after=3)
    assert actions.time_sync("systemd-timesyncd", timeout=120, interval=0) == 0
    calls = _calls(state)
    assert "apt-get -o DPkg::Lock::Timeout=120 install -y systemd-timesyncd" in calls
    assert "systemctl enable --now systemd-timesyncd.service" in calls
    out = capsys.readouterr().out
    assert out.count("waiting for the clock to be synchronized") == 2
    assert "the clock is synchronized (systemd-timesyncd.service" in out


def test_an_installed_chrony_is_started_rather_than_replaced(fake_host):
    state = fake_host(units="chrony.service disabled enabled\n", synced_after=1)
    assert actions.time_sync("systemd-timesyncd", timeout=120, interval=0) == 0
    calls = _calls(state)
    assert not [c for c in calls if c.startswith("apt-get")]
    assert "systemctl enable --now chrony.service" in calls


def test_a_clock_that_never_synchronizes_fails_after_the_bound_with_a_hint(fake_host, capsys):
    fake_host(synced_after=10**6)
    ticks = itertools.count(0, 30)
    assert actions.time_sync("systemd-timesyncd", timeout=120, interval=0, clock=lambda: next(ticks)) == 1
    out = capsys.readouterr().out
    assert "still not synchronized after 120 s" in out and "UDP port 123" in out
    assert "waiting for the clock to be synchronized: 90/120 s" in out


def test_where_systemd_is_not_running_it_is_enabled_for_the_next_boot_and_said_so(fake_host, capsys):
    state = fake_host(systemd=False)
    assert actions.time_sync("systemd-timesyncd", timeout=120, interval=0) == 0
    assert "systemctl enable systemd-timesyncd.service" in _calls(state)
    assert not (state / "polls").exists()
    assert "systemd is not running here" in capsys.readouterr().out


@pytest.mark.parametrize(("active", "planned"), [(("chrony",), False), ((), True), (None, True)])
def test_the_step_is_planned_unless_an_ntp_daemon_is_active_and_runs_before_prechecks(active, planned, tmp_path):
    plan = release_plan("2025.1", tmp_path, facts={"ntp_active": active})
    assert ("time-sync" in plan.step_ids) is planned
    if planned:
        ids = list(plan.step_ids)
        assert ids.index("time-sync") < ids.index("bootstrap-servers") < ids.index("prechecks")
        *repair, sync = plan.step("time-sync").commands
        assert repair[0].argv == ("dpkg", "--configure", "-a")  # an interrupted apt-get of an earlier attempt
        assert sync.argv[3:] == ("time-sync", "--install", "systemd-timesyncd", "--timeout", "120")


def test_on_debian_10_timesyncd_is_part_of_systemd_and_not_installed(tmp_path):
    (sync,) = release_plan("train", tmp_path, image_source="build").step("time-sync").commands
    assert "--install" not in sync.argv


def test_the_step_is_done_when_timesyncd_is_enabled_and_has_synchronized(tmp_path):
    step = release_plan("2025.1", tmp_path, facts={"ntp_active": ()}).step("time-sync")
    assert step.is_done(tmp_path) is None
    wants = tmp_path / "etc/systemd/system/sysinit.target.wants"
    wants.mkdir(parents=True)
    (wants / "systemd-timesyncd.service").symlink_to("/lib/systemd/system/systemd-timesyncd.service")
    assert step.is_done(tmp_path) is None  # enabled, not yet synchronized
    (tmp_path / "run/systemd/timesync").mkdir(parents=True)
    (tmp_path / "run/systemd/timesync/synchronized").touch()
    assert step.is_done(tmp_path) == "systemd-timesyncd is enabled and has synchronized the clock"
