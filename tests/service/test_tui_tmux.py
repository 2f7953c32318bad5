"""The real TUI in tmux: the tmux session killed mid-step (a dropped SSH session) changes nothing."""

from __future__ import annotations

import shutil
import time

import pytest

from tests.service.conftest import REPO, SLOW, Install
from tests.ui.tui.test_tmux import Tmux

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def _tui_in_tmux(tmux: Tmux, install: Install) -> None:
    shell = f"cd {REPO} && {' '.join(install.argv())}"
    tmux("new-session", "-d", "-s", "wiz", "-x", "110", "-y", "32", "-e", "TERM=xterm-256color", shell)


def test_killing_the_tmux_session_mid_step_leaves_the_install_to_finish_and_a_new_tui_attaches(
    slow_install: Install,
):
    tmux = Tmux(f"aio-wizard-test-{slow_install.tmp.name}")
    try:
        _tui_in_tmux(tmux, slow_install)
        tmux.wait_for("Next: questions")
        tmux("send-keys", "-t", "wiz", "n")
        tmux.wait_for("Next: review")
        tmux("send-keys", "-t", "wiz", "C-n")
        tmux.wait_for("Start install")
        tmux("send-keys", "-t", "wiz", "s")
        tmux.wait_for("Not yet")  # the confirmation before a real install
        tmux("send-keys", "-t", "wiz", "y")
        slow_install.wait_running("slow")
        tmux.wait_for("tick")  # the live log
        tmux.kill()  # the terminal is gone, as with a dropped SSH session
        time.sleep(0.5)
        assert slow_install.runner_pid() is not None
        assert slow_install.step("slow")["status"] == "running"

        _tui_in_tmux(tmux, slow_install)  # log in again, start aio-wizard: it shows the install
        shown = tmux.wait_for("A slow step", timeout=30)
        assert "Next: questions" not in shown
        tmux.wait_for("tick", timeout=30)
        shown = tmux.wait_for("Time per step", timeout=SLOW + 30)  # the Done screen, at its end
        assert "The step after it" in shown
    finally:
        tmux.kill()
    assert slow_install.wait_ended() == "done"
    assert (slow_install.tmp / "marker").exists()
    assert (slow_install.tmp / "after.count").read_text() == "after\n"
