"""After the TUI exits its screen is gone: the outcome is printed on the normal screen (issue 14)."""

from __future__ import annotations

import argparse
from pathlib import Path

from tests.support.guide import GUIDE_HOST_FILE
from wizard.ui.tui.demo import done_script, scripted_factory

from .conftest import screen_name, screen_text, wait_for

SIZE = (100, 30)


async def test_a_deployed_cloud_leaves_horizon_credentials_and_timings(make_app):
    app = make_app(start="progress", runner_factory=scripted_factory(done_script()))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "DoneScreen")
        await pilot.press("q")
    text = "\n".join(app.outcome)
    assert "OpenStack is deployed (26:52)" in text
    assert "Horizon: http://10.1.1.88" in text
    assert "clouds.yaml (cloud kolla-admin)" in text and "admin-openrc.sh" in text
    assert "Deploy OpenStack" in text and "23:32" in text


async def test_an_aborted_failure_leaves_the_step_its_log_and_how_to_resume(make_app, flaky_steps, dirs):
    app = make_app(start="progress", steps_file=flaky_steps)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen.pending_failure is not None)
        await pilot.press("a")
        await wait_for(pilot, lambda: "Start aio-wizard again to resume" in screen_text(app))
        await pilot.press("ctrl+q")
    text = "\n".join(app.outcome)
    assert "step 'Fails until fixed'" in text
    assert f"Its log: {Path(dirs['log_dir'])}" in text and "flaky.log" in text
    assert "Start aio-wizard again to resume" in text


def test_main_prints_the_outcome_after_the_app_is_gone(monkeypatch, capsys, dirs):
    import wizard.ui.tui as tui
    import wizard.ui.tui.app as app_module
    import wizard.ui.tui.terminal as terminal

    class Ended:
        detached = False
        return_code = 1
        exit_code = 1
        outcome = ["aio-wizard: stopped after 0:03: step 'Deploy' failed.", "  Its log: /var/log/x.log"]

        def run(self) -> None:
            print("<tui>")

    monkeypatch.setattr(terminal, "require_tty", lambda: None)
    monkeypatch.setattr(app_module, "create_app", lambda **kw: Ended())
    args = argparse.Namespace(
        dry_run=True,
        answers=None,
        steps_file=None,
        host_facts=str(GUIDE_HOST_FILE),
        debug=False,
        state_dir=dirs["state_dir"],
        log_dir=dirs["log_dir"],
    )
    assert tui.main(args) == 1
    assert capsys.readouterr().out.splitlines() == ["<tui>", *Ended.outcome]
