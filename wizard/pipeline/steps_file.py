"""A plan of arbitrary, harmless steps from YAML, instead of the Kolla pipeline.

The hidden ``--steps-file FILE`` option uses it: the tests (and the front ends' tests) run
real subprocesses through the real runner, journal and UIs without touching the host.

Format (a YAML list)::

    - id: fetch
      title: Fetch something
      why: one line shown in the plan            # optional
      commands: [[sh, -c, "echo hi"], [true]]    # argv lists
      env: {NAME: value}                          # optional, for every command
      done_check: [test, -e, /tmp/x/marker]       # optional argv: exit 0 means already done
      retries: 2                                  # optional automatic retries
      retry_delay: 0.1                            # optional seconds between them (default 0)
      optional: true                              # optional
      writes: [{path: /abs/file, content: "..."}] # optional files written before the commands

or a mapping, when the plan has secrets to keep out of its logs (as the Kolla plan keeps
passwords.yml's values)::

    secret_files: [/abs/passwords.yml]             # YAML files whose values are masked in the output
    steps: [...]                                   # the list above

Read like an answers file: only a regular file (never a FIFO or a device), at most
:data:`MAX_BYTES`, nesting and numbers bounded (:mod:`wizard.inputs`).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from wizard.errors import UserError
from wizard.inputs import InputFileError, ShallowLoader, read_regular_file
from wizard.pipeline.model import Command, FileWrite, Plan, PlannedStep, RetryPolicy

_KEYS = {"id", "title", "why", "commands", "env", "done_check", "retries", "retry_delay", "optional", "writes"}
MAX_BYTES = 1024 * 1024


def plan_from_steps_file(path: Path | str, *, secret_files: tuple[str, ...] = ()) -> Plan:
    """Load a steps file (format in the module docstring) as a :class:`Plan`; UserError names FILE:LINE."""
    path = Path(path)
    try:
        text = read_regular_file(path, MAX_BYTES, "a steps file").decode("utf-8")
    except InputFileError as exc:
        raise UserError(f"{path}: cannot read the steps file: {exc}") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: cannot read the steps file: not UTF-8 text") from None
    try:
        root = yaml.compose(text, Loader=ShallowLoader)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", 0) + 1
        raise UserError(f"{path}:{line}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    constructor = yaml.SafeLoader("")
    if isinstance(root, yaml.MappingNode):
        root, secret_files = _mapping_form(root, constructor, path, secret_files)
    if root is None or not isinstance(root, yaml.SequenceNode):
        raise UserError(f"{path}:1: a steps file is a YAML list of steps")
    # parsed once: each step's value is built from its node (which also gives its line)
    steps: list[PlannedStep] = []
    seen: set[str] = set()
    for node in root.value:
        where = f"{path}:{node.start_mark.line + 1}"
        try:
            item = constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise UserError(f"{where}: cannot read the step: {getattr(exc, 'problem', exc)}") from None
        except ValueError:
            raise UserError(f"{where}: cannot read the step: a number of more than 4300 digits") from None
        steps.append(_step(item, where))
        if steps[-1].id in seen:
            raise UserError(f"{where}: id: {steps[-1].id!r} is used twice")
        seen.add(steps[-1].id)
    if not steps:
        raise UserError(f"{path}:1: the steps file has no steps")
    return Plan(
        steps=tuple(steps),
        release="steps-file",
        answers={"steps_file": str(path.resolve())},
        secret_files=secret_files,
        source=f"steps-file:{path.resolve()}",
    )


def _mapping_form(
    root: yaml.MappingNode, constructor: yaml.SafeLoader, path: Path, secret_files: tuple[str, ...]
) -> tuple[yaml.Node | None, tuple[str, ...]]:
    """``{secret_files: [...], steps: [...]}``: the steps' node and the secret files (absolute paths)."""
    nodes = {k.value: v for k, v in root.value if isinstance(k, yaml.ScalarNode)}
    unknown = sorted(set(nodes) - {"secret_files", "steps"})
    if unknown or len(nodes) != len(root.value):
        raise UserError(f"{path}:1: a steps file mapping holds only secret_files and steps")
    files = constructor.construct_object(nodes["secret_files"], deep=True) if "secret_files" in nodes else []
    if not isinstance(files, list) or not all(isinstance(f, str) and f.startswith("/") for f in files):
        line = nodes["secret_files"].start_mark.line + 1
        raise UserError(f"{path}:{line}: secret_files: a list of absolute paths")
    return nodes.get("steps"), (*secret_files, *files)


def _argv(value: Any, where: str, field: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(a, str | int | float) for a in value):
        raise UserError(f"{where}: {field}: each command is a non-empty list of strings (an argv)")
    return tuple(str(a) for a in value)


def _step(item: Any, where: str) -> PlannedStep:
    if not isinstance(item, dict):
        raise UserError(f"{where}: each step is a mapping with id, title and commands")
    unknown = sorted(set(item) - _KEYS)
    if unknown:
        raise UserError(f"{where}: {unknown[0]}: unknown key (known: {', '.join(sorted(_KEYS))})")
    step_id = item.get("id")
    if not isinstance(step_id, str) or not step_id or any(c in step_id for c in "/ \t"):
        raise UserError(f"{where}: id: required, a word without spaces or slashes")
    cmds = item.get("commands", [])
    if not isinstance(cmds, list):
        raise UserError(f"{where}: commands: a list of argv lists")
    env = item.get("env") or {}
    if not isinstance(env, dict):
        raise UserError(f"{where}: env: a mapping of NAME: value")
    env = {str(k): str(v) for k, v in env.items()}
    commands = tuple(Command(_argv(c, where, "commands"), env=env) for c in cmds)
    retries = item.get("retries", 0)
    delay = item.get("retry_delay", 0)
    if not isinstance(retries, int) or retries < 0:
        raise UserError(f"{where}: retries: a whole number >= 0")
    if not isinstance(delay, int | float) or delay < 0:
        raise UserError(f"{where}: retry_delay: seconds >= 0")
    files = []
    for w in item.get("writes") or []:
        if not isinstance(w, dict) or not isinstance(w.get("path"), str) or not isinstance(w.get("content"), str):
            raise UserError(f"{where}: writes: each entry needs path and content strings")
        files.append(FileWrite(path=w["path"], content=w["content"], backup=bool(w.get("backup", False))))
    done_check = None
    done_display = ""
    if item.get("done_check") is not None:
        check_argv = _argv(item["done_check"], where, "done_check")
        done_check = _command_done_check(check_argv)
        done_display = Command(check_argv).display
    return PlannedStep(
        id=step_id,
        title=str(item.get("title") or step_id),
        why=str(item.get("why") or ""),
        commands=commands,
        files=tuple(files),
        retry=RetryPolicy(retries=retries, delays=(float(delay),)),
        optional=bool(item.get("optional", False)),
        done_check=done_check,
        done_check_display=done_display,
    )


def _command_done_check(argv: tuple[str, ...]) -> Callable[[Path], str | None]:
    """A done-check that runs ``argv`` (exit 0: done), so test plans can skip steps like the real ones."""

    def check(root: Path) -> str | None:
        try:
            res = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return f"`{Command(argv).display}` succeeded" if res.returncode == 0 else None

    return check
