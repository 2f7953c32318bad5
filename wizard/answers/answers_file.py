"""The answers YAML: read it keeping each key's line, write it with every question as a comment.

An answers file is how an install is repeated (``run --non-interactive --answers FILE``) and how a
wizard session is saved (``export``), so reading it must never crash or half-accept: every problem
is reported at once as ``FILE:LINE: key: message``, whatever was in the file (broken YAML, a list,
binary junk, a megabyte of text). The file is parsed twice: ``yaml.compose`` gives the nodes with
their line numbers (and exposes duplicate keys and aliases, which ``safe_load`` would hide), and the
values come from constructing those same nodes with the safe constructor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from wizard import __version__
from wizard.answers.patterns import shown, templating_in
from wizard.answers.questions import GROUPS, KEYS, questions_in
from wizard.answers.validation import (
    SECRET_KEY,
    Problem,
    did_you_mean,
    normalize_value,
    shape_problem,
    validate_answers,
)
from wizard.errors import UserError
from wizard.host.facts import HostFacts
from wizard.inputs import InputFileError, ShallowLoader, read_regular_file, value_problem

SCHEMA_VERSION = 1
#: Keys that describe the file rather than answer a question.
META_KEYS = ("schema_version", "wizard_version")
#: An answers file is a few KB; anything this big is not one (and is not worth parsing).
MAX_BYTES = 256 * 1024


@dataclass(frozen=True)
class FileProblem:
    """One problem of an answers file, ready to print: ``FILE:LINE: key: message``."""

    text: str
    severity: str = "error"
    in_file: bool = True  # False: about a default this host would fill in for a key the file leaves out
    line: int = 0  # 0: not about one line

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        return self.text


@dataclass
class AnswersFile:
    """What an answers file holds: the answers (normalised), the line of each key, its metadata.

    ``structural`` holds what is wrong with the file itself (unknown or duplicate keys...), each with
    its line as a number, so sorting by line never parses the printed text (a path may hold ":").
    """

    path: str
    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    structural: list[FileProblem] = field(default_factory=list)
    #: keys whose value has the wrong shape (reported in ``structural``, not again by validation)
    bad_shape: set[str] = field(default_factory=set)

    @property
    def problems(self) -> list[str]:
        """The structural errors as printed: ``FILE:LINE: key: message`` (warnings left out)."""
        return [p.text for p in self.structural if p.is_error]

    def where(self, key: str) -> str:
        line = self.lines.get(key)
        return f"{self.path}:{line}" if line else self.path


class _FileProblem(Exception):
    """Why a file cannot be an answers file at all, and the line where that shows (None: the whole file)."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message

    def text(self, name: str) -> str:
        """``FILE[:LINE]: message``, as printed."""
        where = f"{name}:{self.line}" if self.line else name
        return f"{where}: {self.message}"


def read_answers_file(path: str | Path, *, allow_templates: bool = False) -> AnswersFile:
    """Parse ``path`` into an :class:`AnswersFile` (values not yet validated against the host).

    A file that cannot be an answers file at all (missing, not a regular file, binary, huge,
    broken or too deeply nested YAML, not a mapping) raises UserError with ``FILE[:LINE]: message``.
    Unknown, duplicate and metadata problems, values of the wrong shape and Jinja templating
    (refused unless ``allow_templates``: see :func:`_templating_problem`) are collected in
    ``.structural``.
    """
    try:
        return _read(path, allow_templates)
    except _FileProblem as exc:
        raise UserError(exc.text(str(path))) from None


def _read(path: str | Path, allow_templates: bool = False) -> AnswersFile:
    """:func:`read_answers_file`, raising :class:`_FileProblem` (which keeps the line as a number)."""
    return _parse(str(path), _read_text(Path(path)), allow_templates)


def _read_text(path: Path) -> str:
    try:
        raw = read_regular_file(path, MAX_BYTES, "an answers file")
    except InputFileError as exc:
        raise _FileProblem(None, str(exc)) from None
    if b"\x00" in raw:
        raise _FileProblem(None, "binary data, not a YAML answers file (write one with 'aio-wizard export')")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _FileProblem(line, "not UTF-8 text (binary data?); an answers file is YAML") from None
    return text.removeprefix("\ufeff")


def _parse(name: str, text: str, allow_templates: bool = False) -> AnswersFile:
    try:
        root = yaml.compose(text, Loader=ShallowLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = str(exc.problem or exc.context)
        if "another document" in problem:
            problem = "more than one document (an answers file is one mapping; remove the extra '---')"
        raise _FileProblem(line, f"broken YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise _FileProblem(None, f"broken YAML: {exc}") from None
    if root is None:
        raise _FileProblem(None, "empty: expected a mapping of answers (write one with 'aio-wizard export')")
    if not isinstance(root, yaml.MappingNode):
        kind = "a list" if isinstance(root, yaml.SequenceNode) else f"a single value ({_short(root)})"
        raise _FileProblem(root.start_mark.line + 1, f"expected a mapping of answers at the top level, got {kind}")
    _refuse_aliases(root, set())
    af = AnswersFile(name)
    first_line: dict[str, int] = {}
    constructor = yaml.SafeLoader("")
    for key_node, value_node in root.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
            af.structural.append(
                FileProblem(
                    f"{name}:{line}: {_short(key_node)}: a key must be a plain name (e.g. network_interface)",
                    line=line,
                )
            )
            continue
        key = key_node.value
        if key in first_line:
            af.structural.append(
                FileProblem(f"{name}:{line}: {key}: given twice (first on line {first_line[key]})", line=line)
            )
            continue
        first_line[key] = line
        try:
            value = constructor.construct_object(value_node, deep=True)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = mark.line + 1 if mark else line
            text = f"{name}:{where}: {key}: cannot read the value ({getattr(exc, 'problem', exc)})"
            af.structural.append(FileProblem(text, line=where))
            continue
        except ValueError:  # an integer of more than 4300 digits: Python refuses to convert it
            text = f"{name}:{line}: {key}: cannot read the value (a number of more than 4300 digits)"
            af.structural.append(FileProblem(text, line=line))
            continue
        if (key in KEYS or key in META_KEYS) and (unreadable := value_problem(value)) is not None:
            af.structural.append(FileProblem(f"{name}:{line}: {key}: {unreadable}", line=line))
            continue
        if key in META_KEYS:
            af.meta[key] = value
            af.lines[key] = line
        elif key in KEYS:
            af.values[key] = normalize_value(key, value)
            af.lines[key] = line
            if (shape := shape_problem(key, value)) is not None:
                af.bad_shape.add(key)
                af.structural.append(FileProblem(f"{name}:{line}: {shape}", line=line))
            elif (found := _templating_problem(key, value, allow_templates)) is not None:
                af.structural.append(FileProblem(f"{name}:{line}: {found}", found.severity, line=line))
        else:
            af.structural.append(FileProblem(f"{name}:{line}: {key}: unknown answer{did_you_mean(key)}", line=line))
    version = af.meta.get("schema_version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        text = (
            f"{af.where('schema_version')}: schema_version: {shown(version, 40)} is not supported "
            f"(this wizard reads schema_version: {SCHEMA_VERSION})"
        )
        af.structural.append(FileProblem(text, line=af.lines.get("schema_version", 0)))
    return af


def _templating_problem(key: str, value: Any, allowed: bool) -> Problem | None:
    """Jinja templating in an imported value: an error, or with ``--allow-templates`` a warning.

    Ansible evaluates every string of globals.yml, as root on this host: ``{{ lookup('pipe',
    CMD) }}`` in extra_globals runs CMD. Answers files are passed around (that is what export
    is for), so a file's templating runs only when the operator says so. Values typed into the
    wizard's own form are the operator's and are not checked here.
    """
    found = templating_in(value)
    if found is None:
        return None
    if allowed:
        return Problem(
            key,
            f"{found} is Jinja templating: Ansible will evaluate it as root on this host (--allow-templates)",
            "warning",
        )
    return Problem(
        key,
        f"{found} is Jinja templating, which Ansible would evaluate as root on this host: refused in an "
        "answers file (if you wrote it and mean it, pass --allow-templates)",
    )


def _refuse_aliases(node: yaml.Node, seen: set[int]) -> None:
    """Anchors/aliases make one node appear twice: refuse them (they can blow up into huge values)."""
    if id(node) in seen:
        raise _FileProblem(node.start_mark.line + 1, "YAML anchors and aliases are not supported in answers files")
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            _refuse_aliases(k, seen)
            _refuse_aliases(v, seen)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _refuse_aliases(item, seen)


def _short(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        return shown(node.value, 40)
    return "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"


# --- checking -------------------------------------------------------------------------------


def file_problems(af: AnswersFile, facts: HostFacts, *, complete: bool) -> list[FileProblem]:
    """Every problem in ``af``, in line order (problems without a line last).

    With ``complete`` every key must be in the file. Otherwise the answers are checked together
    with this host's defaults for the keys the file leaves out (what ``run`` would use), and a
    problem in such a default is reported with ``in_file=False``.
    """
    from wizard.answers.resolve import resolve_answers

    end = 10**9
    out = [replace(p, line=p.line or end) for p in af.structural]
    merged = dict(af.values) if complete else resolve_answers(facts, given=af.values).values
    for problem in validate_answers(merged, facts, partial=False):
        if problem.key in af.bad_shape:
            continue  # already in af.structural, with the same message
        if problem.key in af.values:
            line = af.lines.get(problem.key, 0)
            out.append(FileProblem(f"{af.where(problem.key)}: {problem}", problem.severity, True, line or end))
        elif complete:
            out.append(FileProblem(f"{af.path}: {problem}", problem.severity, True, end))
        elif merged.get(problem.key) is None:
            text = f"{af.path}: {problem.key}: not in the file, and this host offers no default ({_why(problem)})"
            out.append(FileProblem(text, problem.severity, False, end))
        else:
            out.append(FileProblem(f"{af.path}: {problem} (this host's default)", problem.severity, False, end))
    if any(p.in_file and p.is_error for p in out):
        # Defaults follow the file's answers (the VIP follows network_interface): fix the file first.
        out = [p for p in out if p.in_file]
    out.sort(key=lambda p: p.line)
    return out


def _why(problem: Problem) -> str:
    return problem.message.removeprefix("missing; ")


def check_file(
    path: str | Path, facts: HostFacts, *, complete: bool = False, allow_templates: bool = False
) -> list[FileProblem]:
    """``aio-wizard validate``: every problem of the file at ``path`` (warnings included)."""
    try:
        af = _read(path, allow_templates)
    except _FileProblem as exc:
        return [FileProblem(exc.text(str(path)), line=exc.line or 0)]
    return file_problems(af, facts, complete=complete)


def load_answers(
    path: str | Path, facts: HostFacts, *, complete: bool, allow_templates: bool = False
) -> dict[str, Any]:
    """The answers in ``path``, or UserError listing every error in it at once.

    ``complete=True`` (``--non-interactive``): every answer must be there and valid. Otherwise the
    file may be partial and its values become the defaults of an interactive session; a problem
    with a default the file does not touch is left to the session. Jinja templating is refused
    unless ``allow_templates`` (``--allow-templates``).
    """
    af = read_answers_file(path, allow_templates=allow_templates)
    found = file_problems(af, facts, complete=complete)
    errs = [p.text for p in found if p.is_error and p.in_file]
    if errs:
        head = f"{len(errs)} problem{'s' if len(errs) > 1 else ''} in the answers file"
        raise UserError(head + ":\n" + "\n".join(errs))
    return dict(af.values)


def load_answers_for_form(path: str | Path, *, allow_templates: bool = False) -> dict[str, Any]:
    """The answers in ``path`` as the starting values of the full-screen form.

    Only a file that is not a well-formed answers file is refused (unreadable, unknown keys, values
    of the wrong shape). An answer this host cannot take, typically another host's NIC name, is
    kept: the form opens with that field flagged, where it can be fixed, instead of exiting 2.
    ``validate``, ``run`` and ``--plain`` stay with :func:`load_answers`.
    """
    af = read_answers_file(path, allow_templates=allow_templates)
    if af.problems:
        head = f"{len(af.problems)} problem{'s' if len(af.problems) > 1 else ''} in the answers file"
        raise UserError(head + ":\n" + "\n".join(af.problems))
    return dict(af.values)


# --- writing -------------------------------------------------------------------------------


def dump_answers(values: Mapping[str, Any], reasons: Mapping[str, str] | None = None) -> str:
    """The answers as commented YAML: metadata, then every question's prompt and its value.

    Secret questions are never written. ``reasons`` (key -> origin text) adds where each value came from.
    """
    lines = [
        "# aio-wizard answers: use with 'aio-wizard run --answers FILE' or check with 'aio-wizard validate FILE'.",
        f"schema_version: {SCHEMA_VERSION}",
        f"wizard_version: {_scalar(__version__)}",
    ]
    for group in GROUPS:
        lines += ["", f"# === {group} ==="]
        for q in questions_in(group):
            if q.secret or q.key not in values:
                continue
            lines.append("")
            lines.append(f"# {q.prompt}")
            if q.key == "kolla_ansible_git_ref":
                lines.append("# (used with kolla_ansible_source: git)")
            if reasons and reasons.get(q.key):
                lines.append(f"# -> {_one_line(reasons[q.key])}")
            lines.append(_dump_one(q.key, values[q.key]).rstrip("\n"))
    return "\n".join(lines) + "\n"


def _dump_one(key: str, value: Any) -> str:
    """``key: value`` with scalars, lists and the range on one line (flow style), other mappings as blocks."""
    if isinstance(value, tuple):
        value = list(value)
    if key == "extra_globals" and isinstance(value, Mapping):
        value = {k: v for k, v in value.items() if not SECRET_KEY.search(str(k))}  # never export a secret
    if isinstance(value, dict) and value and key != "ext_net_range":
        return yaml.safe_dump({key: value}, default_flow_style=False, sort_keys=False, allow_unicode=True, width=1000)
    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, allow_unicode=True, width=1000)
    text = text.removesuffix("\n").removesuffix("\n...")
    return f"{key}: {text}"


def _scalar(value: str) -> str:
    return yaml.safe_dump(value, default_style=None).splitlines()[0]


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


__all__ = [
    "META_KEYS",
    "SCHEMA_VERSION",
    "AnswersFile",
    "FileProblem",
    "check_file",
    "dump_answers",
    "file_problems",
    "load_answers",
    "load_answers_for_form",
    "read_answers_file",
]
