"""Whole flows, Host to Done (or to the saved plan), with the real runner on real harmless steps."""

from __future__ import annotations

import yaml

from wizard.pipeline.journal import Journal

from .conftest import SIZE, screen_name, screen_text, wait_for


async def _to_review(pilot) -> None:
    app = pilot.app
    await pilot.pause()
    await pilot.press("n")
    await wait_for(pilot, lambda: screen_name(app) == "QuestionsScreen")
    await pilot.press("ctrl+n")
    await wait_for(pilot, lambda: screen_name(app) == "ReviewScreen")


async def test_accepting_every_default_installs_to_done(make_app, harmless_steps, tmp_path, dirs):
    app = make_app(steps_file=harmless_steps)
    async with app.run_test(size=SIZE) as pilot:
        await _to_review(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: screen_name(app) == "ConfirmScreen")
        await pilot.press("y")
        # drawn, not only pushed: the install ends in another process, so the screen may not be painted yet
        await wait_for(pilot, lambda: screen_name(app) == "DoneScreen" and "Horizon" in screen_text(app))
        text = screen_text(app)
        assert "http://10.1.1.88" in text
        assert "/etc/kolla/clouds.yaml" in text.replace(dirs["kolla_dir"], "/etc/kolla")
        for title in ("Say hello", "Count to 200", "Leave a marker"):
            assert title in text
        await pilot.press("q")
    assert app.return_code == 0
    assert (tmp_path / "marker").exists()
    assert Journal.load(dirs["state_dir"]).status == "done"
    assert (tmp_path / "log" / "02-count.log").read_text().count("\n") >= 200


async def test_start_asks_first_and_says_what_it_will_change(make_app, harmless_steps, tmp_path, dirs):
    app = make_app(steps_file=harmless_steps)
    async with app.run_test(size=SIZE) as pilot:
        await _to_review(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: screen_name(app) == "ConfirmScreen")
        text = " ".join(screen_text(app).split())
        assert "3 steps" in text
        assert "/etc/hosts" in text and "globals.yml" in text
        assert "30 to 90 minutes" in text
        await pilot.press("enter")  # the focused answer is the safe one
        await wait_for(pilot, lambda: screen_name(app) == "ReviewScreen")
    assert not (tmp_path / "marker").exists()
    assert not (tmp_path / "state" / "journal.json").exists()


async def test_dry_run_ends_with_save_plan_and_changes_nothing(make_app, harmless_steps, tmp_path, dirs):
    app = make_app(steps_file=harmless_steps, dry_run=True)
    target = tmp_path / "plan.txt"
    async with app.run_test(size=SIZE) as pilot:
        await _to_review(pilot)
        assert "Save plan" in screen_text(app)
        assert "Start install" not in screen_text(app)
        await pilot.press("s")
        await wait_for(pilot, lambda: screen_name(app) == "PathScreen")
        app.screen.query_one("#path").value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: target.exists())
        await wait_for(pilot, lambda: f"Plan saved to {target}" in screen_text(app))
        assert screen_name(app) == "ReviewScreen"
    assert "Count to 200" in target.read_text()
    assert not (tmp_path / "marker").exists()
    assert not (tmp_path / "state").exists()


async def test_export_answers_writes_the_yaml_and_shows_the_path(make_app, tmp_path):
    app = make_app(dry_run=True)
    target = tmp_path / "answers.yaml"
    async with app.run_test(size=SIZE) as pilot:
        await _to_review(pilot)
        await pilot.press("x")
        await wait_for(pilot, lambda: screen_name(app) == "PathScreen")
        app.screen.query_one("#path").value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: f"Answers written to {target}" in screen_text(app))
    data = yaml.safe_load(target.read_text())
    assert data["kolla_internal_vip_address"] == "10.1.1.88"
    assert data["network_interface"] == "enp1s0"
    assert data["ext_net_range"] == {"start": "10.1.1.210", "end": "10.1.1.240"}


async def test_export_over_an_existing_file_asks_and_keeps_it_on_no(make_app, tmp_path):
    app = make_app(dry_run=True)
    target = tmp_path / "answers.yaml"
    target.write_text("mine: true\n")
    async with app.run_test(size=SIZE) as pilot:
        await _to_review(pilot)
        for answer in ("escape", "y"):
            await pilot.press("x")
            await wait_for(pilot, lambda: screen_name(app) == "PathScreen")
            app.screen.query_one("#path").value = str(target)
            await pilot.press("enter")
            await wait_for(pilot, lambda: screen_name(app) == "ConfirmScreen")
            assert "exists. Replace it?" in screen_text(app)
            await pilot.press(answer)
            await wait_for(pilot, lambda: screen_name(app) == "ReviewScreen")
            if answer == "escape":
                assert target.read_text() == "mine: true\n"
        await wait_for(pilot, lambda: f"Answers written to {target}" in screen_text(app))
    assert "network_interface" in yaml.safe_load(target.read_text())


async def test_the_review_shows_globals_runonce_env_and_the_kolla_plan(make_app):
    app = make_app(dry_run=True)
    async with app.run_test(size=SIZE) as pilot:
        await _to_review(pilot)
        await pilot.press("2")
        await pilot.pause()
        assert "network_interface" in screen_text(app)
        await pilot.press("3")
        await pilot.pause()
        text = screen_text(app)
        assert "EXT_NET_CIDR=10.1.1.0/24" in text
        assert "EXT_NET_RANGE=start=10.1.1.210,end=10.1.1.240" in text
        await pilot.press("4")
        await pilot.pause()
        assert "kolla-ansible" in screen_text(app)


async def test_every_screen_fits_80x24_and_survives_a_resize(make_app, harmless_steps):
    app = make_app(steps_file=harmless_steps, dry_run=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Next: questions" in screen_text(app)
        await pilot.press("n")
        await wait_for(pilot, lambda: screen_name(app) == "QuestionsScreen")
        assert "Next: review" in screen_text(app)
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert "Next: review" in screen_text(app)
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: screen_name(app) == "ReviewScreen")
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert "Save plan" in screen_text(app)


async def _typed_vip(pilot):
    app = pilot.app
    await pilot.pause()
    await pilot.press("n")
    await wait_for(pilot, lambda: screen_name(app) == "QuestionsScreen")
    vip = app.screen.field("kolla_internal_vip_address")
    vip.editor.focus()
    vip.editor.value = "10.1.1.77"
    await pilot.pause()


async def test_quitting_with_typed_answers_asks_and_saves_them_as_an_answers_file(make_app, tmp_path):
    app = make_app()
    target = tmp_path / "kept.yaml"
    async with app.run_test(size=SIZE) as pilot:
        await _typed_vip(pilot)
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: screen_name(app) == "QuitScreen")
        assert "aio-wizard-answers.yaml" in screen_text(app)  # the default path is shown
        app.screen.query_one("#path").value = str(target)
        await pilot.press("enter")  # Save and quit has the focus
        await wait_for(pilot, lambda: target.exists())
    assert yaml.safe_load(target.read_text())["kolla_internal_vip_address"] == "10.1.1.77"


async def test_saving_on_quit_asks_before_replacing_an_existing_file(make_app, tmp_path):
    app = make_app()
    target = tmp_path / "by-hand.yaml"
    target.write_text("# written by hand\nnova_compute_virt_type: qemu\n")
    async with app.run_test(size=SIZE) as pilot:
        await _typed_vip(pilot)
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: screen_name(app) == "QuitScreen")
        app.screen.query_one("#path").value = str(target)
        await pilot.press("enter")  # Save and quit
        await wait_for(pilot, lambda: screen_name(app) == "ConfirmScreen")
        assert "exists. Replace it?" in screen_text(app)
        await pilot.press("enter")  # "Keep it" has the focus: back to the dialog, the file untouched
        await wait_for(pilot, lambda: screen_name(app) == "QuitScreen")
        assert app.screen.query_one("#path").value == str(target)
        assert target.read_text().startswith("# written by hand")
        assert app.return_code is None
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen_name(app) == "ConfirmScreen")
        await pilot.press("y")  # Replace
        await wait_for(pilot, lambda: app.return_code is not None)
    assert yaml.safe_load(target.read_text())["kolla_internal_vip_address"] == "10.1.1.77"


async def test_quitting_with_typed_answers_can_be_cancelled_or_confirmed_without_saving(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _typed_vip(pilot)
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: screen_name(app) == "QuitScreen")
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "QuestionsScreen")
        assert app.screen.field("kolla_internal_vip_address").value() == "10.1.1.77"
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: screen_name(app) == "QuitScreen")
        await pilot.press("ctrl+q")  # twice: quit without saving
        await wait_for(pilot, lambda: app.return_code is not None)
    assert app.return_code == 0
