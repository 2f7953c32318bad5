"""Destroy and start over in plain mode: at the resume question and in the failure menu; the destroy plan
printed, this host's name typed (a wrong one changes nothing), the fake kolla-ansible called with the
real command line, the output streamed without secrets, then the questions of a fresh install."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from tests.destroy.conftest import SECRET, InstalledHost, make_installed_host
from tests.destroy.test_destroy import expected_argv
from tests.support.steps import write_steps
from tests.ui.plain.conftest import ScriptedPrompter, default_questions, make_args
from wizard.pipeline.journal import unfinished_install
from wizard.ui.plain import PlainWizard

QUESTION = "An unfinished install was found. What now?"
FRESH = [False, *([None] * len(default_questions()))]  # no advanced questions, every default


def _args(host: InstalledHost, **kw):
    return make_args(host.root.parent, root=str(host.root), **{"dry_run": False, **kw})


def _untouched(host: InstalledHost) -> bool:
    return host.calls() == [] and (host.state / "journal.json").exists() and host.at("/etc/kolla").is_dir()


def _destroyed(host: InstalledHost, shown: str) -> None:
    (call,) = host.calls()
    assert call["argv"] == expected_argv(host)
    assert not host.at("/etc/kolla").exists() and not host.at("/opt/kolla-venv").exists()
    assert unfinished_install(host.state) is None
    (copy,) = host.state.glob("journal-before-destroy-*.json")
    assert json.loads(copy.read_text())["steps"]
    assert "PLAY [Destroy] removing 2 containers" in shown and SECRET not in shown


def test_resume_question_destroy_needs_the_host_name_then_asks_for_a_fresh_install(tmp_path: Path):
    host = make_installed_host(tmp_path)
    replies = ["destroy", "not-this-host", "destroy", host.hostname, *FRESH, "quit"]
    prompter = ScriptedPrompter(replies)
    assert PlainWizard(_args(host), prompter).run() == 0
    shown = "\n".join(prompter.shown)
    assert "'not-this-host' is not this host's name" in shown
    assert prompter.asked.count(QUESTION) == 2  # asked again after the wrong name, nothing changed by it
    assert "Not undone (host preparation), and how to revert each by hand:" in shown
    assert "cp -p /etc/hosts.aio-wizard.bak /etc/hosts" in shown
    _destroyed(host, shown)
    assert "Destroyed. A fresh install" in shown
    assert "Ask the advanced questions too?" in prompter.asked and "What next?" in prompter.asked
    assert "=== Review ===" in shown


def test_an_empty_name_cancels_and_changes_nothing(tmp_path: Path):
    host = make_installed_host(tmp_path)
    prompter = ScriptedPrompter(["destroy", "", "quit"])
    assert PlainWizard(_args(host), prompter).run() == 0
    assert "Cancelled: nothing was changed." in prompter.shown
    assert _untouched(host)


def test_a_dry_run_prints_the_destroy_plan_and_changes_nothing(tmp_path: Path):
    host = make_installed_host(tmp_path)
    prompter = ScriptedPrompter(["destroy", "quit"])
    assert PlainWizard(_args(host, dry_run=True), prompter).run() == 0
    shown = "\n".join(prompter.shown)
    assert "(dry run: nothing is changed)" in shown and shlex.join(expected_argv(host)) in shown
    assert "Dry run: nothing was destroyed." in shown
    assert prompter.asked == [QUESTION, QUESTION]  # no name asked; the question again
    assert _untouched(host)


def test_start_over_and_destroy_are_told_apart(tmp_path: Path):
    from wizard.ui.plain.prompter import Option

    host = make_installed_host(tmp_path)
    seen: list[list[Option]] = []

    class Recording(ScriptedPrompter):
        def select(self, message, options, default=None):
            seen.append(list(options))
            return super().select(message, options, default)

    PlainWizard(_args(host), Recording(["quit"])).run()
    labels = [o.label for o in seen[0]]
    assert "Start over (ignore the journal; nothing is undone)" in labels
    assert "Destroy and start over (remove the deployed OpenStack first)" in labels


def test_the_failure_menu_aborts_the_install_then_destroys_it(tmp_path: Path):
    host = make_installed_host(tmp_path)
    (host.state / "journal.json").unlink()  # this test's install writes its own
    steps = write_steps(
        tmp_path / "steps.yaml",
        "- id: deploy\n  title: Deploy OpenStack\n  commands: [[sh, -c, 'echo fatal; exit 2']]\n",
    )
    replies = ["install", True, "destroy", "wrong", "destroy", host.hostname, "quit"]
    prompter = ScriptedPrompter(replies)
    assert PlainWizard(_args(host, steps_file=str(steps)), prompter).run() == 0
    shown = "\n".join(prompter.shown)
    assert "'wrong' is not this host's name" in shown
    assert prompter.asked.count("Step 'Deploy OpenStack' failed. What now?") == 2
    (call,) = host.calls()
    assert call["argv"] == expected_argv(host)
    (copy,) = host.state.glob("journal-before-destroy-*.json")
    assert json.loads(copy.read_text())["status"] == "failed"  # the install had ended (not "running") first
    assert unfinished_install(host.state) is None
    assert "Run the wizard again to resume" not in shown  # it is not to be resumed
    assert "Destroyed. A fresh install" in shown and shown.count("=== Review ===") == 2


def test_on_a_serial_console_the_destroy_is_typed_and_streamed(spawn_wizard, tmp_path: Path):
    """The real program on a pty (questionary, TERM=linux, 80 columns), from the resume question to the
    fresh install's first question."""
    import re

    from tests.ui.plain.conftest import DOWN

    host = make_installed_host(tmp_path)  # the same state and log dirs as spawn_wizard's
    wiz = spawn_wizard("--root", str(host.root))
    destroy = DOWN * 3 + "\r"  # resume, review, start over, *destroy*, quit
    wiz.expect(re.escape(QUESTION))
    wiz.send(destroy)
    wiz.expect(re.escape(f"Type this host's name ({host.hostname})"))
    wiz.send("typo\r")
    wiz.expect("is not this host's name")
    wiz.expect(re.escape(QUESTION))
    assert _untouched(host)
    wiz.send(destroy)
    wiz.expect(re.escape(f"Type this host's name ({host.hostname})"))
    wiz.send(host.hostname + "\r")
    wiz.expect(re.escape("PLAY [Destroy] removing 2 containers"))
    wiz.expect("Destroyed. A fresh install")
    wiz.expect(re.escape("Ask the advanced questions too?"))
    wiz.child.sendcontrol("c")
    assert wiz.exit_code() == 130
    _destroyed(host, wiz.output)


def test_start_over_runs_every_step_again_and_undoes_nothing(tmp_path: Path):
    from wizard.pipeline.journal import Journal

    flag = tmp_path / "fixed"
    steps = write_steps(
        tmp_path / "steps.yaml",
        "- id: first\n  title: First\n  commands: [[sh, -c, 'echo first']]\n"
        f"- id: flaky\n  title: Flaky\n  commands: [[sh, -c, 'test -e {flag}']]\n",
    )
    args = make_args(tmp_path, dry_run=False, steps_file=str(steps))
    assert PlainWizard(args, ScriptedPrompter(["install", True, "abort"])).run() == 1
    flag.touch()
    prompter = ScriptedPrompter(["over", "install", True])
    assert PlainWizard(args, prompter).run() == 0
    journal = Journal.load(tmp_path / "state")
    assert journal.status == "done"
    assert journal.steps["first"]["attempts"] == 2  # run again although it was done
    assert not list((tmp_path / "state").glob("journal-before-destroy-*"))  # nothing was destroyed
