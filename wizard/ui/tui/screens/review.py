"""Screen 3, Review: what will be done, before anything is done.

The answers with their origin, the rendered globals as a diff against what is on disk, the
init-runonce environment, and the plan: each step with its commands, the ones already done
marked. From here: Export answers... (YAML, the path is shown) and Start, or with ``--dry-run``
"Save plan" instead of Start: nothing on the host changes.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Static, TabbedContent, TabPane

from wizard.answers.text_form import to_text
from wizard.errors import UserError
from wizard.ui.tui.widgets.stage_bar import StageBar

DEFAULT_ANSWERS_NAME = "aio-wizard-answers.yaml"
DEFAULT_PLAN_NAME = "aio-wizard-plan.txt"


class ReviewScreen(Screen[None]):
    """Tabs: Answers, Globals, init-runonce, Plan. ``s`` starts (or saves the plan), ``x`` exports."""

    BINDINGS = [
        Binding("x", "export", "Export answers"),
        Binding("escape", "back", "Back"),
        Binding("1", "tab('answers')", "Answers", show=False),
        Binding("2", "tab('globals')", "Globals", show=False),
        Binding("3", "tab('runonce')", "init-runonce", show=False),
        Binding("4", "tab('plan')", "Plan", show=False),
        Binding("pagedown", "scroll('page_down')", "Scroll down", show=False),
        Binding("pageup", "scroll('page_up')", "Scroll up", show=False),
        Binding("down", "scroll('down')", "Scroll down a line", show=False),
        Binding("up", "scroll('up')", "Scroll up a line", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.exported: Path | None = None
        self.saved_plan: Path | None = None

    def compose(self) -> ComposeResult:
        session = self.app.session
        yield StageBar("Review", dry_run=session.dry_run)
        with TabbedContent(id="review-body", initial="answers"):
            with TabPane("1 Answers", id="answers"), VerticalScroll():
                yield Static(self._answers_text(), classes="review-text", id="answers-text")
            with TabPane("2 Globals", id="globals"), VerticalScroll():
                yield Static(self._globals_text(), classes="review-text", id="globals-text")
            with TabPane("3 init-runonce", id="runonce"), VerticalScroll():
                yield Static(self._runonce_text(), classes="review-text", id="runonce-text")
            with TabPane("4 Plan", id="plan"), VerticalScroll():
                yield Static(self._plan_text(), classes="review-text", id="plan-text")
        yield Static("", id="review-status")
        with Horizontal(classes="buttons nav"):
            yield Button("Back", id="back", compact=True)
            yield Button("Export answers...", id="export", compact=True)
            if session.dry_run:
                yield Button("Save plan", id="start", variant="primary", compact=True)
            else:
                yield Button("Start install", id="start", variant="success", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        dry = self.app.session.dry_run
        self._bindings.bind("s", "start", "Save plan" if dry else "Start install")
        self.refresh_bindings()
        self.query_one("#start", Button).focus()

    # --- contents --------------------------------------------------------------------------

    def _answers_text(self) -> Text:
        session = self.app.session
        resolved = session.resolved()  # with the typed answers: a default that followed one keeps its reason
        text = Text()
        group = None
        for q in session.questions():
            if not q.ask_when(session.values):
                continue
            if q.group != group:
                group = q.group
                text.append(f"{'' if not text else chr(10)}{group.capitalize()}\n", style="bold underline")
            value = session.values.get(q.key)
            shown = "(hidden)" if q.secret else (to_text(q.kind, value) or '""')
            text.append(f"  {q.key}: ", style="bold")
            text.append(shown)
            if session.answers.is_typed(q.key) or value != resolved[q.key].value:
                text.append("   (your value)", style="dim italic")
            else:
                text.append(f"   ({resolved[q.key].reason})", style="dim italic")
            text.append("\n")
        return text

    def _globals_text(self) -> Text:
        try:
            path, diff = self.app.session.globals_preview()
        except UserError as exc:
            return Text(str(exc), style="red")
        except Exception as exc:  # the review must still open; show why this part is missing
            return Text(f"The globals cannot be rendered: {type(exc).__name__}: {exc}", style="yellow")
        text = Text()
        text.append(f"{path}\n", style="bold")
        for line in diff.splitlines():
            style = ""
            if line.startswith("+") and not line.startswith("+++"):
                style = "green"
            elif line.startswith("-") and not line.startswith("---"):
                style = "red"
            elif line.startswith("@@"):
                style = "cyan"
            text.append(line + "\n", style=style)
        return text

    def _runonce_text(self) -> Text:
        text = Text()
        session = self.app.session
        if not session.values.get("run_init_runonce", True):
            text.append("init-runonce will not run (run_init_runonce: no).\n", style="yellow")
        try:
            env = session.runonce_env()
        except UserError as exc:
            return Text(str(exc), style="red")
        except Exception as exc:
            return Text(f"The init-runonce environment cannot be shown: {type(exc).__name__}: {exc}", style="yellow")
        text.append("init-runonce runs with:\n", style="bold")
        for k, v in env.items():
            text.append(f"  {k}={v}\n")
        return text

    def _plan_text(self) -> Text:
        session = self.app.session
        try:
            plan = session.plan()
            done = session.done_steps()
            rendered = session.plan_text()
        except UserError as exc:
            return Text(str(exc), style="red")
        except Exception as exc:
            return Text(f"The plan cannot be built: {type(exc).__name__}: {exc}", style="bold red")
        text = Text()
        text.append(f"{len(plan.steps)} steps", style="bold")
        if done:
            text.append(f", {len(done)} already done", style="bold green")
        text.append("\n")
        mark_done, mark_todo = ("+", "-") if self.app.ascii_only else ("✔", "·")
        for n, step in enumerate(plan.steps, 1):
            if step.id in done:
                text.append(f" {mark_done} {n:2d} {step.title}", style="green")
                text.append(f"  ({done[step.id]})\n", style="dim")
            else:
                text.append(f" {mark_todo} {n:2d} {step.title}\n")
        text.append("\n")
        text.append(rendered)
        return text

    # --- actions ---------------------------------------------------------------------------

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_scroll(self, how: str) -> None:
        """Scroll the tab on show wherever the focus is: the eye is on the text, the focus on Start."""
        tabs = self.query_one(TabbedContent)
        pane = tabs.get_pane(tabs.active)
        getattr(pane.query_one(VerticalScroll), f"scroll_{how}")(animate=False)

    def action_back(self) -> None:
        self.app.pop_screen()

    def _status(self, text: Text | str) -> None:
        self.query_one("#review-status", Static).update(text)

    def action_export(self) -> None:
        from wizard.ui.tui.screens.modals import PathScreen, ask_before_replacing

        default = str(Path.cwd() / DEFAULT_ANSWERS_NAME)

        def write(path: str | None) -> None:
            if path:
                ask_before_replacing(
                    self.app, path, write_now, lambda: self._status("Export cancelled: the file was kept.")
                )

        def write_now(path: str) -> None:
            try:
                self.exported = self.app.session.export_answers(path)
            except (UserError, OSError) as exc:
                self._status(Text(f"Export failed: {exc}", style="bold red"))
                return
            self._status(Text(f"Answers written to {self.exported}", style="bold green"))
            self.notify(f"Answers written to {self.exported}", timeout=5)

        self.app.push_screen(
            PathScreen("Export answers", default, "A YAML file with every answer (no secrets)."), write
        )

    def action_start(self) -> None:
        session = self.app.session
        if session.dry_run:
            self._save_plan()
            return
        try:
            plan = session.plan()
        except UserError as exc:
            self._status(Text(str(exc), style="bold red"))
            return
        if plan.problems:
            self._status(Text("This host cannot run this plan: " + "; ".join(plan.problems), style="bold red"))
            return
        from wizard.ui.tui.screens.modals import ConfirmScreen

        def confirmed(yes: bool | None) -> None:
            if yes:
                from wizard.ui.tui import flow

                flow.to_progress(self.app)

        todo = len(plan.steps) - len(session.done_steps())
        self.app.push_screen(
            ConfirmScreen("Start the install?", install_summary(session, todo), yes="Start install", no="Not yet"),
            confirmed,
        )

    def _save_plan(self) -> None:
        from wizard.ui.tui.screens.modals import PathScreen

        default = str(Path.cwd() / DEFAULT_PLAN_NAME)

        def write(path: str | None) -> None:
            if not path:
                return
            try:
                self.saved_plan = self.app.session.save_plan(path)
            except (UserError, OSError) as exc:
                self._status(Text(f"Saving the plan failed: {exc}", style="bold red"))
                return
            msg = f"Plan saved to {self.saved_plan} (dry run: nothing was changed). Ctrl+Q quits."
            self._status(Text(msg, style="bold green"))
            self.notify(f"Plan saved to {self.saved_plan}", timeout=5)

        self.app.push_screen(
            PathScreen(
                "Save plan",
                default,
                "Dry run: the plan is written to a file (as JSON when its name ends in .json); "
                "nothing on this host changes.",
            ),
            write,
        )

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        bid = event.button.id
        if bid == "back":
            self.action_back()
        elif bid == "export":
            self.action_export()
        elif bid == "start":
            self.action_start()


def install_summary(session, steps: int) -> str:
    """What pressing Start changes on this host, said before it is done: one key must not surprise anyone."""
    kolla = session.kolla_dir
    venv = session.values.get("venv_path") or "/opt/kolla-venv"
    return (
        f"{steps} steps run as root on this host, about 30 to 90 minutes (the image pulls take most of it).\n"
        f"They write /etc/hosts and {kolla}/globals.yml (the old copies kept as NAME.aio-wizard.bak), "
        f"create {kolla}/passwords.yml, install packages and Docker, build the Kolla virtualenv in {venv} "
        "and deploy OpenStack in containers.\n"
        "Each step is recorded: if it stops, start aio-wizard again to resume."
    )
