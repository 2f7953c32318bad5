"""Screen 2, Questions: every answer pre-filled with its default and the reason for it.

Grouped as the catalog groups them. A field is checked as it is typed (its own shape); Next
runs the cross-field validation of the core and refuses to go on while any error remains,
moving the focus to the first bad field. Changing an answer re-derives the defaults that depend
on it (another management NIC moves the VIP, the external CIDR, gateway and range) unless the
user typed those too. Advanced questions are hidden until asked for, or until one has a problem.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Static

from wizard.answers.text_form import TextFormError, to_text
from wizard.ui.tui.screens.keys import keys_text
from wizard.ui.tui.widgets.nic_picker import NicPicker
from wizard.ui.tui.widgets.question_field import QuestionField
from wizard.ui.tui.widgets.stage_bar import StageBar


class QuestionsScreen(Screen[None]):
    """The form. ``Ctrl+N``/F10 Next, Escape Back, F1 help on the focused question."""

    BINDINGS = [
        Binding("ctrl+n", "next", "Next"),
        Binding("f10", "next", "Next", show=False),
        Binding("escape", "back", "Back"),
        Binding("f1", "help", "Help"),
        # ? is a character a password or a free-text answer may hold: in a text field it is typed
        # (Textual gives a printable key to the focused Input first); on a choice or a yes/no it
        # opens the same help as F1, which the footer shows
        Binding("question_mark", "help", "Help", show=False, key_display="?"),
        Binding("f3", "toggle_advanced", "Advanced"),
        Binding("f4", "pick", "Pick NIC"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.show_advanced = False
        self._fields: dict[str, QuestionField] = {}

    def compose(self) -> ComposeResult:
        session = self.app.session
        resolved = session.resolved()
        values = session.values
        typed = session.answers.typed
        yield StageBar("Questions", dry_run=session.dry_run)
        # not focusable itself: focus goes straight to the first field, and a container that takes
        # and then loses focus restyles all 22 fields twice (~0.3 s before the form appears)
        with VerticalScroll(id="questions-body", can_focus=False):
            for group in session.groups():
                yield Static(group.capitalize(), classes="group-title")
                for q in session.questions():
                    if q.group != group:
                        continue
                    r = resolved[q.key]
                    yield QuestionField(
                        q,
                        values.get(q.key, r.value),
                        r.description,
                        q.choices_for(session.facts),
                        edited=q.key in typed,
                    )
        yield Static("", id="questions-status")
        with Horizontal(classes="buttons nav"):
            yield Button("Back", id="back", compact=True)
            yield Button("Next: review", id="next", variant="primary", compact=True)
            yield Button("Advanced (F3)", id="advanced", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        values = self._current_values()
        self.query_one("#questions-status").display = False
        if self.app.session.answers_path:  # an answers file from another host: flag what it got wrong now
            self._live_check(None, values)
        self._apply_visibility(values)
        first = next((f for f in self.fields() if f.error), None) or next(iter(self.fields()), None)
        if first is not None:
            first.editor.focus()

    # --- fields ----------------------------------------------------------------------------

    def fields(self) -> list[QuestionField]:
        if not self._fields:
            self._fields = {f.key: f for f in self.query(QuestionField)}
        return list(self._fields.values())

    def field(self, key: str) -> QuestionField:
        self.fields()
        return self._fields[key]

    def _current_values(self) -> dict[str, Any]:
        """Every field's value; unreadable text keeps the previous value (its error is shown)."""
        values = dict(self.app.session.values)
        for f in self.fields():
            try:
                values[f.key] = f.value()
            except TextFormError:
                pass
        return values

    def pending_answers(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The form's values and the typed ones among them, as they are now (quitting offers to save them)."""
        values = self._current_values()
        return values, {f.key: values[f.key] for f in self.fields() if f.edited}

    def _apply_visibility(self, values: dict[str, Any]) -> None:
        """Show the questions that apply to ``values`` (advanced ones when asked for or in trouble)."""
        for f in self.fields():
            asked = bool(f.question.ask_when(values))
            show = asked and (self.show_advanced or not f.question.advanced or f.has_class("-invalid"))
            if f.display != show:
                f.display = show

    def on_question_field_edited(self, event: QuestionField.Edited) -> None:
        """Re-derive the defaults the user has not typed, then re-check visibility."""
        event.stop()
        values = self._current_values()
        typed = {f.key: values[f.key] for f in self.fields() if f.edited}
        try:
            resolved = self.app.session.redetect(typed)
        except Exception:  # a half-typed value must never break the form
            resolved = None
        if resolved is not None:
            for f in self.fields():
                if f.edited:
                    continue
                r = resolved[f.key]
                if values[f.key] != r.value or f.description != r.description:
                    f.set_value(r.value, r.description)
                    f.show_problem(None)
                    values[f.key] = r.value
        self._live_check(event.field, values)
        self._apply_visibility(values)
        self._update_status()

    def _live_check(self, edited: QuestionField | None, values: dict[str, Any]) -> None:
        """The edited field's own reading, then the core's rules for every field given the others.

        A cross-field rule (haproxy on, the VIP inside the floating range) is reported under the
        field the core names, which is not always the one typed in; checking only the edited
        field left those for Ctrl+N, under the wrong field. A field whose own text cannot be
        read keeps that message.
        """
        try:
            problems = self.app.session.validate(values)
        except Exception:  # a rule must never break typing; Next runs the full validation
            problems = None
        for f in self.fields():
            _, message = f.parse()
            if message:
                if f is edited or f.error:
                    f.show_problem(message)
                    f.show_problem(None, "warning")
                continue
            if problems is None or not f.question.ask_when(values):
                if f is edited:
                    f.show_problem(None)
                    f.show_problem(None, "warning")
                continue
            errors = [p.message for p in problems if p.key == f.key and p.is_error]
            warnings = [p.message for p in problems if p.key == f.key and not p.is_error]
            f.show_problem(errors[0] if errors else None)
            f.show_problem(warnings[0] if warnings else None, "warning")

    def _update_status(self) -> None:
        """Keep Next's "N answers to fix" true as fields are fixed (it stayed after the fix)."""
        status = self.query_one("#questions-status", Static)
        if not status.display:
            return
        left = sum(1 for f in self.fields() if f.error and f.display)
        if not left:
            status.display = False
            return
        status.update(Text(f"{left} answer{'s' if left > 1 else ''} to fix before going on", style="bold"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    # --- actions ---------------------------------------------------------------------------

    def action_next(self) -> None:
        """Validate everything; go to Review only when no error remains."""
        session = self.app.session
        problems: dict[str, tuple[str, str]] = {}
        current = self._current_values()
        values = dict(session.values)
        for f in self.fields():
            f.show_problem(None)
            f.show_problem(None, "warning")
            if not f.question.ask_when(current):
                continue
            value, msg = f.check_shape()
            if msg:
                problems[f.key] = (msg, "error")
            else:
                values[f.key] = value
        if not problems:
            for p in session.validate(values):
                if p.key in problems and problems[p.key][1] == "error":
                    continue
                problems[p.key] = (p.message, "error" if p.is_error else "warning")
        errors = [k for k, (_, sev) in problems.items() if sev == "error"]
        for key, (msg, sev) in problems.items():
            try:
                self.field(key).show_problem(msg, sev)
            except Exception:
                continue
        status = self.query_one("#questions-status", Static)
        if errors:
            order = [f.key for f in self.fields()]
            first_key = min(errors, key=lambda k: order.index(k) if k in order else len(order))
            unknown = [k for k in errors if k not in order]
            text = Text(f"{len(errors)} answer{'s' if len(errors) > 1 else ''} to fix before going on", style="bold")
            for k in unknown:
                text.append(f"\n{k}: {problems[k][0]}")
            status.update(text)
            status.display = True
            if first_key in order:
                first = self.field(first_key)
                if first.question.advanced and not self.show_advanced:
                    self.show_advanced = True
                self._apply_visibility(current)
                first.editor.focus()
                self.call_after_refresh(first.scroll_visible, animate=False, top=True)
            return
        status.display = False
        session.set_answers(values, {f.key: values[f.key] for f in self.fields() if f.edited})
        from wizard.ui.tui import flow

        flow.to_review(self.app)

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def _focused_field(self) -> QuestionField | None:
        node = self.focused
        while node is not None and not isinstance(node, QuestionField):
            node = node.parent
        return node

    def action_help(self) -> None:
        from wizard.ui.tui.screens.modals import TextScreen

        f = self._focused_field()
        if f is None:
            self.app.action_keys()
            return
        q = f.question
        body = Text(q.help + "\n\n")
        body.append("Example: ", style="bold")
        body.append(to_text(q.kind, q.example) or '""')
        body.append("\nKey in the answers file: ", style="bold")
        body.append(q.key)
        body.append("\n\nKeys on this screen (? types a ? in a field, so F1 shows them here):\n", style="bold")
        body.append(keys_text(self))
        self.app.push_screen(TextScreen(q.prompt, body))

    def action_toggle_advanced(self) -> None:
        self.show_advanced = not self.show_advanced
        self._apply_visibility(self._current_values())

    def action_pick(self, key: str | None = None) -> None:
        f = self.field(key) if key else self._focused_field()
        if f is None or f.kind != "interface":
            self.notify("F4 picks a NIC when an interface field has the focus.", timeout=3)
            return
        try:
            current = f.value()
        except TextFormError:
            current = None

        def picked(name: str | None) -> None:
            if name:
                f.editor.value = name  # counts as the user's edit
                f.editor.focus()

        self.app.push_screen(NicPicker(f.question.prompt, f.choices, current), picked)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        bid = event.button.id or ""
        if bid == "next":
            self.action_next()
        elif bid == "back":
            self.action_back()
        elif bid == "advanced":
            self.action_toggle_advanced()
        elif bid.startswith("pick-"):
            self.action_pick(bid.removeprefix("pick-"))
