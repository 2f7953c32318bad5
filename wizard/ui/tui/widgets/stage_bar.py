"""The one-line bar on top of every screen: where the user is in the wizard.

Replaces Textual's Header, whose icon and clock need glyphs the Linux console lacks and whose
clock would make every snapshot differ.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

STAGES = ("Host", "Questions", "Review", "Install", "Done")


class StageBar(Static):
    """``aio-wizard  1 Host > 2 Questions > ...`` with the current stage highlighted."""

    def __init__(self, current: str, *, dry_run: bool = False) -> None:
        super().__init__(self._render_bar(current, dry_run), classes="stage-bar")

    @staticmethod
    def _render_bar(current: str, dry_run: bool) -> Text:
        text = Text(" aio-wizard ", style="bold")
        if dry_run:
            text.append("[dry run] ", style="bold yellow")
        for n, stage in enumerate(STAGES, 1):
            if n > 1:
                text.append(" > ", style="dim")
            label = f"{n} {stage}"
            text.append(label, style="bold reverse" if stage == current else "dim")
        return text
