"""Destroy and start over in the TUI: offered by the resume dialog and the failed-step panel; the destroy
plan shown, this host's name typed (a wrong one changes nothing), the fake kolla-ansible called with
the real command line, the journal moved aside, then a fresh install. A dry run only shows the plan."""

from __future__ import annotations

import json
import shlex

import pytest

from tests.destroy.conftest import SECRET, InstalledHost, make_installed_host
from tests.destroy.test_destroy import expected_argv
from wizard.pipeline.events import PlanFinished, StepFailure
from wizard.pipeline.journal import unfinished_install
from wizard.ui.tui.demo import mid_run_script, scripted_factory

from .conftest import SIZE, screen_name, screen_text, wait_for


def _app(make_app, host: InstalledHost, **kw):
    return make_app(state_dir=str(host.state), log_dir=str(host.logs), root=str(host.root), **kw)


def _untouched(host: InstalledHost) -> bool:
    return (
        host.calls() == []
        and (host.state / "journal.json").exists()
        and host.at("/etc/kolla/passwords.yml").exists()
        and host.at("/opt/kolla-venv/pyvenv.cfg").exists()
    )


async def _type_name(pilot, name: str) -> None:
    app = pilot.app
    field = app.screen.query_one("#hostname")
    field.value = ""
    field.focus()
    await pilot.press(*name)
    await pilot.press("enter")


def _destroyed(host: InstalledHost) -> None:
    (call,) = host.calls()
    assert call["argv"] == expected_argv(host)
    assert call["VIRTUAL_ENV"] == str(host.at("/opt/kolla-venv"))
    assert not host.at("/etc/kolla").exists() and not host.at("/opt/kolla-venv").exists()
    assert not (host.state / "journal.json").exists()
    (copy,) = host.state.glob("journal-before-destroy-*.json")
    assert json.loads(copy.read_text())["failed_step"] == "deploy"
    assert unfinished_install(host.state) is None
    (log,) = host.logs.glob("destroy-*.log")
    assert "removing 2 containers" in log.read_text() and SECRET not in log.read_text()


async def test_resume_dialog_destroy_needs_the_host_name_then_starts_a_fresh_install(make_app, tmp_path):
    host = make_installed_host(tmp_path)
    app = _app(make_app, host)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "ResumeScreen")
        text = screen_text(app)
        assert "o Start over" in text and "d Destroy and start over" in text
        await pilot.press("d")
        await wait_for(pilot, lambda: screen_name(app) == "DestroyScreen")
        text = screen_text(app)
        assert "kolla-ansible destroy removes every kolla container and volume" in text
        shown = app.screen.plan_text  # scrolled: the host changes with their reverts are further down
        assert "Not undone (host preparation)" in shown and "cp -p /etc/hosts.aio-wizard.bak /etc/hosts" in shown
        assert f"Type this host's name ({host.hostname})" in text

        await _type_name(pilot, "not-this-host")
        await wait_for(pilot, lambda: "is not this host's name" in screen_text(app))
        assert screen_name(app) == "DestroyScreen" and _untouched(host)

        await _type_name(pilot, host.hostname)
        await wait_for(pilot, lambda: screen_name(app) == "DestroyRunScreen" and app.screen.code is not None)
        assert app.screen.code == 0
        text = screen_text(app)
        assert "PLAY [Destroy] removing 2 containers" in text and SECRET not in text
        _destroyed(host)

        await pilot.click("#fresh")
        await wait_for(pilot, lambda: screen_name(app) == "QuestionsScreen")
        assert [type(s).__name__ for s in app.screen_stack[1:]] == ["HostScreen", "QuestionsScreen"]
        assert app.session.unfinished is None and app.session.unfinished_install() is None
        assert app.session.run_options() == {}  # the journal is gone: every step runs


async def test_cancelling_the_destroy_goes_back_to_the_resume_dialog(make_app, tmp_path):
    host = make_installed_host(tmp_path)
    app = _app(make_app, host)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "ResumeScreen")
        await pilot.press("d")
        await wait_for(pilot, lambda: screen_name(app) == "DestroyScreen")
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "ResumeScreen")
    assert _untouched(host)


async def test_a_dry_run_shows_the_destroy_plan_and_changes_nothing(make_app, tmp_path):
    host = make_installed_host(tmp_path)
    app = _app(make_app, host, dry_run=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "ResumeScreen")
        assert "r Resume" not in screen_text(app)  # nothing runs in a dry run
        await pilot.press("r")
        await pilot.pause()
        assert screen_name(app) == "ResumeScreen"
        await pilot.press("d")
        await wait_for(pilot, lambda: screen_name(app) == "DestroyScreen")
        text = screen_text(app)
        assert "dry run: nothing is changed" in text
        assert shlex.join(expected_argv(host)) in app.screen.plan_text  # the real command line, not run
        assert not app.screen.query("#hostname")  # nothing to confirm
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "ResumeScreen")
    assert _untouched(host)


def _failure() -> StepFailure:
    return StepFailure("deploy", "Deploy OpenStack", 2, 1, "/var/log/aio-wizard/03-deploy.log", ("fatal",), "", False)


async def test_the_failed_step_panel_aborts_the_install_then_destroys_it(make_app, tmp_path):
    host = make_installed_host(tmp_path)
    runners: list = []
    script = [*mid_run_script(hold=False), ("decide", _failure()), PlanFinished("aborted", 5.0, "deploy")]
    app = _app(make_app, host, start="progress", runner_factory=scripted_factory(script, runners))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen.pending_failure is not None)
        assert "Destroy and start over" in screen_text(app)
        await pilot.press("d")
        await wait_for(pilot, lambda: screen_name(app) == "DestroyScreen")
        await _type_name(pilot, "nope")
        await wait_for(pilot, lambda: "is not this host's name" in screen_text(app))
        assert runners[0].decisions == [] and _untouched(host)  # the failure still waits

        await _type_name(pilot, host.hostname)
        await wait_for(pilot, lambda: screen_name(app) == "DestroyRunScreen" and app.screen.code is not None)
        assert runners[0].decisions == ["abort"]
        _destroyed(host)
        await pilot.click("#fresh")
        await wait_for(pilot, lambda: screen_name(app) == "QuestionsScreen")
        assert "ProgressScreen" not in [type(s).__name__ for s in app.screen_stack]


async def test_a_failed_kolla_destroy_keeps_everything_and_says_so(make_app, tmp_path):
    host = make_installed_host(tmp_path)
    host.fake_state.write_text(json.dumps({**host.fake(), "fail": True}))
    app = _app(make_app, host)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "ResumeScreen")
        await pilot.press("d")
        await wait_for(pilot, lambda: screen_name(app) == "DestroyScreen")
        await _type_name(pilot, host.hostname)
        await wait_for(pilot, lambda: screen_name(app) == "DestroyRunScreen" and app.screen.code is not None)
        assert app.screen.code == 1
        log = "\n".join(app.screen.query_one("#destroy-log").lines)
        assert "kolla-ansible destroy failed (exit code 2); nothing else was removed" in log
        assert "Destroy failed" in screen_text(app)
        await pilot.click("#close")
        await wait_for(pilot, lambda: screen_name(app) == "HostScreen")
    assert (host.state / "journal.json").exists() and host.at("/etc/kolla/globals.yml").exists()


def _says_destroyed(app, host: InstalledHost) -> None:
    """The outcome printed after the TUI tells what happened, not the failed install the journal held."""
    text = "\n".join(app.outcome)
    assert app.outcome[0].startswith("aio-wizard: destroyed"), text
    (log,) = host.logs.glob("destroy-*.log")
    assert f"Destroy log: {log}" in text
    assert "Start a fresh install with: aio-wizard" in text
    for stale in ("resume", "failed", "aborted", "Its log"):
        assert stale not in text, text
    assert app.return_code == 0


@pytest.mark.parametrize("leave", ["quit", "fresh-then-quit"])
async def test_quitting_after_the_destroy_prints_what_was_destroyed_not_the_failed_install(make_app, tmp_path, leave):
    """Quit at once (the destroy's Quit), or start the fresh install and quit its questions (Ctrl+Q)."""
    host = make_installed_host(tmp_path)
    script = [*mid_run_script(hold=False), ("decide", _failure()), PlanFinished("aborted", 5.0, "deploy")]
    app = _app(make_app, host, start="progress", runner_factory=scripted_factory(script))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen.pending_failure is not None)
        await pilot.press("d")
        await wait_for(pilot, lambda: screen_name(app) == "DestroyScreen")
        await _type_name(pilot, host.hostname)
        await wait_for(pilot, lambda: screen_name(app) == "DestroyRunScreen" and app.screen.code is not None)
        if leave == "quit":
            await pilot.click("#quit")
        else:
            await pilot.click("#fresh")
            await wait_for(pilot, lambda: screen_name(app) == "QuestionsScreen")
            await pilot.press("ctrl+q")
    _says_destroyed(app, host)
