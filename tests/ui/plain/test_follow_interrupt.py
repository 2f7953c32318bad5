"""A Ctrl+C between starting the install and following it is asked about like any other, never an exit.

The install runs in the detached runner from the moment it starts; a front end that died of that
Ctrl+C with "interrupted" would leave the operator thinking it stopped.
"""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace

from tests.ui.plain.conftest import ScriptedPrompter
from wizard.ui.plain.progress import follow_install


class _Service:
    """Just what follow_install asks of the install service; attaching is interrupted once."""

    def __init__(self, tmp: Path) -> None:
        self.options = SimpleNamespace(state_dir=tmp / "state", log_dir=tmp / "log", host_facts=None)
        self.attached = 0
        self.stopped = False

    def attach(self, listeners, decide, *, run_id, decide_in_thread):
        self.attached += 1
        raise KeyboardInterrupt  # Ctrl+C while the attachment is being set up

    def stop(self) -> None:
        self.stopped = True


def test_ctrl_c_while_attaching_asks_and_detach_leaves_the_install_alone(tmp_path):
    service = _Service(tmp_path)
    prompter = ScriptedPrompter(["detach"])
    assert follow_install(prompter, service, "run-1", stream=io.StringIO()) == 0
    assert prompter.asked == ["Detach, or stop the install?"]
    assert not service.stopped
    assert any("Detached: the install goes on" in line for line in prompter.shown)


def test_ctrl_c_before_following_is_asked_about_before_attaching(tmp_path):
    service = _Service(tmp_path)
    prompter = ScriptedPrompter(["detach"])
    assert follow_install(prompter, service, "run-1", stream=io.StringIO(), interrupted=True) == 0
    assert prompter.asked == ["Detach, or stop the install?"]
    assert service.attached == 0
