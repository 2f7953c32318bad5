"""Which openstack.kolla branch the plan's ``install-deps`` step would install.

``kolla-ansible install-deps`` reads ``VENV/share/kolla-ansible/requirements.yml`` (a git source,
``version:`` the branch). A plan that installs the collection otherwise (its own requirements
file among the step's files, or ``ansible-galaxy collection install git+URL,BRANCH``) says so in
the step's argv and files; each form is read here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

REPO_NAME = "ansible-collection-kolla"
_ARGV_SOURCE = re.compile(rf"{REPO_NAME}(?:\.git)?,([^\s,]+)")


def _branch_in_requirements(text: str) -> str | None:
    data = yaml.safe_load(text) or {}
    entries = data.get("collections", []) if isinstance(data, dict) else []
    for entry in entries:
        if isinstance(entry, dict) and REPO_NAME in str(entry.get("name", "")) + str(entry.get("source", "")):
            return str(entry.get("version")) if entry.get("version") else None
    return None


def install_deps_branch(
    step: Mapping[str, Any], share: Path, content_of: Callable[[str], str | None] | None = None
) -> str:
    """The branch of openstack.kolla that ``step`` (the plan's install-deps) would install.

    ``content_of(path)`` gives what the step leaves in a file the JSON shows no content for
    (copied and edited at run time); see :func:`tests.contract.plans.planned_content`.
    """
    for f in step.get("files") or []:
        content = f.get("content")
        if content is None and f.get("transform") and content_of is not None:
            content = content_of(str(f["path"]))
        if content and REPO_NAME in content:
            branch = _branch_in_requirements(content)
            if branch:
                return branch
    for cmd in step.get("commands") or []:
        argv = [str(a) for a in cmd["argv"]]
        for arg in argv:
            m = _ARGV_SOURCE.search(arg)
            if m:
                return m.group(1)
        for i, arg in enumerate(argv[:-1]):
            if arg in ("-r", "--requirements-file") and Path(argv[i + 1]).is_file():
                branch = _branch_in_requirements(Path(argv[i + 1]).read_text())
                if branch:
                    return branch
        if len(argv) >= 2 and argv[0].endswith("/kolla-ansible") and "install-deps" in argv[1:]:
            branch = _branch_in_requirements((share / "requirements.yml").read_text())
            if branch:
                return branch
    raise AssertionError(f"cannot tell which openstack.kolla branch the install-deps step installs: {step}")
