"""How long each step usually takes lives on the step's declaration; the progress estimate reads it from there."""

from __future__ import annotations

from tests.support.guide import GUIDE_ANSWERS, GUIDE_HOST_FILE
from wizard.answers.resolve import resolve_answers
from wizard.host.facts import HostFacts
from wizard.pipeline.plan import build_plan
from wizard.pipeline.steps import CATALOG
from wizard.ui.tui.timing import DEFAULT_WEIGHT, progress_fraction, remaining_seconds


def _plan():
    facts = HostFacts.load(GUIDE_HOST_FILE)
    answers = resolve_answers(facts, dict(GUIDE_ANSWERS)).values
    return build_plan(answers, facts, answers["openstack_release"])


def test_every_planned_step_carries_the_expected_duration_its_declaration_gives():
    plan = _plan()
    declared = {spec.id: spec.expected for spec in CATALOG}
    for step in plan.steps:
        assert step.expected_seconds == declared[step.id]
    assert plan.step("deploy").expected_seconds > plan.step("genpwd").expected_seconds


def test_the_estimate_weighs_the_slow_steps_as_declared_and_an_earlier_run_over_them():
    plan = _plan()
    ids = [s.id for s in plan.steps]
    planned = {s.id: s.expected_seconds for s in plan.steps}
    total = sum(planned.values())
    left = remaining_seconds(ids, {}, None, {}, planned)
    assert left == total
    # the deploy alone is a large share of the work: finishing it moves the bar by its weight
    after_deploy = progress_fraction(ids, {"deploy": 1.0}, None, planned)
    assert abs(after_deploy - planned["deploy"] / total) < 1e-9
    # a step id the plan does not know weighs the default; an earlier run's duration wins over the declaration
    assert remaining_seconds(["nope"], {}, None, {}, planned) == DEFAULT_WEIGHT
    assert remaining_seconds(["deploy"], {}, None, {"deploy": 42.0}, planned) == 42.0
