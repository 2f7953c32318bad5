"""Every screen at 100x30 against its stored SVG (``pytest --snapshot-update`` accepts a change).

Stable by construction: injected host facts, a fixed clock (spinner frame and elapsed times), no
blinking cursor, scripted runner events with fixed paths and durations.
"""

from __future__ import annotations

import pytest

from wizard.ui.tui.app import create_app
from wizard.ui.tui.demo import FixedClock, done_script, failed_script, mid_run_script, scripted_factory

from .conftest import SIZE, screen_name, wait_for

KOLLA = "/etc/kolla"  # only read (passwords on demand, globals diff); the same path on every machine


def _app(facts, dirs, *, script=None, **kw):
    factory = None if script is None else scripted_factory(script)
    options = {"state_dir": dirs["state_dir"], "log_dir": dirs["log_dir"], "kolla_dir": KOLLA}
    return create_app(facts=facts, clock=FixedClock(), runner_factory=factory, **options, **kw)


def test_host_screen(snap_compare, facts, dirs):
    assert snap_compare(_app(facts, dirs), terminal_size=SIZE)


def test_questions_screen_with_a_validation_error(snap_compare, facts, dirs):
    async def bad_vip(pilot):
        await pilot.pause()
        screen = pilot.app.screen
        screen.field("kolla_internal_vip_address").editor.value = "10.9.9.9"
        await pilot.press("ctrl+n")
        await pilot.pause()

    assert snap_compare(_app(facts, dirs, start="questions"), terminal_size=SIZE, run_before=bad_vip)


def test_review_screen(snap_compare, facts, dirs):
    assert snap_compare(_app(facts, dirs, start="review", dry_run=True), terminal_size=SIZE)


def test_progress_screen_mid_run(snap_compare, facts, dirs):
    async def running(pilot):
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#substatus").render().plain != "")
        await pilot.pause()

    app = _app(facts, dirs, start="progress", script=mid_run_script())
    assert snap_compare(app, terminal_size=SIZE, run_before=running)


def test_progress_screen_failed_step_with_its_choices(snap_compare, facts, dirs):
    async def failed(pilot):
        await wait_for(pilot, lambda: pilot.app.screen.pending_failure is not None)
        await pilot.pause()

    app = _app(facts, dirs, start="progress", script=failed_script())
    assert snap_compare(app, terminal_size=SIZE, run_before=failed)


def test_done_screen(snap_compare, facts, dirs):
    async def done(pilot):
        await wait_for(pilot, lambda: screen_name(pilot.app) == "DoneScreen")
        await pilot.pause()

    app = _app(facts, dirs, start="progress", script=done_script())
    assert snap_compare(app, terminal_size=SIZE, run_before=done)


@pytest.mark.parametrize("start", ["host", "questions", "progress"])
def test_console_profile_uses_ascii(snap_compare, facts, dirs, start):
    from wizard.ui.tui.terminal import TerminalProfile

    async def settle(pilot):
        if start == "progress":
            await wait_for(pilot, lambda: pilot.app.screen.pending_failure is not None)
        await pilot.pause()

    script = failed_script() if start == "progress" else None
    app = _app(facts, dirs, start=start, script=script, profile=TerminalProfile(console=True, reason="test"))
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)
