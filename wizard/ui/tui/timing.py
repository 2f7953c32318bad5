"""Elapsed times, durations and the install's time estimate, as the progress screen shows them.

The time left weighs each step not done: its duration from an earlier run (the journal) when known,
else what the step's own declaration expects (``PlannedStep.expected_seconds``), else a small
default. The bar is the share of the planned work: every step weighs what its declaration expects,
so the same point of an install reads the same in a resumed run (an earlier run's measured
durations beside the expectations of the steps still to come would shrink the share of the steps
done: 17 % at step 5 of 7). These are UI guesses only; nothing in the pipeline depends on them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

DEFAULT_WEIGHT = 20.0


def fmt_duration(seconds: float | None) -> str:
    """``0:07``, ``12:03``, ``1:02:03``; ``-`` when unknown."""
    if seconds is None or seconds < 0:
        return "-"
    s = int(seconds + 0.5)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def expected_seconds(step_id: str, history: Mapping[str, float], planned: Mapping[str, float]) -> float:
    """An earlier run's duration of the step, else the plan's expectation, else the default."""
    if step_id in history and history[step_id] > 0:
        return history[step_id]
    return planned.get(step_id, DEFAULT_WEIGHT)


def progress_fraction(
    step_ids: Sequence[str],
    finished: Mapping[str, float] | Sequence[str],
    running: tuple[str, float] | None,
    planned: Mapping[str, float],
) -> float:
    """Share of the planned work done: finished steps (this run's or an earlier one's) count whole, the
    running one up to its weight."""
    weights = {s: planned.get(s, DEFAULT_WEIGHT) for s in step_ids}
    total = sum(weights.values()) or 1.0
    done = sum(weights[s] for s in step_ids if s in finished)
    if running is not None and running[0] in weights:
        done += min(running[1], weights[running[0]] * 0.95)
    return max(0.0, min(1.0, done / total))


def remaining_seconds(
    step_ids: Sequence[str],
    finished: Mapping[str, float],
    running: tuple[str, float] | None,
    history: Mapping[str, float],
    planned: Mapping[str, float],
) -> float:
    """Expected seconds left: the weights of the steps not finished, minus what the running one already took."""
    left = 0.0
    for s in step_ids:
        if s in finished:
            continue
        w = expected_seconds(s, history, planned)
        if running is not None and running[0] == s:
            w = max(w - running[1], 1.0)
        left += w
    return left
