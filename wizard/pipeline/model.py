"""The plan's building blocks: commands, file writes, retry policies, planned steps.

A plan is data, not code that acts: ``aio-wizard plan`` prints it, the review screens show it,
the journal fingerprints it, and only the runner executes it. Every command is an argv list
(never a shell string holding a user value) whose :attr:`Command.display` a user could paste.
"""

from __future__ import annotations

import functools
import hashlib
import json
import shlex
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DoneCheck = Callable[[Path], "str | None"]
Transform = Callable[["str | None"], str]

# What the runner sets for every command: no prompts, no colours, no pagers, unbuffered output.
BASE_ENV: Mapping[str, str] = {
    "DEBIAN_FRONTEND": "noninteractive",
    "APT_LISTCHANGES_FRONTEND": "none",
    "NEEDRESTART_MODE": "a",
    "ANSIBLE_NOCOLOR": "1",
    "ANSIBLE_FORCE_COLOR": "0",
    "PY_COLORS": "0",
    "NO_COLOR": "1",
    "PYTHONUNBUFFERED": "1",
    "PIP_NO_INPUT": "1",
    "PIP_PROGRESS_BAR": "off",
    "TERM": "dumb",
}
DEFAULT_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"  # PATH when the runner's own environment has none


@dataclass(frozen=True)
class Command:
    """One subprocess: ``argv`` with ``env`` added to the runner's environment.

    ``path_prepend`` puts directories (the virtualenv's ``bin``) in front of ``$PATH``, the
    way ``source VENV/bin/activate`` would, so the display stays paste-able. ``explain`` is
    a short note shown under the command in the plan (what an internal action does).
    ``cwd`` is the host directory it runs in (the runner creates it 0700 under the plan's root
    when missing); empty: the runner's own. Why: a command that writes into its working
    directory (init-runonce downloads CirrOS to ``./``) must not litter ``/`` when the install
    runs detached, nor wherever the operator happened to start the wizard.
    """

    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    path_prepend: tuple[str, ...] = ()
    ok_exit: tuple[int, ...] = (0,)
    explain: str = ""
    cwd: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "argv", tuple(str(a) for a in self.argv))
        object.__setattr__(self, "env", dict(self.env))

    @property
    def display(self) -> str:
        """The command as a user could paste it into a root shell."""
        parts = [f"{k}={shlex.quote(v)}" for k, v in self.env.items()]
        if self.path_prepend:
            parts.insert(0, "PATH=" + shlex.quote(":".join(self.path_prepend)) + ':"$PATH"')
        if self.cwd:
            parts.insert(0, f"cd {shlex.quote(self.cwd)} &&")
        return " ".join([*parts, shlex.join(self.argv)])

    def environment(self, base_env: Mapping[str, str]) -> dict[str, str]:
        """The whole environment this command runs with, started from ``base_env``.

        The one computation of it: the runner passes exactly this to the subprocess and
        ``plan --json`` shows what it sets or changes, so the two cannot drift. Order: the
        base, the runner's fixed settings (:data:`BASE_ENV`), ``path_prepend`` in front of
        ``$PATH``, then the command's own ``env``.
        """
        env = dict(base_env)
        env.update(BASE_ENV)
        if self.path_prepend:
            env["PATH"] = ":".join([*self.path_prepend, env.get("PATH") or DEFAULT_PATH])
        env.update(self.env)
        return env

    def environment_changes(self, base_env: Mapping[str, str]) -> dict[str, str]:
        """Every variable :meth:`environment` sets or changes over ``base_env``, fully expanded.

        The runner's fixed settings, PATH and the command's own ``env`` are always in it, even where
        ``base_env`` already holds the same value: a consumer that runs the command elsewhere
        (the contract tests) then gets exactly the runner's environment by adding these to its own.
        """
        env = self.environment(base_env)
        keys = {*BASE_ENV, "PATH", *self.env} | {k for k, v in env.items() if base_env.get(k) != v}
        return {k: env.get(k, DEFAULT_PATH) for k in sorted(keys)}  # "" is a value (PYTHONUNBUFFERED="")

    def fingerprint_data(self) -> list[Any]:
        return [list(self.argv), sorted(self.env.items()), list(self.path_prepend), list(self.ok_exit)]


@dataclass(frozen=True)
class FileWrite:
    """A file the pipeline writes itself (atomically, via :func:`wizard.files.atomic_write`).

    Exactly one source: ``content`` (known at plan time), ``copy_from`` (a file that exists
    only once an earlier step ran, e.g. the examples inside the virtualenv) or ``transform``
    alone (new content computed from the current content, e.g. the hosts file edit). With
    ``copy_from``, ``transform`` (if any) is applied to the copied content. ``if_absent``
    never replaces an existing file (passwords.yml). ``directory`` makes a directory.
    Paths are host paths; the runner resolves them under the plan's root.
    """

    path: str
    content: str | None = None
    copy_from: str | None = None
    transform: Transform | None = None
    mode: int | None = None
    backup: bool = False
    if_absent: bool = False
    directory: bool = False
    note: str = ""

    def fingerprint_data(self) -> list[Any]:
        transform = getattr(self.transform, "__qualname__", None) if self.transform else None
        return [
            self.path,
            self.content,
            self.copy_from,
            transform,
            self.mode,
            self.backup,
            self.if_absent,
            self.directory,
        ]

    def wanted(self, root: Path, *, errors: str = "strict") -> tuple[str | None, str] | None:
        """What writing this file under ``root`` would change: ``(current, new)``, or None when nothing.

        The one place that decides it, so the plan shows what the runner writes and the file-only
        steps' done-checks agree with both. ``current`` is the target's text (None when absent).
        None: an ``if_absent`` file that exists, a file already holding the wanted text, or a
        transform that makes nothing of a missing file (the hosts edit: no /etc/hosts, nothing
        to comment out, so none is created). ``errors`` decodes what a transform or a copy
        reads: "strict" for writing (never feed replacement characters back to disk),
        "replace" for showing. Raises OSError (unreadable source) and ValueError (undecodable
        text, a transform that refuses its input). Not for directories.
        """
        if self.directory:
            raise ValueError(f"{self.path}: a directory has no content")
        target = host_path(root, self.path)
        if self.if_absent and target.exists():
            return None
        if self.copy_from is not None:
            source = host_path(root, self.copy_from).read_text(errors=errors)
            new = self.transform(source) if self.transform else source
            current = _read_or_none(target, "replace")
        elif self.content is not None:
            new = self.content
            current = _read_or_none(target, "replace")
        else:
            assert self.transform is not None
            current = _read_or_none(target, errors)
            new = self.transform(current)
            if current is None and not new:
                return None
        return None if current == new else (current, new)

    def is_as_wanted(self, root: Path) -> bool:
        """Whether the host under ``root`` already holds this file (or directory) as planned.

        An ``if_absent`` file only has to exist: its source need not exist yet (the examples
        arrive with an earlier step), and it is never compared.
        """
        target = host_path(root, self.path)
        if self.directory:
            return target.is_dir()
        if self.if_absent:
            return target.exists()
        return self.wanted(root) is None


def files_as_wanted(files: Iterable[FileWrite], root: Path) -> bool:
    """Every file of a file-only step already as planned: the step's generic done-check."""
    return all(f.is_as_wanted(root) for f in files)


def _read_or_none(path: Path, errors: str) -> str | None:
    """The file's text, None when it does not exist (other errors, e.g. a directory, raise)."""
    try:
        return path.read_text(errors=errors)
    except FileNotFoundError:
        return None


@dataclass(frozen=True)
class RetryPolicy:
    """Automatic retries for failures that are often transient (apt, pip, git, image pulls)."""

    retries: int = 0
    delays: tuple[float, ...] = (10.0, 30.0, 60.0)

    def delay(self, retry_number: int) -> float:
        """Seconds to wait before automatic retry ``retry_number`` (1-based): backoff, last one repeats."""
        if not self.delays:
            return 0.0
        return self.delays[min(retry_number, len(self.delays)) - 1]


NO_RETRY = RetryPolicy()
NETWORK_RETRY = RetryPolicy(retries=2, delays=(15.0, 45.0))


@dataclass(frozen=True)
class PlannedStep:
    """One step of a concrete plan: everything needed to show it, run it and fingerprint it."""

    id: str
    title: str
    why: str = ""
    commands: tuple[Command, ...] = ()
    files: tuple[FileWrite, ...] = ()
    retry: RetryPolicy = NO_RETRY
    depends_on: tuple[str, ...] = ()
    depends_values: Mapping[str, Any] = field(default_factory=dict)
    optional: bool = False
    done_check: DoneCheck | None = None
    done_check_display: str = ""
    notes: tuple[str, ...] = ()
    expected_seconds: float = 20.0  # how long the step usually takes (StepSpec.expected): the progress estimate

    @functools.cached_property
    def fingerprint(self) -> str:
        """A hash of what the step does: its commands, files and the answers it depends on.

        Cached: the journal compares and records it several times per run, and a step never changes.
        """
        data = {
            "commands": [c.fingerprint_data() for c in self.commands],
            "files": [f.fingerprint_data() for f in self.files],
            "answers": {k: self.depends_values.get(k) for k in sorted(self.depends_on)},
        }
        raw = json.dumps(data, sort_keys=True, default=str).encode()
        return hashlib.sha256(raw).hexdigest()[:16]

    def is_done(self, root: Path) -> str | None:
        """Why the step's work is already there on the host under ``root``, or None."""
        if self.done_check is None:
            return None
        return self.done_check(root)


@dataclass(frozen=True)
class Plan:
    """An ordered list of steps for one release, plus what the journal keeps about it.

    ``problems`` are reasons this host cannot run the plan (e.g. an unsupported Debian for the
    release): ``plan`` prints them first, ``run`` refuses. ``secret_files`` are the files
    whose values are redacted from output (passwords.yml).
    """

    steps: tuple[PlannedStep, ...]
    release: str
    answers: Mapping[str, Any] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    root: Path = Path("/")
    secret_files: tuple[str, ...] = ()
    source: str = "kolla"

    def step(self, step_id: str) -> PlannedStep:
        for s in self.steps:
            if s.id == step_id:
                return s
        known = ", ".join(s.id for s in self.steps)
        from wizard.errors import UserError

        raise UserError(f"unknown step {step_id!r} (steps: {known})")

    def index(self, step_id: str) -> int:
        """0-based position of ``step_id``."""
        return self.steps.index(self.step(step_id))

    @property
    def step_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.steps)


def host_path(root: Path, path: str) -> Path:
    """``path`` (absolute, on the host) as seen under ``root`` (a chroot or a test's tmp dir)."""
    p = Path(path)
    if str(root) in ("", "/"):
        return p
    return Path(root) / p.relative_to(p.anchor) if p.is_absolute() else Path(root) / p
