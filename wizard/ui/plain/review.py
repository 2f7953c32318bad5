"""The review before anything is changed: answers, problems, globals, EXT_NET_*, the plan.

Everything shown is rendered by the core (``render_globals``, ``runonce_env``, ``render_plan``,
``validate_answers``), so what the operator approves is exactly what the pipeline writes and
runs. The text is built as plain lines within 80 columns; the plan's commands are shown only on
request because they run to hundreds of lines (minutes at 9600 baud).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wizard.answers.questions import GROUPS, questions_in
from wizard.answers.validation import Problem
from wizard.kolla.releases import find_release
from wizard.pipeline.model import Plan
from wizard.ui.plain.ask import to_text, wrap

WIDTH = 79


def _clip(text: str, width: int = WIDTH) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def answers_text(values: Mapping[str, Any], origins: Mapping[str, str]) -> str:
    """Every answer with where it came from, grouped as in the questions."""
    out = ["Answers"]
    for group in GROUPS:
        out.append(f"  {group}:")
        for q in questions_in(group):
            if q.secret or q.key not in values:
                continue
            shown = to_text(q.kind, values[q.key])
            if q.kind == "bool":
                shown = "yes" if values[q.key] else "no"
            elif values[q.key] in ([], {}):
                shown = "none"
            elif shown == "" and values[q.key] == "":
                shown = '""'
            out.append(_clip(f"    {q.key}: {shown}"))
            origin = origins.get(q.key, "")
            if origin and origin != "answered in the wizard":
                out.append(_clip(f"        ({origin})"))
    return "\n".join(out)


def problems_text(problems: list[Problem]) -> str:
    if not problems:
        return "Checks: no problems found."
    errors = [p for p in problems if p.is_error]
    warnings = [p for p in problems if not p.is_error]
    out = []
    if errors:
        out.append(f"Errors ({len(errors)}): fix these before installing")
        out += [wrap(f"{p.key}: {p.message}", "  - ") for p in errors]
    if warnings:
        out.append(f"Warnings ({len(warnings)}):")
        out += [wrap(f"{p.key}: {p.message}", "  - ") for p in warnings]
    return "\n".join(out)


def globals_text(values: Mapping[str, Any]) -> str:
    """The globals the wizard will write and where (globals.d on recent releases)."""
    from wizard.kolla.globals_file import render_globals

    release = find_release(values.get("openstack_release", ""))
    if release is None:
        return "Globals: no release chosen."
    try:
        rendered = render_globals(values, release)
    except (KeyError, TypeError, ValueError) as exc:
        return f"Globals: cannot render them yet ({exc})."
    how = "merged into globals.yml, with a backup" if rendered.merged else "in a globals.d file of the wizard's own"
    out = [f"Globals the wizard sets ({how}):", _clip(f"  {rendered.path}")]
    for key, value in rendered.keys.items():
        out.append(_clip(f"    {key}: {_yaml_scalar(value)}"))
    return "\n".join(out)


def _yaml_scalar(value: Any) -> str:
    import yaml

    return yaml.safe_dump(value, default_flow_style=True, width=10_000).strip().removesuffix("...").strip()


def runonce_text(values: Mapping[str, Any]) -> str:
    """The environment init-runonce gets for the external network (or that it will not run)."""
    from wizard.kolla.runonce import needs_patched_runonce, runonce_env

    if not values.get("run_init_runonce"):
        return "init-runonce: will not run (run_init_runonce is no)."
    try:
        env = runonce_env(values)
    except (KeyError, TypeError) as exc:
        return f"init-runonce: cannot compute its environment yet ({exc})."
    out = ["init-runonce environment (the external network public1):"]
    out += [_clip(f"    {name}={value}") for name, value in env.items()]
    release = find_release(values.get("openstack_release", ""))
    if release is not None and needs_patched_runonce(release):
        out.append(wrap("this release's script ignores the environment: a patched copy is run instead", "    "))
    return "\n".join(out)


def plan_titles_text(plan: Plan) -> str:
    """One line per step; which steps are optional."""
    n = len(plan.steps)
    width = len(str(n))
    if plan.source.startswith("steps-file:"):
        head = f"Plan from a steps file: {n} steps"
    else:
        head = f"Plan for OpenStack {plan.release}: {n} steps"
    out = [head]
    for i, step in enumerate(plan.steps, 1):
        tag = " (optional)" if step.optional else ""
        out.append(_clip(f"  [{i:>{width}}/{n}] {step.title}{tag}"))
    if plan.problems:
        out.append("This host cannot run this plan:")
        out += [wrap(p, "  - ") for p in plan.problems]
    return "\n".join(out)
