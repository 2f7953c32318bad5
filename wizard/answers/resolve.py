"""Settle every answer: given (answers file or journal) > detected from the host > static default.

The front ends show each value with where it came from ("detected: interface of the default route
via 10.1.1.1"), so a user can tell a guess from something they typed. Questions are settled in
catalog order, and later defaults see the earlier answers: pick another management NIC and the
VIP, the external CIDR, its gateway and the floating range follow it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wizard.answers.questions import QUESTIONS, DefaultContext
from wizard.host.facts import HostFacts


@dataclass(frozen=True)
class ResolvedAnswer:
    key: str
    value: Any
    origin: str  # "answers" (or the given_origin), "journal", "detected" or "default"
    reason: str  # why this value ("detected: ...", "from the answers file")

    @property
    def description(self) -> str:
        """One line for UIs: ``detected: interface of the default route via 10.1.1.1``."""
        if self.origin in ("detected", "default"):
            return f"{self.origin}: {self.reason}"
        return self.reason


@dataclass(frozen=True)
class ResolvedAnswers:
    """Every answer with its origin, in catalog order."""

    answers: tuple[ResolvedAnswer, ...]
    _by_key: dict[str, ResolvedAnswer] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_key.update({a.key: a for a in self.answers})

    @property
    def values(self) -> dict[str, Any]:
        """A plain dict of every answer (a deep copy: safe to modify) for the YAML and the plan."""
        return {a.key: copy.deepcopy(a.value) for a in self.answers}

    def __getitem__(self, key: str) -> ResolvedAnswer:
        return self._by_key[key]

    def origin(self, key: str) -> str:
        return self._by_key[key].origin

    def reason(self, key: str) -> str:
        return self._by_key[key].reason

    def description(self, key: str) -> str:
        """``detected: <why>``, ``default: <why>`` or ``from the answers file``: what UIs show next to a value."""
        return self._by_key[key].description

    def descriptions(self) -> dict[str, str]:
        return {a.key: a.description for a in self.answers}


def resolve_answers(
    facts: HostFacts,
    given: Mapping[str, Any] | None = None,
    journal: Mapping[str, Any] | None = None,
    *,
    given_origin: str = "answers",
) -> ResolvedAnswers:
    """Resolve every question for ``facts``: ``given`` wins over ``journal``, which wins over defaults.

    Values are not validated here (that is :func:`wizard.answers.validation.validate_answers`); a
    question without any default resolves to None.
    """
    given = dict(given or {})
    journal = dict(journal or {})
    settled: dict[str, Any] = {}
    out: list[ResolvedAnswer] = []
    for q in QUESTIONS:
        if q.key in given:
            value, origin = given[q.key], given_origin
            reason = "from the answers file" if origin == "answers" else f"from {origin}"
        elif q.key in journal:
            value, origin, reason = journal[q.key], "journal", "from the install under way (journal)"
        else:
            # Defaults may look at later answers the user gave (enable_haproxy for the VIP).
            ctx = DefaultContext(facts, {**journal, **given, **settled})
            found, origin = q.default_for(ctx)
            value = copy.deepcopy(found.value) if found is not None else None
            reason = found.reason if found is not None else "no default"
        settled[q.key] = value
        out.append(ResolvedAnswer(q.key, value, origin, reason))
    return ResolvedAnswers(tuple(out))
