"""What the runner daemon rebuilds its plan from: inputs saved in the state directory.

A plan holds Python callables (done-checks, file transforms), so it is never pickled. The front
end saves what the plan was built from instead, and the daemon builds the very same plan again:

- ``run.json``: the run id, the log dir, ``--steps-file``, ``--from``/``--until``, the release, and
  the fingerprint of every planned step (the daemon refuses to run a plan that came out different);
- ``answers.json`` (0600): the resolved answers;
- ``facts.json`` (0600): the host facts the answers were resolved against (no second probe).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from wizard.errors import UserError
from wizard.files import atomic_write
from wizard.host.facts import HostFacts
from wizard.pipeline.model import Plan
from wizard.pipeline.plan import build_plan, plan_from_steps_file

RUN_NAME = "run.json"
ANSWERS_NAME = "answers.json"
FACTS_NAME = "facts.json"


def plan_for(answers: Mapping[str, Any], facts: HostFacts, steps_file: str | None, release: str | None = None) -> Plan:
    """The one way a plan is built from inputs: the steps file wins, else the Kolla pipeline."""
    if steps_file:
        return plan_from_steps_file(steps_file)
    values = dict(answers)
    if release:
        values["openstack_release"] = release
    return build_plan(values, facts, release or values.get("openstack_release"))


@dataclass(frozen=True)
class RunInputs:
    """One run's inputs, as saved for the daemon (see the module docstring)."""

    log_dir: str
    steps_file: str | None = None
    from_step: str | None = None
    until_step: str | None = None
    release: str | None = None
    fingerprints: tuple[str, ...] = ()
    debug: bool = False
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def save(self, state_dir: Path, answers: Mapping[str, Any], facts: HostFacts) -> None:
        atomic_write(state_dir / ANSWERS_NAME, json.dumps(dict(answers), default=str, sort_keys=True), mode=0o600)
        atomic_write(state_dir / FACTS_NAME, facts.to_json(), mode=0o600)
        atomic_write(state_dir / RUN_NAME, json.dumps(asdict(self), indent=2) + "\n", mode=0o600)

    @classmethod
    def load(cls, state_dir: Path) -> RunInputs:
        try:
            data = json.loads((state_dir / RUN_NAME).read_text())
            data["fingerprints"] = tuple(data.get("fingerprints", ()))
            return cls(**data)
        except (OSError, ValueError, TypeError) as exc:
            raise UserError(f"{state_dir / RUN_NAME}: cannot read the run's inputs: {exc}") from None

    def plan(self, state_dir: Path) -> Plan:
        """The plan again, from the saved inputs; UserError when it differs from the one the front end showed."""
        try:
            answers = json.loads((state_dir / ANSWERS_NAME).read_text())
            facts = HostFacts.load(state_dir / FACTS_NAME)
        except (OSError, ValueError, TypeError) as exc:
            raise UserError(f"{state_dir}: cannot read the run's answers or facts: {exc}") from None
        plan = plan_for(answers, facts, self.steps_file, self.release)
        got = tuple(s.fingerprint for s in plan.steps)
        if self.fingerprints and got != self.fingerprints:
            raise UserError("the plan built again from the saved answers differs from the one reviewed; not running it")
        return plan
