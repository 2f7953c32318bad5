"""The concrete plan: every applicable step of the catalog built for these answers on this host, and the
problems that keep this host from running it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from wizard.pipeline.model import (
    Plan,
    PlannedStep,
    files_as_wanted,
)
from wizard.pipeline.steps.catalog import CATALOG
from wizard.pipeline.steps.context import PASSWORDS, Ctx, StepBody, StepSpec

# --- plan ------------------------------------------------------------------------------------


def _release_of(release: Any, answers: Mapping[str, Any]) -> Any:
    from wizard.kolla.releases import get_release

    if release is None:
        release = answers.get("openstack_release")
    if isinstance(release, str):
        return get_release(release)
    if release is None:
        from wizard.errors import UserError

        raise UserError("openstack_release: no release given and none could be chosen for this host")
    return release


def host_problems(answers: Mapping[str, Any], facts: Any, release: Any) -> list[str]:
    """Why this host cannot run ``release`` with these answers (empty when it can).

    The answers' validation says it (release against the host's Debian and architecture
    included), for ``release`` even when ``--release`` overrides the answers' own, so there is
    one wording of each problem. Added here only what validation does not check: docker.io
    installed without the answer that lets the wizard remove it, and a Debian that left the
    mirrors (buster) without the answer that lets the plan use archive.debian.org.
    """
    from wizard.answers.validation import validate_answers

    validated = {**answers, "openstack_release": release.name}
    problems: list[str] = []
    keys: set[str] = set()
    for p in validate_answers(validated, facts):
        if getattr(p, "is_error", True) and str(p) not in problems:
            problems.append(str(p))
            keys.add(getattr(p, "key", ""))
    from wizard.kolla.releases import debian_archived

    os_release = getattr(facts, "os", None)
    major = getattr(os_release, "major", "")
    if (
        major
        and debian_archived(major)
        and not answers.get("apt_archive_for_eol")
        and "apt_archive_for_eol" not in keys
    ):
        problems.append(
            f"apt_archive_for_eol: Debian {major} ({getattr(os_release, 'codename', '')}) left Debian's mirrors, so "
            "apt-get update fails (404) and no package can be installed: answer true to use archive.debian.org"
        )
    if (
        getattr(facts, "docker_io_installed", False)
        and not answers.get("remove_docker_io")
        and ("remove_docker_io" not in keys)
    ):
        problems.append(
            "remove_docker_io: Debian's docker.io is installed and bootstrap-servers installs Docker CE over it: "
            "answer true to let the wizard remove it"
        )
    return problems


def _done_check(spec: StepSpec, ctx: Ctx, body: StepBody) -> Callable[[Path], str | None] | None:
    """The step's done-check: its own, or for a file-only step "every file already as planned"."""
    if spec.done_files:
        reason = spec.done_files.format(paths=", ".join(f.path for f in body.files))
        return lambda root: reason if files_as_wanted(body.files, root) else None
    if spec.done is not None:
        done = spec.done
        return lambda root: done(ctx, root)
    return None


def _done_when(spec: StepSpec, ctx: Ctx, body: StepBody) -> str:
    """What the step's done-check looks for, in a line ("" when the step has none)."""
    if spec.done_files:
        return spec.done_files.format(paths=", ".join(f.path for f in body.files))
    if spec.done is None:
        return ""
    return spec.done_when.format(venv=ctx.venv)


def build_kolla_plan(answers: Mapping[str, Any], facts: Any, release: Any = None, *, root: Path = Path("/")) -> Plan:
    """The concrete plan: every applicable step of :data:`CATALOG` for these answers on this host."""
    rel = _release_of(release, answers)
    ctx = Ctx(answers=dict(answers), facts=facts, release=rel)
    steps = []
    for spec in CATALOG:
        if not spec.applies(ctx):
            continue
        body = spec.build(ctx)
        steps.append(
            PlannedStep(
                id=spec.id,
                title=spec.title,
                why=spec.why,
                commands=body.commands,
                files=body.files,
                retry=spec.retry,
                depends_on=spec.depends_on,
                depends_values={k: answers.get(k) for k in spec.depends_on},
                optional=spec.optional,
                done_check=_done_check(spec, ctx, body),
                done_check_display=_done_when(spec, ctx, body),
                notes=body.notes,
                expected_seconds=spec.expected,
            )
        )
    return Plan(
        steps=tuple(steps),
        release=rel.name,
        answers=dict(answers),
        problems=tuple(host_problems(answers, facts, rel)),
        root=Path(root),
        secret_files=(PASSWORDS,),
        source="kolla",
    )
