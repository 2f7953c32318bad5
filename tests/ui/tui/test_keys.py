"""``?`` lists the keys of the screen on show, read from its bindings; Review and Host scroll without a Tab first."""

from __future__ import annotations

import pytest
from textual.containers import VerticalScroll

from .conftest import SIZE, screen_name, screen_text, wait_for


async def test_question_mark_lists_the_review_keys_including_the_tabs(make_app):
    app = make_app(start="review", dry_run=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "ReviewScreen")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: "Keys: Review" in screen_text(app))
        text = screen_text(app)
        for shown in ("Export answers", "Save plan", "Globals", "Plan", "Quit", "pgdn"):
            assert shown in text, shown
        assert "Copy selected text" not in text  # Textual's own key, not the wizard's
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "ReviewScreen")


async def test_every_binding_of_the_screen_is_in_its_key_list(make_app):
    from wizard.ui.tui.screens.keys import key_rows

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "HostScreen")
        listed = {key for keys, _ in key_rows(app.screen) for key in keys.split(" / ")}
        active = app.screen.active_bindings  # Enter is the focused button's own: it presses Next
        for binding in type(app.screen).BINDINGS:
            for key in binding.key.split(","):
                if active[key].node is app.screen:
                    assert app.get_key_display(active[key].binding) in listed, key


async def test_the_resume_dialog_shows_its_keys(make_app):
    from wizard.ui.tui.screens.modals import ResumeScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "HostScreen")
        app.call_next(app.push_screen, ResumeScreen("step 3 of 12 failed"))
        await wait_for(pilot, lambda: "r Resume" in screen_text(app))
        text = screen_text(app)
        assert "r Resume" in text and "a Review answers" in text and "o Start over" in text


async def test_page_down_on_review_scrolls_the_tab_on_show_with_the_focus_on_start(make_app):
    app = make_app(start="review", dry_run=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "ReviewScreen")
        await pilot.press("4")
        await pilot.pause()
        pane = app.screen.query_one("#plan")
        scroll = pane.query_one(VerticalScroll)
        assert app.focused is app.screen.query_one("#start")
        await pilot.press("pagedown")
        await pilot.pause()
        assert scroll.scroll_y > 0
        await pilot.press("up")
        await pilot.pause()
        assert app.focused is app.screen.query_one("#start")


async def _footer_lists_the_main_keys(app) -> None:
    """Every key the screen shows (show=True, allowed now) is in its footer and in its ``?`` list."""
    from wizard.ui.tui.screens.keys import key_rows

    screen = app.screen
    footer = screen_text(app).splitlines()[-1]
    listed = " ".join(f"{keys} {what}" for keys, what in key_rows(screen))
    for key, active in screen.active_bindings.items():
        binding = active.binding
        own = active.node is screen or binding in type(app).BINDINGS
        if not (own and binding.show and screen.check_action(binding.action.split("(")[0], ()) is not False):
            continue
        shown = f"{app.get_key_display(binding)} {binding.description}"
        assert shown in footer, f"{type(screen).__name__}: {shown!r} not in the footer {footer!r}"
        assert app.get_key_display(binding) in listed and binding.description in listed, (key, listed)


@pytest.mark.parametrize(
    ("start", "script", "wanted", "expect"),
    [
        ("host", None, "HostScreen", "n Next"),
        ("questions", None, "QuestionsScreen", "f1 Help"),
        ("review", None, "ReviewScreen", "x Export answers"),
        ("progress", "mid", "ProgressScreen", "f Follow log"),  # the log's follow key, once hidden
        ("progress", "failed", "ProgressScreen", "r Retry"),
        ("progress", "done", "DoneScreen", "p Show admin password"),
    ],
)
async def test_every_screen_shows_its_main_keys_in_the_footer(make_app, start, script, wanted, expect):
    from wizard.ui.tui.demo import done_script, failed_script, mid_run_script, scripted_factory

    scripts = {"mid": mid_run_script, "failed": failed_script, "done": done_script}
    factory = scripted_factory(scripts[script]()) if script else None
    app = make_app(start=start, dry_run=start == "review", runner_factory=factory)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == wanted)
        if script == "failed":
            await wait_for(pilot, lambda: app.screen.pending_failure is not None)
        elif script == "mid":
            await wait_for(pilot, lambda: app.screen.lines_received > 0)
        await pilot.pause()
        assert expect in screen_text(app).splitlines()[-1]
        await _footer_lists_the_main_keys(app)


async def test_a_dialog_footer_shows_the_dialogs_keys_not_the_screen_beneath(make_app):
    from wizard.ui.tui.screens.modals import ResumeScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "HostScreen")
        app.call_next(app.push_screen, ResumeScreen("step 3 of 12 failed"))
        await wait_for(pilot, lambda: screen_name(app) == "ResumeScreen")
        await pilot.pause()
        footer = screen_text(app).rstrip("\n").splitlines()[-1]
        assert "r Resume" in footer, footer
        assert "n Next" not in footer, footer  # the Host screen's key would do nothing here
