"""A modal list of the host's NICs (name, state, kind, addresses) for interface questions."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option


class NicPicker(ModalScreen[str | None]):
    """Enter picks the highlighted NIC; Escape keeps the typed value."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, choices: tuple[Any, ...], current: str | None) -> None:
        super().__init__(classes="modal")
        self.title_text = title
        self.choices = choices
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.title_text, style="bold"), classes="dialog-title")
            options = [Option(Text(c.label), id=str(c.value)) for c in self.choices]
            yield OptionList(*options, id="nic-options")
            yield Static(Text("Enter: pick   Esc: keep the typed name", style="dim"))

    def on_mount(self) -> None:
        ol = self.query_one(OptionList)
        ids = [str(c.value) for c in self.choices]
        if self.current in ids:
            ol.highlighted = ids.index(self.current)
        ol.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
