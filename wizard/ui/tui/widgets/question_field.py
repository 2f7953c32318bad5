"""One question of the catalog as a form field: prompt, editor, where the default came from, error.

The editor follows the question's kind: a Select for choices, a Checkbox for yes/no, an Input
for the rest. Interface fields are an Input (a typed name is accepted; the host's NIC names are
suggested as you type) with a "Pick" button opening the list of detected NICs with their
address, state and kind. The shape of the value is checked as it is typed; the cross-field
rules run when the user presses Next.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widgets import Button, Checkbox, Input, Select, Static

from wizard.answers.text_form import TextFormError, from_text, in_text_form, to_text
from wizard.answers.validation import normalize_value

BOOL_OPTIONS = [("yes", True), ("no", False)]


class QuestionField(Vertical):
    """A question's editor; ``value()`` reads it, ``set_value()`` fills it without counting as an edit."""

    class Edited(Message):
        """The user changed this field (not sent for programmatic updates)."""

        def __init__(self, field: QuestionField) -> None:
            super().__init__()
            self.field = field

    def __init__(
        self, question: Any, value: Any, description: str, choices: tuple[Any, ...], *, edited: bool = False
    ) -> None:
        super().__init__(id=f"field-{question.key}")
        self.question = question
        self.key: str = question.key
        self.kind: str = question.kind
        self.initial = value
        self.description = description  # where the value came from (ResolvedAnswer.description)
        self.choices = choices
        self.edited = edited
        self._last: Any = value
        self.error: str | None = None
        self.warning: str | None = None
        self._shown_problem: tuple[str | None, str | None] = (None, None)
        if question.advanced:
            self.add_class("advanced")

    # --- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        q = self.question
        prompt = Text(q.prompt, style="bold")
        if q.advanced:
            prompt.append(" (advanced)", style="dim italic")
        with Horizontal(classes="field-row"):
            yield Static(prompt, classes="prompt")
            yield from self._editor()
        yield Static(self._reason_renderable(), classes="reason")
        yield Static("", classes="message")

    def _editor(self) -> ComposeResult:
        blink = getattr(self.app, "cursor_blink", False)
        if self.kind == "choice" and self.choices:
            options = [(c.label, c.value) for c in self.choices]
            if self.initial not in [c.value for c in self.choices] and self.initial is not None:
                options.append((f"{self.initial} (given)", self.initial))
            value = self.initial if self.initial is not None else Select.NULL
            yield Select(options, value=value, allow_blank=self.initial is None, compact=True, id=f"in-{self.key}")
        elif self.kind == "bool":
            yield Select(BOOL_OPTIONS, value=bool(self.initial), allow_blank=False, compact=True, id=f"in-{self.key}")
        else:
            suggester = None
            if self.kind == "interface":
                suggester = SuggestFromList([c.value for c in self.choices], case_sensitive=True)
            placeholder = to_text(self.kind, self.question.example)
            inp = Input(
                to_text(self.kind, self.initial),
                placeholder=f"e.g. {placeholder}" if placeholder else "",
                suggester=suggester,
                compact=True,
                id=f"in-{self.key}",
            )
            inp.cursor_blink = blink
            yield inp
            if self.kind == "interface":
                yield Button("Pick (F4)", id=f"pick-{self.key}", classes="pick", compact=True)

    def _reason_renderable(self) -> Text:
        text = Text()
        text.append("your value" if self.edited else self.description, style="italic")
        return text

    # --- reading and writing ---------------------------------------------------------------

    @property
    def editor(self) -> Input | Select | Checkbox:
        return self.query_one(f"#in-{self.key}")  # type: ignore[return-value]

    def value(self) -> Any:
        """The typed value; raises :class:`TextFormError` when the text cannot be read."""
        w = self.editor
        if isinstance(w, Select):
            return None if w.value is Select.NULL else w.value
        if isinstance(w, Checkbox):
            return w.value
        return normalize_value(self.key, from_text(self.kind, w.value, self.question.example))

    def set_value(self, value: Any, description: str | None = None) -> None:
        """Fill the editor (a default that followed another answer); not an edit by the user."""
        w = self.editor
        with w.prevent(Input.Changed, Select.Changed, Checkbox.Changed):
            if isinstance(w, Select) and self.kind == "bool":
                w.value = bool(value)
            elif isinstance(w, Select):
                if value is not None and value not in [c.value for c in self.choices]:
                    w.set_options([*[(c.label, c.value) for c in self.choices], (f"{value} (given)", value)])
                w.value = value if value is not None else Select.NULL
            elif isinstance(w, Checkbox):
                w.value = bool(value)
            else:
                w.value = to_text(self.kind, value)
                w.cursor_position = len(w.value)
        self._last = value
        if description is not None:
            self.description = description
        self.query_one(".reason", Static).update(self._reason_renderable())

    def parse(self) -> tuple[Any, str | None]:
        """The typed value and the problem reading it (unreadable text, or no value), None when fine."""
        try:
            value = self.value()
        except TextFormError as exc:
            return None, str(exc)
        if value is None:
            return None, "required: " + _example_hint(self.question)
        return value, None

    def check_shape(self) -> tuple[Any, str | None]:
        """The value and the field's own problem (unreadable text, or the question's validators)."""
        value, message = self.parse()
        if message is None:
            message = self.question.check(value)
        return value, message

    def show_problem(self, message: str | None, severity: str = "error") -> None:
        """Show (or clear, with None) the error or the warning under the field (examples in its syntax)."""
        message = in_text_form(message) if message else message
        if severity == "error":
            self.error = message
        else:
            self.warning = message
        text = Text()
        if self.error:
            text.append(self.error, style="bold")
        elif self.warning:
            text.append(f"warning: {self.warning}")
        if (self.error, self.warning) != self._shown_problem:
            self._shown_problem = (self.error, self.warning)
            self.set_class(bool(self.error), "-invalid")
            self.set_class(bool(self.warning) and not self.error, "-warned")
            self.query_one(".message", Static).update(text)

    # --- events ----------------------------------------------------------------------------

    def _changed(self) -> None:
        try:
            now = self.value()
        except TextFormError:
            now = object()
        if now == self._last:  # the editor reporting its initial value, not a user's edit
            return
        self._last = now
        self.edited = True
        self.query_one(".reason", Static).update(self._reason_renderable())
        self.post_message(self.Edited(self))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._changed()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._changed()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self._changed()


def _example_hint(question: Any) -> str:
    ex = to_text(question.kind, question.example)
    return f"e.g. {ex}" if ex else "a value is needed"
