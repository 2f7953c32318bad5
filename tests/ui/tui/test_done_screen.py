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


async def test_done_shows_the_verify_result_from_its_log_and_a_working_os_cloud_line(make_app, tmp_path):
    from wizard.pipeline.events import PlanFinished, StepFinished, StepStarted
    from wizard.ui.tui.demo import mid_run_script

    log = tmp_path / "24-verify.log"
    log.write_text(
        "=== aio-wizard: verify — Verify, attempt 1 ===\nFAIL ping 10.1.1.210 (3.0 s)\nverify: FAILED\n"
        "=== aio-wizard: verify — Verify, attempt 2 ===\n  waiting for aio-wizard-verify-9: BUILD (0 s)\n"
        "ok  boot aio-wizard-verify-9 (9.1 s)\nok  ping 10.1.1.210 (1.2 s)\nverify: ok (an instance booted)\n"
    )
    script = mid_run_script(hold=False)
    script += [StepFinished("deploy", "done", 0, 1.0), StepStarted("verify", 4, 4, "Verify the cloud", 2, str(log))]
    script += [StepFinished("verify", "done", 0, 12.0), PlanFinished("done", 100.0)]
    app = make_app(start="progress", runner_factory=scripted_factory(script))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "DoneScreen")
        text = screen_text(app)
        assert "export OS_CLIENT_CONFIG_FILE=/etc/kolla/clouds.yaml OS_CLOUD=kolla-admin" in text
        assert "ok  boot aio-wizard-verify-9 (9.1 s)" in text and "ok  ping 10.1.1.210 (1.2 s)" in text
        assert "FAIL" not in text  # the failed first attempt is not the result
        await pilot.press("q")
