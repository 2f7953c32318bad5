"""Screen 1: the probe's findings and the preflight checks; the resume offer."""

from __future__ import annotations

from wizard.pipeline.events import always_abort
from wizard.pipeline.journal import Journal
from wizard.pipeline.runner import Runner
from wizard.pipeline.steps_file import plan_from_steps_file

from .conftest import SIZE, screen_name, screen_text, wait_for


async def test_host_screen_shows_arch_os_kvm_nics_and_route(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert screen_name(app) == "HostScreen"
        for expected in ("aarch64", "Debian GNU/Linux 12 (bookworm)", "80 cores", "128.0 GiB", "kvm-ok"):
            assert expected in text
        assert "via 10.1.1.1 dev enp1s0" in text
        assert "enx00051bb122ed" in text and "no address" in text


async def test_preflight_checks_show_problems_first_with_their_fix(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("pagedown")
        await pilot.pause()
        text = screen_text(app)
        assert "127.0.1.1 in /etc/hosts" in text
        assert "fix: the wizard comments it out" in text
        assert text.index("WARN") < text.index("PASS")


async def test_next_goes_to_the_questions(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await wait_for(pilot, lambda: screen_name(app) == "QuestionsScreen")


def _unfinished_install(state_dir: str, log_dir: str, steps: str) -> None:
    """A real run of the steps that fails at the second step and aborts: an unfinished journal."""
    plan = plan_from_steps_file(steps)
    status = Runner(plan, Journal.load(state_dir), log_dir, [], always_abort).run()
    assert status in ("failed", "aborted")


async def test_an_unfinished_install_offers_resume_review_and_start_over(make_app, dirs, flaky_steps):
    _unfinished_install(dirs["state_dir"], dirs["log_dir"], flaky_steps)
    app = make_app(steps_file=flaky_steps)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "ResumeScreen")
        text = screen_text(app)
        assert "An unfinished install was found" in text
        assert "1 of 3 steps done" in text
        for button in ("Resume", "Review answers", "Start over"):
            assert button in text


async def test_resume_runs_again_from_the_failed_step(make_app, dirs, flaky_steps, tmp_path):
    _unfinished_install(dirs["state_dir"], dirs["log_dir"], flaky_steps)
    (tmp_path / "fixed").touch()
    app = make_app(steps_file=flaky_steps)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "ResumeScreen")
        await pilot.press("r")
        await wait_for(pilot, lambda: screen_name(app) == "DoneScreen")
        progress_log = (tmp_path / "log").glob("01-*.log")
        assert len(list(progress_log)) == 1  # the first step's log was not written twice
    journal = Journal.load(dirs["state_dir"])
    assert journal.status == "done"
    assert journal.steps["first"]["attempts"] == 1


async def test_review_answers_from_the_resume_offer_opens_the_questions(make_app, dirs, flaky_steps):
    _unfinished_install(dirs["state_dir"], dirs["log_dir"], flaky_steps)
    app = make_app(steps_file=flaky_steps)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "ResumeScreen")
        await pilot.press("a")
        await wait_for(pilot, lambda: screen_name(app) == "QuestionsScreen")
        assert app.session.use_journal


async def test_start_over_runs_every_step_again(make_app, dirs, flaky_steps, tmp_path):
    _unfinished_install(dirs["state_dir"], dirs["log_dir"], flaky_steps)
    (tmp_path / "fixed").touch()
    app = make_app(steps_file=flaky_steps)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "ResumeScreen")
        await pilot.press("o")
        await wait_for(pilot, lambda: screen_name(app) == "HostScreen")
        await pilot.press("n")
        await wait_for(pilot, lambda: screen_name(app) == "QuestionsScreen")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: screen_name(app) == "ReviewScreen")
        await pilot.press("s")
        await wait_for(pilot, lambda: screen_name(app) == "ConfirmScreen")
        await pilot.press("y")
        await wait_for(pilot, lambda: screen_name(app) == "DoneScreen")
    assert Journal.load(dirs["state_dir"]).steps["first"]["attempts"] == 2


async def test_over_ssh_without_tmux_the_host_screen_warns_and_says_how_to_resume(make_app):
    from wizard.ui.tui.terminal import ssh_warning

    app = make_app(warning=ssh_warning({"SSH_CONNECTION": "10.0.0.1 5000 10.0.0.2 22"}))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Warning: You are connected over SSH" in text
        assert "tmux" in text


async def test_at_80x24_a_failing_check_is_announced_above_the_fold(make_app, facts):
    import dataclasses

    small = dataclasses.replace(facts, ram_bytes=2 * 1024**3)
    app = make_app(facts=small)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "HostScreen")
        await pilot.pause()
        top = screen_text(app).splitlines()[1]
        assert "Preflight: 1 fail" in top and "below (PageDown)" in top
