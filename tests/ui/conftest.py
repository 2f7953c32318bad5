"""Fixtures shared by both front ends' tests: the guide's host as injected facts."""

from __future__ import annotations

import pytest

from tests.support.guide import GUIDE_HOST_FILE
from wizard.host.facts import HostFacts


@pytest.fixture
def facts() -> HostFacts:
    return HostFacts.load(GUIDE_HOST_FILE)
