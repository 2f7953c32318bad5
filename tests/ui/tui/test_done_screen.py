"""Screen 5: Horizon's URL, the credentials' places, the admin password only when asked, timings."""

from __future__ import annotations

from pathlib import Path

from wizard.ui.tui.demo import done_script, scripted_factory

from .conftest import SIZE, screen_name, screen_text, wait_for


async def test_done_shows_horizon_credentials_next_commands_and_timings(make_app):
    app = make_app(start="progress", runner_factory=scripted_factory(done_script()))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "DoneScreen")
        text = screen_text(app)
        assert "Horizon: http://10.1.1.88" in text
        assert "(cloud kolla-admin)" in text and "admin-openrc.sh" in text
        assert "openstack server create" in text
        await pilot.press("pagedown")
        await pilot.pause()
        text = screen_text(app)
        assert "Deploy OpenStack" in text and "23:32" in text
        assert "Total" in text and "26:52" in text


async def test_the_admin_password_is_shown_only_when_asked(make_app, dirs):
    kolla = Path(dirs["kolla_dir"])
    kolla.mkdir(parents=True)
    (kolla / "passwords.yml").write_text("keystone_admin_password: s3cret-Pa55\nrabbitmq_password: x\n")
    app = make_app(start="progress", runner_factory=scripted_factory(done_script()))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "DoneScreen")
        assert "s3cret-Pa55" not in screen_text(app)
        await pilot.press("p")
        await wait_for(pilot, lambda: screen_name(app) == "TextScreen")
        assert "s3cret-Pa55" in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "DoneScreen")
        await pilot.press("q")
    assert app.return_code == 0


async def test_a_run_with_a_skipped_step_is_not_called_deployed_and_exits_4(make_app):
    from wizard.pipeline.events import PlanFinished, StepFinished, StepStarted
    from wizard.ui.tui.demo import mid_run_script

    script = mid_run_script(hold=False)
    script += [StepFinished("deploy", "skipped", None, 0.0, reason="skipped by the user")]
    for i, sid in enumerate(("post-deploy", "init-runonce"), 4):
        script += [StepStarted(sid, i, 5, sid, 1, ""), StepFinished(sid, "done", 0, 1.0)]
    script.append(PlanFinished("done", 100.0, None, ("deploy",)))
    app = make_app(start="progress", runner_factory=scripted_factory(script))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "DoneScreen")
        text = screen_text(app)
        assert "not a complete install" in text and "OpenStack is deployed" not in text
        assert "Skipped steps: Deploy OpenStack" in text
        await pilot.press("q")
    assert app.return_code == 4
