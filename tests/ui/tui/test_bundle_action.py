"""The failed-step panel's "Support bundle" action: the same bundle as `aio-wizard bundle`, made in a
thread, its path shown; only offered while a failure waits."""

from __future__ import annotations

from pathlib import Path

from wizard.pipeline.events import StepFailure
from wizard.ui.tui.demo import mid_run_script, scripted_factory

from .conftest import SIZE, wait_for


def _failure() -> StepFailure:
    return StepFailure("deploy", "Deploy OpenStack", 2, 1, "/var/log/aio-wizard/03-deploy.log", ("fatal",), "", False)


async def test_support_bundle_button_writes_the_bundle_and_shows_its_path(make_app, monkeypatch, tmp_path: Path):
    calls: list[dict] = []

    def fake_save_bundle(**kw):
        calls.append(kw)
        return tmp_path / "aio-wizard-bundle-x.tar.gz"

    monkeypatch.setattr("wizard.support.bundle.save_bundle", fake_save_bundle)
    runners: list = []
    app = make_app(
        start="progress",
        runner_factory=scripted_factory([*mid_run_script(hold=False), ("decide", _failure())], runners),
    )
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen.pending_failure is not None)
        await pilot.click("#bundle")
        await wait_for(pilot, lambda: any("aio-wizard-bundle-x.tar.gz" in str(n.message) for n in app._notifications))
        (kw,) = calls
        assert (kw["state_dir"], kw["log_dir"]) == (app.session.state_dir, app.session.log_dir)
        assert kw["load_facts"]() is app.session.facts
        assert app.screen.pending_failure is not None  # the failure still waits for Retry / Skip / Abort
        await pilot.press("a")
        await wait_for(pilot, lambda: runners[0].decisions == ["abort"])
