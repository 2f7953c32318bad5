"""The answers being built in one wizard run, shared by both front ends.

Three layers, each read once: the values given up front (``--answers``), the answers of an
install under way (the journal), and what the operator typed in this session. Every default is
resolved again from ``{**given, **typed}`` over the journal, so a later default follows any
earlier typed answer (another management NIC moves the VIP, the external CIDR, its gateway and
the floating range with it), and a value from the answers file keeps its origin until the
operator changes it.

UI-free: no textual, no questionary.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from wizard.answers.resolve import ResolvedAnswers, resolve_answers
from wizard.host.facts import HostFacts

TYPED = "answered in the wizard"  # the origin of a value typed in this session


@dataclass
class AnswerSession:
    """The answers being built: values given up front, the journal's, values typed now, and the host."""

    facts: HostFacts
    given: dict[str, Any] = field(default_factory=dict)  # from --answers
    journal: dict[str, Any] = field(default_factory=dict)  # from an install under way
    typed: dict[str, Any] = field(default_factory=dict)  # answered in this session

    def resolved(self) -> ResolvedAnswers:
        """Every answer with its origin: typed and given > journal > detected > default."""
        return resolve_answers(self.facts, given={**self.given, **self.typed}, journal=self.journal)

    def values(self) -> dict[str, Any]:
        return self.resolved().values

    def with_typed(self, typed: Mapping[str, Any]) -> AnswerSession:
        """The same given and journal answers with ``typed`` as this session's typed answers."""
        return replace(self, typed=dict(typed))

    def is_typed(self, key: str) -> bool:
        """Whether ``key`` was typed in this session (and differs from the answers file's value)."""
        return key in self.typed and not (key in self.given and self.given[key] == self.typed[key])

    def origins(self, resolved: ResolvedAnswers | None = None) -> dict[str, str]:
        """Where each value came from, as shown in the review and written into the export."""
        resolved = resolved or self.resolved()
        return {a.key: TYPED if self.is_typed(a.key) else a.description for a in resolved.answers}
