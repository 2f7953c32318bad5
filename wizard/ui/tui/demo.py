"""Replayed runner events and a fixed clock: the TUI without a real install.

The screenshot script, the benchmark and the tests use these to show every screen in a known
state (a run half-way through, a failed step, a finished install) on any machine. The events
are exactly the runner's contract (:mod:`wizard.pipeline.events`), so what is drawn here is
what a real run draws.
"""

from __future__ import annotations

import threading
from typing import Any

from wizard.pipeline.events import (
    PlanFinished,
    PlanStarted,
    StepFailure,
    StepFinished,
    StepOutput,
    StepStarted,
    StepSubstatus,
)


class FixedClock:
    """A clock moved by hand: elapsed times and the spinner stay the same in snapshots."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def _recorded(app: Any) -> Any:
    """A console that recorded the screen as it goes to the terminal now (the line filters applied)."""
    import io

    from rich.console import Console

    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), force_terminal=True, record=True, legacy_windows=False
    )
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console


def screen_text(app: Any) -> str:
    """What the terminal shows now, as plain text (for assertions on what the user sees)."""
    return str(_recorded(app).export_text())


def screen_segments(app: Any) -> list[Any]:
    """What the terminal shows now, as Rich segments with their styles (for assertions on colours)."""
    return list(_recorded(app)._record_buffer)


class ScriptedRunner:
    """A stand-in for the pipeline Runner that replays events (same ``run``/``cancel`` surface).

    ``script`` items are events, or ``("decide", failure)`` to ask the front end and record its answer.
    ``hold=True`` stops before the end until :meth:`release` (to look at the screen mid-run).
    """

    def __init__(self, listener: Any, decide: Any, script: list[Any], *, hold: bool = False) -> None:
        self.listener, self.decide_fn, self.script = listener, decide, list(script)
        self.decisions: list[str] = []
        self.cancelled = threading.Event()
        self.stopped = False
        self._release = threading.Event()
        if not hold:
            self._release.set()

    def release(self) -> None:
        self._release.set()

    def run(self, from_step: str | None = None) -> str:
        for item in self.script:
            if item == "hold":
                while not self._release.wait(0.05):
                    if self.cancelled.is_set():
                        return "interrupted"
                continue
            if isinstance(item, tuple) and item[0] == "decide":
                self.decisions.append(self.decide_fn(item[1]))
                continue
            self.listener(item)
        return "done"

    def cancel(self) -> None:
        """Detach (what quitting does): the stand-in stops replaying."""
        self.cancelled.set()

    def stop(self) -> None:
        """Stop the install (Ctrl+C, then Stop): recorded for the tests, then like a detach."""
        self.stopped = True
        self.cancelled.set()
        self._release.set()


def scripted_factory(script: list[Any], holder: list[Any] | None = None, **kw: Any) -> Any:
    """A ``runner_factory`` for the app that replays ``script`` (``kw`` go to :class:`ScriptedRunner`).

    Each runner made is appended to ``holder`` when given, so a test can release or inspect it.
    """

    def factory(listener: Any, decide: Any) -> ScriptedRunner:
        runner = ScriptedRunner(listener, decide, script, **kw)
        if holder is not None:
            holder.append(runner)
        return runner

    return factory


def mid_run_script(hold: bool = True) -> list[Any]:
    """Events of a plan half-way through: two steps done, the third running with a sub-status."""
    ids = ("hosts-file", "python-prerequisites", "deploy", "post-deploy", "init-runonce")
    titles = ("Hosts file", "Python prerequisites", "Deploy OpenStack", "Post-deploy", "init-runonce")
    script = [PlanStarted(ids, titles, "2026.1")]
    for i, (sid, title, dur) in enumerate(zip(ids[:2], titles[:2], (0.4, 63.0), strict=True), 1):
        script += [
            StepStarted(sid, i, 5, title, 1, f"/var/log/aio-wizard/{i:02d}-{sid}.log"),
            StepOutput.of_lines(sid, [f"output of {sid}"]),
            StepFinished(sid, "done", 0, dur, log_path=f"/var/log/aio-wizard/{i:02d}-{sid}.log"),
        ]
    script += [
        StepStarted("deploy", 3, 5, "Deploy OpenStack", 1, "/var/log/aio-wizard/03-deploy.log"),
        StepOutput.of_lines("deploy", (f"TASK [common : line {n}] ok: [localhost]" for n in range(40))),
        StepSubstatus("deploy", "PLAY [Apply role nova] / TASK [nova : Copying over nova.conf]"),
    ]
    if hold:
        script.append("hold")
    return script


FAILURE = StepFailure(
    "deploy",
    "Deploy OpenStack",
    2,
    1,
    "/var/log/aio-wizard/03-deploy.log",
    ("TASK [nova : Checking host libvirt]", "fatal: [localhost]: FAILED! => host libvirt is running"),
    "The host's own libvirt is running: stop and disable libvirtd and its sockets, then Retry.",
    False,
)


def failed_script() -> list[Any]:
    """The mid-run plan whose running step fails (:data:`FAILURE`), then waits on its choices."""
    return [*mid_run_script(hold=False), ("decide", FAILURE), "hold"]


def done_script() -> list[Any]:
    script = mid_run_script(hold=False)
    script += [StepFinished("deploy", "done", 0, 1412.0, log_path="/var/log/aio-wizard/03-deploy.log")]
    for i, (sid, title, dur) in enumerate(
        (("post-deploy", "Post-deploy", 41.0), ("init-runonce", "init-runonce", 95.5)), 4
    ):
        script += [StepStarted(sid, i, 5, title, 1, f"/var/log/aio-wizard/{i:02d}-{sid}.log")]
        script += [StepFinished(sid, "done", 0, dur)]
    script.append(PlanFinished("done", 1612.0))
    return script
