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
