"""Which screen comes next: the wizard's navigation in one place.

Screens form a stack (Host, Questions, Review, Progress), so Back is a pop and the questions
keep what was typed. Leaving the progress screen to edit answers pops back to the questions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App

from wizard.service.destroy import RUNNER_EXIT_WAIT
from wizard.ui.choices import DESTROY, START_OVER


def start(app: App, first: str = "host") -> None:
    """Open the host screen (with the resume offer on top when the journal has an unfinished install)."""
    from wizard.ui.tui.screens.host import HostScreen

    app.push_screen(HostScreen())
    if getattr(app.session, "attaching", False):  # an install runs: show it, ask nothing
        to_progress(app)
        return
    if first in ("questions", "review", "progress"):
        to_questions(app)
    if first in ("review", "progress"):
        to_review(app)
    if first == "progress":
        to_progress(app)
    if first != "host":
        return
    summary = app.session.unfinished_install()
    if summary:
        _offer_resume(app, summary)


def _offer_resume(app: App, summary: str) -> None:
    from wizard.ui.tui.screens.modals import ResumeScreen

    dry_run = app.session.dry_run
    app.push_screen(ResumeScreen(summary, dry_run=dry_run), lambda choice: _resume_choice(app, choice, summary))


def _resume_choice(app: App, choice: str | None, summary: str) -> None:
    if choice == "resume":
        to_progress(app)
    elif choice == "review":
        to_questions(app)
    elif choice == START_OVER.value:
        app.session.start_over()
        app.notify("Starting over: the answers are detected again and the install starts at its first step.")
    elif choice == DESTROY.value:
        offer_destroy(app, cancelled=lambda: _offer_resume(app, summary))


def offer_destroy(
    app: App, *, before: Callable[[], None] = lambda: None, cancelled: Callable[[], None] = lambda: None
) -> None:
    """Destroy and start over: the destroy plan and the typed host name, then the destroy with its output,
    then a fresh install (the questions) or quitting. ``before`` runs once the name is right (the
    failed-step panel aborts its install there); ``cancelled`` when the operator backs out (or a dry
    run's plan is closed). Nothing changes before the right name is typed."""
    from wizard.errors import UserError
    from wizard.service.destroy import check_confirmation, render_destroy
    from wizard.ui.tui.screens.destroy import DestroyRunScreen, DestroyScreen

    session = app.session
    try:
        plan = session.destroy_plan()
    except UserError as exc:  # a journal whose venv_path no one should delete from
        app.notify(f"Cannot destroy: {exc}", severity="error", timeout=15)
        cancelled()
        return

    def check(typed: str) -> str | None:
        try:
            check_confirmation(plan, typed)
        except UserError as exc:
            return str(exc)
        return None

    def ended(result: str | None) -> None:
        from wizard.ui.tui.outcome import destroyed_lines

        if result in ("fresh", "quit"):  # destroyed: what main() prints is that, not the failed run it ended
            app.outcome, app.exit_code = destroyed_lines(plan, session.destroy_log), 0
        if result == "fresh":
            fresh_start(app)
        elif result == "quit":
            app.exit(return_code=0)
        else:
            log = session.destroy_log or session.log_dir
            app.notify(f"Nothing more was removed; the log: {log}.", severity="error", timeout=15)

    def confirmed(typed: str | None) -> None:
        if typed is None:
            cancelled()
            return
        before()
        wait = RUNNER_EXIT_WAIT  # an install aborted just now lets go of the lock first

        app.push_screen(DestroyRunScreen(lambda out: session.destroy(plan, typed, out, wait=wait)), ended)

    text = render_destroy(plan, dry_run=session.dry_run)
    app.push_screen(DestroyScreen(text, plan.hostname, check, dry_run=session.dry_run), confirmed)


def fresh_start(app: App) -> None:
    """After a destroy: back to the host screen, then the questions for a new install (the answers kept)."""
    while len(app.screen_stack) > 2:  # Textual's default screen, then the host screen
        app.pop_screen()
    app.notify("Destroyed. A fresh install: check the answers, then start it.", timeout=10)
    to_questions(app)


def _stack_names(app: App) -> list[str]:
    return [type(s).__name__ for s in app.screen_stack]


def to_questions(app: App) -> None:
    from wizard.ui.tui.screens.questions import QuestionsScreen

    app.push_screen(QuestionsScreen())


def to_review(app: App) -> None:
    from wizard.ui.tui.screens.review import ReviewScreen

    app.push_screen(ReviewScreen())


def to_progress(app: App) -> None:
    from wizard.ui.tui.screens.progress import ProgressScreen

    app.push_screen(ProgressScreen(app.runner_factory))


def to_done(app: App, rows: Any, finished: Any) -> None:
    from wizard.ui.tui.screens.done import DoneScreen

    app.switch_screen(DoneScreen(rows, finished))


def edit_answers(app: App) -> None:
    """Back to the questions from the progress screen (after an abort), keeping the answers."""
    names = _stack_names(app)
    if "QuestionsScreen" in names:
        while type(app.screen).__name__ != "QuestionsScreen":
            app.pop_screen()
    else:
        while len(app.screen_stack) > 2:
            app.pop_screen()
        to_questions(app)


REPLACE_ON_QUIT = "replace-on-quit"  # the "FILE exists. Replace it?" of the quit dialog's Save


def offer_to_keep_answers(app: App) -> bool:
    """On quit before the install: ask, offering to save the answers as a file. False = nothing to keep.

    The answers exist only in this process until the install starts (the journal records them
    then), so a stray Ctrl+C would lose every typed value. A second Ctrl+Q in the dialog quits.
    """
    from pathlib import Path

    from wizard.ui.tui.screens.modals import QuitScreen, ask_before_replacing

    names = _stack_names(app)
    if "QuitScreen" in names or "ProgressScreen" in names or "DoneScreen" in names:
        return False
    if app.screen.id == REPLACE_ON_QUIT:  # Ctrl+Q again while asked whether to replace: quit
        return False
    questions = next((s for s in app.screen_stack if type(s).__name__ == "QuestionsScreen"), None)
    if questions is None:
        return False
    values, typed = questions.pending_answers()
    if not typed and not any(app.session.answers.is_typed(k) for k in values):
        return False

    def save(path: str) -> None:
        from wizard.errors import UserError

        app.session.set_answers(values, typed)
        try:
            written = app.session.export_answers(path)
        except (UserError, OSError) as exc:
            app.notify(f"The answers were not saved: {exc}", severity="error", timeout=10)
            return
        message = f"aio-wizard: answers saved to {written}; start again with: aio-wizard --answers {written}"
        app.exit(return_code=getattr(app, "exit_code", 0), message=message)

    def chosen(choice: tuple[str, str] | None) -> None:
        if choice is None:
            return
        what, path = choice
        if what == "save":  # onto an existing file only when the operator says so (as Export asks)
            ask_before_replacing(app, path, save, lambda: app.push_screen(QuitScreen(path), chosen), id=REPLACE_ON_QUIT)
            return
        app.exit(return_code=getattr(app, "exit_code", 0))

    app.push_screen(QuitScreen(str(Path.cwd() / "aio-wizard-answers.yaml")), chosen)
    return True
