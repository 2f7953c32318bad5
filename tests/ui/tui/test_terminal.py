"""Before the TUI starts: no tty refused, console/serial profile, the SSH warning."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.conftest import run_wizard
from tests.support.guide import GUIDE_HOST_FILE
from wizard.errors import UserError
from wizard.ui.tui.terminal import detect_profile, require_tty, ssh_warning


def test_require_tty_refuses_pipes_and_names_the_alternatives():
    r, w = os.pipe()
    try:
        with pytest.raises(UserError) as exc:
            require_tty(r, w)
    finally:
        os.close(r)
        os.close(w)
    assert "--plain" in str(exc.value)
    assert "run --answers FILE --non-interactive" in str(exc.value)
    assert exc.value.exit_code == 2


def test_the_real_cli_without_a_tty_exits_2_without_a_traceback(tmp_path):
    out = run_wizard(
        "--dry-run",
        "--host-facts",
        str(GUIDE_HOST_FILE),
        "--state-dir",
        str(tmp_path / "s"),
        "--log-dir",
        str(tmp_path / "l"),
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert out.returncode == 2
    assert "--plain" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("term", ["linux", "vt100", "dumb"])
def test_linux_console_terms_get_the_console_profile(term):
    assert detect_profile({"TERM": term}, tty_name="/dev/pts/3").console


@pytest.mark.parametrize("tty", ["/dev/ttyS0", "/dev/ttyAMA0", "/dev/hvc0"])
def test_serial_lines_get_the_console_profile(tty):
    profile = detect_profile({"TERM": "xterm-256color"}, tty_name=tty)
    assert profile.console
    assert tty in profile.reason


@pytest.mark.parametrize(
    "env", [{"LANG": "C"}, {"LANG": "en_US.UTF-8", "LC_ALL": "POSIX"}, {"LC_CTYPE": "de_DE.ISO-8859-1"}]
)
def test_a_locale_that_is_not_utf8_gets_the_ascii_console_profile(env):
    profile = detect_profile({"TERM": "xterm-256color", **env}, tty_name="/dev/pts/0")
    assert profile.console
    assert "not UTF-8" in profile.reason


@pytest.mark.parametrize("env", [{"LANG": "en_US.UTF-8"}, {"LC_ALL": "C.utf8"}, {}])
def test_a_utf8_or_unset_locale_keeps_the_full_profile(env):
    assert not detect_profile({"TERM": "xterm-256color", **env}, tty_name="/dev/pts/0").console


def test_an_xterm_gets_the_full_profile():
    assert not detect_profile({"TERM": "xterm-256color"}, tty_name="/dev/pts/0").console


def test_ssh_without_tmux_or_screen_is_told_the_install_goes_on_if_the_connection_drops():
    warning = ssh_warning({"SSH_CONNECTION": "10.0.0.1 5000 10.0.0.2 22"})
    assert warning is not None
    assert "tmux" in warning and "it goes on" in warning


@pytest.mark.parametrize("var", ["TMUX", "STY"])
def test_ssh_inside_tmux_or_screen_is_not_warned(var):
    assert ssh_warning({"SSH_CONNECTION": "x", var: "/tmp/tmux-0/default,1,0"}) is None


def test_a_local_terminal_is_not_warned():
    assert ssh_warning({"TERM": "xterm"}) is None
