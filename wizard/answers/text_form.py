"""How an answer is typed on one line, and shown back: the text form of each question kind.

Both front ends read what the operator types through these two functions, so a range or a list
is written the same way in the TUI and at a serial-console prompt. Lists are comma (or space)
separated, a range is ``START - END``, a mapping is YAML flow style (``enable_cinder: no``).
This module only converts text; the values are checked by the catalog's validators and
:func:`wizard.answers.validation.validate_answers`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml

RANGE_EXAMPLE = "10.1.1.210 - 10.1.1.240"
MAPPING_HELP = 'type key: value pairs separated by commas, e.g. enable_cinder: "no", enable_heat: "no"'
# Kinds whose empty text means "no answer" (None) rather than an empty string.
_NONE_WHEN_EMPTY = ("ipv4", "cidr", "interface")


_RANGE_IN_MESSAGE = re.compile(r"\{start: ([^,{}]+), end: ([^,{}]+)\}")


def in_text_form(message: str) -> str:
    """A validation message with its examples in the text form the field takes.

    The validators speak answers-file YAML (``{start: A, end: B}``); a form field that reads
    ``A - B`` rejects that, so an example copied from the message must be in the field's syntax.
    """
    return _RANGE_IN_MESSAGE.sub(lambda m: to_text("range", {"start": m[1], "end": m[2]}), message)


class TextFormError(ValueError):
    """The text cannot be read as a value of the field's kind; the message shows the expected form."""


def to_text(kind: str, value: Any) -> str:
    """``value`` as the operator would type it."""
    if value is None:
        return ""
    if kind == "list":
        return ", ".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)
    if kind == "range":
        if isinstance(value, Mapping):
            return f"{value.get('start', '')} - {value.get('end', '')}"
        return str(value)
    if kind == "mapping":
        if not value:
            return ""
        if isinstance(value, Mapping):
            flow = yaml.safe_dump(dict(value), default_flow_style=True, sort_keys=False, width=10_000).strip()
            return flow[1:-1].strip()
        return str(value)
    if kind == "bool":
        return "yes" if value else "no"
    return str(value)


def from_text(kind: str, text: str, example: Any = None) -> Any:
    """The value typed as ``text``; raises :class:`TextFormError` when it cannot be read.

    init-runonce's own ``start=A,end=B`` form of a range is returned as typed:
    :func:`~wizard.answers.validation.normalize_value` is the one place that reads it.
    """
    raw = text.strip()
    if kind == "list":
        return [part for part in raw.replace(",", " ").split() if part]
    if kind == "range":
        if not raw:
            return None
        if raw.startswith("start="):
            return raw
        for sep in (" - ", ",", " ", "-"):
            start, found, end = raw.partition(sep)
            if found and start.strip() and end.strip():
                return {"start": start.strip(), "end": end.strip()}
        shown = to_text("range", example) if isinstance(example, Mapping) else RANGE_EXAMPLE
        raise TextFormError(f"type the first and the last address, e.g. {shown}")
    if kind == "mapping":
        if not raw:
            return {}
        try:
            data = yaml.safe_load(raw if raw.startswith("{") else "{" + raw + "}")
        except yaml.YAMLError:
            data = None
        if not isinstance(data, dict):
            raise TextFormError(MAPPING_HELP)
        return data
    if kind in _NONE_WHEN_EMPTY:
        return raw or None
    return raw
