"""The plan: which steps, with which exact commands and files, for these answers on this host.

``build_plan`` turns (answers, host facts, release) into a :class:`Plan` using the step catalog
in :mod:`wizard.pipeline.steps`; ``plan_from_steps_file`` loads a plan of harmless test steps;
``render_plan`` prints either for ``aio-wizard plan``, ``--dry-run`` and the review screens.
Nothing here changes the host: the done-checks only look.
"""

from __future__ import annotations

import difflib
import json
import os
import textwrap
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from wizard.files import next_backup_path
from wizard.pipeline.model import Command, FileWrite, Plan, PlannedStep, RetryPolicy, host_path
from wizard.pipeline.steps_file import plan_from_steps_file

__all__ = [
    "Command",
    "FileWrite",
    "Plan",
    "PlannedStep",
    "RetryPolicy",
    "build_plan",
    "plan_as_json",
    "plan_from_steps_file",
    "render_plan",
    "render_plan_json",
]

MAX_SHOWN_LINES = 200  # a file's content or diff longer than this is cut in the plan


def build_plan(answers: Mapping[str, Any], facts: Any, release: Any = None, *, root: Path | str = "/") -> Plan:
    """The Kolla pipeline for ``answers`` on the host ``facts`` describes.

    ``release`` is a :class:`wizard.kolla.releases.Release` or a name; by default the answers'
    ``openstack_release``. ``root`` is where done-checks and file writes look (a chroot or a
    test's temporary directory); commands always name host paths.
    """
    from wizard.pipeline.steps import build_kolla_plan

    return build_kolla_plan(answers, facts, release, root=Path(root))


# The ways out an operator has besides the steps, said where they read what will happen (the plan).
WHEN_IT_GOES_WRONG = (
    "When a step fails: its log, a hint and Retry / Skip / Abort; `aio-wizard bundle` writes a redacted "
    "support bundle (tar.gz) to attach to a bug report.",
    "To start over: `aio-wizard destroy --dry-run` shows what `aio-wizard destroy` removes (kolla-ansible "
    "destroy, /etc/kolla, the virtualenv) and what it leaves, with how to revert each host change.",
)
# Prose in the plan is wrapped to this width (a terminal cuts a longer line mid-word); command lines
# are not: they stay one paste-able line.
PROSE_WIDTH = 80


def _prose(text: str, indent: str, subsequent: str | None = None) -> list[str]:
    """``text`` wrapped at words to :data:`PROSE_WIDTH`; continuation lines start with ``subsequent``
    (by default ``indent`` again when it is a marker such as ``# ``, else as many spaces)."""
    if subsequent is None:
        subsequent = indent if indent.strip() else " " * len(indent)
    lines = textwrap.wrap(
        text,
        PROSE_WIDTH,
        initial_indent=indent,
        subsequent_indent=subsequent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return lines or [indent.rstrip()]


def render_plan(plan: Plan, *, check_done: bool = True, show_files: bool = True) -> str:
    """The plan as text: problems first, then every step with its commands, files and done state."""
    out: list[str] = []
    n = len(plan.steps)
    if plan.source.startswith("steps-file:"):
        out.append(f"Plan from {plan.source.split(':', 1)[1]}: {n} steps")
    else:
        out.append(f"Plan for OpenStack {plan.release}: {n} steps")
    if plan.problems:
        out.append("")
        out.append("Problems (this host cannot run this plan; `aio-wizard run` refuses it):")
        out.extend(f"  - {p}" for p in plan.problems)
    width = len(str(n))
    for i, step in enumerate(plan.steps, 1):
        out.append("")
        tag = "  (optional)" if step.optional else ""
        out.append(f"[{i:>{width}}/{n}] {step.id}: {step.title}{tag}")
        if step.why:
            out.extend(_prose(f"why: {step.why}", "    "))
        for note in step.notes:
            out.extend(_prose(f"note: {note}", "    "))
        if check_done:
            try:
                reason = step.is_done(plan.root)
            except Exception as exc:
                reason = None
                out.append(f"    done-check failed: {exc}")
            if reason:
                out.extend(_prose(f"would be skipped: already done: {reason}", "    "))
        elif step.done_check_display:
            out.extend(_prose(f"done when: {step.done_check_display}", "    "))
        if show_files:
            for f in step.files:
                what, *body = _render_file(f, plan.root)
                out.extend(_prose(what, "    "))  # the file's content and diff lines stay verbatim
                out.extend("    " + line if line else "" for line in body)
        for cmd in step.commands:
            out.append(f"    $ {cmd.display}")
            if cmd.explain:
                out.extend(_prose(cmd.explain, "      # "))
        if step.retry.retries:
            delays = ", ".join(f"{step.retry.delay(k):g}" for k in range(1, step.retry.retries + 1))
            out.append(f"    retries: {step.retry.retries} automatic (after {delays} s)")
        if step.depends_on:
            out.extend(_prose(f"answers used: {', '.join(step.depends_on)}", "    "))
    if not plan.source.startswith("steps-file:"):
        out.append("")
        for paragraph in WHEN_IT_GOES_WRONG:
            out.extend(_prose(paragraph, "", "  "))
    out.append("")
    return "\n".join(out)


def _render_file(f: FileWrite, root: Path) -> list[str]:
    mode = f" mode {f.mode:04o}" if f.mode is not None else ""
    extra = f" — {f.note}" if f.note else ""
    if f.directory:
        return [f"makes directory {f.path}{mode}{extra}"]
    target = host_path(root, f.path)
    backup = ""
    if f.backup and os.path.lexists(target):
        # the name it will get: NAME.aio-wizard.bak on the first run, .bak.1, .bak.2... after
        backup = f", the current one kept as {PurePosixPath(f.path).with_name(next_backup_path(target).name)}"
    if f.if_absent:
        exists = target.exists()
        what = f"copies {f.copy_from} to {f.path}" if f.copy_from else f"writes {f.path}"
        state = "; it exists now, so it is kept" if exists else ""
        return [f"{what}{mode} only when absent (never overwritten){state}{extra}"]
    if f.copy_from is not None:
        how = ", adjusted" if f.transform else ""
        return [f"copies {f.copy_from} to {f.path}{how}{mode}{backup}{extra}"]
    try:
        change = f.wanted(root, errors="replace")
    except (OSError, ValueError) as exc:
        return [f"edits {f.path}{backup}{extra} (cannot tell the change here: {exc})"]
    if change is None:
        if not target.exists():
            return [f"edits {f.path}{backup}{extra} (the file does not exist here: nothing to change)"]
        return [f"{f.path} is already as wanted: unchanged"]
    current, new = change
    if current is None:
        absent = " (it does not exist yet; as if empty)" if f.content is None else ""
        lines = [f"writes {f.path}{mode}{backup}{extra}{absent}:"]
        body = new.splitlines()
        lines.extend("  | " + line for line in body[:MAX_SHOWN_LINES])
        if len(body) > MAX_SHOWN_LINES:
            lines.append(f"  | … {len(body) - MAX_SHOWN_LINES} more lines")
        return lines
    diff = list(
        difflib.unified_diff(
            current.splitlines(), new.splitlines(), f"{f.path} (now)", f"{f.path} (planned)", lineterm="", n=1
        )
    )
    lines = [f"changes {f.path}{mode}{backup}{extra}:"]
    lines.extend("  " + line for line in diff[:MAX_SHOWN_LINES])
    return lines


def plan_as_json(plan: Plan, base_env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The plan as one JSON-able object, for tools that check it (the kolla contract tests).

    ``{"release", "problems", "steps": [{"id", "title", "optional", "depends_on", "done_check",
    "commands": [{"argv", "env", "ok_exit", "cwd" (when set)}], "files": [{"path", "mode", "content", ...}]}]}``.
    ``env`` is what the runner sets or changes for the command over ``base_env`` (this process's
    environment by default), fully expanded, PATH always there: computed by
    :meth:`Command.environment_changes`, the same function the runner's environment comes from.
    ``done_check`` is what the step's done-check looks for, or None.
    """
    base = dict(os.environ if base_env is None else base_env)
    return {
        "release": plan.release,
        "problems": list(plan.problems),
        "steps": [
            {
                "id": step.id,
                "title": step.title,
                "optional": step.optional,
                "depends_on": list(step.depends_on),
                "done_check": step.done_check_display or None,
                "expected_seconds": step.expected_seconds,
                "commands": [
                    {
                        "argv": list(cmd.argv),
                        "env": cmd.environment_changes(base),
                        "ok_exit": list(cmd.ok_exit),
                        **({"cwd": cmd.cwd} if cmd.cwd else {}),
                    }
                    for cmd in step.commands
                ],
                "files": [_file_json(f, plan.root) for f in step.files],
                "notes": list(step.notes),
            }
            for step in plan.steps
        ],
    }


def render_plan_json(plan: Plan, base_env: Mapping[str, str] | None = None) -> str:
    """:func:`plan_as_json` as text (``aio-wizard plan --json``, a dry run's plan saved as .json)."""
    return json.dumps(plan_as_json(plan, base_env), indent=2) + "\n"


def _file_json(f: FileWrite, root: Path) -> dict[str, Any]:
    """One planned write. ``content``: the whole text the step leaves in the file, computed now for a
    fixed content or an edit of the current file (under the plan's root); None for a directory, a
    file copied at run time (then ``copy_from``, and ``transform`` names the adjustment), or an edit
    of a file that does not exist (nothing is written)."""
    out: dict[str, Any] = {
        "path": f.path,
        "mode": f"{f.mode:04o}" if f.mode is not None else None,
        "content": None,
        "copy_from": f.copy_from,
        "transform": getattr(f.transform, "__qualname__", None) if f.transform else None,
        "directory": f.directory,
        "if_absent": f.if_absent,
        "backup": f.backup,
        "note": f.note,
    }
    if f.directory or f.copy_from is not None:
        return out
    if f.content is not None:
        out["content"] = f.content
        return out
    assert f.transform is not None
    try:
        current = _read_text(host_path(root, f.path))
        new = f.transform(current)
    except (OSError, ValueError) as exc:
        out["error"] = f"cannot tell the content here: {exc}"
        return out
    out["content"] = None if current is None and not new else new
    return out


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text()
    except FileNotFoundError:
        return None
