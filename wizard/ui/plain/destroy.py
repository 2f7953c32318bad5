"""Destroy and start over, as line prompts: offered at the resume question and in the failure menu.

:meth:`DestroyOffer.confirm` prints what ``aio-wizard destroy`` prints (what is removed, what stays
and how to revert each host change) and asks for this host's name; a wrong or empty name changes
nothing. A dry run prints the plan and stops there. :meth:`DestroyOffer.run` destroys through the
service (the lock held, the output redacted) with the output streamed as lines; the failure menu
confirms first and runs it once the failed install was aborted.
"""

from __future__ import annotations

import io

from wizard.errors import UserError
from wizard.service.destroy import DestroyPlan, check_confirmation, render_destroy
from wizard.service.service import InstallService
from wizard.ui.plain.prompter import Prompter


class _Lines(io.TextIOBase):
    """A text stream that hands whole lines to ``prompter.say`` (so every prompter shows the output)."""

    def __init__(self, prompter: Prompter) -> None:
        self.prompter = prompter
        self.partial = ""

    def write(self, text: str) -> int:
        lines = (self.partial + text).split("\n")
        self.partial = lines.pop()
        for line in lines:
            self.prompter.say(line)
        return len(text)

    def writable(self) -> bool:
        return True

    def close(self) -> None:
        if self.partial:
            self.prompter.say(self.partial)
            self.partial = ""
        super().close()


class DestroyOffer:
    """One operator's "Destroy and start over": confirmed (plan shown, host name typed), then run."""

    def __init__(self, prompter: Prompter, service: InstallService) -> None:
        self.prompter = prompter
        self.service = service
        self.pending: tuple[DestroyPlan, str] | None = None  # confirmed, not run yet

    def confirm(self) -> bool:
        """Show the destroy plan and ask for this host's name; True when typed right (nothing is changed yet)."""
        say = self.prompter.say
        dry_run = self.service.options.dry_run
        try:
            plan = self.service.destroy_plan()
        except UserError as exc:
            say(f"  ! cannot destroy: {exc}")
            return False
        say("")
        say(render_destroy(plan, dry_run=dry_run).rstrip("\n"))
        if dry_run:
            say("Dry run: nothing was destroyed.")
            return False
        if not plan.changes_anything:
            say("Nothing to destroy here.")
            return False
        typed = self.prompter.text(f"Type this host's name ({plan.hostname}) to destroy its OpenStack (empty: cancel)")
        if not typed.strip():
            say("Cancelled: nothing was changed.")
            return False
        try:
            check_confirmation(plan, typed)
        except UserError as exc:
            say(f"  ! {exc}")
            return False
        self.pending = (plan, typed)
        return True

    def run(self, *, wait: float = 0.0) -> int:
        """Destroy as confirmed, the output streamed; 0 done (a fresh install can start), else failed."""
        assert self.pending is not None, "confirm() first"
        plan, typed = self.pending
        self.pending = None
        out = _Lines(self.prompter)
        try:
            code = self.service.destroy(plan, typed, out, wait=wait)
        except UserError as exc:  # another install holds the lock, passwords.yml unreadable...
            out.write(f"aio-wizard: {exc}\n")
            code = exc.exit_code
        finally:
            out.close()
        return code
