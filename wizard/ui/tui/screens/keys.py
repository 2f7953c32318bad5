"""The keys of the screen underneath (``?``, F1 where F1 is not a field's help), read from the bindings.

Generated from the screen's and the app's BINDINGS (the ones active now, including keys a screen
binds at mount such as Review's ``s``), so the list cannot drift from what the keys do; a
hand-written list did, and left keys like Review's 1-4 and the progress log's ``f`` unknown.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Static


def key_rows(screen: Screen) -> list[tuple[str, str]]:
    """``(keys, what they do)``: the screen's own bindings first, then the app's (quit, this help)."""
    app = screen.app
    rows: dict[tuple[bool, str], tuple[list[str], str]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if active.node is not screen and (active.node is not app or binding not in _own_bindings(app)):
            continue  # a focused widget's editing keys (an Input's arrows), Textual's App keys
        if binding.action.endswith("copy_text"):
            continue  # Textual's Screen copy key: the wizard's Ctrl+C quits
        what = binding.description or _humanize(binding.action)
        keys, _ = rows.setdefault((active.node is app, binding.action), ([], what))
        shown = app.get_key_display(binding)
        if shown not in keys:
            keys.append(shown)
    ordered = sorted(rows.items(), key=lambda item: item[0][0])  # stable: screen's, then the app's
    return [(" / ".join(keys), what) for (_, _), (keys, what) in ordered]


def _own_bindings(app: object) -> list[Binding]:
    """The bindings the wizard's app class declares (Textual's own App keys left out)."""
    return [b for entry in type(app).__dict__.get("BINDINGS", []) for b in Binding.make_bindings([entry])]


def keys_table(screen: Screen) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for keys, what in key_rows(screen):
        table.add_row(keys, what)
    return table


def keys_text(screen: Screen) -> Text:
    """The same list as plain lines, to append to another text (a question's help)."""
    text = Text()
    for keys, what in key_rows(screen):
        text.append(f"  {keys}", style="bold")
        text.append(f"  {what}\n")
    return text


def _humanize(action: str) -> str:
    """``scroll('page_down')`` -> ``scroll page down``: for bindings declared without a description."""
    for ch in "()'\"_":
        action = action.replace(ch, " ")
    return " ".join(action.split())


class KeysScreen(ModalScreen[None]):
    """The key list of ``screen`` in a dialog; Escape, q, ? or Enter closes it."""

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("q,question_mark", "close", show=False),
    ]

    def __init__(self, screen: Screen, title: str) -> None:
        super().__init__(classes="modal")
        self.under, self.title_text = screen, title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="keys-dialog"):
            yield Static(Text(f"Keys: {self.title_text}", style="bold"), classes="dialog-title")
            with VerticalScroll(classes="dialog-scroll"):
                yield Static(keys_table(self.under), id="keys-table")
            yield Static(Text("Enter presses the focused button.", style="dim"))
            with Horizontal(classes="buttons"):
                yield Button("Close", id="close", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
