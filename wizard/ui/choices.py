"""The two ways to start over, as both front ends name and explain them (declared once).

*Start over* only ignores the journal: every step runs again, nothing on the host is undone.
*Destroy and start over* removes the deployed OpenStack first (:mod:`wizard.service.destroy`):
after a failed bootstrap or deploy, kolla's troubleshooting guide says that is the way out.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Choice:
    """``value`` is what a menu returns, ``label`` the button or menu entry, ``note`` the few words a
    line menu adds in brackets, ``help`` the sentence a dialog shows beside the label, ``key`` the
    word a footer has room for beside the other keys (the button says the whole label)."""

    value: str
    label: str
    note: str
    help: str
    key: str = ""

    @property
    def menu_line(self) -> str:
        return f"{self.label} ({self.note})"


START_OVER = Choice(
    "over",
    "Start over",
    "ignore the journal; nothing is undone",
    "the journal is ignored and every step runs again from the first; nothing on the host is undone.",
)
DESTROY = Choice(
    "destroy",
    "Destroy and start over",
    "remove the deployed OpenStack first",
    "kolla-ansible destroy removes the deployed OpenStack, then /etc/kolla and the virtualenv go and the "
    "journal is reset; it shows what stays first and asks for this host's name.",
    key="Destroy",
)
