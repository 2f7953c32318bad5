"""Screen 5, Done: where the cloud is, where the credentials are, what to try, how long it took.

The keystone admin password is read from passwords.yml only when the user asks for it, and
shown in a dialog (never in the log or on the main screen, which may be screenshotted).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Static

from wizard.ui.tui.timing import fmt_duration
from wizard.ui.tui.widgets.stage_bar import StageBar

NEXT_COMMANDS = (
    # OS_CLOUD alone finds no clouds.yaml (the client looks in ~/.config/openstack and /etc/openstack);
    # before Zed there is only admin-openrc.sh, named on the Credentials line
    "export OS_CLIENT_CONFIG_FILE=/etc/kolla/clouds.yaml OS_CLOUD=kolla-admin",
    "openstack service list",
    "openstack server create --image cirros --flavor m1.tiny --key-name mykey --network demo-net demo1",
    "openstack floating ip create public1",
)


class DoneScreen(Screen[None]):
    """Horizon URL, credentials, next commands, timing per step."""

    BINDINGS = [
        Binding("p", "password", "Show admin password"),
        Binding("q", "quit_done", "Quit"),
        Binding("pagedown,down", "scroll('page_down')", "Scroll down", show=False),
        Binding("pageup,up", "scroll('page_up')", "Scroll up", show=False),
    ]
    AUTO_FOCUS = "#quit"

    def __init__(self, rows: list[Any], finished: Any) -> None:
        super().__init__()
        self.rows = rows
        self.finished = finished

    def compose(self) -> ComposeResult:
        session = self.app.session
        yield StageBar("Done", dry_run=session.dry_run)
        with VerticalScroll(id="done-body"):
            yield Static(self._summary(), id="done-summary")
            yield Static(self._timings(), id="done-timings")
        with Horizontal(classes="buttons nav"):
            yield Button("Show admin password", id="password", compact=True)
            yield Button("Quit", id="quit", variant="primary", compact=True)
        yield Footer()

    def _summary(self) -> Text:
        session = self.app.session
        kolla = session.kolla_dir
        text = Text()
        skipped = [r for r in self.rows if r.status == "skipped"]
        if skipped:  # a skipped step is never done (and the exit code is 4)
            count = f"{len(skipped)} step{'s' if len(skipped) != 1 else ''}"
            text.append(f"Finished, but {count} skipped: not a complete install.\n\n", style="bold yellow")
        elif session.steps_file:
            text.append(f"Every step is done (steps from {session.steps_file}).\n\n", style="bold green")
        else:
            text.append("OpenStack is deployed.\n\n", style="bold green")
        text.append("Horizon: ", style="bold")
        text.append(f"{session.horizon_url}\n", style="bold underline")
        text.append("  user admin, password: press p (keystone_admin_password in ")
        text.append(f"{kolla / 'passwords.yml'})\n")
        text.append("Credentials: ", style="bold")
        text.append(f"{kolla / 'clouds.yaml'} (cloud kolla-admin), {kolla / 'admin-openrc.sh'}\n\n")
        if skipped:
            text.append("Skipped steps: ", style="bold yellow")
            text.append(", ".join(r.title for r in skipped) + "\n\n")
        verify = self._verify_results()
        if verify:
            text.append("Verify (a test instance, deleted again):\n", style="bold")
            for line in verify:
                text.append(f"  {line}\n", style="green" if line.startswith(("ok", "verify: ok")) else "red")
            text.append("\n")
        text.append("Try next:\n", style="bold")
        venv = session.values.get("venv_path", "/opt/kolla-venv")
        text.append(f"  source {venv}/bin/activate\n")
        for cmd in NEXT_COMMANDS:
            text.append(f"  {cmd}\n")
        return text

    def _verify_results(self) -> list[str]:
        """The verify step's check lines, read from its log (the last attempt's: a log holds every one)."""
        from wizard.kolla.verify import VERIFY_STEP, results_from_log

        row = next((r for r in self.rows if r.step_id == VERIFY_STEP and r.log_path), None)
        if row is None:
            return []
        try:
            text = Path(row.log_path).read_text(errors="replace")
        except OSError:
            return []
        return results_from_log(text.split("=== aio-wizard: ")[-1].splitlines())

    def _timings(self) -> Table:
        t = Table(title="Time per step", title_justify="left", box=None, padding=(0, 1), show_header=True)
        t.add_column("Step")
        t.add_column("Status")
        t.add_column("Time", justify="right")
        total = 0.0
        for r in self.rows:
            dur = r.duration or 0.0
            total += dur
            status = {"already": "done before"}.get(r.status, r.status)
            t.add_row(r.title, status, fmt_duration(r.duration) if r.duration is not None else "-")
        elapsed = getattr(self.finished, "duration", None) or total
        t.add_row(Text("Total", style="bold"), "", Text(fmt_duration(elapsed), style="bold"))
        return t

    def action_scroll(self, how: str) -> None:
        getattr(self.query_one("#done-body", VerticalScroll), f"scroll_{how}")(animate=False)

    def action_password(self) -> None:
        from wizard.ui.tui.screens.modals import TextScreen

        pw = self.app.session.admin_password()
        body = (
            Text(pw, style="bold")
            if pw
            else Text(f"No keystone_admin_password in {self.app.session.kolla_dir / 'passwords.yml'}.", style="yellow")
        )
        self.app.push_screen(TextScreen("Keystone admin password", body))

    def action_quit_done(self) -> None:
        self.app.exit(return_code=self.app.exit_code)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "password":
            self.action_password()
        elif event.button.id == "quit":
            self.action_quit_done()
