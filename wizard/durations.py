"""Durations as the operator reads them in a log, a status report or a summary line."""

from __future__ import annotations


def format_duration(seconds: float) -> str:
    """``3 s``, ``4m 05s``, ``1h 02m``: short, fixed words that read well in a log."""
    total = max(0, round(seconds))
    if total < 60:
        return f"{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"
