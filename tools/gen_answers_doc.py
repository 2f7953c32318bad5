#!/usr/bin/env python3
"""Print the README's answers reference (Markdown) from the question catalog.

The catalog in ``wizard.answers.questions`` is the one declaration of every answer; this renders
it so the README can never drift from what the wizard asks: ``python tools/gen_answers_doc.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wizard.answers.questions import GROUPS, question, questions_in
from wizard.answers.resolve import resolve_answers
from wizard.host.facts import HostFacts


def _yaml(value: Any) -> str:
    import yaml

    text = yaml.safe_dump(value, default_flow_style=True, width=1000).strip()
    return text.removesuffix("\n...").removesuffix("...").strip()


def render() -> str:
    static = resolve_answers(HostFacts())
    out = [
        "## Answers reference",
        "",
        "Every answer the wizard asks for, as it appears in an answers file (`aio-wizard export` writes a",
        "complete one; `aio-wizard validate FILE` checks one). Defaults marked *detected* come from the host.",
        "",
    ]
    for group in GROUPS:
        out += [f"### {group[0].upper()}{group[1:]}", "", "| key | what | default | example |", "|---|---|---|---|"]
        for q in questions_in(group):
            detected = "*detected*; else " if q.detect else ""
            default = static.values[q.key]
            shown = "none" if default is None else f"`{_yaml(default)}`"
            what = q.prompt + (" (advanced)" if q.advanced else "")
            out.append(f"| `{q.key}` | {what} | {detected}{shown} | `{_yaml(q.example)}` |")
        out.append("")
        for q in questions_in(group):
            choices = ""
            if q.choices and not callable(q.choices):
                choices = " Choices: " + ", ".join(f"`{_yaml(c.value)}`" for c in q.choices) + "."
            out.append(f"- **`{q.key}`**: {q.help}{choices}")
        out.append("")
    return "\n".join(out)


def main() -> int:
    assert question("openstack_release")  # the catalog imports
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
