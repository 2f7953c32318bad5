"""The TUI's boundary for a terminal that is not UTF-8: every line drawn goes out in ASCII.

Screens show the core's text as it is (step titles, hints, checks, the plan, log lines); under
the console profile (``LANG=C``, ``TERM=linux``...) this line filter translates each drawn line
with :data:`wizard.ui.charset.TABLE`. A line is laid out already, so a longer form (``…`` →
``...``) takes its extra cells from the nearest gap of blanks to its right (the text moves into
the padding); where there is none the character keeps its one cell (``…`` → ``.``).
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter

from wizard.ui.charset import to_ascii_cells


def _spare_blanks(cells: list[tuple[str, Style | None]], start: int, want: int) -> int:
    """Remove up to ``want`` blanks from the first gap right of ``start`` (a gap between two
    words keeps one blank; the blanks that end the line all go). Returns how many were removed."""
    i = start
    n = len(cells)
    while i < n:
        if cells[i][0] != " ":
            i += 1
            continue
        j = i
        while j < n and cells[j][0] == " ":
            j += 1
        run = j - i
        spare = run if j == n else run - 1
        if spare >= 2 or (j == n and spare >= want):
            take = min(spare, want)
            del cells[j - take : j]
            return take
        i = j
    return 0


def ascii_segments(segments: list[Segment]) -> list[Segment]:
    """``segments`` (one drawn line) in ASCII, the same number of cells."""
    if all(seg.text.isascii() for seg in segments):
        return segments
    if any(seg.control for seg in segments):
        return [Segment(to_ascii_cells(seg.text)[0], seg.style, seg.control) for seg in segments]
    cells: list[tuple[str, Style | None]] = [(char, seg.style) for seg in segments for char in seg.text]
    i = 0
    while i < len(cells):
        char, style = cells[i]
        if char.isascii():
            i += 1
            continue
        longest, _ = to_ascii_cells(char, room=10)
        narrow, _ = to_ascii_cells(char)
        extra = len(longest) - len(narrow)
        # without room the narrow form (blanks taken for a partial fit are given back at the end)
        shown = longest if extra > 0 and _spare_blanks(cells, i + 1, extra) == extra else narrow
        cells[i : i + 1] = [(c, style) for c in shown]
        i += len(shown)
    out: list[Segment] = []
    for char, style in cells:
        if out and out[-1].style is style:
            out[-1] = Segment(out[-1].text + char, style)
        else:
            out.append(Segment(char, style))
    width = sum(cell_len(seg.text) for seg in segments)
    have = len(cells)
    if have < width:  # a partial take: pad back to the line's width
        pad_style = out[-1].style if out else None
        out.append(Segment(" " * (width - have), pad_style))
    return out


class AsciiFilter(LineFilter):
    """The console profile's last step: nothing that is not ASCII reaches the terminal."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return ascii_segments(segments)
