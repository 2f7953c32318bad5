"""The console profile's warnings: never yellow letters alone.

Yellow letters cannot be read on a light Linux console (``setterm --inversescreen``, a light
serial terminal), and the console profile cannot know the background. So under that profile every
cell drawn in yellow (ANSI 3 or 11: the ansi theme's ``$warning``, and the ``yellow`` of the
screens' own text) on anything but yellow is drawn black on yellow: the warning keeps its colour
as a highlight and reads on a dark and a light background alike. One line filter covers the
stylesheet and every screen's text, so a warning added later cannot slip past it.
"""

from __future__ import annotations

from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter

YELLOW_NUMBERS = (3, 11)
ON_YELLOW = Style(color="black", bgcolor="yellow", reverse=False)


def _yellow(color: RichColor | None) -> bool:
    return color is not None and color.number in YELLOW_NUMBERS


def warning_segments(segments: list[Segment]) -> list[Segment]:
    """``segments`` with every yellow-on-something-else cell turned black on yellow."""
    out = []
    for seg in segments:
        style = seg.style
        if style is not None and not seg.control:
            fg, bg = (style.bgcolor, style.color) if style.reverse else (style.color, style.bgcolor)
            if _yellow(fg) and not _yellow(bg):
                seg = Segment(seg.text, style + ON_YELLOW)
        out.append(seg)
    return out


class WarningFilter(LineFilter):
    """The console profile: warnings drawn black on yellow, never as yellow letters."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return warning_segments(segments)
