"""How an answer is typed on one line, and shown back: the TUI's text form of each kind.

Lists are comma separated, a range is ``START-END``, a mapping is YAML flow style
(``enable_cinder: no, enable_heat: no``). The values themselves are the catalog's (checked by
the question's validators and ``validate_answers``); this module only converts text.
"""

from __future__ import annotations

from typing import Any

import yaml


class FieldTextError(ValueError):
    """The text cannot be read as a value of the field's kind (message names the expected form)."""


def to_text(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == "list":
        return ", ".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)
    if kind == "range":
        if isinstance(value, dict):
            return f"{value.get('start', '')}-{value.get('end', '')}"
        return str(value)
    if kind == "mapping":
        if not value:
            return ""
        if isinstance(value, dict):
            return yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()[1:-1].strip()
        return str(value)
    if kind == "bool":
        return "yes" if value else "no"
    return str(value)


def from_text(kind: str, text: str, example: Any = None) -> Any:
    """The value typed as ``text``; raises :class:`FieldTextError` when it cannot be read."""
    raw = text.strip()
    if kind == "list":
        return [p for p in (s.strip() for s in raw.replace(",", " ").split()) if p]
    if kind == "range":
        if not raw:
            return None
        if raw.startswith("start="):  # init-runonce's own form: start=A,end=B
            parts = dict(p.split("=", 1) for p in raw.split(",") if "=" in p)
            if "start" in parts and "end" in parts:
                return {"start": parts["start"].strip(), "end": parts["end"].strip()}
        pieces = [p.strip() for p in raw.split("-")]
        if len(pieces) != 2 or not all(pieces):
            ex = to_text("range", example) if example else "10.1.1.210-10.1.1.240"
            raise FieldTextError(f"write the range as START-END, e.g. {ex}")
        return {"start": pieces[0], "end": pieces[1]}
    if kind == "mapping":
        if not raw:
            return {}
        doc = raw if raw.startswith("{") else "{" + raw + "}"
        try:
            data = yaml.safe_load(doc)
        except yaml.YAMLError:
            raise FieldTextError("write key: value pairs separated by commas, e.g. enable_cinder: no") from None
        if not isinstance(data, dict):
            raise FieldTextError("write key: value pairs separated by commas, e.g. enable_cinder: no")
        return data
    if kind in ("ipv4", "cidr", "interface"):
        return raw or None
    return raw
