"""Shared by ``plan``, ``run`` and the front ends: from command-line options to a :class:`Plan`.

The steps file (hidden ``--steps-file``) wins over the Kolla pipeline. For Kolla: host facts
(``--host-facts`` or a live probe), the answers file, the release (``--release`` or the answers),
then :func:`wizard.pipeline.plan.build_plan`.
"""

from __future__ import annotations

from typing import Any

from wizard.errors import UserError
from wizard.pipeline.model import Plan
from wizard.pipeline.plan import build_plan, plan_from_steps_file


def load_answers_for(path: str | None, facts: Any, *, complete: bool, allow_templates: bool = False) -> dict[str, Any]:
    """The answers' values: the file resolved over the host's defaults (every key present).

    ``complete=True`` (``run``): the file must hold every answer, valid for this host, or
    UserError lists every problem (exit 2). Otherwise (``plan``) only the file's structure is
    checked; problems with the values end up in the plan's ``problems``.
    """
    from wizard.answers.answers_file import load_answers, read_answers_file
    from wizard.answers.resolve import resolve_answers

    given: dict[str, Any] = {}
    if path:
        if complete:
            given = dict(load_answers(path, facts, complete=True, allow_templates=allow_templates))
        else:
            af = read_answers_file(path, allow_templates=allow_templates)
            if af.problems:
                raise UserError("\n".join(af.problems))
            given = dict(af.values)
    return resolve_answers(facts, given).values


def plan_from_args(args: Any, *, release: str | None = None, complete: bool = True) -> Plan:
    """The plan the options describe (see the module docstring)."""
    if getattr(args, "steps_file", None):
        return plan_from_steps_file(args.steps_file)
    from wizard.host.probe import load_facts

    facts = load_facts(getattr(args, "host_facts", None))
    allow = bool(getattr(args, "allow_templates", False))
    answers = load_answers_for(getattr(args, "answers", None), facts, complete=complete, allow_templates=allow)
    if release:
        answers["openstack_release"] = release
    return build_plan(answers, facts, release or answers.get("openstack_release"))
