"""Screen 1, Host: what the probe found and the preflight checks, before anything is asked.

The user sees why the wizard will propose what it proposes (KVM or not, which NIC carries the
default route, which one is free for Neutron) and what must be fixed first. When the journal
holds an unfinished install, the resume choice is offered on top of this screen.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Static

from wizard.ui.tui.widgets.host_report import check_counts, checks_renderable, facts_table, nics_table
from wizard.ui.tui.widgets.stage_bar import StageBar


class HostScreen(Screen[None]):
    """Facts, NICs, checks; Next goes to the questions."""

    BINDINGS = [
        Binding("n", "next", "Next"),
        Binding("enter", "next", "Next", show=False),
        Binding("ctrl+n", "next", show=False),
        Binding("pagedown,down", "scroll('page_down')", "Scroll down", show=False),
        Binding("pageup,up", "scroll('page_up')", "Scroll up", show=False),
    ]
    AUTO_FOCUS = "#next"

    def compose(self) -> ComposeResult:
        app = self.app
        session = app.session
        facts = session.facts
        ascii_only = app.ascii_only
        checks = session.checks()
        counts = check_counts(checks)
        yield StageBar("Host", dry_run=session.dry_run)
        if app.startup_warning:
            yield Static(Text(f"Warning: {app.startup_warning}", style="bold"), id="startup-warning")
        with VerticalScroll(id="host-body", classes="body"):
            if counts["fail"] or counts["warn"]:
                # The checks come after the facts and NICs: at 80x24 a failure was below the fold
                # with nothing saying so. Say it first, and how to get there.
                problems = [f"{counts[k]} {k}" for k in ("fail", "warn") if counts[k]]
                summary = Text(f"Preflight: {', '.join(problems)}; the checks are below (PageDown)", style="bold")
                if counts["fail"]:
                    summary.stylize("reverse")
                yield Static(summary, id="checks-summary")
            yield Static(Text("This host", style="bold underline"), classes="section-title")
            yield Static(facts_table(facts, ascii_only=ascii_only), id="facts")
            yield Static(Text("Network interfaces", style="bold underline"), classes="section-title")
            yield Static(nics_table(facts, ascii_only=ascii_only), id="nics")
            title = Text("Preflight checks  ", style="bold underline")
            title.append(
                f"{counts['pass']} pass, {counts['warn']} warn, {counts['fail']} fail",
                style="bold red" if counts["fail"] else "bold",
            )
            yield Static(title, classes="section-title")
            yield Static(checks_renderable(checks, ascii_only=ascii_only), id="checks")
        with Horizontal(classes="buttons nav"):
            yield Button("Next: questions", id="next", variant="primary", compact=True)
            yield Button("Quit", id="quit", compact=True)
        yield Footer()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "next":
            self.action_next()
        elif event.button.id == "quit":
            self.app.action_request_quit()

    def action_scroll(self, how: str) -> None:
        body = self.query_one("#host-body", VerticalScroll)
        getattr(body, f"scroll_{how}")(animate=False)

    def action_next(self) -> None:
        from wizard.ui.tui import flow

        flow.to_questions(self.app)
