"""The TUI on a terminal that is not UTF-8 (LANG=C): the core's text (step titles, hints, log lines)
is drawn in ASCII too, not only the TUI's own chrome."""

from __future__ import annotations

import re

from wizard.pipeline.events import PlanStarted, StepFailure, StepOutput, StepStarted
from wizard.ui.tui.app import create_app
from wizard.ui.tui.ascii_filter import ascii_segments
from wizard.ui.tui.demo import FixedClock, screen_text, scripted_factory
from wizard.ui.tui.terminal import detect_profile

from .conftest import wait_for

NOT_ASCII = re.compile(r"[^\x00-\x7f]")


def test_a_drawn_line_keeps_its_width_and_takes_the_longer_form_from_a_gap():
    from rich.segment import Segment

    line = [Segment("a → b …"), Segment("     "), Segment("|")]
    out = ascii_segments(line)
    assert "".join(s.text for s in out) == "a -> b ...  |"
    cramped = ascii_segments([Segment("a→b…|")])
    assert "".join(s.text for s in cramped) == "a>b.|"


async def test_the_tui_under_a_c_locale_draws_the_core_text_in_ascii(facts, dirs):
    profile = detect_profile({"LANG": "C", "TERM": "xterm-256color"}, tty_name="/dev/pts/1")
    failure = StepFailure(
        "copy",
        "Copy a → b …",
        3,
        1,
        "/var/log/aio-wizard/01-copy.log",
        ("naïve — output",),
        "Fix it → then Retry … (the “hint”)",
        False,
    )
    script = [
        PlanStarted(("copy",), ("Copy a → b …",), "2026.1"),
        StepStarted("copy", 1, 1, "Copy a → b …", 1, "/var/log/aio-wizard/01-copy.log"),
        StepOutput.of_lines("copy", ["naïve — output"]),
        ("decide", failure),
        "hold",
    ]
    app = create_app(
        facts=facts,
        clock=FixedClock(),
        profile=profile,
        start="progress",
        runner_factory=scripted_factory(script),
        **dirs,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: pilot.app.screen.pending_failure is not None)
        await pilot.pause()
        shown = screen_text(app)
        assert not NOT_ASCII.findall(shown), shown
        assert "Copy a -> b ..." in shown
        assert "Fix it -> then Retry" in shown
        app.exit()
