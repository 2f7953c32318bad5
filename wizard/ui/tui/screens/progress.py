"""Screen 4, Progress: the runner's events made visible, and the user's Retry / Skip / Abort.

The runner runs in a thread worker and never touches a widget: its listener is an
:class:`~wizard.ui.tui.bridge.EventPump`, which merges output into bounded batches and posts a
single :class:`EventsPending` message when it goes from empty to non-empty. The handler drains
everything queued so far, so the log pane gets one ``write_lines`` per batch however fast a
step talks. A step that failed for good blocks the runner in ``decide`` until the user picks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Log, OptionList, Static

from wizard.errors import UserError
from wizard.pipeline.events import (
    Listener,
    PlanFinished,
    PlanStarted,
    StepFailure,
    StepFinished,
    StepRetrying,
    StepStarted,
    StepSubstatus,
    exit_code,
)
from wizard.ui.choices import DESTROY
from wizard.ui.runs import read_tail
from wizard.ui.tui.bridge import DecisionBox, DecisionNeeded, EventPump, OutputBatch
from wizard.ui.tui.timing import fmt_duration, progress_fraction, remaining_seconds
from wizard.ui.tui.widgets.stage_bar import StageBar
from wizard.ui.tui.widgets.step_list import StepList, StepRow

LOG_MAX_LINES = 5000
PUMP_MAX_LINES = 1000  # per drain: the pane shows ~25 lines; a smaller write keeps keys responsive
LOG_TAIL_BYTES = 256 * 1024


def bar_text(fraction: float, *, width: int = 20, ascii_only: bool = False) -> Text:
    """``[#######-----]  42%``: drawn by hand so the console profile needs no block glyphs."""
    filled = round(fraction * width)
    full, empty = ("#", "-") if ascii_only else ("█", "░")
    text = Text()
    text.append(full * filled, style="bold green")
    text.append(empty * (width - filled), style="dim")
    text.append(f" {int(fraction * 100):3d}%")
    return text


class RunnerLike(Protocol):
    def run(self, from_step: str | None = None) -> Any: ...

    def cancel(self) -> None: ...


RunnerFactory = Callable[[Listener, Callable[[StepFailure], str]], RunnerLike]


@dataclass(frozen=True)
class RunCrashed:
    """The runner raised instead of finishing (e.g. another install holds the lock)."""

    message: str
    exit_code: int = 2  # a UserError's own code: 3 when the state or logs could not be written


class EventsPending(Message):
    """Posted (thread-safely) by the pump: there are runner events to drain."""


def read_log_tail(path: str, limit: int = LOG_TAIL_BYTES) -> str:
    """The end of a step's log file (the full output lives there, the pane only keeps the tail)."""
    try:
        text, skipped = read_tail(path, limit)
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror}"
    return (f"[... first {skipped} bytes not shown ...]\n" if skipped else "") + text


class ProgressScreen(Screen[None]):
    """Step list, overall bar and estimate, live log, sub-status, and the failure panel."""

    BINDINGS = [
        Binding("r", "decide('retry')", "Retry"),
        Binding("s", "decide('skip')", "Skip"),
        Binding("e", "edit_answers", "Edit answers"),
        Binding("a", "decide('abort')", "Abort"),
        Binding("l", "show_log", "Step log"),
        Binding("b", "bundle", "Support bundle"),
        Binding("d", "destroy", DESTROY.key),
        Binding("f", "follow", "Follow log"),
    ]
    AUTO_FOCUS = "#steps"

    def __init__(self, runner_factory: RunnerFactory | None = None) -> None:
        super().__init__()
        self.runner_factory = runner_factory
        self.pump = EventPump(self._notify, max_lines=PUMP_MAX_LINES)
        self.box = DecisionBox(self.pump)
        self.runner: RunnerLike | None = None
        self.running = False
        self.finished: PlanFinished | None = None
        self.pending_failure: StepFailure | None = None
        self.after_abort: str | None = None
        self.current: str | None = None
        self.plan_started_at: float | None = None
        self.rows: list[StepRow] = []
        self.lines_received = 0

    # --- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        session = self.app.session
        self.rows = [StepRow(sid, title) for sid, title in session.step_titles()]
        yield StageBar("Install", dry_run=session.dry_run)
        with Horizontal(id="overall"):
            yield Static("Starting...", id="overall-text")
            yield Static("", id="overall-bar")
        with Horizontal(id="progress-main"):
            yield StepList(self.rows, ascii_only=self.app.ascii_only, id="steps")
            with Vertical(id="log-side"):
                yield Static("", id="substatus")
                yield Log(max_lines=LOG_MAX_LINES, highlight=False, id="log")
        # The failed step: what failed and the hint on top, the choices at the bottom (both docked, so a
        # long hint or tail never pushes a button off screen), the output's last lines scroll between.
        with Vertical(id="failure"):
            yield Static("", id="failure-text")
            with VerticalScroll(id="failure-tail"):
                yield Static("", id="failure-tail-text")
            with Vertical(id="failure-choices"):
                with Horizontal(classes="buttons"):
                    yield Button("Retry", id="retry", variant="primary", compact=True)
                    yield Button("Skip", id="skip", variant="warning", compact=True)
                    yield Button("Edit answers", id="edit", compact=True)
                    yield Button("Abort", id="abort", variant="error", compact=True)
                with Horizontal(classes="buttons"):  # looking closer, reporting, the way out
                    yield Button("Full log", id="show-log", compact=True)
                    yield Button("Support bundle", id="bundle", compact=True)
                    yield Button(DESTROY.label, id="destroy", variant="error", compact=True)
        with Horizontal(id="finished", classes="buttons"):
            yield Static("", id="finished-text")
            yield Button("Edit answers", id="finished-edit", compact=True)
            yield Button("Quit", id="finished-quit", variant="primary", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#failure").display = False
        self.query_one("#finished").display = False
        self.query_one("#log", Log).can_focus = True
        interval = 1.0 if self.app.ascii_only else 0.25
        self.set_interval(interval, self._tick)
        self.app.run_active = lambda: self.running
        self.app.stop_run = self.stop
        self.app.stop_install = self.stop_install
        self.start_run()

    # --- running ---------------------------------------------------------------------------

    def _notify(self) -> None:
        self.post_message(EventsPending())

    def start_run(self) -> None:
        factory = self.runner_factory or self.app.session.make_runner
        self.runner = factory(self.pump, self.box.decide)
        self.running = True
        self.plan_started_at = self.app.clock()
        self.run_worker(self._run_in_thread, thread=True, name="runner", exit_on_error=False)

    def _run_in_thread(self) -> None:
        """The worker: the blocking run. Never touches widgets; errors go through the pump."""
        assert self.runner is not None
        try:
            self.runner.run(**self.app.session.run_options())
        except BaseException as exc:  # shown on screen rather than killing the app, and logged
            logging.getLogger("wizard.ui.tui").exception("the run's worker failed")
            code = exc.exit_code if isinstance(exc, UserError) else 2
            self.pump.put(RunCrashed(str(exc) or type(exc).__name__, code))  # type: ignore[arg-type]

    def stop(self) -> None:
        """Stop following (quitting): the install goes on in its runner.

        The runner is detached first, so the abort that :meth:`DecisionBox.cancel` gives a pending
        question is never sent to the install (only the user's own Abort is).
        """
        if self.runner is not None and self.running:
            self.runner.cancel()
        self.box.cancel()

    def stop_install(self) -> None:
        """Stop the install itself (Ctrl+C, then Stop): its runner stops the step; we follow it to the end."""
        stop = getattr(self.runner, "stop", None)
        if stop is not None and self.running:
            self.run_worker(stop, thread=True, name="stop", exit_on_error=False)

    def on_unmount(self) -> None:
        self.stop()

    # --- events from the runner ------------------------------------------------------------

    def on_events_pending(self, message: EventsPending) -> None:
        message.stop()
        items = self.pump.drain()
        if not items:
            return
        log = self.query_one("#log", Log)
        for item in items:
            self._apply(item, log)
        self._tick()

    def _row(self, step_id: str) -> StepRow | None:
        for r in self.rows:
            if r.step_id == step_id:
                return r
        return None

    def _apply(self, item: Any, log: Log) -> None:
        now = self.app.clock()
        if isinstance(item, OutputBatch):
            self.lines_received += item.total
            if item.dropped:
                log.write_line(f"[... {item.dropped} lines not shown here; the step's log file has them all ...]")
            log.write_lines(list(item.lines))
        elif isinstance(item, PlanStarted):
            self._plan_started(item)
        elif isinstance(item, StepStarted):
            row = self._row(item.step_id) or self._add_row(item.step_id, item.title)
            row.status, row.started, row.attempt, row.log_path = "running", now, item.attempt, item.log_path
            self.current = item.step_id
            attempt = f" (attempt {item.attempt})" if item.attempt > 1 else ""
            log.clear()
            log.write_line(f"== {item.index}/{item.total} {item.title}{attempt} -- log: {item.log_path}")
            self.query_one("#substatus", Static).update("")
            steps = self.query_one("#steps", StepList)
            idx = steps.index_of(item.step_id)
            if idx is not None:
                steps.highlighted = idx
        elif isinstance(item, StepSubstatus):
            self.query_one("#substatus", Static).update(Text(item.text, style="bold cyan", overflow="ellipsis"))
        elif isinstance(item, StepRetrying):
            row = self._row(item.step_id)
            if row:
                row.attempt = item.attempt
            log.write_line(f"== retrying in {item.delay:.0f}s (attempt {item.attempt}): {item.reason}")
        elif isinstance(item, StepFinished):
            self._step_finished(item, log)
        elif isinstance(item, DecisionNeeded):
            self._show_failure(item.failure)
        elif isinstance(item, PlanFinished):
            self._plan_finished(item)
        elif isinstance(item, RunCrashed):
            self.running = False
            self.app.exit_code = item.exit_code
            self._show_finished(Text(f"The install could not run: {item.message}", style="bold red"))

    def _add_row(self, step_id: str, title: str) -> StepRow:
        row = StepRow(step_id, title)
        self.rows.append(row)
        steps = self.query_one("#steps", StepList)
        from textual.widgets.option_list import Option

        steps.add_option(Option(Text(title), id=step_id))
        steps._shown.append(Text(""))
        return row

    def _plan_started(self, event: PlanStarted) -> None:
        known = [r.step_id for r in self.rows]
        if not set(event.step_ids) <= set(known):
            self.rows = [StepRow(sid, title) for sid, title in zip(event.step_ids, event.titles, strict=False)]
            self.query_one("#steps", StepList).set_rows(self.rows)
            return
        this_run = set(event.step_ids)
        for r in self.rows:
            if r.step_id not in this_run and r.status == "pending":
                r.status = "already"

    def _step_finished(self, event: StepFinished, log: Log) -> None:
        row = self._row(event.step_id)
        if row is None:
            return
        row.status = event.status
        row.duration = event.duration
        if event.already_done:  # found done by its check, or done in an earlier run
            row.status = "already"
        if event.already_done == "earlier-run":  # what it took then (the event has no time of this run)
            row.duration = self.app.session.history().get(event.step_id)
        if event.log_path:
            row.log_path = event.log_path
        if event.status == "done":
            extra = f": {event.reason}" if event.reason else ""
            log.write_line(f"== done in {fmt_duration(event.duration)}{extra}")
        elif event.status == "skipped":
            log.write_line(f"== skipped{': ' + event.reason if event.reason else ''}")
        elif event.status == "failed":
            code = "no exit code" if event.exit_code is None else f"exit code {event.exit_code}"
            log.write_line(f"== failed with {code} after {fmt_duration(event.duration)}")
        if self.current == event.step_id:
            self.current = None

    def _show_failure(self, failure: StepFailure) -> None:
        self.pending_failure = failure
        row = self._row(failure.step_id)
        if row is not None and row.status == "running":
            row.status = "failed"
            if row.started is not None:
                row.duration = self.app.clock() - row.started
        if self.current == failure.step_id:
            self.current = None
        text = Text()
        text.append(f"Step failed: {failure.title}", style="bold red")
        code = "unknown" if failure.exit_code is None else str(failure.exit_code)
        text.append(f"  (exit code {code}, {failure.attempts} attempt{'s' if failure.attempts != 1 else ''})\n")
        text.append(f"Log: {failure.log_path}", style="italic")
        if failure.hint:
            text.append("\nHint: ", style="bold yellow")
            text.append(failure.hint)
        self.query_one("#failure-text", Static).update(text)
        tail = Text()
        if failure.tail:
            tail.append("Last lines:", style="bold")
            for line in failure.tail:
                tail.append(f"\n  {line[:200]}", style="dim")
        self.query_one("#failure-tail-text", Static).update(tail)
        panel = self.query_one("#failure")
        panel.display = True
        self.call_after_refresh(self.query_one("#failure-tail").scroll_end, animate=False)  # the error is last
        self.query_one("#skip", Button).label = "Skip (optional step)" if failure.optional else "Skip"
        self.query_one("#retry", Button).focus()
        self.refresh_bindings()  # Retry / Skip / Abort appear in the footer

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Retry/Skip/Abort exist only while a failure waits; Edit answers also once the run ended; Follow log
        while the log moves."""
        if action == "decide":
            return self.pending_failure is not None
        if action == "edit_answers":
            return self.pending_failure is not None or (not self.running and self.finished is not None)
        if action in ("bundle", "destroy"):
            return self.pending_failure is not None
        if action == "follow":  # the log stands still under a failure: its keys come first
            return self.pending_failure is None
        return True

    def _plan_finished(self, event: PlanFinished) -> None:
        self.running = False
        self.finished = event
        self.current = None
        self.app.exit_code = exit_code(event.status, event.skipped_steps)
        from wizard.ui.tui.outcome import outcome_lines

        self.app.outcome = outcome_lines(self.rows, event, self.app.session)  # printed after the TUI
        if self.after_abort == "destroy":  # the destroy runs above this screen, once the runner let go
            self._show_finished(Text(f"Aborted at step {event.failed_step} to destroy and start over.", style="bold"))
            return
        if self.after_abort == "edit":
            from wizard.ui.tui import flow

            flow.edit_answers(self.app)
            return
        if event.status == "done":
            from wizard.ui.tui import flow

            flow.to_done(self.app, self.rows, event)
            return
        text = Text()
        if event.status == "failed":
            text.append(f"Stopped: step {event.failed_step} failed.", style="bold red")
        else:
            text.append(f"The install {event.status}.", style="bold yellow")
        text.append(" Start aio-wizard again to resume.")
        self._show_finished(text)

    def _show_finished(self, text: Text) -> None:
        self.query_one("#failure").display = False
        self.query_one("#finished-text", Static).update(text)
        self.query_one("#finished").display = True
        self.query_one("#finished-quit", Button).focus()

    # --- clock -----------------------------------------------------------------------------

    def _tick(self) -> None:
        now = self.app.clock()
        steps = self.query_one("#steps", StepList)
        steps.refresh_rows(now)
        ids = [r.step_id for r in self.rows]
        finished = {r.step_id: r.duration or 0.0 for r in self.rows if r.status in ("done", "skipped", "already")}
        running = None
        cur = self._row(self.current) if self.current else None
        if cur is not None and cur.started is not None:
            running = (cur.step_id, now - cur.started)
        history, planned = self.app.session.history(), self._expected()
        frac = progress_fraction(ids, finished, running, planned)
        self.query_one("#overall-bar", Static).update(bar_text(frac, ascii_only=self.app.ascii_only))
        elapsed = now - self.plan_started_at if self.plan_started_at is not None else 0.0
        at = len(finished) + (1 if running or self.pending_failure else 0)  # a failed step waiting: we are at it
        text = Text()
        text.append(f"Step {min(at, len(ids))}/{len(ids)}", style="bold")
        text.append(f"  elapsed {fmt_duration(elapsed)}")
        if self.running:
            text.append(f"  about {fmt_duration(remaining_seconds(ids, finished, running, history, planned))} left")
        self.query_one("#overall-text", Static).update(text)

    def _expected(self) -> dict[str, float]:
        """The steps' expected durations, read once (the plan does not change during a run)."""
        if not hasattr(self, "_expected_cache"):
            try:
                self._expected_cache = self.app.session.expected_seconds()
            except (UserError, OSError):  # an unreadable journal: the default weights still give an estimate
                self._expected_cache = {}
        return self._expected_cache

    # --- the user's choices ----------------------------------------------------------------

    def action_decide(self, decision: str) -> None:
        if self.pending_failure is None:
            return
        self.pending_failure = None
        self.query_one("#failure").display = False
        self.refresh_bindings()
        self.query_one("#steps").focus()
        self.box.answer(decision)  # type: ignore[arg-type]

    def action_edit_answers(self) -> None:
        if self.pending_failure is not None:
            self.after_abort = "edit"
            self.action_decide("abort")
        elif not self.running:
            from wizard.ui.tui import flow

            flow.edit_answers(self.app)

    def action_show_log(self) -> None:
        from wizard.ui.tui.screens.modals import TextScreen

        steps = self.query_one("#steps", StepList)
        idx = steps.highlighted
        row = self.rows[idx] if idx is not None and idx < len(self.rows) else None
        if row is None or not row.log_path:
            self.notify("No log for this step yet.", timeout=3)
            return
        self.app.push_screen(
            TextScreen(f"{row.title}: {row.log_path}", read_log_tail(row.log_path), wide=True, at_end=True)
        )

    def action_bundle(self) -> None:
        """Write a redacted support bundle (``aio-wizard bundle``) in a thread: it runs commands for seconds."""
        session = self.app.session
        self.notify("Collecting a support bundle...", timeout=3)

        def collect() -> None:
            from wizard.support.bundle import save_bundle

            try:
                path = save_bundle(
                    state_dir=session.state_dir, log_dir=session.log_dir, load_facts=lambda: session.facts
                )
                message, severity = f"Support bundle (secrets redacted): {path}", "information"
            except Exception as exc:  # shown, never a crash of the install's screen
                message, severity = f"No support bundle: {exc}", "error"
            self.app.call_from_thread(self.notify, message, severity=severity, timeout=15)

        self.run_worker(collect, thread=True, name="bundle", group="bundle", exclusive=True, exit_on_error=False)

    def action_destroy(self) -> None:
        """Destroy and start over (kolla's way out of a failed bootstrap or deploy): once this host's name is
        typed, the failed install is aborted, then destroyed (:func:`wizard.ui.tui.flow.offer_destroy`)."""
        from wizard.ui.tui import flow

        if self.pending_failure is not None:
            flow.offer_destroy(self.app, before=self._abort_for_destroy)

    def _abort_for_destroy(self) -> None:
        self.after_abort = "destroy"
        self.action_decide("abort")

    def action_follow(self) -> None:
        log = self.query_one("#log", Log)
        log.auto_scroll = True
        log.scroll_end(animate=False)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_show_log()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        bid = event.button.id
        if bid in ("retry", "skip", "abort"):
            self.action_decide(bid)
        elif bid in ("edit", "finished-edit"):
            self.action_edit_answers()
        elif bid == "show-log":
            self.action_show_log()
        elif bid == "bundle":
            self.action_bundle()
        elif bid == "destroy":
            self.action_destroy()
        elif bid == "finished-quit":
            self.app.exit(return_code=self.app.exit_code)
