"""The real ``python -m wizard --dry-run`` in a real terminal (tmux), driven with keys, Host to Review."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.guide import GUIDE_HOST_FILE

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

REPO = Path(__file__).resolve().parents[3]


class Tmux:
    """One detached session on a private server socket (never the user's tmux)."""

    def __init__(self, socket: str) -> None:
        self.base = ["tmux", "-L", socket, "-f", "/dev/null"]

    def __call__(self, *args: str) -> str:
        return subprocess.run([*self.base, *args], capture_output=True, text=True, check=True, timeout=30).stdout

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", "wiz")

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{text!r} not shown within {timeout}s; the pane shows:\n{self.screen()}")

    def kill(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True, timeout=30)


def test_real_cli_dry_run_from_host_to_review_in_tmux(tmp_path):
    done = tmp_path / "exit-code"
    cmd = [
        sys.executable, "-m", "wizard", "--dry-run", "--host-facts", str(GUIDE_HOST_FILE),
        "--state-dir", str(tmp_path / "state"), "--log-dir", str(tmp_path / "log"),
    ]  # fmt: skip
    shell = f"cd {REPO} && {' '.join(cmd)}; echo $? > {done}"
    tmux = Tmux(f"aio-wizard-test-{tmp_path.name}")
    try:
        tmux("new-session", "-d", "-s", "wiz", "-x", "100", "-y", "30", "-e", "TERM=xterm-256color", shell)
        shown = tmux.wait_for("Next: questions")
        assert "Debian GNU/Linux 12 (bookworm)" in shown
        assert "enx00051bb122ed" in shown
        tmux("send-keys", "-t", "wiz", "n")
        shown = tmux.wait_for("Next: review")
        assert "detected: the newest release for Debian 12 on aarch64" in shown
        tmux("send-keys", "-t", "wiz", "C-n")
        shown = tmux.wait_for("Save plan")
        assert "kolla_internal_vip_address: 10.1.1.88" in shown
        tmux("send-keys", "-t", "wiz", "C-q")
        end = time.monotonic() + 30
        while not done.exists() and time.monotonic() < end:
            time.sleep(0.1)
        assert done.read_text().strip() == "0"
    finally:
        tmux.kill()
    assert not (tmp_path / "state").exists()  # a dry run writes no journal
