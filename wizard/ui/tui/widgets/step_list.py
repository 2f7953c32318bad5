"""The progress screen's list of steps with their states, durations and a spinner.

An OptionList so the keyboard can move over the steps and Enter opens a finished step's log.
Only rows whose text changed are redrawn (the spinner ticks touch one row).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from wizard.ui.tui.timing import fmt_duration

MARKS = {
    "pending": ("·", ".", "dim"),
    "done": ("✔", "+", "green"),
    "failed": ("✘", "x", "bold red"),
    "skipped": ("»", ">", "yellow"),
    "interrupted": ("!", "!", "yellow"),
    "already": ("✔", "+", "dim green"),
}


@dataclass
class StepRow:
    step_id: str
    title: str
    status: str = "pending"  # pending | running | done | failed | skipped | interrupted | already
    duration: float | None = None
    started: float | None = None
    attempt: int = 1
    log_path: str = ""


class StepList(OptionList):
    """Rows of :class:`StepRow`; call :meth:`refresh_rows` after changing them."""

    TITLE_WIDTH = 21

    def __init__(self, rows: list[StepRow], *, ascii_only: bool = False, id: str | None = None) -> None:
        self.rows = rows
        self.ascii_only = ascii_only
        self._spinner = "|/-\\" if ascii_only else "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
        self._shown: list[Text] = []
        self._now = 0.0
        super().__init__(*[Option(self._prompt(r, 0.0), id=r.step_id) for r in rows], id=id)
        self._shown = [self._prompt(r, 0.0) for r in rows]

    def set_rows(self, rows: list[StepRow]) -> None:
        """Show another list of steps (the run's own, when it differs from the plan shown before)."""
        self.rows = rows
        self._shown = [self._prompt(r, self._now) for r in rows]
        self.set_options([Option(p, id=r.step_id) for p, r in zip(self._shown, rows, strict=True)])

    def index_of(self, step_id: str) -> int | None:
        for i, r in enumerate(self.rows):
            if r.step_id == step_id:
                return i
        return None

    def _prompt(self, row: StepRow, now: float) -> Text:
        title = row.title if len(row.title) <= self.TITLE_WIDTH else row.title[: self.TITLE_WIDTH - 1] + "~"
        text = Text()
        if row.status == "running":
            frame = self._spinner[int(now * 8) % len(self._spinner)]
            text.append(f"{frame} ", style="bold cyan")
            text.append(f"{title:<{self.TITLE_WIDTH}}", style="bold")
            elapsed = now - row.started if row.started is not None else None
            text.append(f" {fmt_duration(elapsed):>7}", style="cyan")
            return text
        full, ascii_mark, style = MARKS.get(row.status, MARKS["pending"])
        text.append(f"{ascii_mark if self.ascii_only else full} ", style=style)
        text.append(f"{title:<{self.TITLE_WIDTH}}", style="dim" if row.status == "pending" else "")
        dur = "" if row.duration is None else fmt_duration(row.duration)
        if row.status == "skipped":
            dur = "skip"
        elif row.status == "already" and not row.duration:  # found done by its check: it took no time here
            dur = "done"
        text.append(f" {dur:>7}", style="dim")
        return text

    def refresh_rows(self, now: float) -> None:
        """Redraw rows whose text changed since the last call."""
        self._now = now
        for i, row in enumerate(self.rows):
            prompt = self._prompt(row, now)
            if i >= len(self._shown) or prompt.plain != self._shown[i].plain or prompt.spans != self._shown[i].spans:
                if i < len(self._shown):
                    self._shown[i] = prompt
                self.replace_option_prompt_at_index(i, prompt)
