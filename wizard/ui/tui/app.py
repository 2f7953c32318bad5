"""The Textual application: screens, terminal profile, quitting safely, and the test factory.

The app is a thin layer: a :class:`~wizard.ui.tui.session.Session` holds the facts, answers and
pipeline objects from the core; screens only show them and pass the user's choices back.
:func:`create_app` is the one way to build the app, used by ``main``, the tests and the
screenshot script, so all three see the same thing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.filter import LineFilter

from wizard.ui.tui.ascii_filter import AsciiFilter
from wizard.ui.tui.session import Session
from wizard.ui.tui.terminal import TerminalProfile
from wizard.ui.tui.warning_filter import WarningFilter


class WizardApp(App[None]):
    """Host → Questions → Review → Progress → Done, as a stack of screens."""

    CSS_PATH = "wizard.tcss"
    TITLE = "aio-wizard"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("ctrl+q", "detach_quit", "Quit", priority=True),
        Binding("ctrl+c", "request_quit", "Quit", show=False, priority=True),
        Binding("question_mark", "keys", "Keys", key_display="?"),
        Binding("f1", "keys", "Keys", show=False),
    ]

    def __init__(
        self,
        session: Session,
        *,
        profile: TerminalProfile | None = None,
        clock: Callable[[], float] = time.monotonic,
        cursor_blink: bool = False,
        warning: str | None = None,
        start: str = "host",
        runner_factory: Any = None,
    ) -> None:
        self.runner_factory = runner_factory
        self.profile = profile or TerminalProfile(console=False)
        super().__init__(ansi_color=True if self.profile.console else None)
        self.session = session
        self.clock = clock
        self.cursor_blink = cursor_blink
        self.startup_warning = warning
        self.start = start
        self.exit_code = 0
        self.run_active: Callable[[], bool] = lambda: False
        self.stop_run: Callable[[], None] = lambda: None  # stop following (detach); the install goes on
        self.stop_install: Callable[[], None] = lambda: None  # stop the install itself
        self.detached = False  # quit while the install ran on: main() says where it went
        self.outcome: list[str] = []  # how the run ended, printed on the normal screen after the TUI
        self._console_filters = [WarningFilter(), AsciiFilter()]  # warnings readable on a light console; ASCII
        if self.profile.console:
            self.animation_level = "none"
            self.theme = "ansi-dark"

    # --- look ------------------------------------------------------------------------------

    @property
    def ascii_only(self) -> bool:
        return self.profile.console

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Textual's filters, and under the console profile no warning in yellow letters alone (unreadable on a
        light console) and the ASCII boundary: every line drawn, the core's text included, reaches a terminal
        that is not UTF-8 as ASCII."""
        filters = super().get_line_filters()
        return [*filters, *self._console_filters] if self.ascii_only else filters

    def on_mount(self) -> None:
        if self.profile.console:
            self.screen.add_class("-console")
            self.add_class("-console")
        from wizard.ui.tui import flow

        flow.start(self, self.start)

    def action_keys(self) -> None:
        """The current screen's keys, generated from its bindings (a screen's own F1 may mean more)."""
        from wizard.ui.tui.screens.keys import KeysScreen

        if not isinstance(self.screen, KeysScreen):
            title = type(self.screen).__name__.removesuffix("Screen")
            self.push_screen(KeysScreen(self.screen, title))

    # --- quitting --------------------------------------------------------------------------

    def action_detach_quit(self) -> None:
        """Quit (Ctrl+Q): a running install goes on without this front end (the runner is detached);
        before the install, typed answers are offered to be saved first."""
        if self.run_active():
            self.detached = True
            self.stop_run()
        else:
            from wizard.ui.tui import flow

            if flow.offer_to_keep_answers(self):  # typed answers, no install yet: offer to save them
                return
        self.exit(return_code=self.exit_code)

    def action_request_quit(self) -> None:
        """Ctrl+C: quit at once, unless typed answers would be lost (offer to save them) or an install runs:
        then ask "detach, or stop the install?"."""
        if not self.run_active():
            from wizard.ui.tui import flow

            if not flow.offer_to_keep_answers(self):
                self.exit(return_code=self.exit_code)
            return
        from wizard.ui.tui.screens.modals import LeaveScreen

        if any(isinstance(s, LeaveScreen) for s in self.screen_stack):
            return  # a second Ctrl+C while asked: the one dialog stays, not a second one over it

        def chosen(choice: str | None) -> None:
            if choice == "detach":
                self.action_detach_quit()
            elif choice == "stop":
                self.notify("Stopping the install: the running step is stopped and recorded as interrupted.")
                self.stop_install()

        self.push_screen(LeaveScreen(), chosen)


def create_app(
    facts: Any = None,
    *,
    session: Session | None = None,
    dry_run: bool = False,
    state_dir: str | None = None,
    log_dir: str | None = None,
    answers: str | None = None,
    steps_file: str | None = None,
    kolla_dir: str | None = None,
    root: str | None = None,
    profile: TerminalProfile | None = None,
    clock: Callable[[], float] = time.monotonic,
    cursor_blink: bool = False,
    warning: str | None = None,
    start: str = "host",
    runner_factory: Any = None,
) -> WizardApp:
    """Build the app around injected host facts (tests, screenshots) or a ready session (``main``).

    ``start`` opens another screen first ("questions", "review") with the defaults accepted, for
    snapshots. ``clock`` drives elapsed times and the spinner (a fixed clock makes them stable).
    ``runner_factory(listener, decide)`` replaces the pipeline's Runner (tests feed scripted events).
    """
    if session is None:
        session = Session.create(
            facts=facts,
            dry_run=dry_run,
            state_dir=state_dir,
            log_dir=log_dir,
            answers_path=answers,
            steps_file=steps_file,
            kolla_dir=kolla_dir,
            root=root,
        )
    return WizardApp(
        session,
        profile=profile,
        clock=clock,
        cursor_blink=cursor_blink,
        warning=warning,
        start=start,
        runner_factory=runner_factory,
    )
