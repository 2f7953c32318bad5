"""The console profile (TERM=linux, serial, LANG=C) on a light background: a warning is never yellow letters
alone, which no one reads on a light Linux console (issue 14). Every cell drawn yellow on anything but yellow
comes out black on yellow, readable on a dark and a light background alike."""

from __future__ import annotations

from rich.color import Color

from wizard.pipeline.events import StepFinished
from wizard.ui.tui.demo import failed_script, screen_segments, scripted_factory
from wizard.ui.tui.terminal import TerminalProfile

from .conftest import screen_name, wait_for


def _is_yellow(color: Color | None) -> bool:
    if color is None:
        return False
    if color.number is not None and color.number in (3, 11):
        return True
    r, g, b = color.get_truecolor()
    return r > 150 and g > 120 and b < 100  # a yellow or amber given as RGB


def _cells(app):
    """(text, style) of every run of cells the screen sends to the terminal now, line filters applied."""
    return [(seg.text, seg.style) for seg in screen_segments(app) if seg.text.strip() and seg.style is not None]


def _yellow_letters(app) -> list[str]:
    """Text drawn in yellow on a background that is not: unreadable on a light console."""
    return [
        text
        for text, style in _cells(app)
        if (_is_yellow(style.bgcolor) if style.reverse else _is_yellow(style.color))
        and not (_is_yellow(style.color) if style.reverse else _is_yellow(style.bgcolor))
    ]


def _drawn_on_yellow(app, word: str) -> bool:
    return any(word in text and _is_yellow(style.bgcolor) and not style.reverse for text, style in _cells(app))


CONSOLE = TerminalProfile(console=True, reason="TERM=linux")


async def test_the_host_screens_warnings_are_not_yellow_letters_in_the_console_profile(make_app):
    app = make_app(profile=CONSOLE)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("pagedown")
        await pilot.pause()
        assert _drawn_on_yellow(app, "WARN")  # the check that warns: still marked, black on yellow
        assert _yellow_letters(app) == []


async def test_the_failed_steps_hint_and_a_skipped_step_are_not_yellow_letters_in_the_console_profile(make_app):
    skipped = StepFinished("python-prerequisites", "skipped", None, 0.0, "skipped by the user")
    script = [*failed_script()[:-2], skipped, *failed_script()[-2:]]
    app = make_app(start="progress", profile=CONSOLE, runner_factory=scripted_factory(script))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: screen_name(app) == "ProgressScreen" and app.screen.pending_failure is not None)
        await pilot.pause()
        assert _drawn_on_yellow(app, "Hint:")
        assert _yellow_letters(app) == []


async def test_the_full_profile_keeps_its_colours(make_app):
    """Only the console profile is changed: a 256-colour terminal keeps its theme's warning colour."""
    app = make_app(profile=TerminalProfile(console=False))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("pagedown")
        await pilot.pause()
        assert not _drawn_on_yellow(app, "WARN")
