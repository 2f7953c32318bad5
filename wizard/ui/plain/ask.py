"""Ask the catalog's questions one by one, with detected defaults and the catalog's validation.

Nothing here decides a default or a rule: every question, its help, its choices and its default
(with the reason) come from :mod:`wizard.answers`, and each answer is checked by
:func:`wizard.answers.validation.validate_field` against the answers so far. After each answer
the defaults are resolved again, so a later default follows an earlier answer (another
management NIC moves the VIP, the external CIDR, its gateway and the floating range with it).

An error asks the same question again with the message; a warning (kvm where KVM is not usable)
is printed and the operator confirms or picks again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wizard.answers import text_form
from wizard.answers.questions import GROUPS, Question, questions_in
from wizard.answers.session import AnswerSession
from wizard.answers.validation import Problem, normalize_value, validate_field
from wizard.host.facts import HostFacts
from wizard.kolla.releases import find_release
from wizard.ui.plain.prompter import Option, Prompter, wrap_message

NONE_WORDS = ("-", "none")  # typed for an empty list or mapping (line prompts treat "" as the default)


# --- text <-> value ----------------------------------------------------------------------------


def to_text(kind: str, value: Any) -> str:
    """A value as the operator types it (the prompt's default); ``-`` for an empty list or mapping."""
    if kind in ("list", "mapping") and value is not None and not value:
        return "-"
    return text_form.to_text(kind, value)


def from_text(kind: str, text: str) -> Any:
    """What the operator typed as a value of ``kind``; ValueError with the message for bad syntax.

    Line prompts treat an empty line as "keep the default", so ``-`` (or ``none``) stands for an
    empty list or mapping; everything else is the catalog's text form (:mod:`wizard.answers.text_form`).
    """
    if kind in ("list", "mapping") and text.strip().lower() in NONE_WORDS:
        return [] if kind == "list" else {}
    try:
        return text_form.from_text(kind, text)
    except text_form.TextFormError as exc:
        raise ValueError(f"{exc} (or - for none)" if kind == "mapping" else str(exc)) from None


def _first_error(problems: list[Problem]) -> str | None:
    for p in problems:
        if p.is_error:
            return text_form.in_text_form(p.message)  # the example in the syntax typed here
    return None


# --- asking ------------------------------------------------------------------------------------


def wrap(text: str, indent: str = "  ") -> str:
    """Prose for the terminal: wrapped at words to its width (80 at most), a long path never cut."""
    return wrap_message(text, indent)


def should_ask(q: Question, values: Mapping[str, Any], advanced: bool) -> bool:
    """The catalog says whether a question matters (git ref only with git; release applicability)."""
    if q.advanced and not advanced:
        return False
    if not q.ask_when(values):
        return False
    release = find_release(values.get("openstack_release", ""))
    return release is None or q.applies_to(release)


def ask_all(prompter: Prompter, session: AnswerSession, *, advanced: bool = False) -> None:
    """Go through every group's questions in catalog order; answers land in ``session.typed``."""
    for group in GROUPS:
        questions = [q for q in questions_in(group) if should_ask(q, session.values(), advanced)]
        if not questions:
            continue
        prompter.say("")
        prompter.say(f"== {group} ==")
        for q in questions:
            if not should_ask(q, session.values(), advanced):  # an earlier answer in the group made it moot
                continue
            session.typed[q.key] = ask_one(prompter, session, q)


def ask_one(prompter: Prompter, session: AnswerSession, q: Question) -> Any:
    """Ask ``q`` until its answer has no error; return the value."""
    resolved = session.resolved()
    current = resolved[q.key]
    others = {k: v for k, v in resolved.values.items() if k != q.key}
    prompter.say("")
    prompter.say(wrap(q.help))
    if current.value is not None:
        prompter.say(wrap(f"({current.description})"))
    else:
        prompter.say(wrap(f"(no default: {current.reason}; e.g. {to_text(q.kind, q.example)})"))

    def problems_of(value: Any) -> list[Problem]:
        return validate_field(q.key, value, others, session.facts)

    while True:
        value = _ask_value(prompter, session, q, current.value, problems_of)
        problems = problems_of(value)
        error = _first_error(problems)
        if error is not None:  # choices and yes/no are checked after the answer
            prompter.say(f"  ! {error}")
            continue
        warnings = [p.message for p in problems if not p.is_error]
        if warnings:
            for message in warnings:
                prompter.say(wrap(f"warning: {message}", "  ! "))
            if not prompter.confirm("Keep this answer anyway?", default=False):
                continue
        return normalize_value(q.key, value)


def _ask_value(prompter: Prompter, session: AnswerSession, q: Question, default: Any, problems_of) -> Any:
    kind = q.kind
    if kind == "bool":
        return prompter.confirm(q.prompt, default=bool(default))
    options = _options(q, session.facts, default)
    if options:
        shown_default = default if any(o.value == default for o in options) else None
        return prompter.select(q.prompt, options, default=shown_default)

    def check(text: str) -> str | None:
        try:
            value = from_text(kind, text)
        except ValueError as exc:
            return str(exc)
        if value in ("", None) and kind not in ("list", "mapping"):
            return f"an answer is needed, e.g. {to_text(kind, q.example)}"
        return _first_error(problems_of(value))

    text = prompter.text(q.prompt, default=to_text(kind, default), check=check)
    return from_text(kind, text)


def _options(q: Question, facts: HostFacts, default: Any) -> list[Option]:
    """Choice lists: the catalog's choices, or the host's NICs for an interface question."""
    if q.kind not in ("choice", "interface"):
        return []
    choices = q.choices_for(facts)
    options = [Option(str(c.value), _label(c.value, c.label)) for c in choices]
    if default is not None and isinstance(default, str) and all(o.value != default for o in options):
        options.insert(0, Option(default, f"{default}  (from the answers)"))
    return options


def _label(value: Any, label: str) -> str:
    if value == "" and not label.startswith('""'):
        return f'"" {label}'
    return label
