"""Destroy and start over: the destroy plan with the typed confirmation, then the destroy itself.

:class:`DestroyScreen` shows what ``aio-wizard destroy`` shows (what is removed, what stays and how
to revert each host change) and asks for this host's name; a wrong name is said in the dialog and
nothing changes. A dry run shows the same text and only closes. :class:`DestroyRunScreen` runs the
destroy in a thread (the service holds the lock and redacts) with its output in a log view, then
offers a fresh install or quitting. The flow around them is :func:`wizard.ui.tui.flow.offer_destroy`.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import IO

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Log, Static

from wizard.errors import UserError
from wizard.ui.choices import DESTROY


class DestroyScreen(ModalScreen[str | None]):
    """The destroy plan and this host's name typed to confirm; the typed name, or None (cancelled)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, plan_text: str, hostname: str, check: Callable[[str], str | None], *, dry_run: bool) -> None:
        super().__init__(classes="modal")
        self.plan_text, self.hostname, self.check, self.dry_run = plan_text, hostname, check, dry_run

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="destroy-dialog"):
            title = f"{DESTROY.label}" + (" (dry run: nothing is changed)" if self.dry_run else "")
            yield Static(Text(title, style="bold"), classes="dialog-title")
            with VerticalScroll(classes="dialog-scroll"):
                yield Static(self.plan_text, classes="dialog-body", markup=False)
            if not self.dry_run:
                yield Static(f"Type this host's name ({self.hostname}) to destroy its OpenStack:", id="destroy-ask")
                inp = Input(id="hostname", compact=True)
                inp.cursor_blink = getattr(self.app, "cursor_blink", False)
                yield inp
                yield Static("", id="destroy-problem")
            with Horizontal(classes="buttons"):
                if not self.dry_run:
                    yield Button("Destroy", id="destroy", variant="error", compact=True)
                yield Button("Cancel" if not self.dry_run else "Close", id="cancel", variant="primary", compact=True)
        yield Footer()  # the dialog's own keys, not the failed-step panel's beneath

    def on_mount(self) -> None:
        self.query_one("#hostname" if not self.dry_run else "#cancel").focus()

    def _submit(self) -> None:
        typed = self.query_one("#hostname", Input).value
        problem = self.check(typed)
        if problem:  # said here; nothing was changed
            self.query_one("#destroy-problem", Static).update(Text(problem, style="bold red"))
            return
        self.dismiss(typed)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "destroy":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class _LogWriter(io.TextIOBase):
    """A text stream for the destroy's output (already redacted) that appends to a Log from its thread."""

    def __init__(self, screen: DestroyRunScreen) -> None:
        self.screen = screen

    def write(self, text: str) -> int:
        self.screen.app.call_from_thread(self.screen.query_one("#destroy-log", Log).write, text)
        return len(text)

    def writable(self) -> bool:
        return True


class DestroyRunScreen(ModalScreen[str]):
    """``run(out)`` (the destroy) in a thread with its output shown; then "fresh", "quit" or "close" (failed)."""

    BINDINGS = [Binding("escape", "close", "Close", show=False)]

    def __init__(self, run: Callable[[IO[str]], int]) -> None:
        super().__init__(classes="modal")
        self.run = run
        self.code: int | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="destroy-run"):
            yield Static(Text(f"{DESTROY.label}: destroying...", style="bold"), id="destroy-title")
            yield Log(highlight=False, id="destroy-log")
            with Horizontal(classes="buttons", id="destroy-end"):
                yield Button("Start a fresh install", id="fresh", variant="primary", compact=True)
                yield Button("Quit", id="quit", compact=True)
                yield Button("Close", id="close", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#destroy-end").display = False
        self.run_worker(self._destroy, thread=True, name="destroy", exit_on_error=False)

    def _destroy(self) -> None:
        out = _LogWriter(self)
        try:
            code = self.run(out)
        except UserError as exc:  # the lock is held by another install, passwords.yml unreadable...
            out.write(f"aio-wizard: {exc}\n")
            code = 2
        except OSError as exc:  # a removal that failed half-way: said, never a crash
            out.write(f"aio-wizard: {exc}\n")
            code = 1
        self.app.call_from_thread(self._finished, code)

    def _finished(self, code: int) -> None:
        self.code = code
        ok = code == 0
        title = self.query_one("#destroy-title", Static)
        if ok:
            title.update(Text("Destroyed: the next install starts fresh.", style="bold green"))
        else:
            title.update(Text("Destroy failed: see the lines below (the journal is kept).", style="bold red"))
        self.query_one("#destroy-end").display = True
        self.query_one("#fresh").display = ok
        self.query_one("#close").display = not ok
        self.query_one("#fresh" if ok else "#close", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id or "close")

    def action_close(self) -> None:
        if self.code is not None:
            self.dismiss("fresh" if self.code == 0 else "close")
