"""The README's screenshots (``screenshots/*.svg``) show the screens as they are now.

A screen that changes updates its snapshot (``--snapshot-update``) but nothing reminded anyone
of ``tools/screenshots.py``: the README's pictures went stale. The snapshot tests and the script
put each screen in the same state, so the text drawn in the two SVGs must be the same.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SNAPSHOTS = Path(__file__).parent / "__snapshots__" / "test_snapshots"
PAIRS = {  # screenshots/NAME.svg -> the snapshot test drawing the same state
    "host": "test_host_screen",
    "questions-validation-error": "test_questions_screen_with_a_validation_error",
    "review": "test_review_screen",
    "progress": "test_progress_screen_mid_run",
    "failed-step": "test_progress_screen_failed_step_with_its_choices",
    "done": "test_done_screen",
}
_TEXT = re.compile(r"<text[^>]*>(.*?)</text>", re.S)


def drawn_text(svg: Path) -> str:
    """The characters an SVG terminal screenshot draws, in order, without styles, ids or spaces (the
    two writers split the same line into different runs, with a space between runs)."""
    body = svg.read_text(encoding="utf-8")
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", chunk)) for chunk in _TEXT.findall(body))
    return "".join(text.replace("\xa0", " ").split())


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_the_readme_screenshot_shows_what_the_screen_draws_now(name):
    shot, snap = REPO / "screenshots" / f"{name}.svg", SNAPSHOTS / f"{PAIRS[name]}.svg"
    assert drawn_text(shot) == drawn_text(snap), (
        f"screenshots/{name}.svg is not what {snap.name} shows: run `python tools/screenshots.py`"
    )
