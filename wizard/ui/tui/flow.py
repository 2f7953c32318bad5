"""Which screen comes next: the wizard's navigation in one place.

Screens form a stack (Host, Questions, Review, Progress), so Back is a pop and the questions
keep what was typed. Leaving the progress screen to edit answers pops back to the questions.
"""

from __future__ import annotations

from typing import Any

from textual.app import App


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
        from wizard.ui.tui.screens.modals import ResumeScreen

        app.push_screen(ResumeScreen(summary), lambda choice: _resume_choice(app, choice))


def _resume_choice(app: App, choice: str | None) -> None:
    if choice == "resume":
        to_progress(app)
    elif choice == "review":
        to_questions(app)
    elif choice == "over":
        app.session.start_over()
        app.notify("Starting over: the answers are detected again and the install starts at its first step.")


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
