"""Which widget has the keyboard shows without colour: reverse video, in the console (16-colour) profile too."""

from __future__ import annotations

import pytest
from textual.widgets import Button, Input, Select
from textual.widgets._select import SelectCurrent

from wizard.ui.tui.terminal import TerminalProfile

from .conftest import screen_name, wait_for


def _reverse_share(widget) -> float:
    """The share of the widget's first line drawn in reverse video (what shows focus with no colour at all)."""
    strip = widget.render_line(0)
    total = sum(len(seg.text) for seg in strip)
    rev = sum(len(seg.text) for seg in strip if seg.style is not None and seg.style.reverse)
    return rev / max(total, 1)


def _drawn(widget):
    return widget.query_one(SelectCurrent).query_one("#label") if isinstance(widget, Select) else widget


@pytest.mark.parametrize("console", [True, False], ids=["console", "full"])
async def test_the_focused_input_drop_down_and_button_are_drawn_in_reverse(make_app, console):
    app = make_app(profile=TerminalProfile(console=console, reason="test"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await wait_for(pilot, lambda: screen_name(app) == "QuestionsScreen")
        screen = app.screen
        widgets = [
            screen.field("kolla_internal_vip_address").editor,
            screen.field("openstack_release").editor,
            screen.query(Button).first(),
        ]
        assert isinstance(widgets[0], Input) and isinstance(widgets[1], Select)
        for widget in widgets:
            widget.focus()
            widget.scroll_visible(animate=False)
            await pilot.pause()
            assert _reverse_share(_drawn(widget)) > 0.5, f"{widget!r} focused but not shown"
            for other in widgets:
                if other is not widget:
                    assert _reverse_share(_drawn(other)) < 0.5, f"{other!r} looks focused but is not"
