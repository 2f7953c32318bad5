"""Small modal dialogs: confirm, resume choice, question help, text viewer.

Each returns its answer through ``dismiss`` so callers use ``push_screen(screen, callback)``.
Escape always means the safe answer (no / cancel).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static

from wizard.ui.choices import DESTROY, START_OVER, Choice


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question; Escape answers no."""

    BINDINGS = [Binding("escape", "answer_no", "Cancel"), Binding("y", "answer_yes", show=False)]

    def __init__(
        self, question: str, detail: str = "", *, yes: str = "Yes", no: str = "No", id: str | None = None
    ) -> None:
        super().__init__(classes="modal", id=id)
        self.question, self.detail, self.yes, self.no = question, detail, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.question, style="bold"), classes="dialog-title")
            if self.detail:
                yield Static(self.detail, classes="dialog-body")
            with Horizontal(classes="buttons"):
                yield Button(self.yes, id="yes", variant="error", compact=True)
                yield Button(self.no, id="no", variant="primary", compact=True)
        yield Footer()  # the dialog's own keys, not the screen's beneath

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer_no(self) -> None:
        self.dismiss(False)

    def action_answer_yes(self) -> None:
        self.dismiss(True)


def ask_before_replacing(
    app: App, path: str, write: Callable[[str], None], kept: Callable[[], None], *, id: str | None = None
) -> None:
    """``write(path)`` at once when nothing is at ``path``; when a file is there, ask first (Escape and
    "Keep it" call ``kept``). Every answers file the TUI writes goes through here (Export, Save on quit)."""
    target = Path(path).expanduser()
    if not (target.exists() and not target.is_dir()):
        write(path)
        return
    app.push_screen(
        ConfirmScreen(
            f"{target} exists. Replace it?",
            "Its contents are lost (an answers file you wrote by hand, another host's answers).",
            yes="Replace",
            no="Keep it",
            id=id,
        ),
        lambda yes: write(path) if yes else kept(),
    )


class LeaveScreen(ModalScreen[str]):
    """Ctrl+C while an install runs: Detach (it goes on) / Stop the install / Keep watching; Escape keeps watching."""

    BINDINGS = [
        Binding("escape", "choose('watch')", "Keep watching"),
        Binding("d", "choose('detach')", "Detach"),
        Binding("s", "choose('stop')", "Stop the install"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="leave-dialog"):
            yield Static(Text("Detach, or stop the install?", style="bold"), classes="dialog-title")
            yield Static(
                "The install runs on its own, not in this terminal. Detach: it goes on, and `aio-wizard` "
                "shows it again. Stop: the running step is stopped and recorded as interrupted; "
                "`aio-wizard` resumes it later.",
                classes="dialog-body",
            )
            with Horizontal(classes="buttons"):
                yield Button("Detach", id="detach", variant="primary", compact=True)
                yield Button("Stop the install", id="stop", variant="error", compact=True)
                yield Button("Keep watching", id="watch", compact=True)
        yield Footer()  # the dialog's own keys, not the screen's beneath

    def on_mount(self) -> None:
        self.query_one("#detach", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id or "watch")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)


#: The resume dialog's choices with their keys (shown in the buttons: a modal has no footer).
RESUME_CHOICES: tuple[tuple[str, Choice], ...] = (
    ("r", Choice("resume", "Resume", "", "continues at the next step with the same answers.")),
    ("a", Choice("review", "Review answers", "", "change them first, then resume.")),
    ("o", START_OVER),
    ("d", DESTROY),
)


class ResumeScreen(ModalScreen[str]):
    """An unfinished install was found: Resume / Review answers / Start over / Destroy and start over.

    A dry run offers no Resume (nothing runs): the others show the plan, or the destroy plan."""

    BINDINGS = [Binding(key, f"choose('{c.value}')", c.label) for key, c in RESUME_CHOICES]

    def __init__(self, summary: str, *, dry_run: bool = False) -> None:
        super().__init__(classes="modal")
        self.summary = summary
        self.dry_run = dry_run

    def _choices(self) -> list[tuple[str, Choice]]:
        return [(key, c) for key, c in RESUME_CHOICES if not (self.dry_run and c.value == "resume")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="resume-dialog"):
            yield Static(Text("An unfinished install was found", style="bold"), classes="dialog-title")
            yield Static(self.summary, classes="dialog-body")
            explained = Text()
            for key, c in self._choices():
                explained.append(f"\n{key} {c.label}", style="bold")
                explained.append(f": {c.help}")
            yield Static(explained, classes="dialog-body")
            choices = self._choices()
            for row, classes in ((choices[:-2], "buttons"), (choices[-2:], "buttons start-over")):
                with Horizontal(classes=classes):  # going on, then the two ways to start over
                    for key, c in row:
                        variant = {"resume": "primary", "over": "warning", "destroy": "error"}.get(c.value, "default")
                        yield Button(f"{key} {c.label}", id=c.value, variant=variant, compact=True)  # type: ignore[arg-type]
        yield Footer()  # the dialog's own keys, not the screen's beneath

    def on_mount(self) -> None:
        self.query_one(Button).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (self.dry_run and parameters == ("resume",))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id or "resume")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)


class TextScreen(ModalScreen[None]):
    """Scrollable text (a question's help, a step's log, a password); any of Escape/Enter/q closes it."""

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("q", "close", show=False),
    ]

    def __init__(self, title: str, body: str | Text, *, wide: bool = False, at_end: bool = False) -> None:
        super().__init__(classes="modal")
        self.title_text, self.body = title, body
        self.wide = wide
        self.at_end = at_end

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide" if self.wide else "dialog"):
            yield Static(Text(self.title_text, style="bold"), classes="dialog-title")
            with VerticalScroll(classes="dialog-scroll"):
                yield Static(self.body, classes="dialog-body", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Close", id="close", variant="primary", compact=True)
        yield Footer()  # the dialog's own keys, not the screen's beneath

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()
        if self.at_end:
            self.call_after_refresh(self.query_one(VerticalScroll).scroll_end, animate=False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


class PathScreen(ModalScreen[str | None]):
    """Ask for a file path (Export answers..., Save plan...); Enter confirms, Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, default: str, detail: str = "") -> None:
        super().__init__(classes="modal")
        self.title_text, self.default, self.detail = title, default, detail

    def compose(self) -> ComposeResult:
        from textual.widgets import Input

        with Vertical(classes="dialog"):
            yield Static(Text(self.title_text, style="bold"), classes="dialog-title")
            if self.detail:
                yield Static(self.detail, classes="dialog-body")
            inp = Input(self.default, id="path", compact=True)
            inp.cursor_blink = getattr(self.app, "cursor_blink", False)
            yield inp
            with Horizontal(classes="buttons"):
                yield Button("Write", id="write", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)
        yield Footer()  # the dialog's own keys, not the screen's beneath

    def on_mount(self) -> None:
        from textual.widgets import Input

        self.query_one("#path", Input).focus()

    def _submit(self) -> None:
        from textual.widgets import Input

        value = self.query_one("#path", Input).value.strip()
        self.dismiss(value or None)

    def on_input_submitted(self, event) -> None:
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "write":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class QuitScreen(ModalScreen[tuple[str, str] | None]):
    """Quitting before the install: typed answers are lost unless saved, so offer the answers file.

    Returns ``("save", path)``, ``("discard", "")`` or ``None`` (Escape: stay). The path field holds
    the default name so Enter on it saves there.
    """

    BINDINGS = [Binding("escape", "cancel", "Stay")]

    def __init__(self, default: str) -> None:
        super().__init__(classes="modal")
        self.default = default

    def compose(self) -> ComposeResult:
        from textual.widgets import Input

        with Vertical(classes="dialog"):
            title = Text("Quit? The answers typed so far are not saved yet.", style="bold")
            yield Static(title, classes="dialog-title")
            yield Static(
                "Save them as an answers file to start again from them later "
                "(`aio-wizard --answers FILE`); passwords are not written.",
                classes="dialog-body",
            )
            inp = Input(self.default, id="path", compact=True)
            inp.cursor_blink = getattr(self.app, "cursor_blink", False)
            yield inp
            with Horizontal(classes="buttons"):
                yield Button("Save and quit", id="save", variant="primary", compact=True)
                yield Button("Quit without saving", id="discard", variant="error", compact=True)
                yield Button("Stay", id="cancel", compact=True)
        yield Footer()  # the dialog's own keys, not the screen's beneath

    def on_mount(self) -> None:
        self.query_one("#save", Button).focus()

    def _save(self) -> None:
        from textual.widgets import Input

        path = self.query_one("#path", Input).value.strip()
        if path:
            self.dismiss(("save", path))

    def on_input_submitted(self, event) -> None:
        event.stop()
        self._save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self._save()
        elif event.button.id == "discard":
            self.dismiss(("discard", ""))
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
